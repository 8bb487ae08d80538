"""What real Anki does with the built package: first import, study, edit, re-import."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import import_apkg, past

from dlanki import notetypes
from dlanki.build import Selection, build


def _card_state(col):
    rows = col.db.all("select id, nid, did, ord, ivl, due, reps, type, queue from cards order by id")
    return rows


def _study(col, answers: int) -> int:
    """Answer `answers` cards with Good, as a learner would; return the revlog size."""
    col.decks.select(col.decks.id_for_name("Mini"))
    for _ in range(answers):
        card = col.sched.getCard()
        assert card is not None
        col.sched.answerCard(card, 3)
    return col.db.scalar("select count() from revlog")


def test_fresh_import_matches_sources(project: Path, collection):
    result = build(project, now=past(1000))
    log = import_apkg(collection, result.output)

    assert len(log.new) == 4 and not log.updated and not log.conflicting
    assert collection.note_count() == 4
    assert collection.card_count() == 5  # two basic notes, a two-deletion cloze, a one-deletion cloze
    decks = {d.name for d in collection.decks.all_names_and_ids()}
    assert {"Mini", "Mini::CNN", "Mini::RNN"} <= decks
    names = [m.name for m in collection.models.all_names_and_ids()]
    assert names.count("dlanki Basic (mini)") == 1 and names.count("dlanki Cloze (mini)") == 1
    assert (Path(collection.media.dir()) / "pool.svg").read_text().startswith("<svg")
    assert len(collection.find_cards('deck:"Mini::CNN"')) == 3


def test_new_cards_follow_curated_order(project: Path, collection):
    import_apkg(collection, build(project, now=past(1000)).output)
    rows = collection.db.all("select n.sfld, c.due from cards c join notes n on n.id = c.nid order by c.due, c.ord")
    firsts = [re.sub("<[^>]+>", "", sfld)[:12] for sfld, _ in rows]
    assert firsts[0].startswith("What does")
    assert firsts[-1].startswith("\\(\\sigma'")


def test_edit_updates_one_note_and_keeps_scheduling(project: Path, collection):
    import_apkg(collection, build(project, now=past(1000)).output)
    revlog = _study(collection, 3)
    before = _card_state(collection)
    assert any(row[6] > 0 for row in before)  # something was really studied

    source = project / "cards/02-rnn.yaml"
    source.write_text(source.read_text().replace("RNN hidden state update?", "RNN 隐状态 (hidden state) 的更新公式?"))
    log = import_apkg(collection, build(project, now=past(500)).output)

    assert len(log.updated) == 1 and not log.new and not log.conflicting
    assert collection.note_count() == 4
    assert _card_state(collection) == before
    assert collection.db.scalar("select count() from revlog") == revlog
    assert len(collection.find_notes('"RNN 隐状态*"')) == 1
    assert [m.name for m in collection.models.all_names_and_ids()].count("dlanki Basic (mini)") == 1
    assert not [d for d in collection.decks.all_names_and_ids() if d.name.endswith("+")]


def test_reimporting_identical_build_updates_nothing(project: Path, collection):
    first = build(project, now=past(1000))
    import_apkg(collection, first.output)
    again = build(project, now=past(10))  # a later build of the same sources keeps the old stamps
    log = import_apkg(collection, again.output)
    assert not log.updated and not log.new and len(log.duplicate) == 4


def test_users_own_edit_survives_reimport_of_unchanged_note(project: Path, collection):
    import_apkg(collection, build(project, now=past(1000)).output)
    note = collection.get_note(collection.find_notes("cnn-pooling")[0])
    note["Extra"] = "my own mnemonic"
    collection.update_note(note)
    import_apkg(collection, build(project, now=past(10)).output)
    assert collection.get_note(note.id)["Extra"] == "my own mnemonic"


def test_css_change_applies_without_forking_note_type(project: Path, collection, monkeypatch):
    import_apkg(collection, build(project, now=past(1000)).output)
    original = notetypes._template

    def restyled(name: str) -> str:
        text = original(name)
        return text + "\n.dl-card { letter-spacing: 0.01em; }\n" if name == "card.css" else text

    monkeypatch.setattr(notetypes, "_template", restyled)
    log = import_apkg(collection, build(project, now=past(500)).output)

    assert not log.conflicting and not log.updated  # the notes themselves did not change
    basics = [m for m in collection.models.all_names_and_ids() if m.name.startswith("dlanki Basic")]
    assert len(basics) == 1
    assert "letter-spacing: 0.01em" in collection.models.get(basics[0].id)["css"]


def test_tag_search_and_filtered_deck_select_tagged_cards(project: Path, collection):
    import_apkg(collection, build(project, now=past(1000)).output)
    cnn = set(collection.find_cards("tag:dl::cnn"))
    assert len(cnn) == 3  # cnn-pooling + two cloze cards of cnn-output-size
    assert set(collection.find_cards("tag:dl::cnn::pooling")) < cnn
    assert set(collection.find_cards("tag:DL::CNN")) == cnn  # Anki matches tags case-insensitively

    deck_id = collection.sched.get_or_create_filtered_deck(deck_id=0)
    deck_id.name = "CNN only"
    deck_id.config.search_terms[0].search = "tag:dl::cnn"
    deck_id.config.search_terms[0].limit = 100
    filtered = collection.sched.add_or_update_filtered_deck(deck_id).id
    assert set(collection.find_cards(f"did:{filtered}")) == cnn


def test_subset_build_merges_with_full_deck(project: Path, collection):
    subset = build(project, Selection(tags=("dl::rnn",)), now=past(1000))
    assert subset.output.name == "mini-dl-rnn.apkg"
    log = import_apkg(collection, subset.output)
    assert len(log.new) == 2
    log = import_apkg(collection, build(project, now=past(900)).output)
    assert len(log.new) == 2 and len(log.duplicate) == 2
    assert collection.note_count() == 4


def test_a_redrawn_figure_reaches_learners_who_have_the_deck(project: Path, collection):
    """Anki copies media only for notes it adds or updates: a figure's new bytes restamp its notes."""
    import_apkg(collection, build(project, now=past(1000)).output)
    figure = project / "media" / "pool.svg"
    redrawn = figure.read_text().replace('width="5"', 'width="7"')
    figure.write_text(redrawn)
    result = build(project, now=past(500))
    assert result.changed == ("cnn-pooling",)  # the one note that shows it, nothing else
    log = import_apkg(collection, result.output)
    assert len(log.updated) == 1 and not log.new
    note = collection.get_note(collection.find_notes("cnn-pooling")[0])
    shown = re.search(r'src="([^"]+)"', note["Extra"]).group(1)
    assert (Path(collection.media.dir()) / shown).read_text() == redrawn
