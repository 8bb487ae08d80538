"""`dlanki stats`: the counts are the ones a learner's Anki shows for the same deck and tag searches."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SVG, import_apkg, past

from dlanki.build import build, check
from dlanki.cli import cli
from dlanki.stats import deck_stats, format_text


def test_counts_of_the_minimal_project(project: Path):
    result = check(project)
    stats = deck_stats(result.rendered, result.project.media_dir)
    assert (stats.notes, stats.cards) == (4, 5)
    assert {name: (c.notes, c.cards) for name, c in stats.by_type.items()} == {"basic": (2, 2), "cloze": (2, 3)}
    assert {name: (c.notes, c.cards) for name, c in stats.by_deck.items()} == {
        "Mini": (4, 5),
        "Mini::CNN": (2, 3),
        "Mini::RNN": (2, 2),
    }
    assert {name: (c.notes, c.cards) for name, c in stats.by_tag.items()} == {
        "dl": (4, 5),
        "dl::cnn": (2, 3),
        "dl::cnn::pooling": (1, 1),
        "dl::rnn": (2, 2),
    }
    f = stats.formulas
    assert (f.total, f.inline, f.display, f.distinct, f.with_cloze, f.notes) == (4, 3, 1, 4, 2, 4)
    i = stats.images
    assert (i.references, i.files, i.notes, i.bytes, i.unused) == (1, 1, 1, len(SVG.encode()), [])


def test_deck_and_tag_counts_equal_anki_searches(project: Path, collection):
    import_apkg(collection, build(project, now=past(100)).output)
    result = check(project)
    stats = deck_stats(result.rendered)
    for name, count in stats.by_deck.items():
        assert len(collection.find_notes(f'"deck:{name}"')) == count.notes, name
        assert len(collection.find_cards(f'"deck:{name}"')) == count.cards, name
    for name, count in stats.by_tag.items():
        assert len(collection.find_notes(f"tag:{name}")) == count.notes, name
        assert len(collection.find_cards(f"tag:{name}")) == count.cards, name
    assert collection.card_count() == stats.cards and collection.note_count() == stats.notes


def test_unused_media_and_untagged_notes(make_project):
    root = make_project(
        {
            "media/spare.svg": SVG,
            "cards/03-plain.yaml": "deck: Mini::Plain\ncards:\n  - id: plain-one\n    type: basic\n    source: added\n    front: Q\n    back: A\n",
        }
    )
    result = check(root)
    stats = deck_stats(result.rendered, result.project.media_dir)
    assert stats.images.unused == ["spare.svg"]
    assert (stats.untagged.notes, stats.untagged.cards) == (1, 1)
    text = format_text(stats)
    assert "unused in media/ (not packaged): spare.svg" in text and "(no tag)" in text


def test_cli_stats_text_and_json(project: Path, runner):
    done = runner.invoke(cli, ["stats", "-p", str(project)])
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0] == "4 notes, 5 cards"
    assert any(line.split() == ["CNN", "2", "3"] for line in lines)  # subdecks indented under their parent
    assert any(line.split() == ["pooling", "1", "1"] for line in lines)
    assert "formulas: 4 in 4 notes (3 inline, 1 displayed; 4 distinct; 2 with a cloze inside)" in done.stdout

    done = runner.invoke(cli, ["stats", "-p", str(project), "--format", "json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["by_deck"]["Mini::CNN"] == {"notes": 2, "cards": 3}
    assert data["formulas"]["total"] == 4 and data["images"]["files"] == 1
