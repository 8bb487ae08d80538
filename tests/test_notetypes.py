"""The note types' identity is frozen: Anki forks a note type whose fields or templates change."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import import_apkg, past

from dlanki.build import build
from dlanki.notetypes import note_types

SNAPSHOT = json.loads((Path(__file__).parent / "notetype_schema.json").read_text())


def test_schema_matches_committed_snapshot():
    """If this fails you changed a field or template list: that forks every user's note type. Don't."""
    current = {
        key: {
            "id": nt.model_id,
            "name": nt.name,
            "type": "cloze" if nt.is_cloze else "front-back",
            "fields": [[name, fid] for name, fid in nt.fields],
            "templates": [[name, tid] for name, tid, _, _ in nt.templates],
        }
        for key, nt in note_types().items()
    }
    assert current == SNAPSHOT


def test_anki_stores_the_fixed_ids(project: Path, collection):
    import_apkg(collection, build(project, now=past(100)).output)
    for spec in SNAPSHOT.values():
        stored = collection.models.get(spec["id"])
        assert stored is not None and stored["name"] == spec["name"]
        assert [[f["name"], f["id"]] for f in stored["flds"]] == spec["fields"]
        assert [[t["name"], t["id"]] for t in stored["tmpls"]] == spec["templates"]


def test_templates_support_night_mode_and_phones():
    css = note_types()["basic"].css
    assert ".nightMode" in css and ".night_mode" in css  # desktop/AnkiMobile and AnkiDroid
    assert "@media (max-width" in css
    assert "Noto Sans CJK SC" in css and "PingFang SC" in css
