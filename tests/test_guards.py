"""Changes Anki silently ignores on re-import are caught against the published ledger."""

from __future__ import annotations

from pathlib import Path

from conftest import import_apkg, past, write_project

from dlanki.build import build, check


def messages(project: Path) -> list[str]:
    return [str(p) for p in check(project).problems]


def test_vanished_card_is_an_error_until_retired(project: Path, collection):
    import_apkg(collection, build(project, now=past(1000)).output)
    source = project / "cards/02-rnn.yaml"
    text = source.read_text()
    cut = text.index("  - id: rnn-sigmoid-derivative")
    source.write_text(text[:cut])

    found = messages(project)
    assert any(
        m.startswith("dlanki.lock:") and "error: [rnn-sigmoid-derivative] published card 'rnn-sigmoid-derivative' is gone" in m
        for m in found
    ), found

    source.write_text(text[:cut] + "retired: [rnn-sigmoid-derivative]\n")
    assert not check(project).errors
    result = build(project, now=past(500))
    # Anki keeps the retired note: nothing is deleted, nothing is duplicated.
    log = import_apkg(collection, result.output)
    assert collection.note_count() == 4 and not log.new
    assert '"retired": true' in (project / "dlanki.lock").read_text()


def test_moved_card_warns_that_anki_will_not_move_it(project: Path, collection):
    import_apkg(collection, build(project, now=past(1000)).output)
    source = project / "cards/02-rnn.yaml"
    source.write_text(source.read_text().replace("deck: Mini::RNN", "deck: Mini::Sequence"))
    found = messages(project)
    assert any("warning: [rnn-state] card moved from deck 'Mini::RNN' to 'Mini::Sequence'" in m for m in found)
    assert any("published deck 'Mini::RNN' is no longer used (renamed to 'Mini::Sequence'?)" in m for m in found)

    import_apkg(collection, build(project, now=past(500)).output)
    card = collection.get_note(collection.find_notes("rnn-state")[0]).cards()[0]
    assert collection.decks.name(card.did) == "Mini::RNN"  # what the warning promises


def test_removed_cloze_warns_about_the_empty_card(project: Path, collection):
    import_apkg(collection, build(project, now=past(1000)).output)
    source = project / "cards/01-cnn.yaml"
    source.write_text(source.read_text().replace("+ {{c2::1}}", "+ 1"))
    found = messages(project)
    assert any("warning: [cnn-output-size] cloze c2 removed: learners keep an empty card" in m for m in found)

    import_apkg(collection, build(project, now=past(500)).output)
    note = collection.get_note(collection.find_notes("cnn-output-size")[0])
    assert len(note.cards()) == 2  # the c2 card is still there, now empty


def test_changed_note_type_warns(project: Path):
    build(project, now=past(1000))
    write_project(
        project,
        {
            "cards/02-rnn.yaml": (project / "cards/02-rnn.yaml")
            .read_text()
            .replace(
                "type: basic\n    source: \"004#35\"\n    front: RNN hidden state update?\n    back:",
                "type: cloze\n    source: \"004#35\"\n    text:",
            )
            .replace("$s_t = f(U x_t + W s_{t-1})$", "$s_t = {{c1::f(U x_t + W s_{t-1})}}$")
        },
    )
    found = messages(project)
    assert any("warning: [rnn-state] note type changed from basic to cloze" in m for m in found), found


def test_retired_id_still_present_is_an_error(project: Path):
    source = project / "cards/02-rnn.yaml"
    source.write_text(source.read_text() + "retired: [rnn-state]\n")
    assert any("[rnn-state] card 'rnn-state' is listed under `retired` but still exists" in m for m in messages(project))
