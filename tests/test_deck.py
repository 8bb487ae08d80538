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
            text = re.sub(r"<style>.*?</style>", "", side, flags=re.DOTALL)
            assert "$" not in text, f"unrendered $ in {card.note()['Source']}"
    used = {name for item in shipped_check.rendered for name in item.media}
    assert {p.name for p in Path(collection.media.dir()).iterdir()} == used


# Subdeck names and tag roots are identity (Anki matches decks by name; filtered decks search tags).
SUBDECKS = {
    "深度学习面试::01 数学基础": "dl::math",
    "深度学习面试::02 机器学习基础": "dl",
    "深度学习面试::03 神经网络基础": "dl",
    "深度学习面试::04 激活函数": "dl::activation",
    "深度学习面试::05 训练与优化": "dl",
    "深度学习面试::06 正则化与泛化": "dl",
    "深度学习面试::07 卷积神经网络": "dl::cnn",
    "深度学习面试::08 循环神经网络": "dl",
    "深度学习面试::09 生成模型": "dl",
    "深度学习面试::10 框架": "dl",
    "深度学习面试::11 注意力与 Transformer": "dl::transformer",
    "深度学习面试::12 预训练语言模型": "dl::llm",
    "深度学习面试::13 大模型微调与对齐": "dl::llm::posttrain",
    "深度学习面试::14 大模型训练工程": "dl::scale",
    "深度学习面试::15 推理加速与模型压缩": "dl::inference",
    "深度学习面试::16 自监督与多模态": "dl",
    "深度学习面试::17 评估指标": "dl::eval",
}


def test_subdecks_and_their_tag_roots(shipped_check):
    decks = {card.deck for card in shipped_check.deck.cards}
    assert decks == set(SUBDECKS)
    for card in shipped_check.deck.cards:
        root = SUBDECKS[card.deck]
        assert any(tag == root or tag.startswith(root + "::") for tag in card.tags), (card.id, card.tags)
    by_tag = {
        "dl::ssl": "深度学习面试::16 自监督与多模态",
        "dl::multimodal": "深度学习面试::16 自监督与多模态",
        "dl::generative::vae": "深度学习面试::09 生成模型",
        "dl::generative::diffusion": "深度学习面试::09 生成模型",
    }
    for tag, deck in by_tag.items():
        tagged = [c for c in shipped_check.deck.cards if tag in c.tags or any(t.startswith(tag + "::") for t in c.tags)]
        assert tagged and all(c.deck == deck for c in tagged), tag


def test_the_deck_speaks_to_the_learner(shipped: Path, collection):
    """No word about the source documents: no 「种子」, no raw item number such as 004#19, anywhere."""
    apkg = next((shipped / "build").glob("*.apkg"))
    import_apkg(collection, apkg)
    # 「种子」 is the authors' word for the source documents; 「随机种子」 (a random seed) is a different word.
    author_talk = re.compile(r"(?<!随机)(?<!随机数)种子|更正[:：]|\b\d{3}#\d+\b")
    found = []
    for note_id in collection.find_notes(""):
        note = collection.get_note(note_id)
        for name, value in note.items():
            if author_talk.search(value):
                found.append((note["Source"].rsplit("· ", 1)[-1], name, author_talk.search(value).group()))
    assert found == []
