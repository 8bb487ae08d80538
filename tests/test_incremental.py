"""A rebuild through the build cache writes and reports exactly what a cold build from scratch does."""

from __future__ import annotations

import hashlib
import pickle
import shutil
from pathlib import Path

import pytest
from conftest import MINIMAL, past, write_project

from dlanki import cardfile, filecache
from dlanki.build import build, check
from dlanki.cachekey import seal
from dlanki.errors import BuildFailed

WARNED = """
    deck: Mini::Extra
    cards:
      - id: extra-warned
        type: cloze
        source: added
        text: |
          The sum $$x_1 + x_2 + x_3 + x_4 + x_5 + x_6 + x_7 + x_8 + x_9 + x_{10} + x_{11} + x_{12}$$ has {{c1::twelve}} terms.
        extra: |
          Not a deletion here: {{c2::shown as braces}}.
"""
"""A file whose cards carry warnings: a formula too wide for a phone, a deletion in `extra`."""
FIRST, SECOND, THIRD = past(3000), past(2000), past(1000)
"""Fixed stamps, so builds compared with each other stamp alike whenever they run."""


@pytest.fixture
def counted(monkeypatch):
    """How many card files were parsed and checked (not taken from the cache)."""
    calls: list[str] = []
    original = cardfile.load_and_check

    def counting(data, rel, key, project):
        calls.append(rel)
        return original(data, rel, key, project)

    monkeypatch.setattr(cardfile, "load_and_check", counting)
    return calls


def outcome(root: Path, now: int) -> tuple:
    """Everything a build leaves or says: the package's bytes, the ledger, every problem."""
    try:
        result = build(root, now=now)
    except BuildFailed as failed:
        return ("failed", [str(p) for p in failed.problems], _ledger(root))
    return ("built", hashlib.sha256(result.output.read_bytes()).hexdigest(), _ledger(root), [str(w) for w in result.warnings])


def _ledger(root: Path) -> str:
    path = root / "dlanki.lock"
    return path.read_text() if path.exists() else ""


def cold_twin(root: Path, where: Path) -> Path:
    """The same sources and ledger, without a build/ folder (so without any cache)."""
    shutil.copytree(root, where, ignore=shutil.ignore_patterns("build"))
    return where


def edit(root: Path) -> None:
    path = root / "cards/02-rnn.yaml"
    path.write_text(path.read_text().replace("RNN hidden state update?", "How does the RNN state update?"))


def add(root: Path) -> None:
    write_project(root, {"cards/05-new.yaml": "deck: Mini::New\ncards:\n  - id: new-card\n    type: basic\n    source: added\n    front: New?\n    back: $y$\n"})


def delete(root: Path) -> None:
    (root / "cards/03-extra.yaml").unlink()


def rename(root: Path) -> None:
    (root / "cards/02-rnn.yaml").rename(root / "cards/04-rnn.yaml")


def break_a_card(root: Path) -> None:
    path = root / "cards/02-rnn.yaml"
    path.write_text(path.read_text().replace("back: $s_t", "bakc: $s_t"))


def change_figure(root: Path) -> None:
    (root / "media/pool.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><circle r="4"/></svg>\n')


def change_settings(root: Path) -> None:
    path = root / "dlanki.yaml"
    path.write_text(path.read_text().replace("Notes item {n}", "Lecture notes, item {n}"))


CHANGES = [edit, add, delete, rename, break_a_card, change_figure, change_settings]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_incremental_build_equals_cold_build(change, tmp_path: Path, counted):
    warm = write_project(tmp_path / "warm", {**MINIMAL, "cards/03-extra.yaml": WARNED})
    first = outcome(warm, FIRST)
    assert first[0] == "built" and any("too wide" in w for w in first[3]) and any("literal braces" in w for w in first[3])
    cold = cold_twin(warm, tmp_path / "cold")
    change(warm)
    change(cold)
    counted.clear()
    assert outcome(warm, SECOND) == outcome(cold, SECOND)
    if change in (edit, add, rename, break_a_card):
        assert counted.count("cards/01-cnn.yaml") == 1  # the cold twin's only: the warm build took it from the cache
    if change is change_settings:
        assert counted.count("cards/01-cnn.yaml") == 2  # the settings are part of every file's key


def test_no_op_rebuild_parses_nothing_and_reports_the_same(tmp_path: Path, counted):
    root = write_project(tmp_path / "p", {**MINIMAL, "cards/03-extra.yaml": WARNED})
    first = outcome(root, FIRST)
    counted.clear()
    assert outcome(root, SECOND) == first
    assert counted == []
    assert [str(p) for p in check(root).problems] == first[3]


def test_errors_and_warnings_of_a_cached_file_are_reported_again(tmp_path: Path, counted):
    root = write_project(tmp_path / "p", {**MINIMAL, "cards/03-extra.yaml": WARNED})
    outcome(root, FIRST)
    break_a_card(root)
    failed = outcome(root, SECOND)
    assert failed[0] == "failed" and any("unknown key 'bakc'" in p for p in failed[1]) and any("too wide" in p for p in failed[1])
    counted.clear()
    assert outcome(root, THIRD) == failed  # every file from the cache this time, the broken one too
    assert counted == []


def test_a_new_dlanki_trusts_no_entry(tmp_path: Path, counted, monkeypatch):
    root = write_project(tmp_path / "p", MINIMAL)
    first = outcome(root, FIRST)
    monkeypatch.setattr(filecache, "_CODE_DIGEST", ["another version of dlanki"])
    counted.clear()
    assert outcome(root, SECOND) == first
    assert sorted(counted) == ["cards/01-cnn.yaml", "cards/02-rnn.yaml"]


def _entries(root: Path) -> list[Path]:
    entries = sorted((root / "build/.cache/files").glob("*.pickle"))
    assert entries
    return entries


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_entry_is_ignored(damage, tmp_path: Path, counted):
    root = write_project(tmp_path / "p", {**MINIMAL, "cards/03-extra.yaml": WARNED})
    outcome(root, FIRST)
    cold = cold_twin(root, tmp_path / "cold")
    for entry in _entries(root):
        data = entry.read_bytes()
        if damage == "truncate":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "flip":
            entry.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
        elif damage == "garbage":
            entry.write_bytes(b"\x80\x05not a pickle at all")
        else:
            entry.write_bytes(b"")
    edit(root)
    edit(cold)
    counted.clear()
    assert outcome(root, SECOND) == outcome(cold, SECOND)
    assert counted.count("cards/01-cnn.yaml") == 2  # recompiled in the damaged cache too, not trusted


def test_an_entry_for_another_file_is_not_trusted(tmp_path: Path):
    """Stale: the entry under one file's key holds another file's results (a swapped or copied cache)."""
    root = write_project(tmp_path / "p", MINIMAL)
    first = outcome(root, FIRST)
    a, b = _entries(root)
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)
    assert outcome(root, SECOND) == first


def test_an_entry_that_would_run_code_is_refused(tmp_path: Path):
    root = write_project(tmp_path / "p", MINIMAL)
    first = outcome(root, FIRST)
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))

    for entry in _entries(root):
        payload = pickle.dumps(Evil())
        body = len(payload).to_bytes(8, "big") + payload + pickle.dumps(None)
        entry.write_bytes(filecache.FORMAT + seal(body))  # sealed with this user's key: it reaches the unpickler
    assert outcome(root, SECOND) == first
    assert not marker.exists()


def test_a_cache_made_elsewhere_is_never_trusted(tmp_path: Path, monkeypatch):
    """A pull request that commits a crafted build/.cache cannot skip the sanitiser in CI."""
    from dlanki import render
    from dlanki.cachekey import cache_key

    hostile = {"cards/03-x.yaml": "deck: Mini::X\ncards:\n  - id: x\n    type: basic\n    source: added\n    front: q\n    back: 'a <img src=pool.svg onerror=alert(1)>'\n"}
    root = write_project(tmp_path / "p", {**MINIMAL, **hostile})
    # The attacker's machine: its own key, and a dlanki whose sanitiser lets everything through.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "attacker"))
    cache_key.cache_clear()
    with monkeypatch.context() as patched:
        patched.setattr(render, "sanitize", lambda html: (html, []))
        build(root, now=past(100))
    assert not check(root).errors  # on the attacker's machine the crafted entry is trusted...
    # ...CI checks out the same files, build/.cache included, with a key of its own.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "ci"))
    cache_key.cache_clear()
    try:
        assert any("`onerror` attribute of <img>" in p.message for p in check(root).errors)
    finally:
        cache_key.cache_clear()


DAMAGED = ('{"mathjax": 1, "formulas_ok": {"1|x": "wide"}}', "[1, 2", '{"digest": "x", "problems": [[1]]}', '{"a": 5}')


@pytest.mark.parametrize("name", ["media.json", "outputs.json"])
def test_damaged_cache_files_are_ignored(name, tmp_path: Path):
    root = write_project(tmp_path / "p", {**MINIMAL, "cards/03-extra.yaml": WARNED})
    first = outcome(root, FIRST)
    for text in DAMAGED:
        (root / "build/.cache" / name).write_text(text)
        assert outcome(root, SECOND) == first


@pytest.fixture
def own_user_cache(tmp_path: Path, monkeypatch):
    """A user cache (key and formula verdicts) of this test's own, as on a machine that never ran dlanki."""
    from dlanki.cachekey import cache_key

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    cache_key.cache_clear()
    yield tmp_path / "user-cache"
    cache_key.cache_clear()


def proven(root: Path, now: int) -> tuple[int, tuple]:
    """How many formula sides MathJax proved in this build, and the build's outcome."""
    result = build(root, now=now)
    return result.formulas_checked[0], (hashlib.sha256(result.output.read_bytes()).hexdigest(), [str(w) for w in result.warnings])


def test_a_formula_is_proven_once_per_machine_in_every_checkout(tmp_path: Path, own_user_cache):
    """A fresh clone, a deleted build/ or another deck with the same formulas asks MathJax nothing again,
    and reports exactly what the first build did (the too-wide warning included)."""
    needs_node()
    root = write_project(tmp_path / "p", {**MINIMAL, "cards/03-extra.yaml": WARNED})
    sides, first = proven(root, FIRST)
    assert sides > 0
    clone = cold_twin(root, tmp_path / "clone")
    assert proven(clone, FIRST) == (0, first)
    shutil.rmtree(root / "build")
    assert proven(root, FIRST) == (0, first)
    assert any("too wide" in warning for warning in first[1])


def test_the_same_mathjax_elsewhere_keeps_the_verdicts_and_a_changed_one_proves_again(tmp_path: Path, own_user_cache, monkeypatch):
    """Verdicts belong to MathJax's files, not to where they are installed: a deck's own virtual
    environment proves nothing again, while a MathJax whose files differ judges afresh."""
    from dlanki.mathjax import BUNDLED, CHECK, ENV_OVERRIDE

    needs_node()
    root = write_project(tmp_path / "p", {**MINIMAL, "cards/03-extra.yaml": WARNED})
    sides, first = proven(root, FIRST)
    assert sides > 0
    elsewhere = tmp_path / "another-venv" / "mathjax"
    for name in CHECK:
        (elsewhere / "es5" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(BUNDLED / "es5" / name, elsewhere / "es5" / name)
    monkeypatch.setenv(ENV_OVERRIDE, str(elsewhere))
    shutil.rmtree(root / "build")
    assert proven(root, FIRST) == (0, first)
    with (elsewhere / "es5" / "core.js").open("a", encoding="utf-8") as core:
        core.write("\n// another build of MathJax\n")
    shutil.rmtree(root / "build")
    assert proven(root, FIRST) == (sides, first)


def test_dlanki_check_remembers_what_it_proved_and_writes_nothing_in_the_project(tmp_path: Path, own_user_cache):
    """The pre-commit hook runs `dlanki check` on every commit: only the first proves the formulas."""
    needs_node()
    root = write_project(tmp_path / "p", {**MINIMAL, "cards/03-extra.yaml": WARNED})
    first = check(root)
    again = check(root)
    assert first.formulas_checked[0] > 0 and again.formulas_checked[0] == 0
    assert [str(p) for p in again.problems] == [str(p) for p in first.problems]
    assert not (root / "build").exists()


def test_another_users_verdicts_are_not_trusted(tmp_path: Path, own_user_cache, monkeypatch):
    """The verdicts are sealed with the user's key: a store copied from elsewhere is proven again."""
    from dlanki.cachekey import cache_key

    needs_node()
    root = write_project(tmp_path / "p", MINIMAL)
    sides, first = proven(root, FIRST)
    stores = list((own_user_cache / "dlanki" / "formulas").iterdir())
    assert len(stores) == 1
    other = tmp_path / "other-user"
    (other / "dlanki" / "formulas").mkdir(parents=True)
    shutil.copy(stores[0], other / "dlanki" / "formulas" / stores[0].name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(other))
    cache_key.cache_clear()
    shutil.rmtree(root / "build")
    assert proven(root, FIRST) == (sides, first)


def test_a_damaged_verdict_store_is_ignored(tmp_path: Path, own_user_cache):
    needs_node()
    root = write_project(tmp_path / "p", {**MINIMAL, "cards/03-extra.yaml": WARNED})
    sides, first = proven(root, FIRST)
    (store,) = (own_user_cache / "dlanki" / "formulas").iterdir()
    for text in DAMAGED:
        store.write_bytes(seal(text.encode()))  # sealed with this user's key: it reaches the parser
        shutil.rmtree(root / "build")
        assert proven(root, FIRST) == (sides, first)


def needs_node() -> None:
    if shutil.which("node") is None:
        pytest.skip("needs Node.js")


def test_a_package_edited_by_hand_is_written_again(tmp_path: Path):
    root = write_project(tmp_path / "p", MINIMAL)
    first = outcome(root, FIRST)
    package = root / "build/mini.apkg"
    package.write_bytes(package.read_bytes()[:-1] + b"\0")
    assert outcome(root, SECOND) == first


def test_check_writes_no_cache(tmp_path: Path):
    root = write_project(tmp_path / "p", MINIMAL)
    check(root)
    assert not (root / "build").exists()


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_files_compiled_in_worker_processes_give_the_same_build(platform, tmp_path: Path, monkeypatch, shared_out):
    """Enough changed files are shared out to forked workers (Linux) or a pool of new interpreters (macOS,
    Windows); what comes back (and is cached) is the same."""
    import threading

    if platform == "linux" and threading.active_count() > 1:
        pytest.skip("another thread runs in this test process, so nothing would be forked")
    serial = write_project(tmp_path / "serial", {**MINIMAL, "cards/03-extra.yaml": WARNED})
    parallel = cold_twin(serial, tmp_path / "parallel")
    expected = outcome(serial, FIRST)
    forked = tmp_path / "a forked worker compiled a file"
    shared_out["in_worker"] = forked.touch
    monkeypatch.setattr(cardfile.sys, "platform", platform)
    assert outcome(parallel, FIRST) == expected
    assert forked.exists() == (platform == "linux")  # a spawned worker imports dlanki afresh, unpatched
    assert outcome(parallel, SECOND) == expected  # from the entries the workers made


def test_a_mathjax_that_fails_to_start_is_an_error_not_a_hang(tmp_path: Path, monkeypatch):
    from dlanki import mathjax

    broken = tmp_path / "mathjax"
    for name in mathjax.CHECK:
        (broken / "es5" / name).parent.mkdir(parents=True, exist_ok=True)
        (broken / "es5" / name).write_text('throw new Error("broken on purpose");\n')
    monkeypatch.setenv("DLANKI_MATHJAX", str(broken))
    root = write_project(tmp_path / "p", MINIMAL)
    if shutil.which("node") is None:
        pytest.skip("needs Node.js")
    failed = outcome(root, FIRST)
    assert failed[0] == "failed" and any("MathJax check failed: Error: broken on purpose" in p for p in failed[1])
    assert not (root / "build").exists()


@pytest.fixture
def shared_out(monkeypatch):
    """Compile the files in this process and a forked worker, the worker doing what `in_worker` says
    (the main process is slowed down so the worker surely takes a file)."""
    import os
    import time

    parent = os.getpid()
    original = cardfile.FileCompiler.compile
    behaviour = {}

    def compile(self, data, rel, key):
        if os.getpid() == parent:
            time.sleep(0.3)
        elif "in_worker" in behaviour:
            behaviour["in_worker"]()
        return original(self, data, rel, key)

    monkeypatch.setattr(cardfile.FileCompiler, "compile", compile)
    monkeypatch.setattr(cardfile, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(cardfile.os, "cpu_count", lambda: 2)
    return behaviour


def test_a_worker_that_dies_leaves_its_files_to_the_main_process(tmp_path: Path, shared_out):
    import os

    serial = write_project(tmp_path / "serial", {**MINIMAL, "cards/03-extra.yaml": WARNED})
    shared = cold_twin(serial, tmp_path / "shared")
    expected = outcome(serial, FIRST)
    died = tmp_path / "a worker died"

    def die() -> None:
        died.touch()
        os._exit(9)  # killed, out of memory: no word to anyone

    shared_out["in_worker"] = die
    assert outcome(shared, FIRST) == expected
    assert died.exists()


def test_a_bug_in_a_worker_is_reported_with_the_file_it_was_on(tmp_path: Path, shared_out):
    def bug():
        raise ZeroDivisionError("a bug")

    root = write_project(tmp_path / "p", MINIMAL)
    shared_out["in_worker"] = bug
    with pytest.raises(RuntimeError, match=r"compiling cards/0\d-\w+\.yaml failed in a worker process:(.|\n)*ZeroDivisionError: a bug"):
        build(root, now=FIRST)


def test_the_media_check_reports_the_same_if_its_process_dies(tmp_path: Path, monkeypatch):
    """media/ is checked in a process of its own (alongside.py); if that process dies, this one checks."""
    import os

    from dlanki import build as builds

    hostile = {"media/evil.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n'}
    expected = check(write_project(tmp_path / "p", {**MINIMAL, **hostile})).problems
    assert any("<script> element" in p.message for p in expected)
    parent = os.getpid()
    original = builds.check_media

    def dies_in_its_process(media_dir, root):
        if os.getpid() != parent:
            (tmp_path / "died").touch()
            os._exit(9)
        return original(media_dir, root)

    monkeypatch.setattr(builds, "check_media", dies_in_its_process)
    problems = check(write_project(tmp_path / "q", {**MINIMAL, **hostile})).problems
    if not (tmp_path / "died").exists():
        pytest.skip("another thread runs in this test process, so nothing was forked")
    assert problems == expected


def test_the_progress_bar_counts_every_card_before_compiling_any(tmp_path: Path):
    """The bar's total is known before the first file is parsed: it must be the number of cards built, however
    the files are written (a list at the key's own column, Windows line ends), and the bar must end full."""
    indentless = b"deck: Mini::More\r\ncards:\r\n- id: more-one\r\n  type: basic\r\n  source: added\r\n  front: One?\r\n  back: One.\r\n"
    indentless += b"-   id: more-two\r\n    type: basic\r\n    source: added\r\n    front: Two?\r\n    back: Two.\r\n"
    root = write_project(tmp_path, {**MINIMAL, "cards/03-more.yaml": indentless})
    calls: list[tuple[int, int]] = []
    result = build(root, now=FIRST, progress=lambda done, total: calls.append((done, total)))
    assert result.notes == 6
    assert {total for _, total in calls} == {6}
    assert calls[-1] == (6, 6)
