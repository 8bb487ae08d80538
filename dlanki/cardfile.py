"""Stages 1-3 for one card file at a time: load, check and render its cards.

What a card file contributes to a build (its cards, their HTML, the problems found in it, each
note's GUID, ledger digest and card ordinals) depends only on the file's bytes and path, the
project settings and dlanki itself. So it is computed once, as a FileResult, and kept whole by
filecache.py: a rebuild reads an unchanged file's result instead of parsing, checking, rendering and
hashing it again. Checks that compare files with each other run in build.py, on these results.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
import sys
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from dlanki.errors import Loc, Problem
from dlanki.forked import become_helper
from dlanki.ledger import content_hash
from dlanki.load import load_file, read_card_file
from dlanki.model import Card, Formula, NoteDigest, Project, RenderedCard
from dlanki.notetypes import NoteType, note_types
from dlanki.package import guid_for
from dlanki.validate import check_card, check_rendered_card


@dataclass
class FileResult:
    """Everything one card file contributes to a build."""

    rel: str
    """Path relative to the project root, as locations show it."""
    key: str = ""
    """The cache key of the inputs this was computed from ("" when not cacheable)."""
    cards: list[Card] = field(default_factory=list)
    rendered: list[RenderedCard] = field(default_factory=list)
    digests: list[NoteDigest] = field(default_factory=list)
    """One per rendered card."""
    retired: list[tuple[str, Loc]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """From loading, the per-card checks and rendering."""
    formula_problems: list[Problem] | None = None
    """MathJax's verdicts on this file's formulas; None until every formula has one."""
    formulas_rendered: int = 0
    """How many of its formula uses render on every side (with formula_problems)."""

    def formula_uses(self) -> list[tuple[str, Formula]]:
        return [(item.card.id, formula) for item in self.rendered for formula in item.formulas]


def _nothing() -> None:
    pass


def compile_files(paths: list[tuple[Path, str]], project: Project, store, formulas, progress=None, meanwhile=_nothing) -> list[FileResult]:
    """Every card file's result, in order: cached if its inputs are unchanged, else loaded, checked and
    rendered, on every core when there is enough to do. Formulas without a verdict go to `formulas`
    (a mathcheck.FormulaChecker) as each file is done; a file whose formulas all have one gets its
    formula problems then. `meanwhile()`, if given, is other work for this
    process, done while the workers start on the files (with no workers, before the files)."""
    results: list[FileResult | None] = []
    todo: list[tuple[int, bytes, str, str]] = []
    for path, rel in paths:
        data, problems = read_card_file(path, rel)
        if data is None:
            results.append(FileResult(rel, problems=problems))
            continue
        key = store.key(rel, data) if store is not None else ""
        result = store.get(key, rel) if store is not None else None
        if result is None:
            todo.append((len(results), data, rel, key))
        results.append(result)
    done = sum(len(result.cards) for result in results if result is not None)
    total = done + sum(_count_cards(data) for _, data, _, _ in todo)
    fresh = set()
    for index, result, payload in _compile(todo, project, meanwhile):
        results[index] = result
        fresh.add(index)
        uses = result.formula_uses()
        for _, formula in uses:
            formulas.add(formula)
        # Formulas all proven in earlier runs are judged now, while the workers compile, not after them.
        verdicts = formulas.problems_for(uses)
        if verdicts is not None:
            result.formula_problems, result.formulas_rendered = verdicts
        if store is not None:
            store.put(result, payload)
        done += len(result.cards)
        if progress is not None:
            progress(min(done, total), total)
    for index, result in enumerate(results):
        if index not in fresh and result.formula_problems is None:  # cached before MathJax gave every verdict
            for _, formula in result.formula_uses():
                formulas.add(formula)
    return results


PARALLEL_BYTES = 256 << 10
"""Card files to compile before a second process pays for itself (about 400 cards, a third of a second)."""
MAX_PROCESSES = 4


def _compile(todo: list[tuple[int, bytes, str, str]], project: Project, meanwhile):
    """(index, result, its pickle or None) for each file to compile, in any order; meanwhile() once."""
    processes = min(os.cpu_count() or 1, MAX_PROCESSES, len(todo))
    # Forking is only safe while this process has no other thread (the MathJax workers start on the first
    # formula, after this; `dlanki serve` has its server's); elsewhere than Linux a worker starts a new
    # interpreter, which still pays off for this much work.
    linux = sys.platform == "linux"
    if processes < 2 or sum(len(data) for _, data, _, _ in todo) < PARALLEL_BYTES or (linux and threading.active_count() > 1):
        meanwhile()
        compiler = FileCompiler(project) if todo else None
        for index, data, rel, key in todo:
            yield index, compiler.compile(data, rel, key), None
    elif linux:
        yield from _compile_shared(todo, project, processes, meanwhile)
    else:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(processes, _start_worker, (project,)) as pool:
            meanwhile()
            for index, payload in pool.imap_unordered(_compile_in_worker, todo, max(1, len(todo) // (processes * 4))):
                yield index, pickle.loads(payload), payload


def _compile_shared(todo: list[tuple[int, bytes, str, str]], project: Project, processes: int, meanwhile):
    """This process and forked workers take the files one at a time, each the next nobody has taken yet.

    This process compiles too, instead of waiting on a pool: only the workers' results cross a pipe, as
    pickles (unpickling them here is what parallel work costs), and whoever is free takes the next file,
    so all finish together. Between its own files this process empties the pipes, which are made large
    enough that a worker never waits on a full one.
    """
    # Made before forking, so the workers inherit Markdown, the sanitiser and genanki already imported.
    compiler = FileCompiler(project)
    import multiprocessing  # only when there is enough to share out

    context = multiprocessing.get_context("fork")
    claims = context.Value("q", 0)
    workers, receivers = [], []
    for _ in range(processes - 1):
        receiver, sender = context.Pipe(duplex=False)
        _widen(receiver)
        readers = [*receivers, receiver]
        worker = context.Process(target=_work_on_claims, args=(todo, compiler, claims, sender, os.getpid(), readers), daemon=True)
        worker.start()
        sender.close()
        workers.append(worker)
        receivers.append(receiver)
    meanwhile()
    done: set[int] = set()
    while (claim := _claim(claims, len(todo))) is not None:
        index, data, rel, key = todo[claim]
        result = compiler.compile(data, rel, key)
        # Pickled for the build cache now, while the workers still compile, not alone at the end.
        yield index, result, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL) if key else None
        done.add(claim)
        for receiver in receivers:
            while receiver.poll() and (got := _receive(receiver, todo)) is not None:
                done.add(got[0])
                yield got[1]
    for receiver in receivers:
        with receiver:
            while (got := _receive(receiver, todo)) is not None:
                done.add(got[0])
                yield got[1]
    for worker in workers:
        worker.join()
    for claim in sorted(set(range(len(todo))) - done):  # taken by a worker that died (killed, out of memory)
        index, data, rel, key = todo[claim]
        yield index, compiler.compile(data, rel, key), None


def _widen(receiver) -> None:
    """A pipe of 1 MiB (Linux's limit for anyone) instead of 64 KiB: a dozen files' results."""
    try:
        import fcntl

        fcntl.fcntl(receiver.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass


def _claim(claims, count: int) -> int | None:
    with claims.get_lock():
        claim = claims.value
        if claim >= count:
            return None
        claims.value = claim + 1
    return claim


def _work_on_claims(todo, compiler: FileCompiler, claims, sender, build: int, readers) -> None:
    """A worker: compile the next unclaimed file until none is left; send each result as a pickle."""
    become_helper(build, readers)
    with sender:
        while (claim := _claim(claims, len(todo))) is not None:
            _, data, rel, key = todo[claim]
            try:
                payload = pickle.dumps(compiler.compile(data, rel, key), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - any bug here is reported by the main process, naming the file
                payload = FAILED + traceback.format_exc().encode("utf-8", "replace")
            try:
                sender.send_bytes(claim.to_bytes(8, "big") + payload)
            except OSError:  # the main process is gone: nobody wants the rest
                return


FAILED = b"dlanki worker failed\n"


def _receive(receiver, todo) -> tuple[int, tuple] | None:
    """(claim, (index, result, payload)) from a worker's pipe; None at its end."""
    try:
        message = receiver.recv_bytes()
    except (EOFError, OSError):
        return None
    claim = int.from_bytes(message[:8], "big")
    payload = message[8:]
    if payload.startswith(FAILED):
        raise RuntimeError(f"compiling {todo[claim][2]} failed in a worker process:\n{payload[len(FAILED):].decode()}")
    return claim, (todo[claim][0], pickle.loads(payload), payload)


class FileCompiler:
    """Loads, checks and renders card files with one Markdown parser and note type table."""

    def __init__(self, project: Project) -> None:
        from dlanki.render import Renderer  # Markdown and the sanitiser load only when a file changed

        self.project = project
        self.renderer = Renderer(project.sources)
        self.types = note_types(project)
        for note_type in self.types.values():  # genanki's card rules, worked out once (and before any fork)
            _card_rule(note_type)

    def compile(self, data: bytes, rel: str, key: str) -> FileResult:
        result = load_and_check(data, rel, key, self.project)
        for card in result.cards:
            render_card(result, card, self.renderer, self.project.guid_namespace, self.types)
            # Nothing reads a card's Markdown once it is rendered: every place in it that matters is in the
            # problems, formulas and images by now. Dropped, it is no longer 40% of what workers send and
            # the build cache keeps and loads.
            card.fields.clear()
        return result


_WORKER: list[FileCompiler] = []


def _start_worker(project: Project) -> None:
    _WORKER.append(FileCompiler(project))


def _compile_in_worker(item: tuple[int, bytes, str, str]) -> tuple[int, bytes]:
    index, data, rel, key = item
    return index, pickle.dumps(_WORKER[0].compile(data, rel, key), protocol=pickle.HIGHEST_PROTOCOL)


def _count_cards(data: bytes) -> int:
    """About how many cards a file holds, for a progress bar before it is parsed."""
    return len(_CARD_START.findall(data))


_CARD_START = re.compile(rb"\n[ \t]*- *id *:")
"""A line that starts a card (never the first line: a card file is a mapping). Searched from its newline,
which the regex engine skips ahead to; `^` with re.MULTILINE is tried at every byte, and took 0.04 s for
10,000 cards before the first one compiled."""


def load_and_check(data: bytes, rel: str, key: str, project: Project) -> FileResult:
    """Parse a card file and run the checks on each card as written."""
    loaded = load_file(data, rel)
    result = FileResult(rel, key, loaded.cards, retired=loaded.retired, problems=loaded.problems)
    for card in loaded.cards:
        result.problems += check_card(card, project.sources)
    return result


def render_card(result: FileResult, card: Card, renderer, namespace: str, types: dict[str, NoteType]) -> None:
    """Render a card, check what Anki will receive, and work out its note's identity."""
    item, problems = renderer.render_card(card)
    result.rendered.append(item)
    result.problems += problems
    result.problems += check_rendered_card(item)
    guid = guid_for(namespace, card.id)
    digest = content_hash(guid, types[card.type].model_id, item.fields, card.tags)
    result.digests.append(NoteDigest(guid, digest, card_ordinals(types[card.type], item.fields)))


def note_hash(namespace: str, item: RenderedCard, types: dict[str, NoteType], media: dict[str, str] | None = None) -> str:
    """The ledger's digest of everything Anki stores for a note: a changed digest means an update."""
    guid = guid_for(namespace, item.card.id)
    return with_media(content_hash(guid, types[item.card.type].model_id, item.fields, item.card.tags), item, media)


def with_media(digest: str, item: RenderedCard, media: dict[str, str] | None) -> str:
    """A note's digest with its images counted by content, not only by name: Anki copies a media file only
    for notes it adds or updates, so a redrawn figure reaches learners only if the notes that show it are
    restamped. (Added in build.py, across files: a card file's own result never depends on media/.)"""
    if item.media and media is not None:
        return content_hash(digest, [media.get(name, "") for name in item.media])
    return digest


def card_ordinals(note_type: NoteType, fields: tuple[str, ...]) -> tuple[int, ...]:
    """The template ordinals of a note's cards, in the order the package lists them: genanki's rule
    (genanki.Note.cards), applied without building a genanki.Note (a sixth of a cold build)."""
    cloze_fields, required = _card_rule(note_type)
    if note_type.is_cloze:
        # A set filled in genanki's order, so it lists the ordinals in genanki's order too.
        ordinals: set[int] = set()
        for index in cloze_fields:
            value = fields[index] if index >= 0 else ""
            ordinals.update(int(m) - 1 for m in _CLOZE_NUMBER.findall(value) if int(m) > 0)
        return tuple(ordinals)
    tests = {"any": any, "all": all}
    return tuple(template for template, mode, needed in required if tests[mode](fields[i] for i in needed))


_CLOZE_NUMBER = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)


@functools.cache
def _card_rule(note_type: NoteType) -> tuple[list[int], list]:
    """genanki's inputs to its card rule: the fields a cloze template reads, and the required fields."""
    import genanki  # only a card file that changed needs it

    model = note_type.to_genanki()
    qfmt = model.templates[0]["qfmt"]
    names = dict.fromkeys(re.findall(r"{{[^}]*?cloze:(?:[^}]?:)*(.+?)}}", qfmt) + re.findall("<%cloze:(.+?)%>", qfmt))
    indexes = [next((i for i, f in enumerate(model.fields) if f["name"] == name), -1) for name in names]
    assert isinstance(model, genanki.Model)
    return indexes, ([] if note_type.is_cloze else model._req)
