"""Stage 2: pure checks. Each check yields Problems; all of them run, nothing stops halfway.

Most checks look at one card alone: they belong in check_card (the sources as written) or
check_rendered_card (what Anki will receive). Those run once per card file and their problems are
cached with the file's other results (cardfile.py, filecache.py), so a new per-card check added
there runs, and is cached, with no other change. Checks that compare cards with each other or look
at other files (unique ids, media/) run on every build, from the cached summaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from dlanki.errors import Problem
from dlanki.mathspans import CLOZE_OPEN
from dlanki.media import check_media
from dlanki.model import FIELDS_BY_TYPE, REQUIRED_FIELDS, Card, Image, RenderedCard, TextField
from dlanki.sources import source_label

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_RE = re.compile(r"^[a-z0-9_.-]+(?:::[a-z0-9_.-]+)*$")
MAX_FIELD_CHARS = 20_000
"""A card is read on a phone in seconds; a field longer than this is pasted, not written."""
INVISIBLE = re.compile("[\\s\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]+")
"""Whitespace and characters that draw nothing: a field of only these looks empty to the learner."""
ANKI_MAX_CLOZE = 500
"""Anki generates cards for cloze numbers up to 500 only."""
# Any `{{c…::` Anki's parser would open (its number list may hold commas), and its closer.
HTML_TAG = re.compile(r"<[^>]*>")
CLOZE_TOKEN = re.compile(r"\{\{c([\d,]*)::|\}\}")
# MathJax macros that reach outside the formula: links, CSS (url() loads a remote file on every
# review), classes and ids, data attributes, loading extensions.
UNSAFE_TEX = re.compile(r"\\(href|style|class|cssId|data|require|htmlData|htmlStyle|htmlClass|htmlId)(?![A-Za-z])|url\s*\(")
UNSAFE_BBOX = re.compile(r"\\bbox\s*\[[^\]]*:")
_CJK = "[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
"""Han, kana, CJK punctuation and full-width forms: scripts written without spaces between characters."""
SPACED_DELETION = re.compile(
    "(?<=" + _CJK + ") +(?=\\{\\{c\\d+::" + _CJK + ")"  # 文字 {{c1::答案…
    "|(?<=" + _CJK + "\\}\\}) +(?=" + _CJK + ")"  # …答案}} 文字
)
"""A space between Chinese (or Japanese) text and a deletion that starts or ends in it. On the note's
other cards the deletion is plain text, and the space a gap between two characters."""


def check_cards(cards: list[Card], source_names: dict[str, str]) -> Iterator[Problem]:
    """Checks on the sources as written."""
    for card in cards:
        yield from check_card(card, source_names)
    yield from check_unique_ids(cards)


def check_card(card: Card, source_names: dict[str, str]) -> Iterator[Problem]:
    """Checks on one card as written, needing no other card and no other file."""
    yield from _check_slug(card)
    yield from _check_fields(card)
    yield from _check_tags(card)
    yield from _check_sources(card, source_names)
    yield from _check_deck(card)
    yield from _check_deletion_spacing(card)


def check_rendered(rendered: list[RenderedCard], media_dir: Path, root: Path) -> Iterator[Problem]:
    """Checks on what Anki will receive."""
    for item in rendered:
        yield from check_rendered_card(item)
    yield from check_images(rendered, media_dir)
    yield from check_media(media_dir, root)


def check_rendered_card(item: RenderedCard) -> Iterator[Problem]:
    """Checks on one rendered card, needing no other card and no file."""
    yield from _check_clozes(item)
    yield from _check_formulas(item)


def check_images(rendered: list[RenderedCard], media_dir: Path) -> Iterator[Problem]:
    """Every image a card shows is a file in media/."""
    verdicts: dict[str, list[Problem]] = {}  # a name is looked up on disk once, however many cards show it
    for item in rendered:
        for image in item.images:
            found = verdicts.get(image.src)
            if found is None:
                found = verdicts[image.src] = list(_check_image(item.card, image, media_dir))
            for problem in found:
                yield replace(problem, loc=image.loc, card_id=item.card.id)


def _check_slug(card: Card) -> Iterator[Problem]:
    if not ID_RE.match(card.id):
        yield Problem(
            card.loc,
            f"card id {card.id!r} is not a valid slug",
            "use lowercase ASCII letters, digits and single hyphens, e.g. `water-boiling-point`",
            card.id,
        )


def check_unique_ids(cards: list[Card]) -> Iterator[Problem]:
    """No two cards share an id, in any files."""
    seen: dict[str, Card] = {}
    for card in cards:
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
        elif _blank(field.text):
            yield Problem(field.loc, f"`{key}` is empty", f"write the {key}, or remove the key", card.id)
        elif len(field.text) > MAX_FIELD_CHARS:
            yield Problem(field.loc, f"`{key}` is {len(field.text):,} characters long", f"keep a field under {MAX_FIELD_CHARS:,} characters: one fact a card", card.id)
    for key in REQUIRED_FIELDS[card.type]:
        if key not in card.fields:
            yield Problem(card.loc, f"{card.type} card has no `{key}`", f"add `{key}: |` with Markdown text", card.id)


def _check_deletion_spacing(card: Card) -> Iterator[Problem]:
    text = card.fields.get("text")
    if card.type != "cloze" or text is None:
        return
    spaces = list(SPACED_DELETION.finditer(text.text))
    if spaces:
        yield Problem(
            text.loc_at(spaces[0].start()),
            f"{len(spaces)} space(s) between Chinese text and a deletion: on this note's other cards the deletion "
            "is plain text, and the space a gap between two characters",
            "write 文字{{c1::答案}}文字; keep a space only where the deletion starts or ends with Latin letters, digits or a formula",
            card.id,
            "warning",
        )


def _blank(text: str) -> bool:
    """Does the text draw nothing? (A match stops at the first visible character.)"""
    return not text or INVISIBLE.fullmatch(text) is not None


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
        for field in card.fields.values():
            match = CLOZE_OPEN.search(field.text)
            if match:
                yield Problem(
                    field.loc_at(match.start()), "a basic card contains a cloze deletion", "change `type` to `cloze`", card.id
                )
        return
    extra = card.fields.get("extra")
    if extra is not None and CLOZE_OPEN.search(extra.text):
        where = extra.loc_at(CLOZE_OPEN.search(extra.text).start())
        yield Problem(where, "a cloze deletion in `extra` is shown as literal braces", "move it into `text`", card.id, "warning")
    text = card.fields.get("text")
    if text is None:
        return
    syntax = list(_cloze_syntax(item.fields[0], text, card.id))
    yield from syntax
    if syntax:
        return
    if not item.clozes:
        yield Problem(text.loc, "cloze card has no deletion", "mark the hidden part as {{c1::…}}", card.id)
        return
    missing = sorted(set(range(1, max(item.clozes) + 1)) - set(item.clozes))
    if missing:
        yield Problem(
            text.loc,
            f"cloze numbers skip {', '.join(f'c{n}' for n in missing[:10])}{' …' if len(missing) > 10 else ''}",
            "number deletions c1, c2, … without gaps (but never renumber a published card: retire and re-add it)",
            card.id,
        )


def _cloze_syntax(html: str, source: TextField, card_id: str) -> Iterator[Problem]:
    """Deletions Anki would count differently from dlanki (or not at all) are errors.

    Read with Anki's own rule: `{{c…::` opens a deletion, `}}` closes the innermost one.
    """
    open_at: list[tuple[str, int]] = []
    for token in CLOZE_TOKEN.finditer(html):
        if token.group(0) == "}}":
            if open_at:
                opener, start = open_at.pop()
                body = html[start : token.start()].split("::", 1)[0]
                if _blank(HTML_TAG.sub("", body)):
                    yield _cloze_problem(source, opener, f"empty deletion {opener}}}}}: Anki makes no card for it", card_id)
            continue
        opener, numbers = token.group(0), token.group(1)
        if open_at:
            yield _cloze_problem(
                source, opener, f"deletion {opener} is nested inside {open_at[-1][0]}: Anki and the package disagree on its cards", card_id
            )
        elif not numbers.isdigit():
            yield _cloze_problem(source, opener, f"deletion {opener} has no single number: write {{{{c1::…}}}}", card_id)
        elif not 1 <= int(numbers) <= ANKI_MAX_CLOZE:
            yield _cloze_problem(source, opener, f"cloze number c{int(numbers)} is outside c1…c{ANKI_MAX_CLOZE}, the ones Anki makes cards for", card_id)
        open_at.append((opener, token.end()))
    for opener, _ in open_at:
        yield _cloze_problem(source, opener, f"deletion {opener} is never closed with }}}}: Anki makes no card for it", card_id)


def _cloze_problem(source: TextField, opener: str, message: str, card_id: str) -> Problem:
    offset = source.text.find(opener)
    where = source.loc_at(offset) if offset >= 0 else source.loc
    return Problem(where, message, "write each deletion as {{cN::text}} with N ≥ 1, none inside another", card_id)


def _check_formulas(item: RenderedCard) -> Iterator[Problem]:
    for formula in item.formulas:
        unsafe = UNSAFE_TEX.search(formula.tex) or UNSAFE_BBOX.search(formula.tex)
        if unsafe:
            yield Problem(
                formula.loc,
                f"formula uses {unsafe.group(0).strip()}, which reaches outside the formula (links, CSS, remote files)",
                "use plain TeX: colours with \\color, boxes with \\boxed",
                item.card.id,
            )


def _check_image(card: Card, image: Image, media_dir: Path) -> Iterator[Problem]:
    name, loc = image.src, image.loc
    if re.match(r"^[a-z][a-z0-9+.-]*:", name, re.IGNORECASE):
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
