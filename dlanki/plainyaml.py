"""A fast reader for the plain shape card files (and dlanki.yaml) are written in; PyYAML reads the rest.

Composing every node with PyYAML and libyaml was two fifths of compiling a card file: libyaml parses fast,
but each scalar, mapping and mark becomes a Python object before dlanki sees it. Card files use a small
part of YAML: block mappings and sequences, one-line plain or quoted text, one-line `[a, b]` lists and
`{a: b}` mappings, and `|` blocks. This module reads exactly that part, line by line, into the same
YValue tree (values, locations, block indents) that yamlnodes builds from PyYAML's nodes.

It never decides what a file means on its own. Whatever it is not sure of (a tab, an escape, an empty
value, `|-`, nested or multi-line flow collections, anchors, tags, duplicate keys, YAML's own nulls, a
plain scalar that goes on over two lines, any file that would have a problem...) makes it give up, and
the file is read by PyYAML as before. tests/test_plainyaml.py checks that both give the same tree on every card file and on
thousands of variants of them.
"""

from __future__ import annotations

import re

from dlanki.errors import Loc

_new_loc = tuple.__new__
"""Loc(path, line, col) without NamedTuple's Python-level __new__: this reader makes one per value."""

_KEY = re.compile(r"""(?:([A-Za-z0-9_][A-Za-z0-9_-]*)|"([^"\\]*)"|'([^']*)'):(?: +|$)""")
"""A key as card files and dlanki.yaml write them (`front:`, `keras-docs:`, `"004":`), then the value after
one or more spaces."""
_FLOW_KEY = re.compile(r"""(?:([A-Za-z0-9_][A-Za-z0-9_-]*)|"([^"\\]*)"|'([^']*)'): +""")
_MAX_KEY = 128
"""libyaml refuses a key longer than 1,024 characters; far shorter ones are left to it too."""
_OUTSIDE_CHARACTERS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
"""Characters this reader leaves to libyaml: tabs, carriage returns, YAML 1.1's other line breaks (NEL,
U+2028, U+2029), the byte-order mark and what libyaml refuses to read."""
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
"""A plain scalar cannot start with these (or starts something else: a list, a tag, an anchor...)."""
YAML_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
"""The plain scalars YAML's safe resolver reads as null: the only implicit type dlanki tells apart,
because every other scalar is kept as the text written (yamlnodes). This reader leaves them to PyYAML."""
_MAX_DEPTH = 8
"""A card file is four collections deep; deeper text is left to PyYAML, which reports nesting too deep."""
_FLOW_PLAIN_STOP = re.compile(r"[\[\]{}#\"']|:[ ?]|:$")
"""What a plain scalar inside `[...]` may not hold here: flow indicators, a comment, quotes, or a colon
that libyaml reads as a key's (`a: b`, `a:?`, `a:` before a comma or the bracket)."""


class _Outside(Exception):
    """The text uses YAML this reader leaves to PyYAML."""


def read_plain(text: str, path: str):
    """The YValue tree PyYAML and yamlnodes would build, or None if the text is outside the plain shape."""
    from dlanki.yamlnodes import YValue  # yamlnodes calls this module: imported here, not in a cycle

    if "\r" in text:
        # Windows line ends (git's checkout on Windows): YAML reads \r\n as one line break, as \n.
        text = text.replace("\r\n", "\n")
    if _OUTSIDE_CHARACTERS.search(text):  # a carriage return on its own among them
        return None
    try:
        return _Reader(text, path, YValue).document()
    except _Outside:
        return None


class _Reader:
    def __init__(self, text: str, path: str, value_type) -> None:
        self.lines = text.split("\n")
        self.count = len(self.lines)
        self.path = path
        self.value = value_type
        self.no_keys: dict[str, Loc] = {}
        self.depth = 0

    def document(self):
        start, indent = self._next(0)
        if indent != 0 or self.lines[start][0] in "-%":
            raise _Outside
        value, end = self._mapping(start, 0, self.lines[start])
        if self._next(end)[1] != -1:
            raise _Outside
        return value

    def _next(self, index: int) -> tuple[int, int]:
        """The first line from `index` on that is neither empty nor a comment, and its indentation;
        at the end of the text, (the number of lines, -1)."""
        lines = self.lines
        while index < self.count:
            line = lines[index]
            if line:
                rest = line.lstrip(" ")
                if not rest:
                    raise _Outside  # spaces only: YAML keeps them in a block; PyYAML sorts that out
                if rest[0] != "#":
                    return index, len(line) - len(rest)
            index += 1
        return index, -1

    def _mapping(self, index: int, indent: int, head: str):
        """A block mapping whose first key is `head` (at column `indent` of line `index`); later keys are
        lines of their own at the same indentation."""
        self._enter()
        values: dict = {}
        key_locs: dict[str, Loc] = {}
        path, lines, read_value, next_line = self.path, self.lines, self._value, self._next
        loc = _new_loc(Loc, (path, index + 1, indent + 1))
        text, column = head, indent
        while True:
            match = _KEY.match(text)
            if match is None:
                raise _Outside
            end = match.end()
            if end > _MAX_KEY:
                raise _Outside
            key = match[match.lastindex]
            if key in values:
                raise _Outside  # a duplicate key is a problem to report
            key_locs[key] = _new_loc(Loc, (path, index + 1, column + 1))
            values[key], index = read_value(text[end:], index, column + end, indent)
            index, found = next_line(index)
            if found < indent:
                break  # the end of this mapping, or of the text
            if found > indent:
                raise _Outside
            text = lines[index][indent:]
            if text[0] == "-":
                if text.startswith("- ") or text == "-":
                    break  # the next entry of an indentless sequence this mapping is an item of
                raise _Outside
        self.depth -= 1
        return self.value(values, loc, key_locs), index

    def _sequence(self, index: int, indent: int):
        """A block sequence whose entries start with `- ` at column `indent`."""
        self._enter()
        items = []
        loc = _new_loc(Loc, (self.path, index + 1, indent + 1))
        while True:
            line = self.lines[index]
            after = line[indent + 1 :]
            if line[indent : indent + 2] != "- " or not after.strip(" "):
                raise _Outside
            column = indent + 1 + len(after) - len(after.lstrip(" "))
            text = line[column:]
            if _KEY.match(text):
                item, index = self._mapping(index, column, text)
            else:
                if text[0] == "|":
                    raise _Outside
                item, index = self._value(text, index, column, indent)
            items.append(item)
            index, found = self._next(index)
            if found > indent:
                raise _Outside
            if found < indent or not self.lines[index].startswith("-", indent):
                break
        self.depth -= 1
        return self.value(items, loc, self.no_keys), index

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _Outside

    def _value(self, text: str, index: int, column: int, indent: int):
        """The value that starts with `text` at `column` of line `index`, in a collection at `indent`:
        (its YValue, the line after it)."""
        if not text:
            return self._nested(index, indent)
        first = text[0]
        if first == "|":
            if text.rstrip(" ") != "|":
                raise _Outside
            return self._block(index, column, indent)
        if first == "[":
            return self._flow(text, index, column), index + 1
        if first == "{":
            return self._flow_mapping(text, index, column), index + 1
        if first == '"' or first == "'":
            value, end = self._quoted(text, 0)
            _only_a_comment(text[end:])
            return self.value(value, _new_loc(Loc, (self.path, index + 1, column + 2)), self.no_keys), index + 1
        comment = text.find(" #")
        value = (text if comment < 0 else text[:comment]).rstrip(" ")
        if first in _INDICATORS or ": " in value or value.endswith(":") or value in YAML_NULLS:
            raise _Outside
        return self.value(value, _new_loc(Loc, (self.path, index + 1, column + 1)), self.no_keys), index + 1

    def _nested(self, index: int, indent: int):
        """The collection on the lines after `key:`: a sequence (maybe at the key's own column) or a mapping."""
        start, found = self._next(index + 1)
        if found < 0:
            raise _Outside  # an empty value: YAML's null
        line = self.lines[start]
        if line.startswith("- ", found) and found >= indent:
            return self._sequence(start, found)
        if found > indent:
            return self._mapping(start, found, line[found:])
        raise _Outside

    def _block(self, index: int, column: int, indent: int):
        """A literal block (`|`, clipped): the lines below, less their common indentation, and one newline."""
        lines, count = self.lines, self.count
        first = index + 1
        if first >= count or not lines[first].strip(" "):
            raise _Outside  # no content, or blank lines before it: left to libyaml's rules
        depth = len(lines[first]) - len(lines[first].lstrip(" "))
        if depth <= indent:
            raise _Outside
        margin = " " * depth
        end = first
        while end < count:
            line = lines[end]
            if line:
                if not line.startswith(margin):
                    if not line.strip(" "):
                        raise _Outside
                    break
                if line[-1] == " " and not line.strip(" "):  # spaces only (a line of text rarely ends in one)
                    raise _Outside
            end += 1
        last = end
        while not lines[last - 1]:
            last -= 1
        if last == count:
            raise _Outside  # the file ends inside the block without a newline
        body = "\n".join([line[depth:] for line in lines[first:last]]) + "\n"
        return self.value(body, _new_loc(Loc, (self.path, index + 1, column + 1)), self.no_keys, True, depth), end

    def _flow(self, text: str, index: int, column: int):
        """A one-line flow sequence of plain or quoted scalars: `[a, "b c"]`."""
        items = [self._flow_scalar(item, index, at) for item, at in _flow_items(text, "]", column)]
        return self.value(items, _new_loc(Loc, (self.path, index + 1, column + 1)), self.no_keys)

    def _flow_mapping(self, text: str, index: int, column: int):
        """A one-line flow mapping of plain or quoted scalars: `{id: 1574112837, name: dlanki Basic}`."""
        values: dict = {}
        key_locs: dict[str, Loc] = {}
        for item, at in _flow_items(text, "}", column):
            match = _FLOW_KEY.match(item)
            key = match[match.lastindex] if match is not None and match.end() <= _MAX_KEY else None
            if key is None or key in values:
                raise _Outside
            key_locs[key] = _new_loc(Loc, (self.path, index + 1, at + 1))
            values[key] = self._flow_scalar(item[match.end() :], index, at + match.end())
        if not values:
            raise _Outside
        return self.value(values, _new_loc(Loc, (self.path, index + 1, column + 1)), key_locs)

    def _flow_scalar(self, item: str, index: int, at: int):
        """A plain or quoted scalar that is all of `item`, inside `[...]` or `{...}`, at column `at`."""
        if item[0] == '"' or item[0] == "'":
            value, end = self._quoted(item, 0)
            if end != len(item):
                raise _Outside
            return self.value(value, _new_loc(Loc, (self.path, index + 1, at + 2)), self.no_keys)
        if item[0] in _INDICATORS or _FLOW_PLAIN_STOP.search(item) or item in YAML_NULLS:
            raise _Outside
        return self.value(item, _new_loc(Loc, (self.path, index + 1, at + 1)), self.no_keys)

    @staticmethod
    def _quoted(text: str, start: int) -> tuple[str, int]:
        """A quoted scalar without escapes on one line: its text and the index after its closing quote."""
        quote = text[start]
        close = text.find(quote, start + 1)
        if close < 0:
            raise _Outside
        value = text[start + 1 : close]
        if "\\" in value and quote == '"':
            raise _Outside
        if text[close + 1 : close + 2] == quote:
            raise _Outside  # '' inside single quotes
        return value, close + 1


def _only_a_comment(rest: str) -> None:
    """What may follow a value on its line: nothing, spaces, or spaces and a comment."""
    after = rest.lstrip(" ")
    if after and (after[0] != "#" or after == rest):
        raise _Outside


def _flow_items(text: str, closer: str, column: int) -> list[tuple[str, int]]:
    """The comma-separated items of a one-line `[...]` or `{...}` that starts `text` (at `column`), each
    without its spaces and with its column; none for `[]`."""
    close = text.find(closer)
    if close < 0:
        raise _Outside
    _only_a_comment(text[close + 1 :])
    inner = text[1:close]
    if not inner.strip(" "):
        return []
    items = []
    offset = 1
    for piece in inner.split(","):
        item = piece.strip(" ")
        if not item:
            raise _Outside
        items.append((item, column + offset + len(piece) - len(piece.lstrip(" "))))
        offset += len(piece) + 1
    return items
