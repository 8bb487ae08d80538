"""Determinism and safety of the written package."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, past

from dlanki.build import build
from dlanki.errors import BuildFailed


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_sources_give_identical_bytes(project: Path, tmp_path: Path):
    first = sha(build(project, now=past(1000)).output)
    copy = tmp_path / "clone"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("build"))
    again = sha(build(copy, now=past(10)).output)  # later clock, same sources and ledger
    assert first == again
    assert sha(build(project, now=past(5)).output) == first


def test_zip_entries_carry_no_clock_and_are_compressed(project: Path):
    with zipfile.ZipFile(build(project, now=past(100)).output) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["collection.anki2", "media", "0"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos)


def test_build_leaves_no_temp_files(project: Path, tmp_path: Path, monkeypatch):
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    build(project, now=past(100))
    assert list(tmp.iterdir()) == []
    assert sorted(p.name for p in (project / "build").iterdir()) == [".cache", "mini.apkg"]


def test_failed_build_keeps_previous_package(project: Path):
    output = build(project, now=past(100)).output
    before = sha(output)
    (project / "cards/02-rnn.yaml").write_text("cards: [ {id: broken\n")
    with pytest.raises(BuildFailed):
        build(project, now=past(50))
    assert sha(output) == before


def test_edited_card_gets_a_newer_stamp_never_in_the_future(project: Path):
    build(project, now=past(1000))
    ledger = (project / "dlanki.lock").read_text()
    source = project / "cards/02-rnn.yaml"
    source.write_text(source.read_text().replace("RNN hidden state update?", "RNN state?"))
    result = build(project)
    assert result.changed == ("rnn-state",)
    import json

    notes = json.loads((project / "dlanki.lock").read_text())["notes"]
    old = json.loads(ledger)["notes"]
    assert notes["rnn-state"]["mod"] > old["rnn-state"]["mod"]
    assert notes["rnn-state"]["mod"] <= time.time()
    assert all(notes[k] == old[k] for k in old if k != "rnn-state")


def test_a_build_that_changes_no_entry_leaves_the_ledger_alone(project: Path):
    """dlanki.lock is only rewritten when an entry changes: a ledger laid out by a merge tool, with the same
    entries, keeps its bytes until a card changes, and then gets dlanki's one line per note again."""
    build(project, now=past(1000))
    ledger = project / "dlanki.lock"
    canonical = ledger.read_text()
    reformatted = json.dumps(json.loads(canonical), indent=4, ensure_ascii=False)
    ledger.write_text(reformatted)
    assert build(project, now=past(500)).ledger_written is False
    assert ledger.read_text() == reformatted
    source = project / "cards/02-rnn.yaml"
    source.write_text(source.read_text().replace("RNN hidden state update?", "RNN state?"))
    assert build(project, now=past(10)).ledger_written is True
    rewritten = ledger.read_text()
    assert rewritten != canonical and len(rewritten.splitlines()) == len(canonical.splitlines())


def test_frozen_build_fails_when_the_ledger_is_stale(project: Path):
    build(project, now=past(1000))
    source = project / "cards/02-rnn.yaml"
    source.write_text(source.read_text().replace("RNN hidden state update?", "RNN state?"))
    with pytest.raises(BuildFailed) as failed:
        build(project, frozen=True)
    assert "ledger is out of date" in failed.value.problems[0].message


def test_shipped_deck_is_built_from_a_committed_ledger(tmp_path: Path):
    """The repository's own deck: a clean copy builds with --frozen, twice to the same bytes."""
    files = subprocess.run(["git", "ls-files", "cards", "media", "dlanki.yaml", "dlanki.lock"], cwd=REPO, check=False, capture_output=True, text=True)
    if files.returncode != 0 or not files.stdout.strip():
        pytest.skip("not a git checkout")
    hashes = []
    for name in ("a", "b"):
        copy = tmp_path / name
        for rel in files.stdout.split():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, copy / rel)
        result = subprocess.run(
            [sys.executable, "-m", "dlanki", "build", "--frozen", "-p", str(copy)], check=False, capture_output=True, text=True, env=os.environ
        )
        assert result.returncode == 0, result.stderr
        hashes.append(sha(next((copy / "build").glob("*.apkg"))))
    assert hashes[0] == hashes[1]


def genanki_collection(db_path: Path, notes, note_types) -> None:
    """The collection as dlanki wrote it through genanki's own objects, one Note.write_to_db at a time."""
    import itertools
    import json
    import sqlite3

    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    from dlanki.package import deck_id_for, deck_names_with_parents

    conn = sqlite3.connect(db_path)
    cursor = conn.cursor()
    cursor.executescript(APKG_SCHEMA)
    cursor.executescript(APKG_COL)
    decks = {name: genanki.Deck(deck_id_for(name), name) for name in deck_names_with_parents([n.rendered.card.deck for n in notes])}
    default_deck = deck_id_for(notes[0].rendered.card.deck)
    models = {stamped.note_type.key: stamped.note_type.to_genanki() for stamped in note_types}
    decks_json = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
    decks_json.update({str(deck.deck_id): deck.to_json() for deck in decks.values()})
    models_json = {str(models[s.note_type.key].model_id): models[s.note_type.key].to_json(s.mod, default_deck) for s in note_types}
    cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(decks_json, sort_keys=True), json.dumps(models_json, sort_keys=True)))
    ids = itertools.count(min(n.mod for n in notes) * 1000)
    for position, stamped in enumerate(notes):
        card = stamped.rendered.card
        note = genanki.Note(model=models[card.type], fields=list(stamped.rendered.fields), tags=list(card.tags), guid=stamped.guid, due=position)
        note.write_to_db(cursor, stamped.mod, decks[card.deck].deck_id, ids)
    conn.commit()
    conn.close()


RICH = {
    "cards/05-rich.yaml": r"""
        deck: Mini::Rich::Deep::Deeper
        tags: [dl::rich, dl::rich::more]
        cards:
          - id: rich-many-clozes
            type: cloze
            source: added
            text: |
              {{c11::k}} {{c3::c}} $x = {{c19::\frac{1}{2}}}$ {{c1::a}} {{c8::h}} {{c2::b}} {{c4::d}} {{c5::e}} {{c6::f}}
              {{c7::g}} {{c9::i}} {{c10::j}} {{c12::l}} {{c13::m}} {{c14::n}} {{c15::o}} {{c16::p}} {{c17::q}} {{c18::r}}
          - id: rich-table
            type: basic
            source: added
            deck: Mini::Other
            front: "| a | b |\n|---|---|\n| $x<y$ | `code` |"
            back: |
              - one
              - two **bold** & <em>html</em>

              ```python
              print("$5")
              ```
            extra: "![figure](pool.svg)"
    """,
}


def test_writer_bytes_are_genanki_s_for_a_rich_deck(make_project, tmp_path: Path):
    """The prepared-statement writer writes the bytes genanki's objects wrote: the shipped deck and edge cases."""
    from dlanki.build import _restamp, check
    from dlanki.notetypes import note_types
    from dlanki.package import StampedNote, StampedNoteType, _write_collection

    for root in (REPO, make_project(RICH)):
        result = check(root)
        assert not result.errors, result.errors
        types = note_types(result.project)
        ledger, _ = _restamp(result, types, past(100))
        notes = [StampedNote(item, d.guid, ledger.notes[item.card.id].mod, d.ords) for item, d in zip(result.rendered, result.digests)]
        stamped = [StampedNoteType(types[key], ledger.notetypes[types[key].name].mod) for key in sorted({n.rendered.card.type for n in notes})]
        ours, theirs = tmp_path / f"{root.name}-ours.anki2", tmp_path / f"{root.name}-genanki.anki2"
        _write_collection(ours, notes, stamped)
        genanki_collection(theirs, notes, stamped)
        assert ours.read_bytes() == theirs.read_bytes()


def test_a_large_collection_deflated_by_libdeflate_imports_whole(tmp_path: Path, collection):
    """A collection of several MiB, deflated by libdeflate (zipwrite.py): unzip tools and real Anki read
    it, every note intact."""
    import random

    from conftest import MINIMAL, import_apkg, write_project

    words = random.Random(7).choices(["梯度", "softmax", "注意力", "卷积", "α", "β", "residual", "归一化"], k=6000 * 8)
    cards = [
        f"  - id: card-{i}\n    type: basic\n    source: added\n    front: 'Q{i} {' '.join(words[i * 8 : i * 8 + 8])}'\n"
        f"    back: '{' '.join(reversed(words[i * 8 : i * 8 + 8]))} {i}'\n"
        for i in range(6000)
    ]
    files = {f"cards/1{n}-big.yaml": "deck: Mini::Big\ncards:\n" + "".join(cards[n * 1000 : n * 1000 + 1000]) for n in range(6)}
    root = write_project(tmp_path / "p", {**MINIMAL, **files})
    output = build(root, now=past(100)).output
    with zipfile.ZipFile(output) as archive:
        assert archive.testzip() is None
        assert archive.getinfo("collection.anki2").file_size > 2 * (1 << 20)
    import_apkg(collection, output)
    assert collection.note_count() == 6004
    (note_id,) = collection.find_notes('"Q5999 *"')
    assert collection.get_note(note_id)["Back"].endswith(" 5999")
