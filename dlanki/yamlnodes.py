"""Parse YAML safely into plain values that remember where they were written.

Card files hold text, lists and mappings, nothing else. So every scalar is kept as the exact text
written: YAML 1.1 would turn `45:00` into 2700, `0755` into 493 and `yes` into true. An alias (`*name`)
is refused, which also stops alias bombs (a few lines that expand to gigabytes); nesting is capped; a
control character, raw or escaped, is an error at its line.

Files in the plain shape card files are written in are read by plainyaml.py instead, into the same tree
in two thirds of the time; PyYAML reads all the others and is the reference the tests hold it to.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dlanki.errors import Loc, Problem
from dlanki.plainyaml import YAML_NULLS, read_plain

if TYPE_CHECKING:
    import yaml



@functools.cache
def _pyyaml():
    """PyYAML and dlanki's loader for it, imported only when a file is not in plainyaml's shape (10 ms)."""
    import yaml

    # libyaml's parser is about ten times faster than PyYAML's pure-Python one and gives the same marks.
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    default_tags = {
        yaml.ScalarNode: base.DEFAULT_SCALAR_TAG,
        yaml.SequenceNode: base.DEFAULT_SEQUENCE_TAG,
        yaml.MappingNode: base.DEFAULT_MAPPING_TAG,
    }

    class Loader(base):
        """The safe loader with the resolver's bookkeeping for path resolvers (a safe loader has none) left out.

        The composer asks the resolver about every node without an explicit tag; the stock method builds
        lists and walks empty path tables each time, which cost as much as composing itself. Only null is
        told apart: `yes`, `0755` and `45:00` are kept as written, so their implicit types would go unused.
        """

        def resolve(self, kind, value, implicit):
            if kind is yaml.ScalarNode and implicit[0] and value in YAML_NULLS:
                return _NULL
            return default_tags[kind]

        def descend_resolver(self, current_node, current_index):
            pass

        def ascend_resolver(self):
            pass

    return yaml, Loader


# Tags that only ever build plain data; anything else (e.g. !!python/object) is refused.
SAFE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary")
}
_NULL = "tag:yaml.org,2002:null"
MAX_DEPTH = 32
"""A card file is four levels deep; anything much deeper is a mistake or an attack."""
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters (tab and newline excepted) and the bidirectional overrides that make text read
differently from how it is stored: invisible in an editor, harmful in a terminal or a card."""


@dataclass(slots=True)
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


_NO_KEYS: dict[str, Loc] = {}
"""The key locations of every value that is not a mapping (shared, never changed)."""


def parse_yaml(text: str, path: str) -> tuple[YValue | None, list[Problem]]:
    """Parse one YAML document; return the value and every problem found."""
    raw = CONTROL.search(text)
    if raw:
        return None, [Problem(_loc_at(text, raw.start(), path), f"control character {_describe(raw.group())} in the file", CONTROL_HINT)]
    plain = read_plain(text, path)
    if plain is not None:
        return plain, []
    return parse_with_pyyaml(text, path)


def parse_with_pyyaml(text: str, path: str) -> tuple[YValue | None, list[Problem]]:
    """parse_yaml for any YAML: libyaml's nodes, converted (and text without control characters)."""
    yaml, loader = _pyyaml()
    try:
        nodes = list(yaml.compose_all(text, Loader=loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        position = getattr(exc, "position", None)  # a ReaderError has an offset, not a mark
        if mark:
            loc = Loc(path, mark.line + 1, mark.column + 1)
        else:
            loc = _loc_at(text, position, path) if isinstance(position, int) else Loc(path)
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
    if converter.aliased:
        converter.problems.append(_alias_problem(text, path))
    return value, converter.problems


def _alias_problem(text: str, path: str) -> Problem:
    """The composer hands an alias's node out again with its anchor's marks: find the first alias itself."""
    yaml, loader = _pyyaml()
    uses = [event.start_mark for event in yaml.parse(text, Loader=loader) if isinstance(event, yaml.AliasEvent)]
    loc = Loc(path, uses[0].line + 1, uses[0].column + 1) if uses else Loc(path)
    count = f" ({len(uses)} in this file)" if len(uses) > 1 else ""
    return Problem(loc, f"YAML aliases (*name) are not supported{count}", "write the value out in full")


def _loc(node: yaml.Node, path: str) -> Loc:
    return Loc(path, node.start_mark.line + 1, node.start_mark.column + 1)


CONTROL_HINT = "delete it: cards hold printable text (write a real newline or tab, not an escape)"


def _loc_at(text: str, offset: int, path: str) -> Loc:
    line = text.count("\n", 0, offset) + 1
    return Loc(path, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


class _Converter:
    def __init__(self, path: str, lines: list[str]):
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []
        self._seen: set[int] = set()
        self.aliased = False
        """Did a node come twice (an alias)? Reported once by parse_yaml, at the alias."""
        self._depth = 0

    def convert(self, node: yaml.Node) -> YValue:
        loc = _loc(node, self.path)
        if id(node) in self._seen:  # only an alias makes the composer hand out a node twice
            self.aliased = True
            return YValue(None, loc, _NO_KEYS)
        self._seen.add(id(node))
        if self._depth >= MAX_DEPTH:
            self.problems.append(Problem(loc, f"nested more than {MAX_DEPTH} levels deep", "a card file is a mapping with a list of cards"))
            return YValue(None, loc, _NO_KEYS)
        tag = node.tag
        if tag not in SAFE_TAGS:
            self.problems.append(
                Problem(loc, f"YAML tag {tag!r} is not allowed", "remove the tag; cards hold only plain text, lists and mappings")
            )
            return YValue(None, loc, _NO_KEYS)
        kind = node.id
        if kind != "scalar":
            self._depth += 1
            try:
                if kind == "mapping":
                    return self._mapping(node, loc)
                return YValue([self.convert(item) for item in node.value], loc, _NO_KEYS)
            finally:
                self._depth -= 1
        # The text as written (`yes`, `0755` and `45:00` stay text); only an empty or null value is None.
        style = node.style
        value = None if tag == _NULL and style is None else node.value
        # parse_yaml searched the file for raw control characters: only a double-quoted scalar's escapes
        # (`"\x07"`) can make new ones.
        escaped = CONTROL.search(value) if style == '"' and value else None
        if escaped:
            self.problems.append(Problem(loc, f"control character {_describe(escaped.group())} in this text", CONTROL_HINT))
            return YValue(None, loc, _NO_KEYS)
        if style == "|" or style == ">":
            return YValue(value, loc, _NO_KEYS, True, self._block_indent(node))
        if style == "'" or style == '"':
            loc = Loc(loc.path, loc.line, loc.col + 1)  # point at the text, not at its opening quote
        return YValue(value, loc, _NO_KEYS)

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> YValue:
        result: dict[str, YValue] = {}
        key_locs: dict[str, Loc] = {}
        for key_node, value_node in node.value:
            key_loc = _loc(key_node, self.path)
            if key_node.id != "scalar" or key_node.tag not in SAFE_TAGS:
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
