"""A build killed at any moment leaves the previous package or the new one, never a broken file."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from conftest import MINIMAL, write_project

CARDS = 3000


def big_project(root: Path, answer: str) -> Path:
    body = "".join(
        f"  - id: card-{i}\n    type: basic\n    source: added\n    front: '问题 {i}: $x_{{{i}}}^2$?'\n    back: {answer} {i}\n"
        for i in range(CARDS)
    )
    return write_project(root, {**MINIMAL, "cards/03-big.yaml": "deck: Mini::Big\ncards:\n" + body})


def run_build(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dlanki", "build", "-p", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def is_complete_package(path: Path, tmp: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        if archive.testzip() is not None:
            return False
        db = tmp / "check.anki2"
        db.write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(db) as conn:
        return conn.execute("select count() from notes").fetchone()[0] == CARDS + 4


def test_sigkill_midway_never_leaves_a_partial_package(tmp_path: Path):
    root = big_project(tmp_path / "p", "答案")
    assert run_build(root).wait() == 0
    output = root / "build/mini.apkg"
    old = hashlib.sha256(output.read_bytes()).hexdigest()
    big_project(root, "新答案")  # every note changes, so a finished build would differ

    outcomes = set()
    for delay in (0.1, 0.3, 0.6, 0.9, 1.2, 1.5, 2.0, 3.0):
        shutil.rmtree(root / "build/.cache", ignore_errors=True)  # a cold build, long enough to be killed
        process = run_build(root)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        digest = hashlib.sha256(output.read_bytes()).hexdigest()
        assert digest == old or is_complete_package(output, tmp_path)
        outcomes.add("old" if digest == old else "new")
        assert [p.name for p in (root / "build").glob("*.apkg")] == ["mini.apkg"]
        json.loads((root / "dlanki.lock").read_text())  # the ledger is never half-written
        if digest != old:
            break
    assert "old" in outcomes  # at least one kill really landed before the rename

    assert run_build(root).wait() == 0
    assert sorted(p.name for p in (root / "build").iterdir()) == [".cache", "mini.apkg"]  # stale temp files swept
