"""Benchmark corpora of the deck's own kind: the shipped cards replicated under new ids.

Output file j takes 50 consecutive cards from shipped file j mod F (wrapping around inside it), keeps that
file's `deck:` and `tags:` header and every card exactly as written, and renames each card id to
`<id>-r<j>x<k>`. So a 10,000-card corpus is 200 files of 50 with the shipped deck's Markdown, formulas,
clozes, tables, code and figures, in the same proportions.

The same notes are also written in ankdown's format (Markdown files, `%` between fields, `---` between
cards, one folder per deck) for the peer benchmark.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CARD_START = re.compile(r"^  - id: *(\S+) *$", re.MULTILINE)


@dataclass(frozen=True)
class ShippedFile:
    header: str
    """Everything before the first card: `deck:`, `tags:`, `cards:` (and comments)."""
    cards: list[tuple[str, str]]
    """(id, the card's text as written, up to the next card)."""


def shipped_files(repo: Path = REPO) -> list[ShippedFile]:
    files = []
    for path in sorted((repo / "cards").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        starts = list(CARD_START.finditer(text))
        if not starts:
            continue
        cards = []
        for n, match in enumerate(starts):
            end = starts[n + 1].start() if n + 1 < len(starts) else len(text)
            cards.append((match.group(1), text[match.start() : end].rstrip("\n") + "\n"))
        files.append(ShippedFile(text[: starts[0].start()], cards))
    return files


FIRST_FIELD = re.compile(r"^    (text|front): [|>][-+]?\n( +)", re.MULTILINE)


def write_corpus(root: Path, cards: int, per_file: int = 50, repo: Path = REPO, unique: bool = False) -> Path:
    """A project of `cards` cards in files of `per_file`, with the shipped dlanki.yaml and media/.

    unique: each copy's question starts with its own line (`copy 12.34`), so no two cards have the same
    text and nothing is rendered once for many cards; the formulas stay the shipped deck's."""
    sources = shipped_files(repo)
    (root / "cards").mkdir(parents=True, exist_ok=True)
    shutil.copy2(repo / "dlanki.yaml", root / "dlanki.yaml")
    shutil.copytree(repo / "media", root / "media", dirs_exist_ok=True)
    for j, start in enumerate(range(0, cards, per_file)):
        source = sources[j % len(sources)]
        chunks = []
        for k in range(min(per_file, cards - start)):
            card_id, text = source.cards[k % len(source.cards)]
            text = text.replace(f"- id: {card_id}", f"- id: {card_id}-r{j}x{k}", 1)
            if unique:
                text = FIRST_FIELD.sub(lambda m, j=j, k=k: f"{m.group(0)}copy {j}.{k}\n{m.group(2)}", text, count=1)
            chunks.append(text)
        (root / "cards" / f"{j:04d}.yaml").write_text(source.header + "".join(chunks), encoding="utf-8")
    return root


def edit_one_card(root: Path) -> Path:
    """Change one card's text in the middle of the corpus, as an author's save does."""
    paths = sorted((root / "cards").glob("*.yaml"))
    path = paths[len(paths) // 2]
    text = path.read_text(encoding="utf-8")
    marker = re.search(r"^    (text|back): \|\n", text, re.MULTILINE)
    at = text.index("\n", marker.end()) if marker else len(text) - 1
    path.write_text(text[:at] + " (edited)" + text[at:], encoding="utf-8")
    return path


def write_ankdown(root: Path, project: Path) -> Path:
    """The same notes for ankdown 0.7.1: one folder per deck, fields Question % Answer % Tags."""
    media = project / "media"
    for path in sorted((project / "cards").glob("*.yaml")):
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        folder = root / re.sub(r"[^A-Za-z0-9]+", "-", doc["deck"]).strip("-")
        folder.mkdir(parents=True, exist_ok=True)
        notes = []
        for card in doc["cards"]:
            question = card["text"] if card["type"] == "cloze" else card["front"]
            answer = card.get("extra", "") if card["type"] == "cloze" else card["back"] + "\n\n" + card.get("extra", "")
            answer = re.sub(r"\]\(([a-z0-9][a-z0-9._-]*\.svg)\)", lambda m: f"]({media / m.group(1)})", answer)
            tags = ", ".join([*doc.get("tags", []), *card.get("tags", [])])
            notes.append(f"{question.strip()}\n\n%\n\n{answer.strip()}\n\n%\n\n{tags}\n")
        (folder / f"{path.stem}.md").write_text("\n---\n\n".join(notes), encoding="utf-8")
    return root
