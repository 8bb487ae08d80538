"""Hostile HTML never reaches a learner: the rendered HTML is sanitised by an allow-list, and every
removal is a located error. What the real Anki backend stores is checked too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import MINIMAL, import_apkg, past, write_project
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz import SETTINGS

from dlanki.build import build, check
from dlanki.errors import Loc
from dlanki.model import TextField
from dlanki.render import Renderer

# Each field is written the way a hostile contributor would get it past a check that reads Markdown.
HOSTILE = [
    ("handler after a > in an attribute", '<img alt="a>b" src=x onerror=alert(1)>', "onerror"),
    ("entity-encoded javascript link", "[tap](&#106;avascript:alert(1))", "href"),
    ("entity-encoded javascript in raw html", '<a href="&#x6A;avascript:alert(1)">tap</a>', "href"),
    ("unquoted remote image", "<img src=https://tracker.example/p.gif>", "tracker.example"),
    ("style with url()", '<span style="background:url(https://tracker.example/p)">x</span>', "style"),
    ("style element", "<style>body{background:url(https://tracker.example/p)}</style>", "<style"),
    ("base element", '<base href="https://evil.example/">', "<base"),
    ("svg with onload", "<svg onload=alert(1)><circle r=5></circle></svg>", "<svg"),
    ("script element", "text <script>alert(1)</script>", "<script"),
    ("iframe", '<iframe src="https://evil.example"></iframe>', "<iframe"),
    ("form with action", '<form action="https://evil.example"><input name=q></form>', "<form"),
    ("link element", '<link rel=stylesheet href="https://tracker.example/s.css">', "<link"),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example">', "<meta"),
    ("object", '<object data="https://evil.example/x.swf"></object>', "<object"),
    ("data url image", '<img src="data:image/svg+xml,<svg onload=alert(1)>">', "data:"),
]
UNSAFE = re.compile(r"<\s*(script|style|base|svg|iframe|form|link|meta|object|embed)\b|\son\w+\s*=|javascript:|url\(|https?://", re.IGNORECASE)


def render(text: str):
    return Renderer().render_field(TextField(text, Loc("cards/t.yaml", 7, 12)), "card-x")


@pytest.mark.parametrize("text, needle", [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_html_is_removed_and_reported(text: str, needle: str):
    result = render("ok " + text)
    assert not UNSAFE.search(result.html), result.html
    image_urls = [src for src, _ in result.images if not re.match(r"^[\w.-]+$", src)]
    assert result.problems or image_urls, f"nothing reported for {text!r}"
    for problem in result.problems:
        assert problem.card_id == "card-x" and problem.loc.path == "cards/t.yaml" and problem.loc.line == 7
        assert "which a card may not have" in problem.message


def test_safe_markdown_and_html_pass_unchanged():
    text = "**b** <sub>2</sub> <kbd>Ctrl</kbd> [docs](https://example.org) `<script>` ![fig](a.svg)\n\n| a |\n|:-:|\n| 1 |"
    result = render(text)
    assert not result.problems
    assert '<a href="https://example.org">docs</a>' in result.html and "<sub>2</sub>" in result.html
    assert "<code>&lt;script&gt;</code>" in result.html and 'style="text-align:center"' in result.html


def test_the_shipped_deck_loses_nothing_to_the_sanitiser():
    from conftest import REPO

    from dlanki.load import load_deck, load_project

    project, _ = load_project(REPO)
    deck, _ = load_deck(project)
    renderer = Renderer(source_names=project.sources)
    problems = [p for card in deck.cards for p in renderer.render_card(card)[1]]
    assert problems == []


def test_a_remote_image_is_refused_with_its_location(make_project):
    card = "deck: Mini::X\ncards:\n  - id: track\n    type: basic\n    source: added\n    front: q\n    back: 'see <img src=https://t.example/p.gif>'\n"
    result = check(make_project({"cards/09.yaml": card}))
    messages = [str(p) for p in result.errors]
    assert any(m.startswith("cards/09.yaml:7:16: error: [track] image 'https://t.example/p.gif' is a URL") for m in messages), messages


def test_formula_html_is_never_sanitised_away():
    result = render(r"$a<b$ and $\{x\}$ <b>bold</b>")
    assert result.html == r"\(a&lt;b\) and \(\{x\}\) <b>bold</b>"


def test_what_real_anki_stores_after_import_has_no_script(make_project, collection):
    """A build refuses hostile cards; the allowed HTML it ships is what Anki stores, byte for byte."""
    safe = "deck: Mini::X\ncards:\n  - id: safe-html\n    type: basic\n    source: added\n    front: '<b>q</b> <sub>2</sub>'\n    back: '[docs](https://example.org)'\n"
    root = make_project({"cards/09.yaml": safe})
    import_apkg(collection, build(root, now=past(100)).output)
    note = collection.get_note(collection.find_notes("safe-html")[0])
    assert note["Front"] == "<b>q</b> <sub>2</sub>" and note["Back"] == '<a href="https://example.org">docs</a>'
    hostile = safe.replace("<sub>2</sub>", "<img src=x onerror=alert(1)>")
    write_project(root, {"cards/09.yaml": hostile})
    assert any("`onerror` attribute of <img>" in p.message for p in check(root).errors)


HTML_ALPHABET = st.sampled_from(
    ["<", ">", "/", "=", '"', "'", " ", "\n", "&", "#", ";", "x", "(", ")", ":", "[", "]", "!", "`", "*"]
    + ["script", "style", "img", "a", "svg", "src", "href", "onerror", "onload", "javascript", "url", "http", "https"]
    + ["&#106;", "&#x3C;", "//evil.example", "data", "base", "iframe", "{{c1::", "}}", "$"]
)


@SETTINGS
@given(st.lists(HTML_ALPHABET, max_size=60).map("".join))
def test_random_html_and_markdown_never_survive_sanitising(text: str):
    result = render(text)
    # What a learner's device would act on: tags, handlers and URLs in attributes or CSS.
    for tag in re.findall(r"<[^>]*>", result.html):
        assert not re.search(r"^<\s*(script|style|svg|iframe|base|object|embed|link|meta|form)\b", tag, re.IGNORECASE), tag
        assert not re.search(r"\son\w+\s*=", tag, re.IGNORECASE), tag
        assert not re.search(r"(src|href)\s*=\s*\"?\s*(javascript|data|https?:|//)", tag, re.IGNORECASE), tag
        assert "url(" not in tag.lower(), tag


def test_random_cards_never_ship_unsafe_html(tmp_path: Path):
    """The whole pipeline: a hostile card is an error, so no package is written with it."""
    for _, text, _ in HOSTILE:
        root = write_project(tmp_path / str(abs(hash(text))), {**MINIMAL, "cards/09.yaml": "deck: M::X\ncards:\n  - id: h\n    type: basic\n    source: added\n    front: q\n    back: " + repr(text).replace("\\\\", "\\") + "\n"})
        assert check(root).errors, text
