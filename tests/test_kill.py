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

import pytest
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


def processes_building(root: Path) -> list[int]:
    """Processes still running a build of `root`: the build itself or a process it forked."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if entry.name.isdigit() and b"dlanki" in argv and str(root).encode() in argv:
            found.append(int(entry.name))
    return found


def no_process_left(root: Path, wait: float = 5.0) -> bool:
    deadline = time.monotonic() + wait
    while processes_building(root):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


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
        # Nor a worker behind it, compiling or waiting forever to hand over a result nobody will read.
        assert sys.platform != "linux" or no_process_left(root), f"killed after {delay} s, left {processes_building(root)}"
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


ORPHAN = """
import multiprocessing, os, signal, sys
from pathlib import Path
from dlanki import cardfile
from dlanki.load import card_files, load_project, read_card_file
project, _ = load_project(Path(sys.argv[1]))
todo = [(i, read_card_file(path, rel)[0], rel, "") for i, (path, rel) in enumerate(card_files(project)[0])]
compiled = cardfile._compile_shared(todo, project, 2, lambda: None)
next(compiled)  # this process compiled a file; the worker compiles the other and sends it, and nobody reads
print(*(child.pid for child in multiprocessing.active_children()), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def still_running(pid: int) -> bool:
    """Is `pid` still the worker (not a process that reused its number)?"""
    try:
        return b"dlanki" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone, even between two looks
        return False


def test_a_worker_never_outlives_a_killed_build(tmp_path: Path):
    """Killed (SIGKILL, out of memory) while a forked worker still compiles, or waits for room in its full
    pipe, the build leaves no worker behind."""
    if sys.platform != "linux":
        pytest.skip("only Linux forks workers")
    # Small cards make big results: each file's is several times the 1 MiB a pipe holds.
    files = {
        f"cards/0{n}-big.yaml": f"deck: Mini::Big{n}\ncards:\n"
        + "".join(f"  - {{id: big-{n}-{i}, type: basic, source: added, front: Q {i}, back: A {i}}}\n" for i in range(12000))
        for n in (3, 4)
    }
    root = write_project(tmp_path / "p", {**MINIMAL, **files})
    out = tmp_path / "out"
    with out.open("w") as stdout:  # a file, not a pipe: a worker left behind would hold a pipe open
        run = subprocess.run([sys.executable, "-c", ORPHAN, str(root)], stdout=stdout, stderr=subprocess.STDOUT, timeout=120, check=False)
    assert run.returncode == -signal.SIGKILL, out.read_text()
    workers = [int(pid) for pid in out.read_text().split()]
    assert workers, "no worker was forked"
    deadline = time.monotonic() + 5
    while any(still_running(pid) for pid in workers):
        assert time.monotonic() < deadline, f"worker(s) {workers} outlived the build"
        time.sleep(0.05)
