"""`dlanki changes`: release notes from two real builds, and the by-hand steps proven in real Anki."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import import_apkg, past

from dlanki.build import build, check
from dlanki.changes import ChangesError, NoteState, changes_since, compare, state_from_apkg
from dlanki.cli import cli
from dlanki.model import Deck, Project
from dlanki.release_notes import anki_search, format_markdown

GIT_IDENTITY = ["-c", "user.name=dlanki tests", "-c", "user.email=tests@example.invalid", "-c", "commit.gpgsign=false"]


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *GIT_IDENTITY, *args], capture_output=True, text=True, check=True)
    return done.stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def releases(project: Path, tmp_path: Path):
    """Release v1 (built, committed, tagged), then v2 sources: one card edited, one added, one retired,
    one moved to another subdeck and one cloze deletion removed. Returns (root, v1.apkg, v2.apkg)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git(project, "init", "-q")
    v1 = build(project, now=past(1000)).output
    commit(project, "release 1")
    git(project, "tag", "v1")
    v1_copy = tmp_path / "deck-v1.apkg"
    shutil.copy(v1, v1_copy)

    rnn = project / "cards/02-rnn.yaml"
    edit(rnn, "RNN hidden state update?", "RNN 隐状态 (hidden state) 的更新公式?")
    text = rnn.read_text(encoding="utf-8")
    cut = text.index("  - id: rnn-sigmoid-derivative")
    rnn.write_text(
        text[:cut]
        + "  - id: rnn-gru-gates\n    type: basic\n    source: added\n    front: GRU 有哪两个门 (gates)?\n"
        + "    back: 重置门 $r_t$ 与更新门 $z_t$。\nretired: [rnn-sigmoid-derivative]\n",
        encoding="utf-8",
    )
    cnn = project / "cards/01-cnn.yaml"
    edit(cnn, "+ {{c2::1}}", "+ 1")
    edit(cnn, '    source: "004#8"\n', '    source: "004#8"\n    deck: Mini::Pooling\n')
    v2 = build(project, now=past(500)).output
    return project, v1_copy, v2


def statuses(changes) -> dict[str, str]:
    return {note.id: note.status for note in changes.notes}


def test_changes_since_the_release_tag(releases):
    root, _, _ = releases
    changes = changes_since(check(root), "v1")
    assert statuses(changes) == {
        "cnn-pooling": "unchanged",
        "cnn-output-size": "changed",
        "rnn-state": "changed",
        "rnn-gru-gates": "added",
        "rnn-sigmoid-derivative": "retired",
    }
    by_id = {note.id: note for note in changes.notes}
    assert by_id["rnn-state"].fields == ("Front",)
    assert by_id["cnn-output-size"].fields == ("Text",) and by_id["cnn-output-size"].removed_clozes == (2,)
    assert by_id["cnn-pooling"].old_deck == "Mini::CNN" and by_id["cnn-pooling"].deck == "Mini::Pooling"
    assert by_id["rnn-gru-gates"].summary == "GRU 有哪两个门 (gates)?"

    notes = format_markdown(changes, "mini")
    assert notes.startswith("## Changes since v1\n")
    assert "**1 new, 2 changed, 1 retired** (the deck now has 4 notes). Import `mini.apkg`" in notes
    assert "- `rnn-gru-gates`: GRU 有哪两个门 (gates)?" in notes
    assert "- `rnn-state`: RNN 隐状态 (hidden state) 的更新公式? (Front)" in notes
    assert "- `cnn-output-size`: Output width `O = \\left\\lfloor" in notes  # TeX kept intact in code
    assert "- `rnn-sigmoid-derivative`: `\\sigma'(x) = \\sigma(x)(1-\\sigma(x))`" in notes
    assert '"Source:*· rnn-sigmoid-derivative"' in notes
    assert '- `"Source:*· cnn-pooling"` → `Mini::Pooling`' in notes
    assert "Tools → Empty Cards" in notes and "`cnn-output-size` (c2)" in notes


def test_a_previous_apkg_gives_the_same_changes(releases):
    root, v1, _ = releases
    from_git = changes_since(check(root), "v1")
    from_apkg = changes_since(check(root), apkg=v1)
    assert from_apkg.since == "deck-v1.apkg"
    assert from_apkg.notes == from_git.notes


def test_the_by_hand_steps_work_in_real_anki(releases, collection):
    root, v1, v2 = releases
    import_apkg(collection, v1)
    import_apkg(collection, v2)
    changes = changes_since(check(root), "v1")
    notes = format_markdown(changes)

    # What the release notes say Anki does not do, it indeed did not do.
    assert collection.note_count() == 5  # the retired note is still there
    moved = re.search(r"- `(.+)` → `Mini::Pooling`", notes).group(1)
    cards = collection.find_cards(moved)
    assert [collection.decks.name(collection.get_card(c).did) for c in cards] == ["Mini::CNN"]
    empty = collection.get_empty_cards()
    assert [len(note.card_ids) for note in empty.notes] == [1]

    # Each search finds exactly its notes; following the steps fixes the collection.
    delete = re.search(r"```text\n\s*(.+)\n\s*```", notes).group(1)
    assert delete == anki_search(["rnn-sigmoid-derivative"])
    found = collection.find_notes(delete)
    assert [collection.get_note(n)["Source"] for n in found] == ["Added by the authors · rnn-sigmoid-derivative"]
    collection.remove_notes(found)
    collection.set_deck(cards, collection.decks.id_for_name("Mini::Pooling"))
    collection.remove_cards_and_orphaned_notes(empty.notes[0].card_ids)

    assert collection.note_count() == 4
    assert len(collection.find_cards('"deck:Mini::Pooling"')) == 1
    assert not collection.get_empty_cards().notes
    assert len(collection.find_notes('"Front:RNN 隐状态*"')) == 1  # the edit arrived by itself


def test_search_matches_whole_ids_only(project: Path, collection):
    import_apkg(collection, build(project, now=past(100)).output)
    assert len(collection.find_notes(anki_search(["rnn-state", "cnn-pooling"]))) == 2
    assert collection.find_notes(anki_search(["state"])) == []  # a suffix of another id matches nothing
    assert collection.find_notes(anki_search(["rnn"])) == []


def test_cli_changes(releases, runner):
    root, v1, _ = releases
    by_tag = runner.invoke(cli, ["changes", "-p", str(root)])  # default: the latest tag
    assert by_tag.exit_code == 0, by_tag.output
    assert by_tag.stdout == runner.invoke(cli, ["changes", "-p", str(root), "--since", "v1"]).stdout
    by_apkg = runner.invoke(cli, ["changes", "-p", str(root), "--since-apkg", str(v1)])
    assert by_apkg.stdout == by_tag.stdout.replace("since v1", "since deck-v1.apkg")

    data = json.loads(runner.invoke(cli, ["changes", "-p", str(root), "--format", "json"]).stdout)
    assert data["since"] == "v1"
    assert {n["id"]: n["status"] for n in data["notes"]} == {
        "cnn-pooling": "unchanged",  # listed: it moved
        "cnn-output-size": "changed",
        "rnn-state": "changed",
        "rnn-gru-gates": "added",
        "rnn-sigmoid-derivative": "retired",
    }

    both = runner.invoke(cli, ["changes", "-p", str(root), "--since", "v1", "--since-apkg", str(v1)])
    assert both.exit_code == 2


def test_no_release_to_compare_with(project: Path, runner):
    done = runner.invoke(cli, ["changes", "-p", str(project)])
    assert done.exit_code == 1
    assert "no release to compare with" in done.stderr


def test_first_release_lists_every_note_as_new(project: Path, runner):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git(project, "init", "-q")
    commit(project, "sources, never built")
    git(project, "tag", "v0")
    done = runner.invoke(cli, ["changes", "-p", str(project), "--since", "v0"])
    assert done.exit_code == 0, done.output
    assert "**4 new, 0 changed, 0 retired**" in done.stdout
    assert "Nothing to do by hand" in done.stdout
    bad = runner.invoke(cli, ["changes", "-p", str(project), "--since", "no-such-tag"])
    assert bad.exit_code == 1 and "no-such-tag" in bad.stderr


def test_only_a_digest_known_still_reports_the_change():
    before = {"a": NoteState("a", "basic", "D", digest="old")}
    now = {"a": NoteState("a", "basic", "D", fields=(("Front", "x"),), digest="new")}
    changes = compare("v1", before, now, Deck(Project(Path("."))))
    assert changes.notes[0].status == "changed" and changes.notes[0].fields == ()
    assert "- `a`: x (content)" in format_markdown(changes)


def test_notes_are_named_by_their_source_field_when_the_guid_is_unknown(project: Path):
    package = build(project, now=past(100)).output
    states = state_from_apkg(package, "another-namespace", set())
    assert sorted(states) == ["cnn-output-size", "cnn-pooling", "rnn-sigmoid-derivative", "rnn-state"]
    assert states["cnn-output-size"].clozes == (1, 2) and states["cnn-output-size"].deck == "Mini::CNN"


def test_a_file_that_is_not_a_package_is_a_clear_error(tmp_path: Path):
    bogus = tmp_path / "old.apkg"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(ChangesError, match="cannot read"):
        state_from_apkg(bogus, "x", set())


def test_a_summary_shows_a_formula_as_written_and_never_ends_in_a_backslash():
    from dlanki.changes import Changes, NoteChange, summary
    from dlanki.errors import Loc
    from dlanki.model import TextField
    from dlanki.render import Renderer

    def summarised(text: str) -> str:
        html = Renderer().render_field(TextField(text, Loc("cards/x.yaml", 1, 1))).html
        return summary(NoteState("n", "basic", "D", fields=(("Front", html),)))

    fraction = r"分数 $\frac{a}{b_{c}}$ 怎么读？"
    assert "} }" in Renderer().render_field(TextField(fraction, Loc("x", 1, 1))).html  # what Anki receives
    assert summarised(fraction) == r"分数 \(\frac{a}{b_{c}}\) 怎么读？"

    cut_in_a_delimiter = "甲" * 57 + " $x$ 之后"  # the 59th character is the backslash of \(
    assert summarised(cut_in_a_delimiter) == "甲" * 57 + "…"
    notes = format_markdown(Changes("v1", [NoteChange("n", "added", summarised(cut_in_a_delimiter), "D")]))
    assert "- `n`: " + "甲" * 57 + "…\n" in notes
