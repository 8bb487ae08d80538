"""A build cache of pure results: rendered fields and formulas MathJax accepted.

Keyed by the exact source text and by a digest of the code that produced the results, so a cache
can never change what a build writes, only how fast it gets there. It lives in build/.cache/ and
is safe to delete at any time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import dataclass, field
from pathlib import Path

from dlanki import mathjax
from dlanki.ledger import atomic_write

_CODE = ("render.py", "mathspans.py", "sanitize.py", "mathjax_check.js")
_LIBRARIES = ("markdown-it-py", "nh3")


def code_digest() -> str:
    """Changes whenever the renderer, the sanitiser, the formula check, MathJax or the libraries they use change."""
    digest = hashlib.sha256()
    for name in _CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    for library in _LIBRARIES:
        digest.update(f"{library}=={importlib.metadata.version(library)}".encode())
    # Formula verdicts are MathJax's: another version, or $DLANKI_MATHJAX's copy, must judge afresh.
    digest.update(f"mathjax=={mathjax.VERSION} at {mathjax.find_mathjax()}".encode())
    return digest.hexdigest()[:16]


@dataclass
class BuildCache:
    fields: dict[str, list] = field(default_factory=dict)
    """Markdown source → [html, [[image src, offset]...], [[tex, display, offset]...]]."""
    formulas_ok: dict[str, float | None] = field(default_factory=dict)
    """`display|tex` of formulas MathJax parsed without error → their width in em (None: not measured)."""
    used_fields: set[str] = field(default_factory=set)


def cache_path(build_dir: Path) -> Path:
    return build_dir / ".cache" / "dlanki-cache.json"


def load_cache(build_dir: Path) -> BuildCache:
    path = cache_path(build_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("code") != code_digest():
            return BuildCache()
        return BuildCache(dict(data["fields"]), dict(data["formulas_ok"]))
    except (OSError, ValueError, KeyError, TypeError):
        return BuildCache()  # a missing or damaged cache only costs time


def save_cache(build_dir: Path, cache: BuildCache) -> None:
    """Keep only what this build used, so the cache never grows past the deck."""
    fields = {key: cache.fields[key] for key in sorted(cache.used_fields) if key in cache.fields}
    data = {"code": code_digest(), "fields": fields, "formulas_ok": dict(sorted(cache.formulas_ok.items()))}
    path = cache_path(build_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
