"""The build cache (build/.cache/): pure results, kept so a rebuild only redoes what changed.

Two parts, each keyed by everything that could change its content, so a cache can never change what
a build writes or reports, only how fast it gets there; build/.cache is safe to delete at any time.

- files/: each card file's loaded, checked and rendered result (filecache.py);
- formulas.json: every formula MathJax proved to render, with its width, keyed by the formula's text
  and by the MathJax and check script that proved it, so a formula is proved once, ever, per project.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from dlanki.filecache import FileStore, environment
from dlanki.ledger import atomic_write
from dlanki.mathcheck import mathjax_identity
from dlanki.model import Project


@dataclass
class BuildCache:
    formulas_ok: dict[str, float | None] = field(default_factory=dict)
    """`display|tex` of formulas MathJax parsed without error → their width in em (None: not measured)."""
    files: FileStore | None = None
    """Each card file's result; None: nothing is cached."""
    formulas_key: str = ""
    """Which MathJax proved them (mathcheck.mathjax_identity, digested)."""
    formulas_saved: int = -1
    """How many verdicts formulas.json holds: it is rewritten only when a build proved new ones."""


def cache_dir(build_dir: Path) -> Path:
    return build_dir / ".cache"


def load_cache(project: Project) -> BuildCache:
    """The project's build cache; a missing or damaged one is empty (it only costs time)."""
    folder = cache_dir(project.build_dir)
    mathjax = mathjax_identity(project.root)
    formulas_key = hashlib.sha256(mathjax.encode()).hexdigest()[:16]
    cache = BuildCache(files=FileStore(folder / "files", environment(project, mathjax)), formulas_key=formulas_key)
    try:
        data = json.loads((folder / "formulas.json").read_text(encoding="utf-8"))
        known = data["formulas_ok"]
        if data["mathjax"] == formulas_key and all(_is_width(width) for width in known.values()):
            cache.formulas_ok, cache.formulas_saved = known, len(known)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass
    return cache


def _is_width(value: object) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def save_cache(project: Project, cache: BuildCache) -> None:
    folder = cache_dir(project.build_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if len(cache.formulas_ok) != cache.formulas_saved:
        data = {"mathjax": cache.formulas_key, "formulas_ok": dict(sorted(cache.formulas_ok.items()))}
        atomic_write(folder / "formulas.json", json.dumps(data, ensure_ascii=False).encode("utf-8"))
        cache.formulas_saved = len(cache.formulas_ok)
    if cache.files is not None:
        cache.files.save()
