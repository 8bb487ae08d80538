"""Release notes: the notes added, changed and retired since the last release, and what learners
must do by hand because Anki's import never deletes a note nor moves a card to another deck.

The last release is either the ledger (dlanki.lock) as committed at a git revision, with the card
sources of that revision naming the fields that changed, or a previous .apkg, read directly.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import sqlite3
import subprocess
import tarfile
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dlanki import ledger as ledgers
from dlanki.build import CheckResult, media_digests
from dlanki.cardfile import note_hash
from dlanki.errors import printable
from dlanki.load import load_deck, load_project
from dlanki.mathspans import unmark_clozes
from dlanki.model import Deck, Project, RenderedCard
from dlanki.notetypes import note_types
from dlanki.package import guid_for

SOURCE_FIELD = "Source"
# The Source field ends with " · card-id" (render.source_html): how a learner finds a note in Anki.
SOURCE_ID = re.compile(r"· ([a-z0-9]+(?:-[a-z0-9]+)*)\s*$")
CLOZE_MARKUP = re.compile(r"\{\{c[\d,]+::((?:(?!\{\{c[\d,]+::).)*?)(?:::(?:(?!\{\{c[\d,]+::).)*?)?\}\}", re.DOTALL)


# git's messages in English, whatever the user's locale: "does not exist" is matched below.
GIT_ENV = {**os.environ, "LC_ALL": "C"}


class ChangesError(Exception):
    """The previous release cannot be read."""


@dataclass(frozen=True)
class NoteState:
    """A note as one side of the comparison knows it."""

    id: str
    type: str
    deck: str
    tags: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] | None = None
    """(name, HTML) in note-type order; None when only the ledger's digest is known."""
    clozes: tuple[int, ...] = ()
    digest: str = ""
    retired: bool = False


@dataclass(frozen=True)
class NoteChange:
    id: str
    status: str
    """"added", "changed", "unchanged", "retired" (listed under `retired:`) or "removed"."""
    summary: str
    """The start of the question, as plain text."""
    deck: str
    fields: tuple[str, ...] = ()
    """Changed fields by name, and "tags"; empty if the content did not change or is not known."""
    old_deck: str = ""
    """Set if the note moved: Anki leaves existing cards in this deck."""
    old_type: str = ""
    """Set if the note type changed: Anki skips the note on import."""
    removed_clozes: tuple[int, ...] = ()
    added_clozes: tuple[int, ...] = ()


@dataclass
class Changes:
    since: str
    """What the sources were compared with, for the heading."""
    notes: list[NoteChange] = field(default_factory=list)

    def having(self, status: str) -> list[NoteChange]:
        return [n for n in self.notes if n.status == status]

    @property
    def gone(self) -> list[NoteChange]:
        return [n for n in self.notes if n.status in ("retired", "removed")]

    @property
    def moved(self) -> list[NoteChange]:
        return [n for n in self.notes if n.old_deck]

    @property
    def emptied(self) -> list[NoteChange]:
        return [n for n in self.notes if n.removed_clozes]

    @property
    def retyped(self) -> list[NoteChange]:
        return [n for n in self.notes if n.old_type]

    def to_dict(self) -> dict:
        """Every note a learner sees a difference in (a moved note may have unchanged content)."""
        listed = [n for n in self.notes if n.status != "unchanged" or n.old_deck or n.old_type or n.removed_clozes]
        return {"since": self.since, "notes": [asdict(n) for n in listed]}


def changes_since(result: CheckResult, revision: str | None = None, apkg: Path | None = None) -> Changes:
    """Compare the sources with a previous .apkg, or the ledger at `revision` (default: the latest tag)."""
    project = result.project
    now = current_state(project, result.rendered)
    if apkg is not None:
        known = set(now) | set(result.ledger.notes) | set(result.deck.retired)
        return compare(apkg.name, state_from_apkg(apkg, project.guid_namespace, known), now, result.deck)
    revision = revision or latest_release_tag(project.root)
    if revision is None:
        raise ChangesError("no release to compare with: pass --since REV (the release's git tag) or --since-apkg FILE")
    return compare(revision, state_at_revision(project, revision), now, result.deck)


# -- the current sources --------------------------------------------------------------------------


def current_state(project: Project, rendered: list[RenderedCard]) -> dict[str, NoteState]:
    types = note_types(project)
    media = media_digests(project.media_dir, rendered)
    states = {}
    for item in rendered:
        card = item.card
        names = [name for name, _ in types[card.type].fields]
        states[card.id] = NoteState(
            card.id,
            card.type,
            card.deck,
            tuple(card.tags),
            tuple(zip(names, item.fields)),
            item.clozes,
            note_hash(project.guid_namespace, item, types, media),
        )
    return states


# -- a previous release: the ledger at a git revision ---------------------------------------------


def state_at_revision(project: Project, revision: str) -> dict[str, NoteState]:
    """The published notes per dlanki.lock at `revision`, with their fields from that revision's sources."""
    text = _git(project.root, "show", f"{revision}:./{project.ledger_path.name}", missing_ok=True)
    if text is None:
        _git(project.root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")  # a bad revision raises
        return {}  # no ledger then: nothing was published
    with tempfile.TemporaryDirectory(prefix="dlanki-ledger-") as tmp:
        path = Path(tmp) / "dlanki.lock"
        path.write_text(text, encoding="utf-8")
        ledger, problems = ledgers.read_ledger(path, f"{revision}:dlanki.lock")
    if problems:
        raise ChangesError(str(problems[0]))
    old_sources = _sources_at_revision(project, revision)
    states = {}
    for card_id, entry in ledger.notes.items():
        old = old_sources.get(card_id)
        states[card_id] = NoteState(
            card_id,
            entry.type,
            entry.deck,
            old.tags if old else (),
            old.fields if old else None,
            entry.clozes,
            entry.hash,
            entry.retired,
        )
    return states


def _sources_at_revision(project: Project, revision: str) -> dict[str, NoteState]:
    """The card sources as they were at `revision`, rendered; {} if they cannot be read."""
    prefix = (_git(project.root, "rev-parse", "--show-prefix") or "").strip()
    try:
        data = subprocess.run(
            ["git", "-C", str(project.root), "archive", "--format=tar", f"{revision}:{prefix}"],
            capture_output=True,
            check=True,
            env=GIT_ENV,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    with tempfile.TemporaryDirectory(prefix="dlanki-sources-") as tmp:
        root = Path(tmp)
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            for member in archive.getmembers():
                wanted = member.name == "dlanki.yaml" or member.name.startswith("cards/")
                if wanted and member.isfile() and ".." not in Path(member.name).parts:
                    target = root / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.extractfile(member).read())
        old_project, _ = load_project(root)
        deck, _ = load_deck(old_project)
        from dlanki.render import Renderer  # only for an old revision's cards

        renderer = Renderer(source_names=old_project.sources)
        rendered = [renderer.render_card(card)[0] for card in deck.cards]
        return current_state(old_project, rendered)


def _git(root: Path, *args: str, missing_ok: bool = False) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, encoding="utf-8", env=GIT_ENV, check=False
        )
    except OSError as exc:
        raise ChangesError(f"cannot run git: {exc}") from exc
    if done.returncode != 0:
        if missing_ok and ("does not exist" in done.stderr or "exists on disk, but not in" in done.stderr):
            return None
        raise ChangesError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def latest_release_tag(root: Path) -> str | None:
    """The newest tag reachable from HEAD: the last release, if releases are tagged."""
    try:
        return (_git(root, "describe", "--tags", "--abbrev=0") or "").strip() or None
    except ChangesError:
        return None


# -- a previous release: an .apkg -----------------------------------------------------------------


def state_from_apkg(path: Path, namespace: str, known_ids: set[str]) -> dict[str, NoteState]:
    """The notes of a package dlanki built, by card id (from the GUID, else from the Source field)."""
    by_guid = {guid_for(namespace, card_id): card_id for card_id in known_ids}
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            member = next((n for n in ("collection.anki21", "collection.anki2") if n in names), None)
            if member is None:
                raise ChangesError(f"{path}: no collection.anki2 inside (only packages written by dlanki are read)")
            data = archive.read(member)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ChangesError(f"cannot read {path}: {exc}") from exc
    with tempfile.TemporaryDirectory(prefix="dlanki-apkg-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        db_path.write_bytes(data)
        conn = sqlite3.connect(db_path)
        try:
            models_json, decks_json = conn.execute("select models, decks from col").fetchone()
            notes = conn.execute("select id, guid, mid, flds, tags from notes order by id").fetchall()
            cards = conn.execute("select nid, ord, did from cards order by nid, ord").fetchall()
        except sqlite3.DatabaseError as exc:
            raise ChangesError(f"{path}: not an Anki collection: {exc}") from exc
        finally:
            conn.close()
    models = json.loads(models_json)
    decks = {int(key): value["name"] for key, value in json.loads(decks_json).items()}
    cards_of: dict[int, list[tuple[int, int]]] = {}
    for nid, ordinal, did in cards:
        cards_of.setdefault(nid, []).append((ordinal, did))
    states = {}
    for nid, guid, mid, flds, tags in notes:
        model = models.get(str(mid), {})
        names = [f["name"] for f in sorted(model.get("flds", []), key=lambda f: f["ord"])]
        values = flds.split("\x1f")
        fields = tuple(zip(names, values))
        is_cloze = model.get("type") == 1  # Anki's MODEL_CLOZE
        card_id = by_guid.get(guid) or _id_from_source(dict(fields).get(SOURCE_FIELD, "")) or f"guid:{guid}"
        own_cards = sorted(cards_of.get(nid, []))
        deck = decks.get(own_cards[0][1], "") if own_cards else ""
        clozes = tuple(ordinal + 1 for ordinal, _ in own_cards) if is_cloze else ()
        states[card_id] = NoteState(
            card_id, "cloze" if is_cloze else "basic", deck, tuple(tags.split()), fields, clozes
        )
    return states


def _id_from_source(source_html: str) -> str | None:
    match = SOURCE_ID.search(html.unescape(source_html))
    return match.group(1) if match else None


# -- comparing ------------------------------------------------------------------------------------


def compare(since: str, before: dict[str, NoteState], now: dict[str, NoteState], deck: Deck) -> Changes:
    """Every note of either side, in the curated order, then the ones that left the deck."""
    changes = Changes(since)
    for card_id, current in now.items():
        old = before.get(card_id)
        if old is None or old.retired:
            changes.notes.append(NoteChange(card_id, "added", summary(current), current.deck))
            continue
        changed_fields = _changed_fields(old, current)
        content_changed = bool(changed_fields) or (old.digest and current.digest and old.digest != current.digest)
        removed = tuple(sorted(set(old.clozes) - set(current.clozes))) if old.type == current.type == "cloze" else ()
        added = tuple(sorted(set(current.clozes) - set(old.clozes))) if old.type == current.type == "cloze" else ()
        changes.notes.append(
            NoteChange(
                card_id,
                "changed" if content_changed else "unchanged",
                summary(current),
                current.deck,
                changed_fields,
                old.deck if old.deck and old.deck != current.deck else "",
                old.type if old.type and old.type != current.type else "",
                removed,
                added,
            )
        )
    for card_id, old in before.items():
        if card_id not in now and not old.retired:
            status = "retired" if card_id in deck.retired else "removed"
            changes.notes.append(NoteChange(card_id, status, summary(old), old.deck))
    return changes


def _changed_fields(old: NoteState, new: NoteState) -> tuple[str, ...]:
    if old.fields is None or new.fields is None:
        return ()
    before, after = dict(old.fields), dict(new.fields)
    names = [name for name, _ in new.fields] + [name for name, _ in old.fields if name not in after]
    changed = [name for name in names if before.get(name, "") != after.get(name, "")]
    if sorted(old.tags) != sorted(new.tags):
        changed.append("tags")
    return tuple(changed)


def summary(state: NoteState, limit: int = 60) -> str:
    """The first words of a note's question (clozes revealed), as plain text."""
    if not state.fields:
        return ""
    text = unmark_clozes(state.fields[0][1])
    while True:
        revealed = CLOZE_MARKUP.sub(r"\1", text)
        if revealed == text:
            break
        text = revealed
    text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    text = printable(re.sub(r"\s+", " ", text).strip())
    text = re.sub(r"\} (?=\})", "}", text)  # the spaces a formula's braces need in Anki (mathspans.space_cloze_braces)
    if len(text) <= limit:
        return text
    # Cut in a formula's `\(`, a lone backslash would escape the ellipsis in Markdown.
    return text[: limit - 1].rstrip().rstrip("\\").rstrip() + "…"
