"""The pipeline, top to bottom: load → validate → render → stamp → assemble → write.

Load, validate and render run per card file (cardfile.py), and an unchanged file's results come from
the build cache; checks across files (unique ids, images, the ledger) run on every build.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from dlanki import ledger as ledgers
from dlanki.alongside import Alongside
from dlanki.cache import (
    BuildCache,
    checked_media,
    load_cache,
    media_digest,
    media_is_known,
    refresh,
    save_cache,
    save_formulas,
)
from dlanki.cardfile import FileResult, compile_files, with_media
from dlanki.errors import BuildFailed, Loc, Problem, sort_problems
from dlanki.guards import check_against_ledger
from dlanki.load import card_files, load_project
from dlanki.mathcheck import FormulaChecker, FormulaReport
from dlanki.media import check_media
from dlanki.model import Card, Deck, NoteDigest, Project, RenderedCard
from dlanki.notetypes import note_types
from dlanki.package import StampedNote, StampedNoteType, remove_stale_temp_files, write_apkg
from dlanki.validate import check_images, check_unique_ids
from dlanki.zipwrite import DEFLATE


@dataclass(frozen=True)
class Selection:
    """Which cards go into the package: all, or those under some tags or decks."""

    tags: tuple[str, ...] = ()
    decks: tuple[str, ...] = ()

    def matches(self, card: Card) -> bool:
        if not self.tags and not self.decks:
            return True
        return any(_under(tag, wanted) for tag in card.tags for wanted in self.tags) or any(
            _under(card.deck, wanted) for wanted in self.decks
        )

    @property
    def suffix(self) -> str:
        words = [*self.tags, *self.decks]
        return "-".join(re.sub(r"[^a-z0-9]+", "-", w.lower()).strip("-") or "subset" for w in words)


def _under(name: str, wanted: str) -> bool:
    """Anki's rule for tag: and deck: searches: the name itself or any child, case-insensitively."""
    name, wanted = name.lower(), wanted.lower()
    return name == wanted or name.startswith(wanted + "::")


@dataclass
class CheckResult:
    """Everything a build knows before it writes anything."""

    project: Project
    deck: Deck
    rendered: list[RenderedCard] = field(default_factory=list)
    ledger: ledgers.Ledger = field(default_factory=ledgers.Ledger)
    problems: list[Problem] = field(default_factory=list)
    digests: list[NoteDigest] = field(default_factory=list)
    """GUID, ledger digest and card ordinals of each rendered card."""
    formulas_checked: tuple[int, float] = (0, 0.0)
    """Formula sides MathJax checked in this run (not known from the cache), and in how many seconds."""
    inputs: str = ""
    """A digest of every input besides the ledger: each card file's cache key (its bytes, path, the
    settings and dlanki) and media/."""
    formulas: FormulaReport | None = None
    """How many formulas MathJax proved to render."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


@dataclass(frozen=True)
class BuildResult:
    output: Path
    notes: int
    cards: int
    media: int
    changed: tuple[str, ...]
    """Card ids whose content changed since the ledger was last written."""
    ledger_written: bool
    warnings: tuple[Problem, ...]
    formulas_checked: tuple[int, float] = (0, 0.0)
    """Formula sides MathJax checked (not known from the cache), and in how many seconds."""
    checked: CheckResult | None = field(default=None, repr=False, compare=False)
    """The deck the package was built from. Held by the caller, it is not freed object by object when
    build() returns (a twentieth of a second at 10,000 notes) but with the process (console.done)."""


Progress = Callable[[int, int], None]
"""Called as progress(done, total) while cards are rendered, for a progress bar in the CLI."""


def without_cyclic_gc(function):
    """Run with Python's cycle collector paused: a build creates about ten objects per card and frees few
    until it ends, so the collector would scan the growing heap again and again (a seventh of a 10,000-card
    rebuild). Reference counting still frees everything that is not a cycle."""

    @functools.wraps(function)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


@without_cyclic_gc
def check(root: Path, cache: BuildCache | None = None, progress: Progress | None = None) -> CheckResult:
    """Load, validate and render everything; write nothing in the project."""
    project, problems = load_project(root)
    standalone = cache is None
    if standalone:
        cache = load_cache(project)
    else:
        refresh(cache, project)
    paths, path_problems = card_files(project)
    problems += path_problems
    media = media_digest(project.media_dir)
    # media/ is checked (if it changed) in a process of its own while the card files compile.
    media_check = None if media_is_known(cache, media) else Alongside(lambda: list(check_media(project.media_dir, project.root)))
    formulas = FormulaChecker(cache.formulas_ok)
    ledger_file = LedgerFile(project.ledger_path)
    files = compile_files(paths, project, cache.files, formulas, progress, meanwhile=ledger_file.read)
    problems += formulas.finish()
    if standalone:  # `dlanki check`: what it proved is not proved again (a caller with a cache saves it all)
        save_formulas(cache)
    for result in files:
        if result.formula_problems is None:
            verdicts = formulas.problems_for(result.formula_uses())
            if verdicts is not None:
                result.formula_problems, result.formulas_rendered = verdicts
                if cache.files is not None:
                    cache.files.put(result)
        problems += result.problems + (result.formula_problems or [])
    uses = sum(len(item.formulas) for result in files for item in result.rendered)
    rendered_everywhere = sum(result.formulas_rendered for result in files if result.formula_problems is not None)
    report = FormulaReport(uses, rendered_everywhere if formulas.available else 0, formulas.mathjax, formulas.node)
    deck, rendered, digests = _join(project, files)
    problems += check_unique_ids(deck.cards)
    problems += check_images(rendered, project.media_dir)
    problems += checked_media(cache, media, media_check.result if media_check else list)
    ledger = ledger_file.ledger
    problems += ledger_file.problems
    problems += check_against_ledger(deck, rendered, ledger, ledger_file.text)
    inputs = ledgers.content_hash([result.key for result in files], media) if all(result.key for result in files) else ""
    return CheckResult(project, deck, rendered, ledger, sort_problems(problems), digests, formulas.stats, inputs, report)


@dataclass
class LedgerFile:
    """dlanki.lock as found, read while the card files compile (it takes 0.05 s at 10,000 notes)."""

    path: Path
    ledger: ledgers.Ledger = field(default_factory=ledgers.Ledger)
    problems: list[Problem] = field(default_factory=list)
    text: str = ""
    """For the lines of the guards' problems."""

    def read(self) -> None:
        self.ledger, self.problems = ledgers.read_ledger(self.path)
        self.text = self.path.read_text(encoding="utf-8", errors="replace") if self.path.exists() else ""


def _join(project: Project, files: list[FileResult]) -> tuple[Deck, list[RenderedCard], list[NoteDigest]]:
    """The deck in curated order: files sorted by path, cards in file order."""
    deck = Deck(project)
    rendered: list[RenderedCard] = []
    digests: list[NoteDigest] = []
    for result in files:
        deck.cards += result.cards
        rendered += result.rendered
        digests += result.digests
        for card_id, loc in result.retired:
            deck.retired.setdefault(card_id, loc)
    return deck, rendered, digests


def check_cached(root: Path, progress: Progress | None = None) -> CheckResult:
    """check() through the build cache, saved afterwards: for commands that read the deck often."""
    project, _ = load_project(root)
    cache = load_cache(project)
    result = check(root, cache, progress)
    _save_cache(project, cache)
    return result


def _save_file_results(cache: BuildCache) -> None:
    if cache.files is not None:
        try:
            cache.files.save()
        except OSError:
            pass


def _save_cache(project: Project, cache: BuildCache) -> None:
    """Keep what this run computed; a cache that cannot be written only costs time next run."""
    try:
        save_cache(project, cache)
    except OSError:
        pass


@without_cyclic_gc
def build(
    root: Path,
    selection: Selection = Selection(),
    output: Path | None = None,
    now: int | None = None,
    frozen: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the package; raise BuildFailed (having written nothing) if the sources have errors."""
    project, _ = load_project(root)
    cache = load_cache(project)
    result = check(root, cache, progress)
    blocking = result.problems if strict else result.errors
    if blocking:
        if project.build_dir.is_dir():  # a failed build creates nothing, but keeps what it computed: the fix rebuilds one file
            _save_cache(project, cache)
        raise BuildFailed(result.problems)
    project = result.project
    stamp_time = int(time.time()) if now is None else now
    types = note_types(project)
    new_ledger, changed = _restamp(result, types, stamp_time)
    if frozen and new_ledger != result.ledger and ledgers.serialise(new_ledger) != ledgers.serialise(result.ledger):
        problem = Problem(
            Loc("dlanki.lock"),
            f"the ledger is out of date ({len(changed)} card(s) changed: {', '.join(changed[:5])})",
            "run `dlanki build` without --frozen and commit dlanki.lock",
        )
        raise BuildFailed([problem])
    selected = [(item, digest) for item, digest in zip(result.rendered, result.digests) if selection.matches(item.card)]
    if not selected:
        raise BuildFailed([Problem(Loc("cards/"), "no card matches the selection", "check the --tag / --deck values")])
    notes = [StampedNote(item, digest.guid, new_ledger.notes[item.card.id].mod, digest.ords) for item, digest in selected]
    used_types = sorted({item.card.type for item, _ in selected})
    stamped_types = [StampedNoteType(types[key], new_ledger.notetypes[types[key].name].mod) for key in used_types]
    media = sorted({name for item, _ in selected for name in item.media})
    output = output or _default_output(project, selection)
    problems = check_output(project, output)
    if problems:
        raise BuildFailed(problems)
    # Same sources, ledger stamps, media and dlanki as the package on disk: it is already what would be written.
    inputs = ledgers.content_hash(
        result.inputs, [n.mod for n in notes], [(t.note_type.key, t.mod) for t in stamped_types], selection.tags, selection.decks,
        media, DEFLATE, sqlite3.sqlite_version,
    )  # fmt: skip
    try:
        # The card files' results go to the build cache while the package is written: sealing and writing
        # them lets go of Python's lock, so they run on the core SQLite leaves idle.
        saving = threading.Thread(target=_save_file_results, args=(cache,))
        saving.start()
        try:
            if result.inputs and cache.unchanged_output(output, inputs):
                remove_stale_temp_files(output)
            else:
                cache.remember_output(output, inputs, write_apkg(output, notes, stamped_types, [project.media_dir / name for name in media]))
            # A ledger with no entry changed is left as it is, without serialising it (0.02 s at 10,000 notes).
            ledger_written = new_ledger != result.ledger and ledgers.write_ledger(project.ledger_path, new_ledger)
        finally:
            saving.join()
    except OSError as exc:
        where = _display_path(project, Path(exc.filename) if exc.filename else output)
        raise BuildFailed([Problem(Loc(where), f"cannot write {where}: {exc.strerror or exc}", WRITE_HINT)]) from None
    _save_cache(project, cache)
    card_count = sum(len(item.clozes) if item.card.type == "cloze" else 1 for item, _ in selected)
    return BuildResult(
        output, len(notes), card_count, len(media), tuple(changed), ledger_written, tuple(result.warnings), result.formulas_checked, result
    )


def media_digests(media_dir: Path, rendered: list[RenderedCard]) -> dict[str, str]:
    """The content digest of every media file the cards use."""
    digests = {}
    for name in sorted({name for item in rendered for name in item.media}):
        try:
            digests[name] = hashlib.sha256((media_dir / name).read_bytes()).hexdigest()[:20]
        except OSError:
            digests[name] = ""
    return digests


WRITE_HINT = "make the folder writable (and build/ a folder, not a file), or choose another place with --output"
PROTECTED = ("dlanki.yaml", "dlanki.lock")


def check_output(project: Project, output: Path) -> list[Problem]:
    """A package is only ever written as a new .apkg or over an old one: never over a source or a folder."""
    shown = _display_path(project, output)
    target = output.resolve()
    root = project.root.resolve()
    if project.build_dir.exists() and not project.build_dir.is_dir():
        return [Problem(Loc("build"), "build is a file, not a folder: nothing can be written into it", WRITE_HINT)]
    if output.suffix.lower() != ".apkg":
        return [Problem(Loc(shown), f"output {shown} does not end in .apkg", "name the package file something.apkg")]
    sources = [project.cards_dir.resolve(), project.media_dir.resolve()]
    if any(target.is_relative_to(folder) for folder in sources) or target in {root / name for name in PROTECTED}:
        return [Problem(Loc(shown), f"output {shown} is inside the sources", "write the package to build/ or outside cards/ and media/")]
    if output.is_symlink() or output.is_dir() or (output.exists() and not _is_zip(output)):
        return [Problem(Loc(shown), f"output {shown} exists and is not an .apkg package: it would be overwritten", "choose a new file name")]
    return []


def _is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _display_path(project: Project, path: Path) -> str:
    try:
        return path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _default_output(project: Project, selection: Selection) -> Path:
    stem = project.package + (f"-{selection.suffix}" if selection.suffix else "")
    return project.build_dir / f"{stem}.apkg"


def _restamp(result: CheckResult, types: dict, now: int) -> tuple[ledgers.Ledger, list[str]]:
    """The new ledger: unchanged content keeps its stamp, changed content is stamped `now`."""
    old = result.ledger
    new = ledgers.Ledger(dict(old.notes), dict(old.notetypes), result.project.guid_namespace)
    for note_type in types.values():
        digest = ledgers.content_hash(
            note_type.model_id, note_type.name, note_type.fields, note_type.templates, note_type.css
        )
        current = ledgers.Entry(digest, 0)
        new.notetypes[note_type.name] = ledgers.restamp(old.notetypes.get(note_type.name), current, now)
    changed = []
    media = media_digests(result.project.media_dir, result.rendered)
    for item, digest in zip(result.rendered, result.digests):
        card = item.card
        note_digest = with_media(digest.hash, item, media)
        previous = old.notes.get(card.id)
        if previous is not None and not previous.retired and previous.hash == note_digest and (
            previous.deck, previous.type, previous.clozes
        ) == (card.deck, card.type, item.clozes):
            continue  # unchanged: the old entry is the new one
        current = ledgers.Entry(note_digest, 0, card.deck, card.type, item.clozes)
        new.notes[card.id] = ledgers.restamp(previous, current, now)
        if previous is None or previous.hash != note_digest or previous.retired:
            changed.append(card.id)
    present = {card.id for card in result.deck.cards}
    for card_id in result.deck.retired:
        if card_id in new.notes and card_id not in present:
            new.notes[card_id] = replace(new.notes[card_id], retired=True)
    return new, changed
