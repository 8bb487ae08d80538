"""The fast reader of card files (plainyaml.py) builds the tree PyYAML builds, or leaves the file to PyYAML.

Its only allowed outcomes on any text: None (PyYAML reads it) or exactly the values, locations and block
indents that yamlnodes makes from PyYAML's nodes, for a file PyYAML reads without a problem.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlanki.plainyaml import read_plain
from dlanki.yamlnodes import parse_with_pyyaml

CARD_FILES = sorted((REPO / "cards").glob("*.yaml"))


def assert_same_as_pyyaml(text: str) -> bool:
    """True if the fast reader read `text` (and agreed with PyYAML), False if it left it to PyYAML."""
    fast = read_plain(text, "cards/x.yaml")
    if fast is None:
        return False
    reference, problems = parse_with_pyyaml(text, "cards/x.yaml")
    assert problems == [], f"read a file PyYAML finds problems in:\n{text}"
    assert fast == reference, f"read differently from PyYAML:\n{text}"
    return True


@pytest.mark.parametrize("path", CARD_FILES, ids=lambda p: p.name)
def test_every_shipped_card_file_is_read_fast_and_as_pyyaml_reads_it(path: Path):
    assert assert_same_as_pyyaml(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", CARD_FILES[::5], ids=lambda p: p.name)
def test_windows_line_ends_are_read_fast_and_as_pyyaml_reads_them(path: Path):
    """git on Windows checks files out with \r\n: the same tree, the same locations."""
    assert assert_same_as_pyyaml(path.read_text(encoding="utf-8").replace("\n", "\r\n"))


@pytest.mark.parametrize("path", [REPO / "dlanki.yaml", REPO / "dlanki" / "skeleton" / "cards.yaml", REPO / "dlanki" / "skeleton" / "dlanki.yaml"])
def test_the_settings_and_a_new_deck_are_read_fast(path: Path):
    text = path.read_text(encoding="utf-8")
    for word, value in (("@@TITLE@@", "Examples"), ("@@PACKAGE@@", "examples"), ("@@NAMESPACE@@", "examples-0a1b")):
        text = text.replace(word, value)
    assert assert_same_as_pyyaml(text)


MUTATIONS = [
    lambda line: line + "  # a comment",
    lambda line: line + "   ",
    lambda line: line + "\t",
    lambda line: " " + line,
    lambda line: line[1:],
    lambda line: line.replace(": ", ":", 1),
    lambda line: line.replace(": ", ": |-\n", 1),
    lambda line: line.replace(": ", ": >\n", 1),
    lambda line: line.replace(": ", ": ", 1) + ": x",
    lambda line: line.replace("[", "[ ", 1).replace("]", " , ]", 1),
    lambda line: line.replace("[", "", 1),
    lambda line: line.replace('"', "'"),
    lambda line: line.replace('"', ""),
    lambda line: line.replace("$", "\\$").replace("source: ", 'source: "\\'),
    lambda line: line + "\n",
    lambda line: line + "\n   ",
    lambda line: line + "\n#",
    lambda line: line + "\n---",
    lambda line: line + "\n...",
    lambda line: line.split(":")[0] + ":",
    lambda line: line.split(":")[0] + ": ~",
    lambda line: line.split(":")[0] + ": null",
    lambda line: line.split(":")[0] + ": &a x",
    lambda line: line.split(":")[0] + ": *a",
    lambda line: line.split(":")[0] + ": !!str x",
    lambda line: line.split(":")[0] + ": {a: b}",
    lambda line: line.split(":")[0] + ": [a, [b]]",
    lambda line: line.split(":")[0] + ": x #y",
    lambda line: line.split(":")[0] + ": a:b, c{d}",
    lambda line: line.split(":")[0] + ": '它''s'",
    lambda line: line.split(":")[0] + ': "a\\tb"',
    lambda line: line.split(":")[0] + ": [dl::x, 'a b', \"c\", d:e]",
    lambda line: line.split(":")[0] + ": |\n",
    lambda line: line.replace("- ", "-   ", 1),
    lambda line: line.replace("- ", "-", 1),
    lambda line: line.replace("  - ", "- ", 1),
    lambda line: line.replace("    ", "      ", 1),
    lambda line: line.replace("      ", "        ", 1),
    lambda line: line.replace("      ", "     ", 1),
    lambda line: line + "\n" + line,
    lambda line: "",
    lambda line: line.upper(),
    lambda line: line + "\ufeff",
    lambda line: line + "\u2028x",
    lambda line: line + "\r",
]


@pytest.mark.parametrize("path", CARD_FILES[::4], ids=lambda p: p.name)
def test_edited_card_files_are_read_as_pyyaml_reads_them_or_left_to_it(path: Path):
    """Every kind of edit, at random lines of the first cards of a shipped file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("  - id:")]
    lines = lines[: starts[6]] if len(starts) > 6 else lines
    pick = random.Random(path.name)
    read = left = 0
    for mutate in MUTATIONS:
        for _ in range(3):
            at = pick.randrange(len(lines))
            edited = [*lines[:at], mutate(lines[at]), *lines[at + 1 :]]
            if assert_same_as_pyyaml("\n".join(edited) + "\n"):
                read += 1
            else:
                left += 1
    assert read and left  # both outcomes happened: the edits reach the reader's edges


# fmt: off
PIECES = st.sampled_from(
    [
        "deck: D", "cards:", "tags: [a, b::c]", "retired: [x]", "  - id: a", "- id: b", "    type: basic", "  type: cloze",
        "    front: |", "    back: |", "      text", "        deeper", "      $x$ {{c1::y}}", "    source: \"s#1\"",
        "    source: [p, 'q r']", "    tags:", "      - t", "    - t", "  # note", "#", "", " ", "    extra: e: f",
        "    extra: 'it''s'", "    extra: \"a\\\"b\"", "    extra: x #c", "    extra: ~", "    extra: |-", "    extra: >",
        "    extra: [a,", "    extra: {a: 1}", "    extra: &k v", "    extra: *k", "    extra: !t v", "---", "...", "\t- x",
        "      - [nested]", "    type: basic", "    id: dup", "    front: two", "    front: lines", "  continued",
        "    text: |", "", "", "      line one", "      line two", "note_types:", "  basic: {id: 1, name: dlanki Basic}",
        "  cloze: {id: 2, name: x} # c", "sources:", '  "000": 第{n}条', "  keras-docs: Keras", "  k: {a: [b]}", "  k: {}",
    ]
)
# fmt: on


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=16), st.booleans())
def test_random_card_like_text_is_read_as_pyyaml_reads_it_or_left_to_it(pieces: list[str], newline: bool):
    assert_same_as_pyyaml("\n".join(pieces) + ("\n" if newline else ""))


# fmt: off
SCALARS = [
    "a", "b c", "dl::x::y", "x:y", "a[b]", "c{d}", "it's", '"q"', "'s'", "a #c", "a#b", "$x$", "{{c1::y}}", "- x", "? x",
    "%x", "@x", "`x`", "!x", "&x", "*x", "|", "> x", "~", "null", "Null", "yes", "0755", "45:00", "", " ", "a: b", "a:",
    "中文 文字", "a,b", "[a]", "x ", "  x", "#", "\\", "a\\nb", "\t", "a:?b", "a:-", ":x", "-x", "?x",
]
# fmt: on
KEYS = [
    "id", "type", "text", "front", "back", "extra", "tags", "source", "deck", "cards", "retired", "id", "Id", "a-b", "x y",
    "keras-docs", "2020x", "0755", "null", "yes", '"004"', "'004'", '""', "'it''s'", '"a: b"', '"a\\"', "-a", "~", "<<",
]  # fmt: skip


class RandomCardFile:
    """Card-file-shaped YAML, valid or slightly not: mappings, `- ` lists, `|` blocks, one-line lists and
    text with every kind of quoting, at right and wrong indentations."""

    def __init__(self, seed: int) -> None:
        self.pick = random.Random(seed)

    def text(self) -> str:
        lines = (["# a card file"] if self.pick.random() < 0.2 else []) + self.mapping(0)
        text = "\n".join(lines) + ("\n" if self.pick.random() < 0.9 else "")
        ends = self.pick.random()
        if ends < 0.1:
            return text.replace("\n", "\r\n")  # Windows
        if ends < 0.15:
            return "".join(line + self.pick.choice(["\n", "\r\n", "\r", "\r\r\n"]) for line in text.split("\n"))
        return text

    def scalar(self) -> str:
        text = self.pick.choice(SCALARS) + (self.pick.choice(SCALARS) if self.pick.random() < 0.3 else "")
        quote = self.pick.choice(["", "", "", '"', "'"])
        return quote + text + quote

    def flow(self) -> str:
        if self.pick.random() < 0.4:
            pairs = [self.pick.choice(KEYS) + self.pick.choice([": ", ":", ":  "]) + self.scalar() for _ in range(self.pick.randint(0, 3))]
            return "{" + self.pick.choice([", ", ",", " ,"]).join(pairs) + "}" + self.pick.choice(["", " ", " # c", "# c", " x"])
        items = [self.scalar() for _ in range(self.pick.randint(0, 3))]
        return "[" + self.pick.choice([", ", ",", " ,"]).join(items) + "]" + self.pick.choice(["", " ", " # c", "# c", " x"])

    def block(self, indent: int) -> list[str]:
        depth = indent + self.pick.choice([1, 2, 2, 2, 3])
        lines = []
        for _ in range(self.pick.randint(0, 3)):
            kind = self.pick.random()
            if kind < 0.1:
                lines.append("")
            elif kind < 0.15:
                lines.append(" " * self.pick.randint(1, depth + 2))
            elif kind < 0.25:
                lines.append(" " * (depth + self.pick.choice([-1, 1, 2])) + self.scalar())
            else:
                lines.append(" " * depth + self.scalar() + self.pick.choice(["", "", " ", "#x"]))
        return lines

    def value(self, indent: int) -> tuple[str, list[str]]:
        kind = self.pick.random()
        if kind < 0.35:
            return " " + self.scalar(), []
        if kind < 0.5:
            return " " + self.flow(), []
        if kind < 0.75:
            return " " + self.pick.choice(["|", "|", "| ", "|-", ">", "|2"]), self.block(indent)
        if kind < 0.85 and indent < 8:
            return "", self.sequence(indent + self.pick.choice([0, 2, 2, 1]))
        if kind < 0.92 and indent < 8:
            return "", self.mapping(indent + self.pick.choice([2, 2, 1, 0]))
        return self.pick.choice(["", " ", ":", " #c"]), []

    def mapping(self, indent: int) -> list[str]:
        lines = []
        for _ in range(self.pick.randint(1, 4)):
            value, below = self.value(indent)
            lines += [" " * indent + self.pick.choice(KEYS) + ":" + value, *below]
            if self.pick.random() < 0.1:
                lines.append(self.pick.choice(["", "#c", " " * indent + "# c", "   "]))
        return lines

    def sequence(self, indent: int) -> list[str]:
        lines = []
        for _ in range(self.pick.randint(1, 3)):
            if self.pick.random() < 0.6:
                spaces = self.pick.choice([1, 1, 1, 2])
                item = self.mapping(indent + 1 + spaces)
                item[0] = " " * indent + "-" + " " * spaces + item[0].lstrip(" ")
                lines += item
            else:
                lines.append(" " * indent + "-" + self.pick.choice([" ", " ", "", "  "]) + self.pick.choice([self.scalar(), self.flow()]))
        return lines


def test_deep_nesting_is_left_to_pyyaml():
    text = "".join(" " * 2 * level + f"k{level}:\n" for level in range(40)) + " " * 80 + "k: v\n"
    assert read_plain(text, "cards/x.yaml") is None
    assert parse_with_pyyaml(text, "cards/x.yaml")[1]  # which reports it


@pytest.mark.parametrize("seed", range(3))
def test_random_card_files_are_read_as_pyyaml_reads_them_or_left_to_it(seed: int):
    files = RandomCardFile(seed)
    read = sum(assert_same_as_pyyaml(files.text()) for _ in range(10_000))
    assert read > 500  # enough of them are inside what the fast reader reads


EDITS = [*" \n:-#'\"[]{},|>~&*!%@`\\\t", "\n  ", "\n    ", "\n      ", ": ", "- ", " #", "''", "null", "::", "a"]


@pytest.mark.parametrize("seed", range(2))
def test_shipped_cards_edited_character_by_character_are_read_as_pyyaml_reads_them_or_left_to_it(seed: int):
    """Typing slips in real cards: one to three characters inserted, deleted or replaced anywhere."""
    pick = random.Random(seed)
    pieces = []
    for path in CARD_FILES:
        lines = path.read_text(encoding="utf-8").split("\n")
        starts = [i for i, line in enumerate(lines) if line.startswith("  - id:")]
        for first in range(0, len(starts), 4):
            end = starts[first + 4] if first + 4 < len(starts) else len(lines)
            pieces.append("\n".join(lines[: starts[0]] + lines[starts[first] : end]))
    read = 0
    for _ in range(1000):
        text = pick.choice(pieces)
        for _ in range(pick.randint(1, 3)):
            at = pick.randrange(len(text) + 1)
            kind = pick.random()
            if kind < 0.5:
                text = text[:at] + pick.choice(EDITS) + text[at:]
            elif kind < 0.8:
                text = text[:at] + text[at + pick.randint(1, 3) :]
            else:
                text = text[:at] + pick.choice(EDITS) + text[at + 1 :]
        read += assert_same_as_pyyaml(text)
    assert 200 < read < 1000  # both outcomes, many times
