"""A static HTML site showing every card's question and answer sides as Anki shows them.

Reviewers see cards, not YAML: each side is rendered with the note type's own templates and CSS
(templating.py follows Anki's rules), formulas are typeset by the MathJax 3.2.2 dlanki bundles (the
version Anki bundles, configured as Anki does), and diagrams are copied beside the page. Everything the page loads is inside the output folder, so it works from file:// offline.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dlanki.errors import Problem
from dlanki.mathjax import FONTS, PAGE, has_files
from dlanki.model import Project, RenderedCard
from dlanki.notetypes import NoteType, note_types
from dlanki.package import deck_names_with_parents
from dlanki.templating import MATHJAX, card_sides

ASSETS = "_dlanki"
"""Folder of the page's own files; media names never start with '_', so it cannot clash."""
# MathJax skips these elements, so formulas written in code are not formulas.
SKIPPED_BY_MATHJAX = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1>", re.DOTALL | re.IGNORECASE)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PreviewCard:
    """One Anki card: a note's question and answer for one template or cloze number."""

    item: RenderedCard
    ordinal: int
    """1-based: the cloze number, or 1 for a basic note."""
    question: str
    answer: str

    @property
    def anchor(self) -> str:
        return f"{self.item.card.id}-{self.ordinal}"

    @property
    def formulas(self) -> int:
        return count_formulas(self.question) + count_formulas(self.answer)


@dataclass(frozen=True)
class PreviewResult:
    index: Path
    notes: int
    cards: int
    formulas: int
    """Formulas on all sides: what MathJax typesets when the page opens."""
    media: int
    """Files copied from media/ beside the page."""
    mathjax: bool
    """False if MathJax was not found: the page shows formulas as raw TeX, with a banner saying so."""


def preview_cards(rendered: list[RenderedCard], types: dict[str, NoteType]) -> list[PreviewCard]:
    """Every card of every note, in the curated order, with both sides rendered."""
    cards = []
    for item in rendered:
        ordinals = item.clozes if item.card.type == "cloze" else (1,)
        for ordinal in ordinals:
            question, answer = card_sides(types[item.card.type], item.fields, ordinal)
            cards.append(PreviewCard(item, ordinal, question, answer))
    return cards


def count_formulas(side_html: str) -> int:
    return len(MATHJAX.findall(SKIPPED_BY_MATHJAX.sub("", side_html)))


def mathjax_bundle(folder: Path | None) -> Path | None:
    """The es5 folder of a MathJax (dlanki's own, or $DLANKI_MATHJAX's), if it holds what the page loads."""
    if folder is None or not has_files(folder, PAGE) or not (folder / "es5" / FONTS).is_dir():
        return None
    return folder / "es5"


def write_preview(
    project: Project,
    rendered: list[RenderedCard],
    mathjax_package: Path | None,
    output: Path | None = None,
    problems: list[Problem] = (),
    progress: Progress | None = None,
) -> PreviewResult:
    """Write the site to `output` (default build/preview/), replacing a previous preview whole.

    `problems` found in the sources are listed at the top of the page, where the reviewer looks."""
    output = output or project.build_dir / "preview"
    _refuse_foreign_folder(output)
    types = note_types(project)
    cards = []
    total = len(rendered)
    for done, item in enumerate(rendered, 1):
        cards += preview_cards([item], types)
        if progress is not None:
            progress(done, total)
    es5 = mathjax_bundle(mathjax_package)
    media = sorted({name for item in rendered for name in item.media})
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
    try:
        assets = staging / ASSETS
        assets.mkdir()
        for name in ("preview.js", "preview.css"):
            (assets / name).write_text(_template(name), encoding="utf-8")
        if es5 is not None:
            for name in PAGE:
                (assets / "mathjax" / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(es5 / name, assets / "mathjax" / name)
            shutil.copytree(es5 / FONTS, assets / "mathjax" / FONTS)
        copied = 0
        for name in media:
            source = project.media_dir / name
            if source.is_file():  # a missing file is `check`'s to report; the page shows a broken image
                shutil.copy2(source, staging / name)
                copied += 1
        page = render_page(project, cards, types, mathjax=es5 is not None, problems=problems)
        (staging / "index.html").write_text(page, encoding="utf-8")
        os.chmod(staging, 0o755)
        _swap_into_place(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PreviewResult(
        output / "index.html",
        len(rendered),
        len(cards),
        sum(card.formulas for card in cards),
        copied,
        es5 is not None,
    )


def _refuse_foreign_folder(output: Path) -> None:
    """Never replace a folder that is not a previous preview: --output may point anywhere."""
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not (output / ASSETS).is_dir())):
        raise FileExistsError(f"{output} exists and is not a dlanki preview; choose another --output")


def _swap_into_place(staging: Path, output: Path) -> None:
    """Readers see the old preview or the new one, never a half-written mix."""
    if output.exists():
        trash = output.with_name(f".{output.name}-old-{os.getpid()}")
        os.replace(output, trash)
        os.replace(staging, output)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(staging, output)


def _template(name: str) -> str:
    return resources.files("dlanki").joinpath("templates", name).read_text(encoding="utf-8")


# -- the page -------------------------------------------------------------------------------------


def render_page(
    project: Project, cards: list[PreviewCard], types: dict[str, NoteType], mathjax: bool, problems: list[Problem] = ()
) -> str:
    notes = {card.item.card.id for card in cards}
    decks = deck_names_with_parents([card.item.card.deck for card in cards])
    tags = sorted({parent for card in cards for tag in card.item.card.tags for parent in _tag_with_parents(tag)})
    title = decks[0].split("::")[0] if decks else project.package
    css = types["basic"].css  # both note types share one style sheet
    replacements = {
        "TITLE": html.escape(title),
        "CARD_CSS": css,
        "MATHJAX_SCRIPT": (
            f'<script src="{ASSETS}/mathjax/startup.js" onerror="window.dlankiMathJaxFailed = true"></script>'
            if mathjax
            else ""
        ),
        "MATHJAX_BANNER_HIDDEN": "hidden" if mathjax else "",
        "PROBLEMS": _problems_html(problems),
        "DECK_OPTIONS": "\n".join(
            f'<option value="{html.escape(name)}">{"&nbsp;&nbsp;" * name.count("::")}{html.escape(name.split("::")[-1])}</option>'
            for name in decks
        ),
        "TAG_OPTIONS": "\n".join(f'<option value="{html.escape(tag)}"></option>' for tag in tags),
        "COUNTS": f"{len(cards)} cards, {len(notes)} notes",
        "TOTAL_CARDS": str(len(cards)),
        "TOTAL_FORMULAS": str(sum(card.formulas for card in cards)),
        "CARDS": "\n".join(_card_html(card) for card in cards) or '<p class="pv-empty">No cards.</p>',
    }
    page = _template("preview.html")
    return re.sub(r"@@([A-Z_]+)@@", lambda m: replacements[m.group(1)], page)


def _problems_html(problems: list[Problem]) -> str:
    """The sources' problems, located as on the terminal: what `dlanki check` would print."""
    if not problems:
        return ""
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    counts = ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((errors, "error"), (warnings, "warning")) if n)
    verdict = " (<code>dlanki build</code> refuses the deck until the errors are fixed)" if errors else ""
    items = "\n".join(
        f'<li class="pv-problem pv-problem-{p.level}"><code>{html.escape(str(p.loc))}</code> {p.level}:'
        f'{" [" + html.escape(p.card_id) + "]" if p.card_id else ""} {html.escape(p.message)}'
        f'{"<br><span class=pv-hint>hint: " + html.escape(p.hint) + "</span>" if p.hint else ""}</li>'
        for p in problems
    )
    kind = "pv-banner-error" if errors else ""
    return f'<div class="pv-banner {kind}" id="pv-problems"><p><strong>{counts} in the sources</strong>{verdict}:</p>\n<ul>\n{items}\n</ul></div>'


def _tag_with_parents(tag: str) -> list[str]:
    parts = tag.split("::")
    return ["::".join(parts[: i + 1]) for i in range(len(parts))]


def _card_html(card: PreviewCard) -> str:
    source = card.item.card
    esc = html.escape
    label = f"c{card.ordinal}" if source.type == "cloze" else "basic"
    tags = "".join(f'<li class="pv-tag">{esc(tag)}</li>' for tag in source.tags)
    where = esc(str(source.loc))
    # Anki gives the body the classes "card" and "cardN" (N: template or cloze number); each side
    # here stands for such a body.
    side_class = f"card card{card.ordinal}"
    return f"""<article class="pv-card" id="{esc(card.anchor)}" data-id="{esc(source.id)}" data-deck="{esc(source.deck)}" data-tags="{esc(" ".join(source.tags))}" data-source="{esc(", ".join(source.sources))}" data-type="{source.type}" data-ordinal="{card.ordinal}">
<header class="pv-meta">
<a class="pv-id" href="#{esc(card.anchor)}" title="link to this card">{esc(source.id)}</a>
<span class="pv-ord" title="card">{label}</span>
<span class="pv-deck" title="deck">{esc(source.deck)}</span>
<ul class="pv-tags" title="tags">{tags}</ul>
<span class="pv-source" title="source">{esc(", ".join(source.sources))}</span>
<span class="pv-loc" title="where it is written">{where}</span>
</header>
<div class="pv-sides">
<section class="pv-side"><h3 class="pv-side-label">Question</h3><div class="{side_class} pv-q">{card.question}</div></section>
<section class="pv-side"><h3 class="pv-side-label">Answer</h3><div class="{side_class} pv-a">{card.answer}</div></section>
</div>
</article>"""
