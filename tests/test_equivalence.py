"""Fast paths give exactly what the code they replaced gave: here that code is the oracle."""

from __future__ import annotations

import json
import re

import genanki
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from dlanki import ledger as ledgers
from dlanki import mathspans
from dlanki.cardfile import card_ordinals
from dlanki.load import load_project
from dlanki.notetypes import note_types
from dlanki.package import guid_for

TEX = st.lists(
    st.sampled_from(["{{c1::", "{{c2::", "{{c12::", "}}", "}", "{", "\\{", "\\}", "::", ":", "x", "\\\\", "\\", "&", "\\left(", "\\right)", " "]),
    max_size=16,
).map("".join)
MANY = settings(max_examples=2000, deadline=None)


# The character-by-character versions these replaced (dlanki before the build cache).
def old_cloze_end(tex: str, start: int) -> tuple[int, int]:
    depth, hint, i = 0, -1, start
    while i < len(tex):
        if mathspans.CLOZE_OPEN.match(tex, i):
            i = old_cloze_end(tex, mathspans.CLOZE_OPEN.match(tex, i).end())[0] + 2
            continue
        if tex.startswith("\\{", i) or tex.startswith("\\}", i):
            i += 2
            continue
        if depth == 0 and tex.startswith("}}", i):
            return i, hint
        if depth == 0 and hint < 0 and tex.startswith("::", i):
            hint = i
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        i += 1
    return len(tex), hint


def old_reveal(tex: str, hidden: int | None) -> str:
    out, i = [], 0
    while i < len(tex):
        match = mathspans.CLOZE_OPEN.match(tex, i)
        if not match:
            out.append(tex[i])
            i += 1
            continue
        end, hint_at = old_cloze_end(tex, match.end())
        body = old_reveal(tex[match.end() : hint_at if hint_at >= 0 else end], hidden)
        if int(match.group(1)) == hidden:
            out.append(f"[{tex[hint_at + 2 : end]}]" if hint_at >= 0 else "[...]")
        else:
            out.append(body)
        i = end + 2
    return "".join(out)


def old_mark_clozes(tex: str) -> str:
    out, i = [], 0
    while i < len(tex):
        match = mathspans.CLOZE_OPEN.match(tex, i)
        if not match:
            out.append(tex[i])
            i += 1
            continue
        end, hint_at = old_cloze_end(tex, match.end())
        body_end = hint_at if hint_at >= 0 else end
        body = tex[match.end() : body_end]
        if end < len(tex) and mathspans._groupable(body):
            body = "\\class{" + mathspans.CLOZE_MATH_CLASS.format(match.group(1)) + "}{" + body + "}"
        out.append(match.group(0) + body + tex[body_end:end] + tex[end : end + 2])
        i = end + 2
    return "".join(out)


def old_space_cloze_braces(tex: str) -> tuple[str, int]:
    if "{{c" not in tex:
        return re.sub(r"\}(?=\})", "} ", tex), 0
    out: list[str] = []
    depths: list[int] = []
    i = 0

    def emit(piece: str) -> None:
        if out and out[-1].endswith("}") and piece.startswith("}"):
            out.append(" ")
        out.append(piece)

    while i < len(tex):
        match = mathspans.CLOZE_OPEN.match(tex, i)
        if match:
            emit(match.group(0))
            depths.append(0)
            i = match.end()
            continue
        if tex.startswith("}}", i) and depths and depths[-1] == 0:
            depths.pop()
            if out and out[-1].endswith("}"):
                out.append(" ")
            out += ["}}", ""]
            i += 2
            continue
        if tex.startswith("\\{", i) or tex.startswith("\\}", i):
            emit(tex[i : i + 2])
            i += 2
            continue
        if tex[i] in "{}" and depths:
            depths[-1] += 1 if tex[i] == "{" else -1
        emit(tex[i])
        i += 1
    return "".join(out), len(depths) > 0


@MANY
@given(TEX)
def test_cloze_scanning_is_unchanged(tex: str):
    assert mathspans._cloze_end(tex, 0) == old_cloze_end(tex, 0)
    for hidden in (None, 1, 2, 12):
        assert mathspans.reveal(tex, hidden) == old_reveal(tex, hidden)
    assert mathspans.mark_clozes(tex) == old_mark_clozes(tex)
    spaced, errors = mathspans.space_cloze_braces(tex)
    assert (spaced, len(errors)) == old_space_cloze_braces(tex)


TEXT = st.lists(st.sampled_from(list("aZ9-_ :#中\n") + ["{{c1::", "{{c2::", "{{c8::", "{{c0::", "{{c16::", "}}"]), max_size=30).map("".join)


@MANY
@given(TEXT, TEXT)
def test_guid_is_genanki_s(namespace: str, card_id: str):
    assert guid_for(namespace, card_id) == genanki.guid_for(namespace, card_id)


@MANY
@given(st.sampled_from(["basic", "cloze"]), st.lists(TEXT, min_size=4, max_size=4))
def test_card_ordinals_are_genanki_s(key: str, texts: list[str]):
    """Including the order: genanki lists a cloze note's cards in the order of a set of ordinals."""
    note_type = note_types(load_project(REPO)[0])[key]
    fields = tuple(texts[: len(note_type.fields)])
    expected = tuple(card.ord for card in genanki.Note(model=note_type.to_genanki(), fields=list(fields)).cards)
    assert card_ordinals(note_type, fields) == expected


ENTRIES = st.builds(
    ledgers.Entry,
    st.text(max_size=8),
    st.integers(-5, 2**40),
    st.text(max_size=8),
    st.sampled_from(["", "basic", "cloze", 'a"b\\c\u2028']),
    st.lists(st.integers(0, 600), max_size=4).map(tuple),
    st.booleans(),
)


@MANY
@given(ENTRIES)
def test_ledger_lines_are_json_dumps_s(entry: ledgers.Entry):
    value: dict = {"hash": entry.hash, "mod": entry.mod}
    value.update({k: v for k, v in (("deck", entry.deck), ("type", entry.type)) if v})
    if entry.clozes:
        value["clozes"] = list(entry.clozes)
    if entry.retired:
        value["retired"] = True
    assert ledgers._entry_json(entry) == json.dumps(value, ensure_ascii=False, sort_keys=True)
