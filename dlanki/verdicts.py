"""Formulas MathJax proved, kept per user: a formula is proven once on a machine, ever.

A verdict (renders or not, and how wide) depends only on the formula's text and on the MathJax and check
script that gave it, never on the project. So verdicts live beside the cache key (cachekey.py), outside
every project: a fresh clone, a deleted build/, a new branch or another deck that writes the same formula
costs nothing to check again. One file per MathJax identity; sealed like the build cache, so nothing a
pull request commits, and nothing another user wrote, is ever read as proven.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from dlanki.cachekey import key_path, seal, unseal

Verdicts = dict[str, float | None]
"""`display|tex` → width in em, or an upper bound of it that fits the phone (mathjax_check.js)."""


def store_path(identity: str) -> Path:
    """Where the verdicts of one MathJax identity (a digest of mathcheck.mathjax_identity) are kept."""
    return key_path().parent / "formulas" / f"{identity}.json"


def load_verdicts(identity: str) -> Verdicts:
    """The verdicts this user's dlanki sealed for this MathJax; empty if none, damaged or not sealed here."""
    try:
        body = unseal(store_path(identity).read_bytes())
        data = json.loads(body.decode("utf-8")) if body is not None else None
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("mathjax") != identity or not isinstance(data.get("formulas_ok"), dict):
        return {}
    known = data["formulas_ok"]
    if not all(isinstance(key, str) and _is_width(width) for key, width in known.items()):
        return {}
    return known


def save_verdicts(identity: str, verdicts: Verdicts) -> None:
    """Add these verdicts to the store: merged with what is there now (another build may have added some),
    written beside it and renamed into place. A store that cannot be written only costs time."""
    path = store_path(identity)
    merged = {**load_verdicts(identity), **verdicts}
    body = json.dumps({"mathjax": identity, "formulas_ok": dict(sorted(merged.items()))}, ensure_ascii=False)
    sealed = seal(body.encode("utf-8"))
    if sealed is None:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp.write_bytes(sealed)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def _is_width(value: object) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))
