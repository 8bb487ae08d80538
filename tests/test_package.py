"""Determinism and safety of the written package."""

from __future__ import annotations

import hashlib
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


def test_frozen_build_fails_when_the_ledger_is_stale(project: Path):
    build(project, now=past(1000))
    source = project / "cards/02-rnn.yaml"
    source.write_text(source.read_text().replace("RNN hidden state update?", "RNN state?"))
    with pytest.raises(BuildFailed) as failed:
        build(project, frozen=True)
    assert "ledger is out of date" in failed.value.problems[0].message


def test_shipped_deck_is_built_from_a_committed_ledger(tmp_path: Path):
    """The repository's own deck: a clean copy builds with --frozen, twice to the same bytes."""
    files = subprocess.run(["git", "ls-files", "cards", "media", "dlanki.yaml", "dlanki.lock"], cwd=REPO, capture_output=True, text=True)
    if files.returncode != 0 or not files.stdout.strip():
        pytest.skip("not a git checkout")
    hashes = []
    for name in ("a", "b"):
        copy = tmp_path / name
        for rel in files.stdout.split():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, copy / rel)
        result = subprocess.run(
            [sys.executable, "-m", "dlanki", "build", "--frozen", "-p", str(copy)], capture_output=True, text=True, env=os.environ
        )
        assert result.returncode == 0, result.stderr
        hashes.append(sha(next((copy / "build").glob("*.apkg"))))
    assert hashes[0] == hashes[1]
