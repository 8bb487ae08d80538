"""What a new author does, from the package built from this repository, in an empty folder outside it:
install the wheel, `dlanki new`, check (formulas proven with the bundled MathJax, no npm), build,
import into real Anki, preview offline in Chromium; run the pre-commit hook with `pre-commit try-repo`.

Slow (a wheel build, a fresh virtualenv, pre-commit's own environment): built once per session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from conftest import REPO, import_apkg

from dlanki import __version__

CARD_WITH_A_TYPO = "deck: Typos\ncards:\n  - id: typo\n    type: basic\n    source: dlanki\n    front: Q\n    back: $\\fracc{1}{2}$\n"


def run(*command, cwd: Path, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], cwd=cwd, check=False, capture_output=True, text=True, env=env or AUTHOR_ENV)
    if check:
        assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done


# An author's shell: nothing of this repository on the path, no MathJax override.
AUTHOR_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DLANKI_MATHJAX", "VIRTUAL_ENV")}


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """sdist and wheel, the wheel built from the sdist (as `python -m build` does): both must be complete."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, REPO, cwd=out, env=dict(os.environ))
    return out


@pytest.fixture(scope="session")
def dlanki_bin(dist: Path, tmp_path_factory) -> Path:
    """`pip install dlanki` from the wheel, into a fresh virtualenv."""
    venv = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", venv, cwd=venv)
    (wheel,) = dist.glob("dlanki-*.whl")
    run(venv / "bin" / "python", "-m", "pip", "install", "-q", wheel, cwd=venv)
    return venv / "bin" / "dlanki"


@pytest.fixture(scope="session")
def author(dlanki_bin: Path, tmp_path_factory) -> Path:
    """An empty folder outside the repository, where the author starts two decks."""
    home = tmp_path_factory.mktemp("author")
    assert not home.resolve().is_relative_to(REPO)
    run(dlanki_bin, "new", "deck-a", cwd=home)
    run(dlanki_bin, "new", "deck-b", cwd=home)
    return home


def test_the_sdist_carries_the_tests_and_what_they_read(dist: Path):
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = run("git", "ls-files", cwd=REPO, env=dict(os.environ)).stdout.split()
    wanted = {p for p in tracked if p.split("/")[0] in ("tests", "tools", "cards", "media", "dlanki") or p in ("dlanki.yaml", "dlanki.lock", "LICENSE")}
    (sdist,) = dist.glob("dlanki-*.tar.gz")
    with tarfile.open(sdist) as archive:
        inside = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert wanted - inside == set()
    (wheel,) = dist.glob("dlanki-*.whl")
    assert wheel.name == f"dlanki-{__version__}-py3-none-any.whl"


def test_a_new_author_checks_builds_and_imports_with_the_wheel_alone(author: Path, dlanki_bin: Path, collection):
    deck = author / "deck-a"
    assert not any(author.rglob("package.json")) and not any(author.rglob("node_modules"))
    namespaces = {yaml.safe_load((author / name / "dlanki.yaml").read_text())["guid_namespace"] for name in ("deck-a", "deck-b")}
    assert len(namespaces) == 2

    if shutil.which("node") or os.environ.get("CI"):
        checked = run(dlanki_bin, "check", "-v", cwd=deck)
        assert "ok: 2 notes checked, 4 of 4 formulas render, 0 warning(s)" in checked.stdout
        assert "proven by MathJax 3.2.2 (bundled) under" in checked.stderr
        # The bundled copy really judges: a broken formula is an error with its place.
        (deck / "cards" / "typo.yaml").write_text(CARD_WITH_A_TYPO)
        broken = run(dlanki_bin, "check", cwd=deck, check=False)
        (deck / "cards" / "typo.yaml").unlink()
        assert broken.returncode == 1
        assert "cards/typo.yaml:7:11: error: [typo] MathJax cannot render $\\fracc{1}{2}$: Undefined control sequence \\fracc" in broken.stderr

    built = run(dlanki_bin, "build", cwd=deck)
    assert "wrote build/deck-a.apkg: 2 notes, 2 cards, 1 media files" in built.stdout
    log = import_apkg(collection, deck / "build" / "deck-a.apkg")
    assert len(log.new) == 2 and collection.card_count() == 2


def test_the_preview_from_the_wheel_works_offline_in_chromium(author: Path, dlanki_bin: Path, new_page):
    deck = author / "deck-b"
    run(dlanki_bin, "preview", cwd=deck)
    index = deck / "build" / "preview" / "index.html"
    page, log = new_page()
    page.goto(index.as_uri())
    assert page.evaluate("window.dlankiPreview.ready.then(r => [r.mathjax, r.typeset, r.errors.length])") == [True, 8, 0]
    assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    assert log.errors == [] and all(url.startswith(index.parent.as_uri()) for url in log.requests), log.requests


def test_pre_commit_try_repo_runs_the_hook_on_a_new_deck(author: Path, tmp_path_factory):
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout: pre-commit needs this repository as a git repository")
    deck = author / "deck-b"
    env = {**AUTHOR_ENV, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home"))}
    git = ["git", "-c", "user.name=Author", "-c", "user.email=author@example.com"]
    run(*git, "init", "-q", cwd=deck, env=env)
    run(*git, "add", "-A", cwd=deck, env=env)
    run(*git, "commit", "-q", "-m", "a new deck", cwd=deck, env=env)
    pre_commit = Path(sys.executable).parent / "pre-commit"

    passed = run(pre_commit, "try-repo", REPO, "dlanki-check", "--all-files", cwd=deck, env=env, check=False)
    assert passed.returncode == 0 and "dlanki check" in passed.stdout and "Passed" in passed.stdout, passed.stdout + passed.stderr

    (deck / "cards" / "typo.yaml").write_text(CARD_WITH_A_TYPO.replace("front: Q", "frnt: Q"))
    run(*git, "add", "-A", cwd=deck, env=env)
    failed = run(pre_commit, "try-repo", REPO, "dlanki-check", "--all-files", cwd=deck, env=env, check=False)
    assert failed.returncode == 1 and "Failed" in failed.stdout
    assert "cards/typo.yaml:6:5: error: [typo] unknown key 'frnt'" in failed.stdout
