"""The note types' identity is frozen: Anki forks a note type whose fields or templates change."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import MINIMAL, REPO, import_apkg, past, write_project

from dlanki.build import build
from dlanki.load import load_project
from dlanki.notetypes import note_types

SNAPSHOT = json.loads((Path(__file__).parent / "notetype_schema.json").read_text())


def test_schema_matches_committed_snapshot():
    """If this fails you changed a field or template list, or the shipped deck's note type ids or names:
    that forks every learner's note type. Don't."""
    current = {
        key: {
            "id": nt.model_id,
            "name": nt.name,
            "type": "cloze" if nt.is_cloze else "front-back",
            "fields": [[name, fid] for name, fid in nt.fields],
            "templates": [[name, tid] for name, tid, _, _ in nt.templates],
        }
        for key, nt in note_types(load_project(REPO)[0]).items()
    }
    assert current == SNAPSHOT


def test_anki_stores_the_fixed_ids(tmp_path: Path, collection):
    """A deck with the shipped deck's dlanki.yaml gets exactly the note types learners already have."""
    declared = load_project(REPO)[0].note_types
    block = "".join(f"          {key}: {{id: {note_id}, name: {name}}}\n" for key, (note_id, name) in declared.items())
    settings = MINIMAL["dlanki.yaml"].rstrip(" ") + "        note_types:\n" + block
    project = write_project(tmp_path / "shipped", {**MINIMAL, "dlanki.yaml": settings})
    import_apkg(collection, build(project, now=past(100)).output)
    for spec in SNAPSHOT.values():
        stored = collection.models.get(spec["id"])
        assert stored is not None and stored["name"] == spec["name"]
        assert [[f["name"], f["id"]] for f in stored["flds"]] == spec["fields"]
        assert [[t["name"], t["id"]] for t in stored["tmpls"]] == spec["templates"]


def test_templates_support_night_mode_and_phones():
    css = note_types(load_project(REPO)[0])["basic"].css
    assert ".nightMode" in css and ".night_mode" in css  # desktop/AnkiMobile and AnkiDroid
    assert "@media (max-width" in css
    assert "Noto Sans CJK SC" in css and "PingFang SC" in css


def test_each_deck_has_note_types_of_its_own(make_project, runner):
    """Derived from guid_namespace unless declared: two decks never share (and overwrite) a note type."""
    from dlanki.cli import cli

    first = load_project(make_project({}))[0]
    other = make_project({"dlanki.yaml": MINIMAL["dlanki.yaml"].replace("mini-test", "other-test").replace("package: mini", "package: other")})
    second = load_project(other)[0]
    ours, theirs = note_types(first), note_types(second)
    assert {nt.model_id for nt in ours.values()}.isdisjoint(nt.model_id for nt in theirs.values())
    assert [nt.name for nt in ours.values()] == ["dlanki Basic (mini)", "dlanki Cloze (mini)"]
    assert [nt.name for nt in theirs.values()] == ["dlanki Basic (other)", "dlanki Cloze (other)"]
    assert all(1 << 30 <= nt.model_id < 1 << 31 for nt in [*ours.values(), *theirs.values()])

    bad = make_project(
        {"dlanki.yaml": MINIMAL["dlanki.yaml"].rstrip(" ") + "        note_types:\n          basic: {id: -3, name: X}\n          clozee: {id: 5, name: Y}\n"}
    )
    done = runner.invoke(cli, ["check", "-p", str(bad)])
    assert done.exit_code == 1
    assert "dlanki.yaml:8:10: error: note type 'basic' needs a positive integer `id` and a `name`" in done.stderr
    assert "dlanki.yaml:9:3: error: unknown note type 'clozee' under `note_types`" in done.stderr
