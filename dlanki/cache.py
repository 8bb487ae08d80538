"""The build cache (build/.cache/): pure results, kept so a rebuild only redoes what changed.

Two parts, each keyed by everything that could change its content, so a cache can never change what
a build writes or reports, only how fast it gets there; build/.cache is safe to delete at any time.

- files/: each card file's loaded, checked and rendered result (filecache.py);
- the formulas MathJax proved to render, with their widths: not in build/ but per user (verdicts.py),
  keyed by the formula's text and by the MathJax and check script that proved it, so a formula is
  proved once per machine, in every project and checkout;
- media.json: the problems found in media/, under a digest of every name, kind and byte in it;
- outputs.json: for each package written, a digest of its inputs and of its bytes, so a rebuild whose
  inputs are all unchanged leaves the identical package in place instead of writing it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dlanki.cachekey import seal, unseal
from dlanki.errors import Loc, Problem
from dlanki.filecache import FileStore, code_digest, environment
from dlanki.mathcheck import mathjax_identity
from dlanki.model import Project
from dlanki.verdicts import load_verdicts, save_verdicts


@dataclass
class BuildCache:
    formulas_ok: dict[str, float | None] = field(default_factory=dict)
    """`display|tex` of formulas MathJax parsed without error → their width in em, or an upper bound of it
    that fits the phone (verdicts.py keeps them per user)."""
    files: FileStore | None = None
    """Each card file's result; None: nothing is cached."""
    formulas_key: str = ""
    """Which MathJax proved them (mathcheck.mathjax_identity, digested)."""
    formulas_saved: int = -1
    """How many verdicts the store held when loaded (-1: not loaded yet): it is written only when a run
    proved new ones."""
    media: tuple[str, list[Problem]] | None = None
    """The digest of media/ (media_digest) and the problems found in it."""
    media_changed: bool = False
    outputs: dict[str, list[str]] = field(default_factory=dict)
    """Package path → [digest of its inputs, sha256 of its bytes]."""
    outputs_changed: bool = False

    def unchanged_output(self, path: Path, inputs: str) -> bool:
        """Is `path` the package these inputs make, as written by an earlier build and untouched since?"""
        record = self.outputs.get(str(path.resolve()))
        if record is None or record[0] != inputs or path.is_symlink() or not path.is_file():
            return False
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest() == record[1]
        except OSError:
            return False

    def remember_output(self, path: Path, inputs: str, sha256: str) -> None:
        self.outputs[str(path.resolve())] = [inputs, sha256]
        self.outputs_changed = True


def cache_dir(build_dir: Path) -> Path:
    return build_dir / ".cache"


def load_cache(project: Project) -> BuildCache:
    """The project's build cache; a missing or damaged one is empty (it only costs time)."""
    folder = cache_dir(project.build_dir)
    cache = BuildCache(files=FileStore(folder / "files", ""))
    refresh(cache, project)
    cache.media = _load_media(folder / "media.json")
    try:
        outputs = _read_json(folder / "outputs.json")
        if all(isinstance(k, str) and isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v) for k, v in outputs.items()):
            cache.outputs = outputs
    except (OSError, ValueError, AttributeError):
        pass
    return cache


def refresh(cache: BuildCache, project: Project) -> None:
    """Key the cache by the settings and the MathJax of now: a cache kept across builds (`dlanki serve`)
    must not answer for a dlanki.yaml or a MathJax that has changed since it was loaded."""
    mathjax = mathjax_identity()
    formulas_key = hashlib.sha256(mathjax.encode()).hexdigest()[:16] if mathjax else ""
    if formulas_key != cache.formulas_key or cache.formulas_saved < 0:
        cache.formulas_ok = load_verdicts(formulas_key) if formulas_key else {}
        cache.formulas_saved = len(cache.formulas_ok)
    cache.formulas_key = formulas_key
    if cache.files is not None:
        cache.files.environment = environment(project, mathjax).encode()


def save_formulas(cache: BuildCache) -> None:
    """Add the formulas this run proved to the user's store (verdicts.py); nothing is written in a project."""
    if cache.formulas_key and len(cache.formulas_ok) != cache.formulas_saved:
        save_verdicts(cache.formulas_key, cache.formulas_ok)
        cache.formulas_saved = len(cache.formulas_ok)


def save_cache(project: Project, cache: BuildCache) -> None:
    folder = cache_dir(project.build_dir)
    folder.mkdir(parents=True, exist_ok=True)
    save_formulas(cache)
    (folder / "formulas.json").unlink(missing_ok=True)  # where dlanki kept them before verdicts.py
    if cache.media is not None and cache.media_changed:
        _save_media(folder / "media.json", cache.media)
        cache.media_changed = False
    if cache.outputs_changed:
        _write(folder / "outputs.json", json.dumps(cache.outputs, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        cache.outputs_changed = False
    if cache.files is not None:
        cache.files.save()


def media_digest(media_dir: Path) -> str:
    """A digest of everything in media/ a check or a package reads: names, kinds, link targets, bytes."""
    digest = hashlib.sha256(code_digest().encode())
    if not media_dir.is_dir():
        return digest.hexdigest()
    digest.update(os.fsencode(media_dir.resolve()))
    for path in sorted(media_dir.iterdir()):
        mode = path.lstat().st_mode
        digest.update(b"\0" + os.fsencode(path.name) + b"\0" + str(stat.S_IFMT(mode)).encode())
        if stat.S_ISLNK(mode):
            digest.update(b"\0" + os.fsencode(path.resolve()))
        if path.is_file():
            size = path.stat().st_size
            # Beyond any size media.py reads, the size and time are enough: such a file is refused unread.
            content = path.read_bytes() if size <= 64 << 20 else str((size, path.stat().st_mtime_ns)).encode()
            digest.update(b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


def media_is_known(cache: BuildCache, digest: str) -> bool:
    """Were the problems of media/ with this digest found by an earlier run?"""
    return cache.media is not None and cache.media[0] == digest


def checked_media(cache: BuildCache, digest: str, check: Callable[[], Iterable[Problem]]) -> list[Problem]:
    """check() of media/, or its problems from the last run if nothing in media/ changed since."""
    if media_is_known(cache, digest):
        return list(cache.media[1])
    problems = list(check())
    cache.media = (digest, problems)
    cache.media_changed = True
    return problems


def _load_media(path: Path) -> tuple[str, list[Problem]] | None:
    try:
        data = _read_json(path)
        problems = [Problem(Loc(*loc), message, hint, card_id, level) for loc, message, hint, card_id, level in data["problems"]]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    fields = [(p.loc.path, p.message, p.hint, p.card_id, p.level, p.loc.line, p.loc.col) for p in problems]
    if not isinstance(data["digest"], str) or not all(
        all(isinstance(text, str) for text in row[:5]) and all(type(n) is int for n in row[5:]) for row in fields
    ):
        return None
    return data["digest"], problems


def _save_media(path: Path, media: tuple[str, list[Problem]]) -> None:
    rows = [[[p.loc.path, p.loc.line, p.loc.col], p.message, p.hint, p.card_id, p.level] for p in media[1]]
    _write(path, json.dumps({"digest": media[0], "problems": rows}, ensure_ascii=False).encode("utf-8"))


def _read_json(path: Path):
    """A cache file's content, if this user's dlanki sealed it (cachekey.py); else ValueError."""
    body = unseal(path.read_bytes())
    if body is None:
        raise ValueError(f"{path.name} was not made here")
    return json.loads(body.decode("utf-8"))


def _write(path: Path, data: bytes) -> None:
    """Sealed, beside the target, then renamed: no fsync, a damaged cache file is only ignored."""
    sealed = seal(data)
    if sealed is None:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(sealed)
    os.replace(tmp, path)
