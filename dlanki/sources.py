"""Source references: what a card's `source:` says, and the name the Source field shows for it.

A reference is a key, optionally with an item after '#': `vaswani2017`, `"004#19"`. The project's
`sources:` setting names every key for learners; `{n}` in a name stands for the item, so
`"004": 深度学习100问 第{n}题` shows `004#19` as 深度学习100问 第19题.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

REFERENCE_RE = re.compile(r"^(?P<key>[A-Za-z0-9][A-Za-z0-9._-]*)(?:#(?P<item>[A-Za-z0-9._-]+))?$")
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
ITEM = "{n}"


def source_label(reference: str, names: Mapping[str, str]) -> tuple[str | None, str]:
    """(the learner-facing name of a reference, "") or (None, what is wrong with it)."""
    match = REFERENCE_RE.match(reference)
    if not match:
        return None, f"source {reference!r} is not a source key such as `smith2020` or `book#12`"
    key, item = match.group("key"), match.group("item")
    name = names.get(key)
    if name is None:
        return None, f"source {key!r} has no name in dlanki.yaml"
    if item is None and ITEM in name:
        return None, f"source {reference!r} needs an item: the name of {key!r} has {ITEM}, e.g. `{key}#12`"
    if item is not None and ITEM not in name:
        return None, f"source {reference!r} has an item, but the name of {key!r} has no {ITEM} to show it in"
    return (name.replace(ITEM, item) if item is not None else name), ""
