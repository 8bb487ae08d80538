"""Stage 3: Markdown fields to the HTML Anki shows, with formulas passed through untouched."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from dlanki.errors import Problem
from dlanki.mathspans import CLOZE_OPEN, mark_clozes, space_cloze_braces, split_math
from dlanki.model import Card, Formula, Image, RenderedCard, TextField
from dlanki.sanitize import image_sources, is_media_name, sanitize
from dlanki.sources import source_label

# Markdown never sees a formula: each is replaced by a private-use placeholder and put back afterwards.
PLACEHOLDER = "\ue000{}\ue001"
PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001")
# Text with none of these is one plain paragraph to Markdown, rendered without it (plain_paragraph): that
# halves build time. A list (`-`, `+`, `1.`), heading (`#`, a line of `=` or `-`), quote (`>`) or code
# block (an indent, a tab) can only start a line, so `-`, `+`, `=`, `#` and `!` inside one are literal (an
# image needs its `[`); a table needs a `|`, a second paragraph a blank line, a hard break two spaces or
# a backslash at the end of a line. (A no-break space is written as &nbsp; by the sanitiser, which only
# Markdown's HTML goes through.)
MARKDOWN_SYNTAX = re.compile(r"[\r\t*_`\[\]<>&\\~|\xa0]|^\s*[-+=#>]|^\s*\d+[.)]|^ {4}| $|\n *\n", re.MULTILINE)
FIELD_ORDER = {"basic": ("front", "back", "extra"), "cloze": ("text", "extra")}
# Left-over emphasis markers in the HTML, outside code (formulas are still placeholders here).
STRAY_EMPHASIS = re.compile(r"\*\*|__")
CODE_HTML = re.compile(r"<code>.*?</code>|<pre>.*?</pre>", re.DOTALL)
EMPHASIS_HINT = (
    "CommonMark closes ** only next to a space or a letter: write **粗体**（说明） as **粗体** （说明）, "
    "or move the punctuation inside the stars"
)
SANITIZE_HINT = "write Markdown; images are files in media/, links are https:, and no script, style or event handler"


@dataclass
class FieldResult:
    html: str
    images: list[tuple[str, int]] = field(default_factory=list)
    """Image sources (every <img> of the HTML before sanitising), with their offset in the source text."""
    formulas: list[Formula] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def markdown_parser() -> MarkdownIt:
    """CommonMark plus GitHub's tables and strikethrough; raw HTML is parsed, then sanitised."""
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": False}).enable(["table", "strikethrough"])
    # markdown-it would print a javascript: link as literal text; let the sanitiser see, remove and report it.
    md.validateLink = lambda url: True
    return md


class Renderer:
    """Turns Markdown with formulas and clozes into Anki field HTML; reuses one Markdown parser."""

    def __init__(self, source_names: dict[str, str] | None = None) -> None:
        self._source_names = source_names or {}
        self._md = markdown_parser()
        self._seen: dict[str, tuple] = {}
        """Source text → its location-free result, so text written twice is rendered once."""

    def render_card(self, card: Card) -> tuple[RenderedCard, list[Problem]]:
        problems: list[Problem] = []
        fields: list[str] = []
        images: list[Image] = []
        formulas: list[Formula] = []
        for key in FIELD_ORDER[card.type]:
            source = card.fields.get(key)
            if source is None:
                fields.append("")
                continue
            result = self.render_field(source, card.id)
            problems += result.problems
            fields.append(result.html)
            images += [Image(src, source.loc_at(offset)) for src, offset in result.images]
            formulas += result.formulas
        fields.append(source_html(card, self._source_names))
        clozes = cloze_numbers(fields[0]) if card.type == "cloze" else ()
        media = tuple(dict.fromkeys(image.src for image in images if is_media_name(image.src)))
        return RenderedCard(card, tuple(fields), media, clozes, tuple(formulas), tuple(images)), problems

    def render_field(self, source: TextField, card_id: str = "") -> FieldResult:
        seen = self._seen.get(source.text)
        if seen is not None:
            body, images, formulas = seen
            return FieldResult(
                body,
                images=list(images),
                formulas=[Formula(tex, display, source.loc_at(offset), shown) for tex, display, offset, shown in formulas],
            )
        result, offsets = self._render_field(source, card_id)
        if not result.problems:
            formulas = [(f.tex, f.display, offset, f.shown) for f, offset in zip(result.formulas, offsets)]
            self._seen[source.text] = (result.html, tuple(result.images), formulas)
        return result

    def _render_field(self, source: TextField, card_id: str) -> tuple[FieldResult, list[int]]:
        spans, errors = split_math(source.text)
        problems = [Problem(source.loc_at(e.offset), e.message, e.hint, card_id) for e in errors]
        pieces: list[str] = []
        formulas: list[str] = []
        written: list[Formula] = []
        offsets: list[int] = []
        for span in spans:
            if span.kind == "text":
                pieces.append(span.text)
                continue
            if span.kind == "dollar":
                formulas.append("$")
            else:
                tex, brace_errors = space_cloze_braces(mark_clozes(span.text))
                written.append(Formula(span.text, span.display, source.loc_at(span.start), tex))
                offsets.append(span.start)
                problems += [Problem(source.loc_at(span.start), e.message, e.hint, card_id) for e in brace_errors]
                opener, closer = ("\\[", "\\]") if span.display else ("\\(", "\\)")
                formulas.append(opener + html.escape(tex, quote=False) + closer)
            pieces.append(PLACEHOLDER.format(len(formulas) - 1))
        markdown_source = "".join(pieces)
        body = plain_paragraph(markdown_source)
        if body is None:
            body = self._md.render(markdown_source).strip()
        images = [(src, _offset_of_image(source.text, src)) for src in image_sources(body)]
        body, removed = sanitize(body)  # before the formulas go back: TeX is escaped text, never HTML
        for item in removed:
            if item.element == "img" and item.attribute == "src":
                continue  # validate names every image that is not a file in media/, more precisely
            where = source.loc_at(_offset_of(source.text, item.needle))
            problems.append(Problem(where, f"contains {item.what}, which a card may not have", SANITIZE_HINT, card_id))
        stray = STRAY_EMPHASIS.search(CODE_HTML.sub("", body))
        if stray:
            where = source.loc_at(max(source.text.find(stray.group()), 0))
            message = f"`{stray.group()}` is shown as is: CommonMark did not turn it into emphasis"
            problems.append(Problem(where, message, EMPHASIS_HINT, card_id, "warning"))
        body = PLACEHOLDER_RE.sub(lambda m: formulas[int(m.group(1))], body)
        result = FieldResult(_unwrap_single_paragraph(body), images=images, formulas=written, problems=problems)
        return result, offsets


def plain_paragraph(text: str) -> str | None:
    """What Markdown makes of text that is one paragraph of plain lines (without its <p>), or None if the
    text has any Markdown syntax. Markdown takes the spaces off both ends of each line and of the
    paragraph; the line breaks stay (a soft break is a newline in its HTML)."""
    text = text.rstrip(" \n")  # to Markdown a blank line holds spaces and tabs only
    if MARKDOWN_SYNTAX.search(text):
        return None
    if "\n" not in text:
        return text.strip()
    return "\n".join(line.strip(" ") for line in text.split("\n")).strip()


def source_html(card: Card, names: dict[str, str]) -> str:
    """The Source field: where the card comes from, by name, and its id, so a learner can report it precisely."""
    labels = [source_label(source, names)[0] or source for source in card.sources]
    return html.escape("; ".join(labels) + " · " + card.id)


def cloze_numbers(text: str) -> tuple[int, ...]:
    return tuple(sorted({int(n) for n in CLOZE_OPEN.findall(text)}))


def _offset_of_image(text: str, src: str) -> int:
    """Where an image was written: its `![`, or its src in raw HTML or a link reference."""
    found = text.find("](" + src)
    if found >= 0:
        return max(text.rfind("![", 0, found), 0)
    return _offset_of(text, src)


def _offset_of(text: str, needle: str) -> int:
    """Where something found in the HTML was written in the source: the tag it sits in, or itself, else 0."""
    found = text.lower().find(needle.lower())
    if found >= 0:
        tag = text.rfind("<", 0, found + 1)
        return tag if tag >= 0 and ">" not in text[tag:found] else found
    return 0


def _unwrap_single_paragraph(body: str) -> str:
    """A one-paragraph field needs no <p>: it would add a margin around a short question."""
    if body.startswith("<p>") and body.endswith("</p>") and body.count("<p>") == 1:
        return body[3:-4]
    return body
