"""The pipeline, top to bottom: load → validate → render → stamp → assemble → write."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from dlanki import ledger as ledgers
from dlanki.cache import BuildCache, load_cache, save_cache
from dlanki.errors import BuildFailed, Loc, Problem, sort_problems
from dlanki.guards import check_against_ledger
from dlanki.load import load_deck, load_project
from dlanki.mathcheck import FormulaChecker, FormulaReport
from dlanki.model import Card, Deck, Project, RenderedCard
from dlanki.notetypes import note_types
from dlanki.package import StampedNote, StampedNoteType, guid_for, write_apkg
from dlanki.render import Renderer
from dlanki.validate import check_cards, check_rendered


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


Progress = Callable[[int, int], None]
"""Called as progress(done, total) while cards are rendered, for a progress bar in the CLI."""


def check(root: Path, cache: BuildCache | None = None, progress: Progress | None = None) -> CheckResult:
    """Load, validate and render everything; write nothing."""
    project, problems = load_project(root)
    cache = cache if cache is not None else load_cache(project.build_dir)
    deck, load_problems = load_deck(project)
    problems += load_problems
    problems += check_cards(deck.cards, project.sources)
    renderer = Renderer(cache, project.sources)
    formulas = FormulaChecker(cache.formulas_ok)
    rendered = []
    for done, card in enumerate(deck.cards, 1):
        item, render_problems = renderer.render_card(card)
        rendered.append(item)
        if progress is not None:
            progress(done, len(deck.cards))
        problems += render_problems
        for formula in item.formulas:
            formulas.add(card.id, formula)
    problems += check_rendered(rendered, project.media_dir, project.root)
    problems += formulas.problems()
    ledger, ledger_problems = ledgers.read_ledger(project.ledger_path)
    problems += ledger_problems
    ledger_text = project.ledger_path.read_text(encoding="utf-8", errors="replace") if project.ledger_path.exists() else ""
    problems += check_against_ledger(deck, rendered, ledger, ledger_text)
    return CheckResult(project, deck, rendered, ledger, sort_problems(problems), formulas.report())


def check_cached(root: Path, progress: Progress | None = None) -> CheckResult:
    """check() through the build cache, saved afterwards: for commands that read the deck often."""
    project, _ = load_project(root)
    cache = load_cache(project.build_dir)
    result = check(root, cache, progress)
    save_cache(project.build_dir, cache)
    return result


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
    cache = load_cache(project.build_dir)
    result = check(root, cache, progress)
    blocking = result.problems if strict else result.errors
    if blocking:
        raise BuildFailed(result.problems)
    project = result.project
    stamp_time = int(time.time()) if now is None else now
    types = note_types(project)
    new_ledger, changed = _restamp(result, types, stamp_time)
    if frozen and ledgers.serialise(new_ledger) != ledgers.serialise(result.ledger):
        problem = Problem(
            Loc("dlanki.lock"),
            f"the ledger is out of date ({len(changed)} card(s) changed: {', '.join(changed[:5])})",
            "run `dlanki build` without --frozen and commit dlanki.lock",
        )
        raise BuildFailed([problem])
    selected = [item for item in result.rendered if selection.matches(item.card)]
    if not selected:
        raise BuildFailed([Problem(Loc("cards/"), "no card matches the selection", "check the --tag / --deck values")])
    notes = [
        StampedNote(item, guid_for(project.guid_namespace, item.card.id), new_ledger.notes[item.card.id].mod)
        for item in selected
    ]
    used_types = sorted({item.card.type for item in selected})
    stamped_types = [StampedNoteType(types[key], new_ledger.notetypes[types[key].name].mod) for key in used_types]
    media = sorted({name for item in selected for name in item.media})
    output = output or _default_output(project, selection)
    problems = check_output(project, output)
    if problems:
        raise BuildFailed(problems)
    try:
        write_apkg(output, notes, stamped_types, [project.media_dir / name for name in media])
        ledger_written = ledgers.write_ledger(project.ledger_path, new_ledger)
        save_cache(project.build_dir, cache)
    except OSError as exc:
        where = _display_path(project, Path(exc.filename) if exc.filename else output)
        raise BuildFailed([Problem(Loc(where), f"cannot write {where}: {exc.strerror or exc}", WRITE_HINT)]) from None
    card_count = sum(len(item.clozes) if item.card.type == "cloze" else 1 for item in selected)
    return BuildResult(output, len(notes), card_count, len(media), tuple(changed), ledger_written, tuple(result.warnings))


def note_hash(namespace: str, item: RenderedCard, types: dict, media: dict[str, str] | None = None) -> str:
    """The ledger's digest of everything Anki stores for a note: a changed digest means an update.

    A note's images count by content, not only by name: Anki copies a media file only for notes it adds
    or updates, so a redrawn figure reaches learners only if the notes that show it are restamped.
    """
    guid = guid_for(namespace, item.card.id)
    digest = ledgers.content_hash(guid, types[item.card.type].model_id, item.fields, item.card.tags)
    if item.media and media is not None:
        digest = ledgers.content_hash(digest, [media.get(name, "") for name in item.media])
    return digest


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
    for item in result.rendered:
        card = item.card
        digest = note_hash(result.project.guid_namespace, item, types, media)
        current = ledgers.Entry(digest, 0, card.deck, card.type, item.clozes)
        previous = old.notes.get(card.id)
        new.notes[card.id] = ledgers.restamp(previous, current, now)
        if previous is None or previous.hash != digest or previous.retired:
            changed.append(card.id)
    for card_id in result.deck.retired:
        if card_id in new.notes and card_id not in {c.id for c in result.deck.cards}:
            new.notes[card_id] = replace(new.notes[card_id], retired=True)
    return new, changed
