"""Stage 2: pure checks. Each check yields Problems; all of them run, nothing stops halfway."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from dlanki.errors import Loc, Problem
from dlanki.mathspans import CLOZE_OPEN
from dlanki.model import FIELDS_BY_TYPE, REQUIRED_FIELDS, Card, Image, RenderedCard
from dlanki.sources import source_label

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_RE = re.compile(r"^[a-z0-9_.-]+(?:::[a-z0-9_.-]+)*$")
MEDIA_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def check_cards(cards: list[Card], source_names: dict[str, str]) -> Iterator[Problem]:
    """Checks on the sources as written."""
    seen: dict[str, Card] = {}
    for card in cards:
        yield from _check_id(card, seen)
        yield from _check_fields(card)
        yield from _check_tags(card)
        yield from _check_sources(card, source_names)
        yield from _check_deck(card)


def check_rendered(rendered: list[RenderedCard], media_dir: Path, root: Path) -> Iterator[Problem]:
    """Checks on what Anki will receive."""
    for item in rendered:
        card = item.card
        yield from _check_clozes(item)
        for image in item.images:
            yield from _check_image(card, image, media_dir)
    yield from _check_media_names(media_dir, root)


def _check_id(card: Card, seen: dict[str, Card]) -> Iterator[Problem]:
    if not ID_RE.match(card.id):
        yield Problem(
            card.loc,
            f"card id {card.id!r} is not a valid slug",
            "use lowercase ASCII letters, digits and single hyphens, e.g. `water-boiling-point`",
            card.id,
        )
    first = seen.setdefault(card.id, card)
    if first is not card:
        yield Problem(
            card.loc,
            f"duplicate card id {card.id!r} (first used at {first.loc.path}:{first.loc.line})",
            "give this card its own id; ids must be unique across all files",
            card.id,
        )


def _check_fields(card: Card) -> Iterator[Problem]:
    allowed = FIELDS_BY_TYPE[card.type]
    for key, field in card.fields.items():
        if key not in allowed:
            other = "text" if card.type == "cloze" else "front/back"
            yield Problem(field.loc, f"a {card.type} card has no `{key}` field", f"use {other}", card.id)
        elif not field.text.strip():
            yield Problem(field.loc, f"`{key}` is empty", f"write the {key}, or remove the key", card.id)
    for key in REQUIRED_FIELDS[card.type]:
        if key not in card.fields:
            yield Problem(card.loc, f"{card.type} card has no `{key}`", f"add `{key}: |` with Markdown text", card.id)


def _check_tags(card: Card) -> Iterator[Problem]:
    for tag in card.tags:
        if not TAG_RE.match(tag):
            # Anki itself only forbids spaces in a tag; lowercase ASCII is dlanki's rule, so that tag
            # searches and filtered decks match the same notes on every device and keyboard.
            yield Problem(
                card.loc,
                f"tag {tag!r} breaks dlanki's tag rule: lowercase ASCII letters, digits, '_', '.' and '-', '::' between levels",
                "e.g. `chemistry::acids::strong` (Anki itself only forbids spaces)",
                card.id,
            )


def _check_sources(card: Card, source_names: dict[str, str]) -> Iterator[Problem]:
    for source in card.sources:
        label, message = source_label(source, source_names)
        if label is None:
            hint = 'name it in dlanki.yaml: `sources: {smith2020: "Smith et al. 2020", book: "Some Book, p. {n}"}`'
            yield Problem(card.loc, message, hint, card.id)


def _check_deck(card: Card) -> Iterator[Problem]:
    parts = card.deck.split("::")
    if any(not part.strip() or part != part.strip() for part in parts):
        yield Problem(card.loc, f"deck name {card.deck!r} has an empty or padded part", "write `Root::Subdeck`", card.id)


def _check_clozes(item: RenderedCard) -> Iterator[Problem]:
    card = item.card
    if card.type == "basic":
        for key, field in card.fields.items():
            match = CLOZE_OPEN.search(field.text)
            if match:
                yield Problem(
                    field.loc_at(match.start()), "a basic card contains a cloze deletion", "change `type` to `cloze`", card.id
                )
        return
    text = card.fields.get("text")
    if text is None:
        return
    if not item.clozes:
        yield Problem(text.loc, "cloze card has no deletion", "mark the hidden part as {{c1::…}}", card.id)
        return
    expected = tuple(range(1, max(item.clozes) + 1))
    if item.clozes != expected:
        missing = sorted(set(expected) - set(item.clozes))
        yield Problem(
            text.loc,
            f"cloze numbers skip {', '.join(f'c{n}' for n in missing)}",
            "number deletions c1, c2, … without gaps (but never renumber a published card: retire and re-add it)",
            card.id,
        )


def _check_image(card: Card, image: Image, media_dir: Path) -> Iterator[Problem]:
    name, loc = image.src, image.loc
    if re.match(r"^[a-z][a-z0-9+.-]*:", name, re.I):
        yield Problem(loc, f"image {name!r} is a URL", "put the file in media/ and write its name", card.id)
        return
    if name.startswith("/") or ".." in name.split("/") or "/" in name or "\\" in name:
        yield Problem(loc, f"image path {name!r} leaves media/ or uses a folder", "media/ is flat: write the bare file name", card.id)
        return
    path = media_dir / name
    if not path.is_file():
        near = sorted(p.name for p in media_dir.glob("*")) if media_dir.is_dir() else []
        close = [n for n in near if n.lower() == name.lower()]
        hint = f"did you mean {close[0]!r}?" if close else "add the file to media/ or fix the name"
        yield Problem(loc, f"image {name!r} not found in media/", hint, card.id)
        return
    if not path.resolve().is_relative_to(media_dir.resolve()):
        yield Problem(loc, f"image {name!r} is a link that points outside media/", "copy the file into media/", card.id)


def _check_media_names(media_dir: Path, root: Path) -> Iterator[Problem]:
    if not media_dir.is_dir():
        return
    lowered: dict[str, str] = {}
    for path in sorted(media_dir.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        rel = path.relative_to(root).as_posix()
        if path.name.startswith("_"):
            yield Problem(
                Loc(rel),
                "media names starting with '_' are Anki's for note type assets (Check Media never counts them as used)",
                "rename the file",
            )
        elif not MEDIA_NAME_RE.match(path.name) or len(path.name.encode()) > 120:
            yield Problem(
                Loc(rel),
                f"media name {path.name!r} breaks dlanki's media naming rule",
                "use lowercase ASCII letters, digits, '-', '_' and '.' (dlanki's rule, the same name on every file system),"
                " at most 120 bytes (Anki's limit)",
            )
        other = lowered.setdefault(path.name.lower(), path.name)
        if other != path.name:
            yield Problem(Loc(rel), f"media names {other!r} and {path.name!r} differ only in case", "rename one of them")
