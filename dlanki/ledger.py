"""The ledger (dlanki.lock): what was published, and when each note's content last changed.

Anki updates an existing note on re-import only if the incoming `mod` is strictly newer than its own,
so each note is stamped with the time its content last changed: a rebuild of unchanged sources gives
the same stamps (nothing updates, learners' own edits stay) and an edited card gets a newer one. The
ledger is committed like a lock file, so every clone builds the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from dlanki.errors import Loc, Problem

LEDGER_VERSION = 1


@dataclass(frozen=True)
class Entry:
    """The published state of one note or note type."""

    hash: str
    """Digest of everything Anki stores for it."""
    mod: int
    """Unix time its content last changed: the `mod` Anki compares on import."""
    deck: str = ""
    type: str = ""
    clozes: tuple[int, ...] = ()
    retired: bool = False


@dataclass
class Ledger:
    notes: dict[str, Entry] = field(default_factory=dict)
    """By card id."""
    notetypes: dict[str, Entry] = field(default_factory=dict)
    """By note type name."""
    guid_namespace: str = ""
    """The namespace the published GUIDs were made with ("" in a ledger from before it was recorded)."""


def content_hash(*parts: object) -> str:
    """A short, stable digest of JSON-serialisable content."""
    return hashlib.sha256(_canonical_json(parts).encode("utf-8")).hexdigest()[:20]


_canonical_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
"""json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":")), with its encoder made once
instead of for each of a build's 10,000 notes."""


def restamp(previous: Entry | None, current: Entry, now: int) -> Entry:
    """Keep the previous stamp if the content is unchanged, else stamp it now (always strictly newer)."""
    if previous is not None and previous.hash == current.hash and not previous.retired:
        return replace(current, mod=previous.mod)
    stamp = now if previous is None else max(now, previous.mod + 1)
    return replace(current, mod=stamp)


def read_ledger(path: Path, rel: str = "dlanki.lock") -> tuple[Ledger, list[Problem]]:
    if not path.exists():
        return Ledger(), []
    hint = "restore it from version control (git checkout dlanki.lock); never edit it by hand"
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != LEDGER_VERSION:
            raise ValueError(f"unsupported ledger version {data.get('version') if isinstance(data, dict) else data!r}")
        namespace = data.get("guid_namespace", "")
        if not isinstance(namespace, str):
            raise LedgerEntryError("guid_namespace", "is not text")
        notes = {key: _entry(key, value) for key, value in _section(data, "notes").items()}
        notetypes = {key: _entry(key, value) for key, value in _section(data, "notetypes").items()}
    except LedgerEntryError as exc:
        return Ledger(), [Problem(line_of(text, exc.key, rel), f"cannot read the ledger: {exc}", hint)]
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        line = getattr(exc, "lineno", 0)
        return Ledger(), [Problem(Loc(rel, line), f"cannot read the ledger: {exc}", hint)]
    return Ledger(notes, notetypes, namespace), []


class LedgerEntryError(ValueError):
    def __init__(self, key: str, what: str):
        super().__init__(f"entry {key!r} {what}")
        self.key = key


def _section(data: dict, name: str) -> dict:
    section = data.get(name, {})
    if not isinstance(section, dict):
        raise LedgerEntryError(name, "is not a mapping")
    return section


_FIELD_TYPES = {"hash": str, "mod": int, "deck": str, "type": str, "clozes": list, "retired": bool}


def _entry(key: str, value: object) -> Entry:
    """One entry, every field of the right type (a hand-edited stamp of "soon" is an error, not a crash).

    JSON gives exact types, so a field's type is compared by identity: a bool is never taken for an int."""
    if type(value) is not dict:
        raise LedgerEntryError(key, "is not a mapping")
    for name, item in value.items():
        expected = _FIELD_TYPES.get(name)
        if expected is None:
            raise LedgerEntryError(key, f"has an unknown field {name!r}")
        if type(item) is not expected:
            raise LedgerEntryError(key, f"has a {name} that is not {expected.__name__}: {item!r}")
    if "hash" not in value or "mod" not in value:
        raise LedgerEntryError(key, "lacks its hash or stamp")
    clozes = value.get("clozes", ())
    if not all(type(n) is int for n in clozes):
        raise LedgerEntryError(key, "has cloze numbers that are not integers")
    return Entry(value["hash"], value["mod"], value.get("deck", ""), value.get("type", ""), tuple(clozes), value.get("retired", False))


def line_of(text: str, key: str, rel: str = "dlanki.lock") -> Loc:
    """Where the entry for `key` is in the ledger's text (one entry a line)."""
    needle = json.dumps(key, ensure_ascii=False) + ":"
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(needle):
            return Loc(rel, number)
    return Loc(rel)


def serialise(ledger: Ledger) -> str:
    """One line per note, sorted, so a card change is a one-line diff."""

    def section(entries: dict[str, Entry]) -> str:
        lines = [f"  {_string(key)}: {_entry_json(entries[key])}" for key in sorted(entries)]
        return "{\n" + ",\n".join(lines) + "\n }" if lines else "{}"

    namespace = f' "guid_namespace": {json.dumps(ledger.guid_namespace, ensure_ascii=False)},\n' if ledger.guid_namespace else ""
    return (
        "{\n"
        f' "version": {LEDGER_VERSION},\n'
        f"{namespace}"
        f' "notetypes": {section(ledger.notetypes)},\n'
        f' "notes": {section(ledger.notes)}\n'
        "}\n"
    )


_string = json.encoder.encode_basestring  # what json.dumps(text, ensure_ascii=False) calls, without its set-up


def _entry_json(entry: Entry) -> str:
    """json.dumps of the entry's fields (sort_keys=True, ensure_ascii=False), written out: a third of the
    time of a rebuild of 10,000 unchanged cards went into json.dumps's per-call set-up."""
    if type(entry.mod) is not int or any(type(n) is not int for n in entry.clozes):
        return _entry_json_slow(entry)
    parts = []
    if entry.clozes:
        parts.append(f'"clozes": [{", ".join(map(str, entry.clozes))}]')
    if entry.deck:
        parts.append(f'"deck": {_string(entry.deck)}')
    parts.append(f'"hash": {_string(entry.hash)}, "mod": {entry.mod}')
    if entry.retired:
        parts.append('"retired": true')
    if entry.type:
        parts.append(f'"type": {_string(entry.type)}')
    return "{" + ", ".join(parts) + "}"


def _entry_json_slow(entry: Entry) -> str:
    value: dict[str, object] = {"hash": entry.hash, "mod": entry.mod}
    if entry.deck:
        value["deck"] = entry.deck
    if entry.type:
        value["type"] = entry.type
    if entry.clozes:
        value["clozes"] = list(entry.clozes)
    if entry.retired:
        value["retired"] = True
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def write_ledger(path: Path, ledger: Ledger) -> bool:
    """Write the ledger atomically; return whether its content changed."""
    text = serialise(ledger)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    atomic_write(path, text.encode("utf-8"))
    return True


def atomic_write(path: Path, data: bytes) -> None:
    """Write next to the target, then rename: readers see the old file or the new one, never half."""
    import tempfile  # only a command that writes needs it

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
