"""Parse YAML safely into plain values that remember where they were written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from dlanki.errors import Loc, Problem

# libyaml's parser is about ten times faster than PyYAML's pure-Python one and gives the same marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"

# Tags that only ever build plain data; anything else (e.g. !!python/object) is refused.
SAFE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary")
}


@dataclass
class YValue:
    """A parsed value with its location: scalars as Python values, maps as dicts of YValue, lists of YValue."""

    value: Any
    loc: Loc
    key_locs: dict[str, Loc] = field(default_factory=dict)
    block: bool = False
    """Scalar written as a block (`|` or `>`): its text starts on the next line."""
    indent: int = 0
    """Indentation of a block scalar's content lines."""

    @property
    def plain(self) -> Any:
        """The value with all locations dropped."""
        if isinstance(self.value, dict):
            return {k: v.plain for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain for v in self.value]
        return self.value


def parse_yaml(text: str, path: str) -> tuple[YValue | None, list[Problem]]:
    """Parse one YAML document; return the value and every problem found."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        loc = Loc(path, mark.line + 1, mark.column + 1) if mark else Loc(path)
        reason = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        message = f"invalid YAML: {reason}" + (f" ({context})" if context else "")
        return None, [Problem(loc, message, "check indentation, quoting and that every ':' is followed by a space")]
    if not nodes:
        return None, []
    if len(nodes) > 1:
        loc = _loc(nodes[1], path)
        return None, [Problem(loc, "more than one YAML document in this file", "remove the '---' separator")]
    converter = _Converter(path, text.splitlines())
    value = converter.convert(nodes[0])
    return value, converter.problems


def _loc(node: yaml.Node, path: str) -> Loc:
    return Loc(path, node.start_mark.line + 1, node.start_mark.column + 1)


class _Converter:
    def __init__(self, path: str, lines: list[str]):
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []
        self.constructor = yaml.SafeLoader("")

    def convert(self, node: yaml.Node) -> YValue:
        loc = _loc(node, self.path)
        if node.tag not in SAFE_TAGS:
            self.problems.append(
                Problem(loc, f"YAML tag {node.tag!r} is not allowed", "remove the tag; cards hold only plain text, lists and mappings")
            )
            return YValue(None, loc)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return YValue([self.convert(item) for item in node.value], loc)
        if node.tag == _STR:
            value = node.value  # the common case, without the constructor's bookkeeping
        else:
            try:
                value = self.constructor.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError) as exc:
                self.problems.append(Problem(loc, f"cannot read this value: {exc}", "quote it as a string"))
                return YValue(None, loc)
        block = node.style in ("|", ">")
        indent = self._block_indent(node) if block else 0
        if node.style in ("'", '"'):
            loc = Loc(loc.path, loc.line, loc.col + 1)  # point at the text, not at its opening quote
        return YValue(value, loc, block=block, indent=indent)

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> YValue:
        result: dict[str, YValue] = {}
        key_locs: dict[str, Loc] = {}
        for key_node, value_node in node.value:
            key_loc = _loc(key_node, self.path)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in SAFE_TAGS:
                self.problems.append(Problem(key_loc, "a key must be plain text", "write keys as simple words"))
                continue
            key = str(key_node.value)
            if key == "<<":
                self.problems.append(Problem(key_loc, "YAML merge keys ('<<') are not supported", "write the keys out"))
                continue
            if key in result:
                first = key_locs[key]
                self.problems.append(
                    Problem(key_loc, f"duplicate key {key!r} (first at line {first.line})", "keep one of them")
                )
                continue
            key_locs[key] = key_loc
            result[key] = self.convert(value_node)
        return YValue(result, loc, key_locs)

    def _block_indent(self, node: yaml.ScalarNode) -> int:
        for line in self.lines[node.start_mark.line + 1 : node.end_mark.line + 1]:
            if line.strip():
                return len(line) - len(line.lstrip(" "))
        return 0
