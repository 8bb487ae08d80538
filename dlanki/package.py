"""Stages 4 and 5: assemble notes and write the .apkg deterministically and atomically.

genanki's own Package.write_to_file stamps every note with one clock time, leaves a temp SQLite file
behind, stores zip entries uncompressed with the current time, and numbers media in list order; each
of those would break merging or byte-identical builds, so the writer here replaces it.

The collection is genanki's schema and exactly the rows genanki's Note.write_to_db inserts, in the
same order (a note, then its cards), so the bytes are the ones genanki would write (tests/test_package.py
compares them). Each row is inserted by one prepared statement instead of through genanki's objects,
which took half the time of a rebuild; executemany per table was measured too (no faster, and it
orders pages differently, so other bytes).
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from dlanki.ledger import atomic_write
from dlanki.model import RenderedCard
from dlanki.notetypes import NoteType
from dlanki.zipwrite import zip_bytes

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class StampedNote:
    """A rendered card with the stamp its content last changed at."""

    rendered: RenderedCard
    guid: str
    mod: int
    ords: tuple[int, ...]
    """Template ordinals of its cards (cardfile.card_ordinals)."""


@dataclass(frozen=True)
class StampedNoteType:
    note_type: NoteType
    mod: int


def guid_for(namespace: str, card_id: str) -> str:
    """A note's GUID: from the project namespace and the card id only, never from its content.

    genanki.guid_for(namespace, card_id), written out: the first 8 bytes of a SHA-256 in Anki's base 91
    (tests/test_package.py checks they agree); genanki's digit loop took a tenth of a cold build.
    """
    value = int.from_bytes(hashlib.sha256(f"{namespace}__{card_id}".encode()).digest()[:8], "big")
    pairs = []
    while value > 0:
        value, pair = divmod(value, 91 * 91)
        pairs.append(_BASE91_PAIRS[pair])
    # Two digits at a time; the leading pair may start with a zero digit ("a"), which genanki never writes.
    return "".join(reversed(pairs)).lstrip(_BASE91[0])


_BASE91 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
_BASE91_PAIRS = [high + low for high in _BASE91 for low in _BASE91]


def deck_id_for(name: str) -> int:
    """A deck id derived from its full name (Anki matches decks by name; the id only has to be stable)."""
    digest = hashlib.sha256(("dlanki deck:" + name).encode("utf-8")).digest()
    return (1 << 40) + int.from_bytes(digest[:5], "big")


def deck_names_with_parents(names: list[str]) -> list[str]:
    """Every deck the notes use, with all their parents, in sorted order."""
    result = set()
    for name in set(names):
        parts = name.split("::")
        result.update("::".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(result)


def write_apkg(
    path: Path,
    notes: list[StampedNote],
    note_types: list[StampedNoteType],
    media: list[Path],
) -> str:
    """Write the package to a temp file beside `path`, then rename it into place; return its sha256."""
    import tempfile

    remove_stale_temp_files(path)
    with tempfile.TemporaryDirectory(prefix="dlanki-") as workdir:
        db_path = Path(workdir) / "collection.anki2"
        _write_collection(db_path, notes, note_types)
        data = _zip(db_path.read_bytes(), media)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
    return hashlib.sha256(data).hexdigest()


def remove_stale_temp_files(path: Path) -> None:
    """A build killed between writing and renaming leaves its hidden temp file; sweep it up."""
    if path.parent.is_dir():
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            stale.unlink(missing_ok=True)


def _write_collection(db_path: Path, notes: list[StampedNote], note_types: list[StampedNoteType]) -> None:
    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    conn = sqlite3.connect(db_path)
    try:
        # A scratch file, renamed into place only as part of the finished zip and never rolled back: no
        # journal and no fsync (neither changes a byte of the database).
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        cursor = conn.cursor()
        cursor.executescript(APKG_SCHEMA)
        cursor.executescript(APKG_COL)
        deck_names = deck_names_with_parents([n.rendered.card.deck for n in notes])
        decks = {name: genanki.Deck(deck_id_for(name), name) for name in deck_names}
        default_deck = deck_id_for(notes[0].rendered.card.deck) if notes else 1
        models = {stamped.note_type.key: stamped.note_type.to_genanki() for stamped in note_types}
        decks_json = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
        decks_json.update({str(deck.deck_id): deck.to_json() for deck in decks.values()})
        models_json = {
            str(models[s.note_type.key].model_id): models[s.note_type.key].to_json(s.mod, default_deck) for s in note_types
        }
        cursor.execute(
            "UPDATE col SET decks = ?, models = ?",
            (json.dumps(decks_json, sort_keys=True), json.dumps(models_json, sort_keys=True)),
        )
        # Note and card ids only matter for notes new to a collection; derive them from the stamps,
        # so they are stable for the same sources and read as "added at" dates in Anki's browser.
        next_id = min((n.mod for n in notes), default=0) * 1000
        deck_ids = {name: deck.deck_id for name, deck in decks.items()}
        model_ids = {key: model.model_id for key, model in models.items()}
        insert = cursor.execute
        for due, stamped in enumerate(notes):
            card = stamped.rendered.card
            fields = stamped.rendered.fields
            note_id, mod, deck_id = next_id, stamped.mod, deck_ids[card.deck]
            # The columns of genanki.Note.write_to_db and genanki.Card.write_to_db, in their order.
            insert(NOTE_ROW, (note_id, stamped.guid, model_ids[card.type], mod, -1, _tags(card.tags), "\x1f".join(fields), fields[0], 0, 0, ""))
            for ordinal in stamped.ords:
                next_id += 1
                insert(CARD_ROW, (next_id, note_id, deck_id, ordinal, mod, -1, 0, 0, due, 0, 0, 0, 0, 0, 0, 0, 0, ""))
            next_id += 1
        conn.commit()
    finally:
        conn.close()


NOTE_ROW = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);"
"""id, guid, mid, mod, usn, tags, flds, sfld (the sort field: the first), csum, flags, data."""
CARD_ROW = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);"
"""id, nid, did, ord, mod, usn, type, queue, due (the note's position), ivl, factor, reps, lapses, left,
odue, odid, flags, data."""


def _tags(tags: tuple[str, ...]) -> str:
    """genanki's tag column: space-separated with a space at each end."""
    return " " + " ".join(tags) + " "


def _zip(collection: bytes, media: list[Path]) -> bytes:
    ordered = sorted(media, key=lambda p: p.name)
    manifest = {str(i): p.name for i, p in enumerate(ordered)}
    entries = [("collection.anki2", collection), ("media", json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8"))]
    entries += [(str(i), file.read_bytes()) for i, file in enumerate(ordered)]
    try:
        return zip_bytes(entries)
    except OverflowError:  # over 4 GiB: zipfile writes zip64, on one core
        return _zip64(entries)


def _zip64(entries: list[tuple[str, bytes]]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
