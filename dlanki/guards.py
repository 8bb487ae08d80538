"""Checks against the published state (dlanki.lock): changes Anki silently ignores on re-import."""

from __future__ import annotations

from collections.abc import Iterator

from dlanki.errors import Loc, Problem
from dlanki.ledger import Ledger, line_of
from dlanki.model import Deck, RenderedCard


def check_against_ledger(deck: Deck, rendered: list[RenderedCard], ledger: Ledger, ledger_text: str = "") -> Iterator[Problem]:
    """Compare the sources with what learners already have; only published notes are guarded."""
    namespace = deck.project.guid_namespace
    if ledger.guid_namespace and namespace and namespace != ledger.guid_namespace:
        yield Problem(
            _setting_loc(deck.project.root / "dlanki.yaml", "guid_namespace"),
            f"guid_namespace changed from {ledger.guid_namespace!r} to {namespace!r}: every note would get a new "
            "identity, and learners would get the whole deck a second time",
            f"restore `guid_namespace: {ledger.guid_namespace}`; to start a new deck on purpose, delete dlanki.lock and build again",
        )
        return
    current = {item.card.id: item for item in rendered}
    for card_id, loc in deck.retired.items():
        if card_id in current:
            yield Problem(loc, f"card {card_id!r} is listed under `retired` but still exists", "remove it from `retired`", card_id)
    for card_id, entry in ledger.notes.items():
        item = current.get(card_id)
        if item is None:
            if not entry.retired and card_id not in deck.retired:
                yield Problem(
                    line_of(ledger_text, card_id),
                    f"published card {card_id!r} is gone from cards/: learners keep it as an orphan note",
                    "restore it (ids must never change), or list it under `retired:` in a card file",
                    card_id,
                )
            continue
        card = item.card
        if entry.retired and card_id not in deck.retired:
            yield Problem(
                card.loc,
                f"card id {card_id!r} was retired: learners may still have the old note under it",
                "give the new card an id that was never used",
                card_id,
            )
            continue
        if entry.type and entry.type != card.type:
            yield Problem(
                card.loc,
                f"note type changed from {entry.type} to {card.type}: Anki will skip this note on re-import",
                "keep the type, or retire this id and add the card under a new id",
                card_id,
                "warning",
            )
        if entry.deck and entry.deck != card.deck:
            yield Problem(
                card.loc,
                f"card moved from deck {entry.deck!r} to {card.deck!r}: Anki never moves existing cards",
                "learners who have it must move it by hand (Browse → Change Deck); say so in the release notes",
                card_id,
                "warning",
            )
        removed = sorted(set(entry.clozes) - set(item.clozes)) if entry.clozes != item.clozes else ()
        if removed and entry.type == card.type == "cloze":
            names = ", ".join(f"c{n}" for n in removed)
            yield Problem(
                card.loc,
                f"cloze {names} removed: learners keep an empty card for it",
                "keep the number, or tell learners to run Tools → Empty Cards; never renumber deletions",
                card_id,
                "warning",
            )
    yield from _renamed_decks(rendered, ledger)


def _renamed_decks(rendered: list[RenderedCard], ledger: Ledger) -> Iterator[Problem]:
    published = {e.deck for e in ledger.notes.values() if e.deck and not e.retired}
    used = {item.card.deck for item in rendered}
    gone = sorted(published - used)
    new = sorted(used - published)
    for name in gone:
        maybe = f" (renamed to {new[0]!r}?)" if len(gone) == 1 and len(new) == 1 else ""
        yield Problem(
            Loc("cards/"),
            f"published deck {name!r} is no longer used{maybe}: Anki matches decks by name, so learners get a second deck",
            "keep deck names once published; if intended, tell learners to move their cards and delete the old deck",
            level="warning",
        )


def _setting_loc(path, key: str) -> Loc:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return Loc(path.name)
    for number, line in enumerate(lines, 1):
        if line.startswith(f"{key}:"):
            return Loc(path.name, number, 1)
    return Loc(path.name)
