"""Card sides as Anki renders them: the template syntax and cloze rules dlanki's note types use.

A port of the few rules of Anki's renderer (rslib template.rs and cloze.rs) that the templates in
templates/ need: `{{Field}}`, `{{#Field}}…{{/Field}}`, `{{^Field}}…{{/Field}}`, `{{FrontSide}}` and
the `cloze:` and `text:` filters. tests/test_preview.py compares the result with the real Anki backend
card by card, so if Anki changes its rules the preview test fails instead of quietly misleading.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from dlanki.notetypes import NoteType

TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
# Anki: a field is empty if it holds only whitespace and empty <br>/<div> tags.
EMPTY_FIELD = re.compile(r"^(?:\s|</?(?:br|div) ?/?>)*$", re.IGNORECASE)
CLOZE_OPEN = re.compile(r"\{\{c([\d,]+)::")
# Anki strips tags (keeping entities) inside \( \) and \[ \] after revealing clozes, so the
# cloze <span> never reaches MathJax; note the opener and closer kinds need not match.
MATHJAX = re.compile(r"(\\[(\[])(.*?)(\\[\])])", re.DOTALL)
HTML_TAGS = re.compile(
    r"(<!--.*?-->)|(<style.*?>.*?</style>)|(<script.*?>.*?</script>)|(<.*?>)", re.DOTALL | re.IGNORECASE
)
MAX_CLOZE_DEPTH = 10


class TemplateError(ValueError):
    """A template uses syntax this renderer does not implement."""


# -- templates ------------------------------------------------------------------------------------


@dataclass
class _Section:
    key: str
    negated: bool
    children: list = field(default_factory=list)


def _parse(template: str) -> list:
    """Template text into nested nodes: str, ("field", key, filters), or _Section."""
    root: list = []
    stack: list[tuple[str, list]] = [("", root)]
    pos = 0
    for match in TAG.finditer(template):
        stack[-1][1].append(template[pos : match.start()])
        pos = match.end()
        body = match.group(1).strip()
        if body[:1] in "#^":
            section = _Section(body[1:].strip(), body[0] == "^")
            stack[-1][1].append(section)
            stack.append((section.key, section.children))
        elif body[:1] == "/":
            if len(stack) == 1 or stack[-1][0] != body[1:].strip():
                raise TemplateError(f"unexpected {{{{{body}}}}}")
            stack.pop()
        else:
            *filters, key = [part.strip() for part in body.split(":")]
            stack[-1][1].append(("field", key, filters))
    if len(stack) > 1:
        raise TemplateError(f"{{{{#{stack[-1][0]}}}}} is never closed")
    stack[-1][1].append(template[pos:])
    return root


def field_is_empty(text: str) -> bool:
    return EMPTY_FIELD.match(text) is not None


def render_template(template: str, fields: dict[str, str], card_ord: int, frontside: str | None = None) -> str:
    """One side: the question when `frontside` is None, else the answer. `card_ord` is 0-based."""
    out: list[str] = []
    _render_nodes(_parse(template), fields, card_ord, frontside, out)
    return "".join(out)


def _render_nodes(nodes: list, fields: dict[str, str], card_ord: int, frontside: str | None, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Section):
            shown = node.key in fields and not field_is_empty(fields[node.key])
            if shown != node.negated:
                _render_nodes(node.children, fields, card_ord, frontside, out)
        else:
            _, key, filters = node
            if key == "FrontSide":
                out.append(frontside or "")
                continue
            if key not in fields:
                raise TemplateError(f"unknown field {key!r}")
            out.append(_apply_filters(fields[key], filters, card_ord, frontside is None))


def _apply_filters(text: str, filters: list[str], card_ord: int, question: bool) -> str:
    for name in reversed(filters):  # Anki applies the innermost (rightmost) filter first
        if name == "cloze":
            text = cloze_filter(text, card_ord + 1, question)
        elif name == "text":
            text = html.unescape(HTML_TAGS.sub("", text))
        else:
            raise TemplateError(f"filter {name!r} is not supported by the preview")
    return text


def card_sides(note_type: NoteType, fields: tuple[str, ...], ordinal: int) -> tuple[str, str]:
    """(question, answer) HTML of card `ordinal` (1-based: the cloze number, or 1 for basic)."""
    by_name = {name: value for (name, _), value in zip(note_type.fields, fields)}
    template_index = 0 if note_type.is_cloze else ordinal - 1
    _, _, qfmt, afmt = note_type.templates[template_index]
    question = render_template(qfmt, by_name, ordinal - 1)
    answer = render_template(afmt, by_name, ordinal - 1, frontside=question)
    return question, answer


# -- clozes ---------------------------------------------------------------------------------------


@dataclass
class _Cloze:
    ordinals: tuple[int, ...]
    nodes: list = field(default_factory=list)
    """str or _Cloze."""
    hint: str | None = None


def _parse_clozes(text: str) -> list:
    """Anki's cloze parser: `}}` always closes the innermost open deletion, whatever the braces."""
    output: list = []
    open_clozes: list[_Cloze] = []
    pos = 0
    n = len(text)
    while pos < n:
        opened = _cloze_open_at(text, pos)
        if opened:
            ordinals, pos = opened
            if len(open_clozes) < MAX_CLOZE_DEPTH:
                open_clozes.append(_Cloze(ordinals))
            continue
        if text.startswith("}}", pos):
            pos += 2
            if open_clozes:
                closed = open_clozes.pop()
                (open_clozes[-1].nodes if open_clozes else output).append(closed)
            else:
                output.append("}}")
            continue
        end = _next_marker(text, pos + 1)
        piece = text[pos:end]
        pos = end
        if open_clozes:
            cloze = open_clozes[-1]
            if "::" in piece:
                piece, cloze.hint = piece.split("::", 1)
            cloze.nodes.append(piece)
        else:
            output.append(piece)
    return output  # deletions never closed are dropped, as Anki does


def _cloze_open_at(text: str, pos: int) -> tuple[tuple[int, ...], int] | None:
    """(cloze numbers, end) if a deletion opens at `pos`; `{{c,::` has no number and opens nothing."""
    match = CLOZE_OPEN.match(text, pos)
    if not match:
        return None
    ordinals = tuple(sorted({int(x) for x in match.group(1).split(",") if x and int(x) < 65536}))
    return (ordinals, match.end()) if ordinals else None


def _next_marker(text: str, start: int) -> int:
    """Offset of the next cloze opening or `}}` at or after `start`: where a text run ends."""
    close = text.find("}}", start)
    limit = close if close >= 0 else len(text)
    for match in CLOZE_OPEN.finditer(text, start, limit):
        if _cloze_open_at(text, match.start()):
            return match.start()
    return limit


def reveal_clozes(text: str, ordinal: int, question: bool) -> str:
    """The field with deletion `ordinal` hidden (question) or highlighted (answer); "" if absent."""
    out: list[str] = []
    found = [False]
    for node in _parse_clozes(text):
        if isinstance(node, str):
            out.append(node)
        else:
            _reveal(node, ordinal, question, found, out)
    return "".join(out) if found[0] else ""


def _reveal(cloze: _Cloze, ordinal: int, question: bool, found: list[bool], out: list[str]) -> None:
    active = ordinal in cloze.ordinals
    found[0] |= active
    numbers = ",".join(str(n) for n in cloze.ordinals)
    if question and active:
        inner: list[str] = []
        _reveal_children(cloze, ordinal, question, found, inner)
        hint = cloze.hint if cloze.hint is not None else "..."
        out.append(
            f'<span class="cloze" data-cloze="{encode_attribute("".join(inner))}" data-ordinal="{numbers}">[{hint}]</span>'
        )
        return
    css_class = "cloze" if active else "cloze-inactive"
    out.append(f'<span class="{css_class}" data-ordinal="{numbers}">')
    _reveal_children(cloze, ordinal, question, found, out)
    out.append("</span>")


def _reveal_children(cloze: _Cloze, ordinal: int, question: bool, found: list[bool], out: list[str]) -> None:
    for node in cloze.nodes:
        if isinstance(node, str):
            out.append(node)
        else:
            _reveal(node, ordinal, question, found, out)


def encode_attribute(text: str) -> str:
    """Anki's attribute escaping (htmlescape::encode_attribute), so the HTML matches Anki's byte for byte."""
    out = []
    for char in text:
        code = ord(char)
        if code >= 256 or (code < 128 and char.isalnum()):
            out.append(char)
        else:
            out.append(_NAMED.get(char) or f"&#x{code:02X};")
    return "".join(out)


_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def strip_html_inside_mathjax(text: str) -> str:
    return MATHJAX.sub(lambda m: m.group(1) + HTML_TAGS.sub("", m.group(2)) + m.group(3), text)


def cloze_filter(text: str, ordinal: int, question: bool) -> str:
    return strip_html_inside_mathjax(reveal_clozes(text, ordinal, question))
