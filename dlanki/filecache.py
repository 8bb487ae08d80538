"""The cache of card files (build/.cache/files/): each file's FileResult, under a key of all it depends on.

A key digests the file's bytes and path (locations name it), the project settings, every file of
dlanki itself, the versions of Python and of the libraries that shape the output, and the MathJax
that proves formulas. So an entry can only ever stand for the result a cold build would compute.

An entry is used only if it is intact (a digest over its bytes), unpickles to nothing but dlanki's
own plain dataclasses, and names the key and path it was looked up by. It holds two pickles: the
result, as the process that compiled the file made it, and MathJax's verdicts on its formulas. Anything else (a truncated
write, a file from another version, a hand-made pickle) is ignored and the file compiled again.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import io
import os
import pickle
import sys
from pathlib import Path

from dlanki.cachekey import seal, unseal
from dlanki.cardfile import FileResult
from dlanki.errors import Loc, Problem
from dlanki.model import Card, Formula, Image, NoteDigest, Project, RenderedCard, TextField

FORMAT = b"dlanki file cache 3\n"
_LIBRARIES = ("markdown-it-py", "mdurl", "nh3", "PyYAML", "genanki")
_ALLOWED = {(cls.__module__, cls.__qualname__): cls for cls in (FileResult, Card, TextField, RenderedCard, Formula, Image, NoteDigest, Loc, Problem)}


def environment(project: Project, mathjax: str) -> str:
    """A digest of everything besides a file's own bytes and path that its result depends on."""
    digest = hashlib.sha256(FORMAT)
    digest.update(code_digest().encode())
    # Every setting in dlanki.yaml (sources, namespace, package, note type identities, and any added later).
    settings = [(item.name, getattr(project, item.name)) for item in dataclasses.fields(project) if item.name != "root"]
    digest.update(repr((settings, mathjax)).encode())
    return digest.hexdigest()


_CODE_DIGEST: list[str] = []


def code_digest() -> str:
    """dlanki's own files (code, templates, the MathJax script), Python and the libraries' versions."""
    if not _CODE_DIGEST:
        package = Path(__file__).parent
        digest = hashlib.sha256(sys.version.encode())
        for path in sorted(package.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        digest.update(repr(library_versions()).encode())
        _CODE_DIGEST.append(digest.hexdigest())
    return _CODE_DIGEST[0]


def library_versions() -> list[str]:
    """The installed distributions of the libraries that shape a build's output, as `name-version`.

    Read from the names of their .dist-info folders on sys.path, as importlib.metadata finds them:
    importing importlib.metadata alone costs a rebuild that finds nothing changed a tenth of its time.
    """
    wanted = {_normalise(name): name for name in _LIBRARIES}
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            stem, dot, suffix = name.rpartition(".")
            if dot and suffix in ("dist-info", "egg-info"):
                distribution, _, version = stem.partition("-")
                found.setdefault(_normalise(distribution), f"{wanted.get(_normalise(distribution), '')}-{version}")
    return [found.get(key, f"{name} missing") for key, name in sorted(wanted.items())]


def _normalise(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


class FileStore:
    """Cached FileResults in one folder, one file per entry, named by its key."""

    def __init__(self, folder: Path, environment: str):
        self.folder = folder
        self.environment = environment.encode()
        self.used: set[str] = set()
        self.pending: dict[str, tuple[FileResult, bytes | None]] = {}

    def key(self, rel: str, data: bytes) -> str:
        digest = hashlib.sha256(self.environment)
        digest.update(b"\0" + rel.encode() + b"\0")
        digest.update(data)
        return digest.hexdigest()[:40]

    def get(self, key: str, rel: str) -> FileResult | None:
        """The cached result for this key and path, or None if there is none worth trusting."""
        self.used.add(key)
        try:
            blob = (self.folder / f"{key}.pickle").read_bytes()
        except OSError:
            return None
        body = unseal(blob[len(FORMAT) :]) if blob.startswith(FORMAT) else None
        if body is None:  # damaged, or not made by this user's dlanki (cachekey.py)
            return None
        split = int.from_bytes(body[:8], "big") + 8
        enabled = gc.isenabled()
        gc.disable()  # unpickling creates many objects at once; the collector would scan them over and over
        try:
            result = _SafeUnpickler(io.BytesIO(body[8:split])).load()
            verdicts = _SafeUnpickler(io.BytesIO(body[split:])).load()
        except Exception:  # noqa: BLE001 - any damage at all means "not cached"
            return None
        finally:
            if enabled:
                gc.enable()
        if type(result) is not FileResult or result.key != key or result.rel != rel or result.formula_problems is not None:
            return None
        if verdicts is not None:
            if not (type(verdicts) is tuple and len(verdicts) == 2 and type(verdicts[0]) is list and type(verdicts[1]) is int):
                return None
            if not all(type(p) is Problem for p in verdicts[0]):
                return None
            result.formula_problems, result.formulas_rendered = verdicts
        return result

    def put(self, result: FileResult, payload: bytes | None = None) -> None:
        """Keep a result, to be written by save(); `payload`: its pickle, made before formula_problems was set."""
        if result.key:
            self.used.add(result.key)
            pending = self.pending.get(result.key)
            if payload is None and pending is not None and pending[0] is result:
                payload = pending[1]
            self.pending[result.key] = (result, payload)

    def save(self) -> None:
        """Write the new entries and delete the ones this build did not use, so the cache never outgrows the deck."""
        self.folder.mkdir(parents=True, exist_ok=True)
        enabled = gc.isenabled()
        gc.disable()
        try:
            for key, (result, payload) in self.pending.items():
                # The result without its formula verdicts (those are filled in after a worker pickled it), then them.
                verdicts = None if result.formula_problems is None else (result.formula_problems, result.formulas_rendered)
                result.formula_problems, result.formulas_rendered = None, 0
                try:
                    payload = payload or pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
                finally:
                    if verdicts is not None:
                        result.formula_problems, result.formulas_rendered = verdicts
                body = len(payload).to_bytes(8, "big") + payload + pickle.dumps(verdicts, protocol=pickle.HIGHEST_PROTOCOL)
                sealed = seal(body)
                if sealed is not None:
                    _write(self.folder / f"{key}.pickle", FORMAT + sealed)
        finally:
            if enabled:
                gc.enable()
        self.pending.clear()
        for entry in self.folder.iterdir():
            stale = entry.name.endswith(".tmp") or (entry.name.endswith(".pickle") and entry.name[: -len(".pickle")] not in self.used)
            if stale:
                entry.unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: no fsync, because a damaged entry is detected and ignored."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


class _SafeUnpickler(pickle.Unpickler):
    """Builds dlanki's own dataclasses and plain values only: a pickle naming any other class is refused."""

    def find_class(self, module: str, name: str):
        cls = _ALLOWED.get((module, name))
        if cls is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the file cache")
        return cls
