"""The shipped deck itself, imported into real Anki: complete, well-formed, every seed item covered."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, import_apkg

from dlanki.build import build, check

# The two seed documents: 18 notes (000) and 50 interview questions (004). Every item must be carded.
SEED_ITEMS = [f"000#{n}" for n in range(1, 19)] + [f"004#{n}" for n in range(1, 51)]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    """A copy of the repository's deck project, built once."""
    copy = tmp_path_factory.mktemp("shipped")
    for name in ("cards", "media"):
        shutil.copytree(REPO / name, copy / name)
    for name in ("dlanki.yaml", "dlanki.lock"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, copy / name)
    build(copy, frozen=(REPO / "dlanki.lock").exists())
    return copy


@pytest.fixture(scope="module")
def shipped_check(shipped: Path):
    return check(shipped)


def test_every_seed_item_is_covered(shipped_check):
    sources = {source for card in shipped_check.deck.cards for source in card.sources}
    missing = [item for item in SEED_ITEMS if item not in sources]
    assert not missing, f"seed items with no card: {missing}"


def test_deck_has_no_problems(shipped_check):
    assert [str(p) for p in shipped_check.problems] == []


def test_one_root_deck_with_topic_subdecks(shipped_check):
    decks = {card.deck for card in shipped_check.deck.cards}
    assert {deck.split("::")[0] for deck in decks} == {"深度学习面试"}
    assert all(deck.count("::") == 1 for deck in decks)


def test_every_card_records_provenance_and_a_dl_tag(shipped_check):
    for card in shipped_check.deck.cards:
        assert card.sources, card.id
        assert any(tag == "dl" or tag.startswith("dl::") for tag in card.tags), card.id


def test_every_media_file_is_used_and_every_image_exists(shipped_check):
    used = {name for item in shipped_check.rendered for name in item.media}
    on_disk = {p.name for p in (REPO / "media").iterdir() if p.is_file()}
    assert used <= on_disk
    assert on_disk - used == set(), f"media files no card uses: {sorted(on_disk - used)}"


def test_imports_into_anki_with_no_empty_cards_and_no_raw_dollars(shipped: Path, shipped_check, collection):
    apkg = next((shipped / "build").glob("*.apkg"))
    log = import_apkg(collection, apkg)
    assert not log.conflicting and len(log.new) == collection.note_count() > 0
    assert collection.get_empty_cards().notes == []
    for note_id in collection.find_notes(""):
        note = collection.get_note(note_id)
        assert note.cards(), f"note {note['Source']} has no card"
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        for side in (card.question(), card.answer()):
            text = re.sub(r"<style>.*?</style>", "", side, flags=re.S)
            assert "$" not in text, f"unrendered $ in {card.note()['Source']}"
    used = {name for item in shipped_check.rendered for name in item.media}
    assert {p.name for p in Path(collection.media.dir()).iterdir()} == used
