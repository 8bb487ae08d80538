"""What a deck holds: notes and cards per subdeck, tag and note type; formulas and images.

Deck and tag counts include children, as Anki's `deck:` and `tag:` searches do, so each number is
what a learner sees when they search for that deck or tag.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dlanki.model import RenderedCard
from dlanki.package import deck_names_with_parents


@dataclass
class Count:
    notes: int = 0
    cards: int = 0

    def add(self, cards: int) -> None:
        self.notes += 1
        self.cards += cards


@dataclass
class FormulaStats:
    total: int = 0
    """Formulas as written in the sources (one per `$…$`, `$$…$$`, `\\(…\\)` or `\\[…\\]`)."""
    inline: int = 0
    display: int = 0
    distinct: int = 0
    with_cloze: int = 0
    """Formulas with a cloze deletion inside: MathJax typesets them once per side."""
    notes: int = 0
    """Notes with at least one formula."""


@dataclass
class ImageStats:
    references: int = 0
    """Images shown on cards, counting each use."""
    files: int = 0
    """Distinct files of media/ the deck uses."""
    bytes: int = 0
    """Their total size: what the package carries."""
    notes: int = 0
    unused: list[str] = field(default_factory=list)
    """Files in media/ that no card shows (not packaged)."""
    missing: list[str] = field(default_factory=list)
    """Files cards show that are not in media/ (`dlanki check` reports them)."""


@dataclass
class Stats:
    notes: int = 0
    cards: int = 0
    retired: int = 0
    by_deck: dict[str, Count] = field(default_factory=dict)
    by_tag: dict[str, Count] = field(default_factory=dict)
    by_type: dict[str, Count] = field(default_factory=dict)
    untagged: Count = field(default_factory=Count)
    formulas: FormulaStats = field(default_factory=FormulaStats)
    images: ImageStats = field(default_factory=ImageStats)

    def to_dict(self) -> dict:
        return asdict(self)


def card_count(item: RenderedCard) -> int:
    """Anki makes one card per cloze number, one per basic note."""
    return len(item.clozes) if item.card.type == "cloze" else 1


def deck_stats(rendered: list[RenderedCard], media_dir: Path | None = None, retired: int = 0) -> Stats:
    stats = Stats(retired=retired)
    for name in deck_names_with_parents([item.card.deck for item in rendered]):
        stats.by_deck[name] = Count()
    tex_seen: set[tuple[str, bool]] = set()
    media_used: set[str] = set()
    for item in rendered:
        card = item.card
        cards = card_count(item)
        stats.notes += 1
        stats.cards += cards
        stats.by_type.setdefault(card.type, Count()).add(cards)
        for deck in _with_parents(card.deck):
            stats.by_deck[deck].add(cards)
        tags = sorted({parent for tag in card.tags for parent in _with_parents(tag)})
        for tag in tags:
            stats.by_tag.setdefault(tag, Count()).add(cards)
        if not tags:
            stats.untagged.add(cards)
        formulas = stats.formulas
        for formula in item.formulas:
            formulas.total += 1
            formulas.display += formula.display
            formulas.inline += not formula.display
            formulas.with_cloze += "{{c" in formula.tex
            tex_seen.add((formula.tex, formula.display))
        formulas.notes += bool(item.formulas)
        images = _image_uses(item)
        stats.images.references += images
        stats.images.notes += bool(images)
        media_used.update(item.media)
    stats.formulas.distinct = len(tex_seen)
    stats.by_deck = dict(sorted(stats.by_deck.items(), key=_tree_order))
    stats.by_tag = dict(sorted(stats.by_tag.items(), key=_tree_order))
    stats.by_type = dict(sorted(stats.by_type.items()))
    stats.images.files = len(media_used)
    if media_dir is not None and media_dir.is_dir():
        present = {path.name: path for path in media_dir.iterdir() if path.is_file() and not path.name.startswith(".")}
        stats.images.bytes = sum(present[name].stat().st_size for name in media_used if name in present)
        stats.images.unused = sorted(set(present) - media_used)
        stats.images.missing = sorted(media_used - set(present))
    return stats


def _tree_order(entry: tuple[str, Count]) -> list[str]:
    """Children right under their parent: "a::b" before "a2", which plain sorting would not do."""
    return entry[0].lower().split("::")


def _with_parents(name: str) -> list[str]:
    parts = name.split("::")
    return ["::".join(parts[: i + 1]) for i in range(len(parts))]


def _image_uses(item: RenderedCard) -> int:
    return sum(field_html.count("<img ") for field_html in item.fields)


def format_text(stats: Stats) -> str:
    """A plain report for people: decks and tags as indented trees."""
    width = max([_width(_tree_label(name)) for name in [*stats.by_deck, *stats.by_tag]] + [24])
    lines = [
        f"{stats.notes} notes, {stats.cards} cards" + (f" ({stats.retired} retired ids)" if stats.retired else ""),
        "",
        f"{'note type':<{width}}  notes  cards",
    ]
    lines += [_row(name, c, width) for name, c in stats.by_type.items()]
    lines += ["", f"{'deck':<{width}}  notes  cards"]
    lines += [_row(_tree_label(name), c, width) for name, c in stats.by_deck.items()]
    lines += ["", f"{'tag':<{width}}  notes  cards"]
    lines += [_row(_tree_label(name), c, width) for name, c in stats.by_tag.items()]
    if stats.untagged.notes:
        lines.append(_row("(no tag)", stats.untagged, width))
    f, i = stats.formulas, stats.images
    lines += [
        "",
        (
            f"formulas: {f.total} in {_n(f.notes, 'note')} ({f.inline} inline, {f.display} displayed; "
            f"{f.distinct} distinct; {f.with_cloze} with a cloze inside)"
        ),
        f"images: {i.references} in {_n(i.notes, 'note')}, {_n(i.files, 'distinct file')} ({_size(i.bytes)} to package)",
    ]
    if i.unused:
        lines.append(f"unused in media/ (not packaged): {', '.join(i.unused)}")
    if i.missing:
        lines.append(f"missing from media/: {', '.join(i.missing)}")
    return "\n".join(lines)


def _row(label: str, count: Count, width: int) -> str:
    return f"{label}{' ' * (width - _width(label))}  {count.notes:>5}  {count.cards:>5}"


def _width(text: str) -> int:
    """Terminal columns: Chinese characters take two, or deck names would break the columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _tree_label(name: str) -> str:
    depth = name.count("::")
    return "  " * depth + name.split("::")[-1]


def _size(count: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if count < 1024 or unit == "MiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count} B"
