"""Find formulas in Markdown text and make clozes inside them safe for Anki.

Anki's MathJax reads only \\( \\) and \\[ \\]; authors may also write $ and $$. Anki's cloze parser ends
a deletion at the first `}}`, so the LaTeX `\\frac{1}{2}}}` inside `{{c1::…}}` must become `\\frac{1}{2} }}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

DELIMITERS = (("$$", "$$", True), ("\\[", "\\]", True), ("\\(", "\\)", False), ("$", "$", False))
CLOZE_OPEN = re.compile(r"\{\{c(\d+)::")
# Only these characters can start code, an escape or a formula; everything between is skipped at once.
SPECIAL = re.compile(r"[`$\\]")
_BRACE_SPECIAL = re.compile(r"[{}\\]")


@dataclass(frozen=True)
class Span:
    """A piece of the source text: plain Markdown, a formula, or an escaped dollar."""

    kind: str
    """"text", "math" or "dollar"."""
    text: str
    """For math: the TeX between the delimiters."""
    start: int
    """Offset of the span (its opening delimiter) in the source text."""
    display: bool = False


@dataclass(frozen=True)
class MathError:
    offset: int
    message: str
    hint: str


def split_math(text: str) -> tuple[list[Span], list[MathError]]:
    """Split text into plain, math and escaped-dollar spans; code spans and fences stay plain."""
    spans: list[Span] = []
    errors: list[MathError] = []
    plain_start = 0
    i = 0
    n = len(text)

    def flush(upto: int) -> None:
        if upto > plain_start:
            spans.append(Span("text", text[plain_start:upto], plain_start))

    while i < n:
        found = SPECIAL.search(text, i)
        if found is None:
            break
        i = found.start()
        ch = text[i]
        if ch == "`":
            i = _skip_code(text, i)
            continue
        if text.startswith("\\$", i):
            flush(i)
            spans.append(Span("dollar", "$", i))
            i += 2
            plain_start = i
            continue
        if ch == "\\" and i + 1 < n and text[i + 1] not in "([":
            i += 2  # any other escape belongs to Markdown
            continue
        opened = next(((o, c, d) for o, c, d in DELIMITERS if text.startswith(o, i)), None)
        if opened is None:
            i += 1
            continue
        opener, closer, display = opened
        end = _find_closer(text, i + len(opener), closer)
        if end < 0:
            errors.append(
                MathError(i, f"formula opened with {opener!r} is never closed", f"close it with {closer!r}, or write a literal dollar as \\$")
            )
            i += len(opener)
            continue
        body = text[i + len(opener) : end]
        if not body.strip():
            errors.append(MathError(i, f"empty formula {opener}{closer}", "write the formula, or a literal dollar as \\$"))
        flush(i)
        spans.append(Span("math", body, i, display))
        i = end + len(closer)
        plain_start = i
    flush(n)
    return spans, errors


def _skip_code(text: str, i: int) -> int:
    """Return the offset after the code span or fenced block starting at i (or after the backticks)."""
    line_start = text.rfind("\n", 0, i) + 1
    if text[line_start:i].strip() == "" and text.startswith("```", i):
        fence = re.match(r"`{3,}", text[i:]).group(0)
        close = re.compile(r"^\s*" + fence + r"\s*$", re.MULTILINE)
        match = close.search(text, text.find("\n", i) + 1 if "\n" in text[i:] else len(text))
        return match.end() if match else len(text)
    run = re.match(r"`+", text[i:]).group(0)
    end = text.find(run, i + len(run))
    return end + len(run) if end >= 0 else i + len(run)


def _find_closer(text: str, start: int, closer: str) -> int:
    j = start
    while True:
        j = text.find(closer, j)
        if j < 0:
            return -1
        if closer == "$" and text[j - 1] == "\\":
            j += 1
            continue
        if closer == "$" and "\n\n" in text[start:j]:
            return -1  # an inline formula never spans paragraphs
        return j


def space_cloze_braces(tex: str) -> tuple[str, list[MathError]]:
    """Insert a space between LaTeX closing braces so no `}}` but a cloze's own end remains."""
    if "{{c" not in tex:
        return re.sub(r"\}(?=\})", "} ", tex), []
    out: list[str] = []
    errors: list[MathError] = []
    depths: list[int] = []  # LaTeX brace depth inside each open cloze
    i = 0

    def emit(piece: str) -> None:
        if out and out[-1].endswith("}") and piece.startswith("}"):
            out.append(" ")
        out.append(piece)

    while True:
        found = _BRACE_SPECIAL.search(tex, i)
        if found is None:
            out.append(tex[i:])  # no brace in it: nothing to space
            break
        if found.start() > i:
            out.append(tex[i : found.start()])
        i = found.start()
        ch = tex[i]
        if ch == "{":
            match = CLOZE_OPEN.match(tex, i)
            if match:
                emit(match.group(0))
                depths.append(0)
                i = match.end()
                continue
            if depths:
                depths[-1] += 1
        elif ch == "}":
            if depths and depths[-1] == 0 and tex.startswith("}}", i):
                depths.pop()
                if out and out[-1].endswith("}"):
                    out.append(" ")
                out.append("}}")
                out.append("")  # the cloze end is not a LaTeX brace: nothing after it needs spacing
                i += 2
                continue
            if depths:
                depths[-1] -= 1
        elif tex.startswith(("\\{", "\\}"), i):
            emit(tex[i : i + 2])
            i += 2
            continue
        emit(ch)
        i += 1
    if depths:
        errors.append(MathError(0, "a cloze inside this formula is not closed", "end the deletion with }} after balanced LaTeX braces"))
    return "".join(out), errors


CLOZE_MATH_CLASS = "dl-c{}"
"""MathJax class of a deletion's content inside a formula: the card style highlights `dl-cN` on card N."""
_ALIGNMENT = re.compile(r"(?<!\\)&|\\\\")


def mark_clozes(tex: str) -> str:
    """Wrap each deletion's content in \\class{dl-cN}{…}, so the answer side can highlight it.

    Anki strips the <span class="cloze"> it puts around a revealed deletion when the deletion sits
    inside a formula (HTML inside TeX would break it), so the answer shows no highlight. MathJax's
    \\class puts a CSS class on the formula's part instead; content that cannot be a group (an
    alignment `&`, `\\left` without its `\\right`, a nested deletion) is left as it is.
    """
    if "{{c" not in tex:
        return tex
    out: list[str] = []
    i = 0
    for match, end, hint_at in _clozes_from(tex):
        body_end = hint_at if hint_at >= 0 else end
        body = tex[match.end() : body_end]
        if end < len(tex) and _groupable(body):
            body = "\\class{" + CLOZE_MATH_CLASS.format(match.group(1)) + "}{" + body + "}"
        out.append(tex[i : match.start()] + match.group(0) + body + tex[body_end:end] + tex[end : end + 2])
        i = end + 2
    out.append(tex[i:])
    return "".join(out)


def _clozes_from(tex: str) -> Iterator[tuple[re.Match, int, int]]:
    """The top-level deletions of `tex`, left to right, with the offsets of their `}}` and `::` (or -1)."""
    i = 0
    while True:
        match = CLOZE_OPEN.search(tex, i)
        if match is None:
            return
        end, hint_at = _cloze_end(tex, match.end())
        yield match, end, hint_at
        i = end + 2


_MARK = re.compile(r"\\class\{" + CLOZE_MATH_CLASS.format(r"\d+") + r"\}\{")


def unmark_clozes(text: str) -> str:
    """Undo mark_clozes: the TeX as its author wrote it (for summaries)."""
    while True:
        match = _MARK.search(text)
        if not match:
            return text
        depth, i = 1, match.end()
        while i < len(text) and depth:
            if text.startswith(("\\{", "\\}"), i):
                i += 2
                continue
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        text = text[: match.start()] + text[match.end() : i - 1] + text[i:]


def _groupable(tex: str) -> bool:
    """Can `tex` become {tex} unchanged in meaning: balanced braces and \\left/\\right, \\begin/\\end,
    no alignment `&` or line break `\\\\` (they belong to an environment outside), no nested deletion?"""
    if _ALIGNMENT.search(tex) or "{{c" in tex:
        return False
    for opener, closer in (("\\left", "\\right"), ("\\begin", "\\end")):
        if len(re.findall(re.escape(opener) + r"\b", tex)) != len(re.findall(re.escape(closer) + r"\b", tex)):
            return False
    depth = 0
    for piece in re.findall(r"\\[{}]|[{}]", tex):
        if piece in ("{", "}"):
            depth += 1 if piece == "{" else -1
            if depth < 0:
                return False
    return depth == 0


def cloze_variants(tex: str) -> list[str]:
    """The TeX MathJax receives on each side: the answer (all revealed) and each card's question."""
    if "{{c" not in tex:
        return [tex]
    numbers = sorted({int(n) for n in CLOZE_OPEN.findall(tex)})
    return [reveal(tex, None)] + [reveal(tex, n) for n in numbers]


def reveal(tex: str, hidden: int | None) -> str:
    """Resolve cloze markup the way Anki does: deletion `hidden` becomes [...] (or [hint])."""
    if "{{c" not in tex:
        return tex
    out: list[str] = []
    i = 0
    for match, end, hint_at in _clozes_from(tex):
        out.append(tex[i : match.start()])
        if int(match.group(1)) == hidden:
            out.append(f"[{tex[hint_at + 2 : end]}]" if hint_at >= 0 else "[...]")
        else:
            out.append(reveal(tex[match.end() : hint_at if hint_at >= 0 else end], hidden))
        i = end + 2
    out.append(tex[i:])
    return "".join(out)


# Only these characters can change _cloze_end's state; everything between them is skipped at once.
_CLOZE_SPECIAL = re.compile(r"[{}\\:]")


def _cloze_end(tex: str, start: int) -> tuple[int, int]:
    """Offsets of a cloze's closing `}}` and of its hint separator `::` (or -1), at brace depth 0."""
    depth = 0
    hint = -1
    i = start
    n = len(tex)
    while True:
        found = _CLOZE_SPECIAL.search(tex, i)
        if found is None:
            return n, hint
        i = found.start()
        ch = tex[i]
        if ch == "{":
            nested = CLOZE_OPEN.match(tex, i)
            if nested:
                i = _cloze_end(tex, nested.end())[0] + 2
                continue
            depth += 1
        elif ch == "\\":
            if tex.startswith(("\\{", "\\}"), i):
                i += 2
                continue
        elif ch == "}":
            if depth == 0 and tex.startswith("}}", i):
                return i, hint
            depth -= 1
        elif depth == 0 and hint < 0 and tex.startswith("::", i):
            hint = i
        i += 1
