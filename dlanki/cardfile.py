"""Stages 1-3 for one card file at a time: load, check and render its cards.

What a card file contributes to a build (its cards, their HTML, the problems found in it, each
note's GUID, ledger digest and card ordinals) depends only on the file's bytes and path, the
project settings and dlanki itself. So it is computed once, as a FileResult, and kept whole by
filecache.py: a rebuild reads an unchanged file's result instead of parsing, checking, rendering and
hashing it again. Checks that compare files with each other run in build.py, on these results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dlanki.errors import Loc, Problem
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

    def formula_uses(self) -> list[tuple[str, Formula]]:
        return [(item.card.id, formula) for item in self.rendered for formula in item.formulas]


def compile_files(paths: list[tuple[Path, str]], project: Project, store, formulas, progress=None) -> list[FileResult]:
    """Every card file's result, in order: cached if its inputs are unchanged, else loaded, checked and
    rendered. Formulas without a verdict go to `formulas` (a mathcheck.FormulaChecker) as they are found."""
    results: list[FileResult] = []
    fresh: list[FileResult] = []
    for path, rel in paths:
        data, problems = read_card_file(path, rel)
        if data is None:
            results.append(FileResult(rel, problems=problems))
            continue
        key = store.key(rel, data) if store is not None else ""
        result = store.get(key, rel) if store is not None else None
        if result is None:
            result = load_and_check(data, rel, key, project)
            fresh.append(result)
        elif result.formula_problems is None:  # cached before MathJax could give every verdict
            for _, formula in result.formula_uses():
                formulas.add(formula)
        results.append(result)
    total = sum(len(result.cards) for result in results)
    done = total - sum(len(result.cards) for result in fresh)
    if not fresh:
        return results
    from dlanki.render import Renderer  # Markdown and the sanitiser load only when a file changed

    renderer, types = Renderer(project.sources), note_types()
    for result in fresh:
        for card in result.cards:
            render_card(result, card, renderer, project.guid_namespace, types)
            done += 1
            if progress is not None:
                progress(done, total)
        for _, formula in result.formula_uses():
            formulas.add(formula)
        if store is not None:
            store.put(result)
    return results


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


def note_hash(namespace: str, item: RenderedCard, types: dict[str, NoteType]) -> str:
    """The ledger's digest of everything Anki stores for a note: a changed digest means an update."""
    guid = guid_for(namespace, item.card.id)
    return content_hash(guid, types[item.card.type].model_id, item.fields, item.card.tags)


_MODELS: dict[NoteType, object] = {}


def card_ordinals(note_type: NoteType, fields: tuple[str, ...]) -> tuple[int, ...]:
    """The template ordinals of a note's cards, in the order the package lists them: genanki's own rule
    (a card for each cloze number in the fields; a front/back card if its required fields are filled)."""
    import genanki  # only a card file that changed needs it

    model = _MODELS.get(note_type)
    if model is None:
        model = _MODELS[note_type] = note_type.to_genanki()
    return tuple(card.ord for card in genanki.Note(model=model, fields=list(fields)).cards)
