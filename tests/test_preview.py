"""`dlanki preview`: card sides exactly as real Anki renders them, and a page real Chromium shows
with every formula typeset, every image loaded and working filters."""

from __future__ import annotations

import io
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import MINIMAL, REPO, import_apkg, past, write_project

from dlanki import console
from dlanki.build import build, check
from dlanki.cli import cli
from dlanki.load import load_project
from dlanki.mathjax import find_mathjax
from dlanki.notetypes import note_types
from dlanki.package import guid_for
from dlanki.preview import count_formulas, mathjax_bundle, preview_cards, write_preview
from dlanki.templating import TemplateError, card_sides, cloze_filter, render_template

ARTIFACTS = REPO / "build" / "test-artifacts"

# A diagram with its own size, as tools/diagrams.py writes them.
DIAGRAM = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120" viewBox="0 0 240 120">'
    '<rect x="10" y="10" width="100" height="100" fill="none" stroke="#1f2328" stroke-width="3"/>'
    '<path d="M130 100 L170 20 L210 100 Z" fill="#0b5cad"/></svg>\n'
)

# Every template and cloze rule the note types use: hints, nesting, inactive deletions, a deletion
# inside a formula, a formula inside a deletion, code that looks like TeX, empty and filled Extra.
RICH = {
    **MINIMAL,
    "cards/03-more.yaml": r"""
        deck: Mini::More
        tags: [dl::more]
        cards:
          - id: more-hint
            type: cloze
            source: added
            text: |
              The {{c1::sigmoid·it's::function name}} squashes to {{c2::$(0, 1)$}}; its slope at 0 is {{c3::$\frac{1}{4}$::a fraction}}.
            extra: |
              | a | b |
              |---|---|
              | $x_1$ | `\(code\)` |

              ![a diagram](diagram.svg)
          - id: more-nested
            type: cloze
            source: added
            text: "Outer {{c1::alpha beta gamma}} end, and $a = {{c2::b::hint}} + {{c1::c}}$"
          - id: more-math-cloze
            type: cloze
            source: added
            text: "**Bold** words and $$E = {{c1::mc^2}} + {{c2::p}}$$"
          - id: more-basic
            type: basic
            source: ["000#1", "004#2"]
            front: "**Bold** question with <b>html</b> & an ampersand"
            back: "- one\n- two $x<y$\n\n$$\\sum_{i=1}^{n} x_i$$"
    """,
    "media/diagram.svg": DIAGRAM,
}


def visible_text(fragment: str) -> str:
    """Text content with whitespace normalised, as a reader would compare two sides."""

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("style", "script")

        def handle_endtag(self, tag):
            self.skip -= tag in ("style", "script")

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(fragment)
    return " ".join("".join(parser.parts).split())


# -- the renderer, rule by rule -------------------------------------------------------------------


def test_conditional_sections_and_frontside():
    template = "{{Front}}{{#Extra}}<i>{{Extra}}</i>{{/Extra}}{{^Extra}}none{{/Extra}}|{{FrontSide}}"
    assert render_template(template, {"Front": "Q", "Extra": ""}, 0) == "Qnone|"
    assert render_template(template, {"Front": "Q", "Extra": " <br> "}, 0) == "Qnone|"  # Anki: empty
    assert render_template(template, {"Front": "Q", "Extra": "x"}, 0, frontside="QQ") == "Q<i>x</i>|QQ"


def test_unsupported_template_syntax_is_an_error_not_a_wrong_preview():
    with pytest.raises(TemplateError):
        render_template("{{tts en_US:Front}}", {"Front": "x"}, 0)
    with pytest.raises(TemplateError):
        render_template("{{#Extra}}open", {"Extra": "x"}, 0)
    with pytest.raises(TemplateError):
        render_template("{{Missing}}", {"Front": "x"}, 0)


def test_cloze_question_and_answer_sides():
    text = r"a {{c1::x::hint}} b {{c2::y}} \(z = {{c1::w}}\)"
    assert cloze_filter(text, 1, question=True) == (
        'a <span class="cloze" data-cloze="x" data-ordinal="1">[hint]</span> b '
        '<span class="cloze-inactive" data-ordinal="2">y</span> \\(z = [...]\\)'
    )
    assert cloze_filter(text, 1, question=False) == (
        'a <span class="cloze" data-ordinal="1">x</span> b <span class="cloze-inactive" data-ordinal="2">y</span> \\(z = w\\)'
    )
    assert cloze_filter(text, 3, question=True) == ""  # no such deletion: Anki shows an empty card


def test_double_brace_closes_a_deletion_whatever_the_latex_braces():
    # Why dlanki spaces out `}}` inside formulas: Anki ends the deletion at the first `}}`.
    assert cloze_filter(r"\(x = {{c1::\frac{1}{2}}}\)", 1, question=False) == r"\(x = \frac{1}{2}\)"
    assert cloze_filter(r"\(x = {{c1::\frac{1}{2} }}\)", 1, question=True) == r"\(x = [...]\)"


def test_basic_sides_use_the_packaged_templates():
    types = note_types(load_project(REPO)[0])
    question, answer = card_sides(types["basic"], ("Q?", "A!", "", "src · id"), 1)
    assert '<div class="dl-question">Q?</div>' in question and "A!" not in question
    assert "Q?" in answer and '<div class="dl-answer">A!</div>' in answer and "dl-extra" not in answer


def test_formula_count_skips_code():
    assert count_formulas(r"\(a\) and \[b\] <code>\(c\)</code> <pre>\[d\]</pre>") == 2


# -- the proof: the same sides as the real Anki backend -------------------------------------------


def test_sides_match_real_anki_card_for_card(tmp_path: Path, collection):
    root = write_project(tmp_path / "rich", RICH)
    result = build(root, now=past(100))
    import_apkg(collection, result.output)
    checked = check(root)
    mine = {(c.item.card.id, c.ordinal): c for c in preview_cards(checked.rendered, note_types(checked.project))}
    ids = {guid_for(checked.project.guid_namespace, item.card.id): item.card.id for item in checked.rendered}

    compared = 0
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        ours = mine[(ids[card.note().guid], card.ord + 1)]
        anki_question = re.sub(r"^<style>.*?</style>", "", card.question(), flags=re.DOTALL)
        anki_answer = re.sub(r"^<style>.*?</style>", "", card.answer(), flags=re.DOTALL)
        assert visible_text(ours.question) == visible_text(anki_question), ours.anchor
        assert visible_text(ours.answer) == visible_text(anki_answer), ours.anchor
        assert (ours.question, ours.answer) == (anki_question, anki_answer), ours.anchor  # byte for byte, even
        compared += 1
    assert compared == len(mine) == 13


# -- the site on disk -----------------------------------------------------------------------------


def test_preview_writes_a_self_contained_site(project: Path):
    checked = check(project)
    result = write_preview(checked.project, checked.rendered, find_mathjax())
    site = project / "build" / "preview"
    assert result.index == site / "index.html"
    assert (result.notes, result.cards, result.media, result.mathjax) == (4, 5, 1, True)
    assert (site / "pool.svg").read_text().startswith("<svg")
    assert (site / "_dlanki" / "mathjax" / "startup.js").is_file()
    assert (
        site / "_dlanki" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2" / "MathJax_Main-Regular.woff"
    ).is_file()
    page = result.index.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing fetched from the network
    assert page.count('class="pv-card"') == 5
    assert 'id="pv-no-mathjax" hidden' in page
    assert "@@" not in page


def test_preview_without_mathjax_says_so(project: Path):
    checked = check(project)
    result = write_preview(checked.project, checked.rendered, None)
    page = result.index.read_text(encoding="utf-8")
    assert not result.mathjax
    assert 'id="pv-no-mathjax" >' in page and "DLANKI_MATHJAX" in page
    assert "startup.js" not in page and not (result.index.parent / "_dlanki" / "mathjax").exists()


def test_preview_replaces_the_previous_one_but_never_a_foreign_folder(project: Path, tmp_path: Path):
    checked = check(project)
    first = write_preview(checked.project, checked.rendered, None)
    (first.index.parent / "stale.svg").write_text("old")
    write_preview(checked.project, checked.rendered, None)
    assert not (first.index.parent / "stale.svg").exists()

    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        write_preview(checked.project, checked.rendered, None, output=foreign)
    assert (foreign / "keep.txt").read_text() == "mine"


def test_cli_preview(project: Path, runner, monkeypatch):
    done = runner.invoke(cli, ["preview", "-p", str(project)])
    assert done.exit_code == 0, done.output
    assert "5 cards of 4 notes, 8 formulas, 1 media files" in done.stdout
    assert "\r" not in done.output  # no progress bar outside a terminal

    monkeypatch.setenv("DLANKI_MATHJAX", str(project / "nowhere"))
    done = runner.invoke(cli, ["preview", "-p", str(project)])
    assert done.exit_code == 0
    assert "warning: formulas show as raw TeX: $DLANKI_MATHJAX" in done.stderr


def test_cli_preview_still_writes_when_sources_have_errors(make_project, runner):
    root = make_project(
        {
            "cards/09-bad.yaml": "deck: Mini::Bad\ncards:\n  - id: bad-one\n    type: basic\n    source: added\n    front: Q\n    back: \"![a diagram](missing.svg)\"\n"
        }
    )
    done = runner.invoke(cli, ["preview", "-p", str(root)])
    assert done.exit_code == 1
    assert (root / "build" / "preview" / "index.html").is_file()
    assert "bad-one" in done.stderr and "would refuse" in done.stderr


# -- real Chromium --------------------------------------------------------------------------------


SHOWN = "Array.from(document.querySelectorAll('.pv-card')).filter(c => !c.hidden).map(c => c.id)"


def _goto(page, url: str) -> None:
    """Load `url` afresh, even if only its #fragment differs from the page shown."""
    page.goto("about:blank")
    page.goto(url)


def test_preview_in_real_chromium(tmp_path: Path, runner, new_page):
    assert mathjax_bundle(find_mathjax()) is not None, "dlanki's bundled MathJax is incomplete"
    root = write_project(tmp_path / "rich", RICH)
    done = runner.invoke(cli, ["preview", "-p", str(root)])
    assert done.exit_code == 0, done.output
    index = root / "build" / "preview" / "index.html"
    checked = check(root)
    cards = preview_cards(checked.rendered, note_types(checked.project))
    formulas = sum(card.formulas for card in cards)
    images = sum(side.count("<img ") for card in cards for side in (card.question, card.answer))
    assert formulas >= 20 and images >= 2

    page, log = new_page(1280, 900)
    page.goto(index.as_uri())
    ready = page.evaluate("window.dlankiPreview.ready.then(r => ({typeset: r.typeset, errors: r.errors, mathjax: r.mathjax}))")

    # Every formula typeset, none with an error, no raw TeX left in the visible text.
    assert ready == {"typeset": formulas, "errors": [], "mathjax": True}
    assert page.evaluate("document.querySelectorAll('.pv-list mjx-container').length") == formulas
    assert page.evaluate("document.querySelectorAll('mjx-merror, merror, .pv-math-error').length") == 0
    text = page.evaluate(
        "(() => { const c = document.querySelector('.pv-list').cloneNode(true);"
        " c.querySelectorAll('code, pre, mjx-assistive-mml').forEach(e => e.remove()); return c.textContent; })()"
    )
    assert not re.search(r"\\[()\[\]]", text), text
    assert "[...]" in text and "[a fraction]" in text  # cloze question sides, hint included

    # Every image loaded, from the folder itself; nothing requested from anywhere else.
    loaded = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.src])")
    assert len(loaded) == images and all(ok and width > 0 for ok, width, _ in loaded), loaded
    assert log.requests and all(url.startswith(index.parent.as_uri()) for url in log.requests), log.requests
    assert any(url.endswith("/_dlanki/mathjax/input/tex-full.js") for url in log.requests)
    assert log.errors == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "preview-desktop.png", full_page=True)

    # A revealed deletion is highlighted inside a formula too, on its own card only; bold is not a cloze.
    style = (
        "(sel => { const e = document.querySelector(sel); const s = getComputedStyle(e);"
        " return [s.backgroundColor, s.color]; })"
    )
    chip = ["rgb(221, 244, 255)", "rgb(5, 80, 174)"]
    assert page.evaluate(style + "('#more-math-cloze-1 .pv-a .dl-c1')") == chip
    assert page.evaluate(style + "('#more-math-cloze-2 .pv-a .dl-c2')") == chip
    plain = page.evaluate(style + "('#more-math-cloze-1 .pv-a .dl-c2')")
    assert plain[0] == "rgba(0, 0, 0, 0)" and plain != chip  # c2 on card 1 is context, not the answer
    assert page.evaluate("document.querySelectorAll('#more-math-cloze-1 .pv-q .dl-c1').length") == 0
    assert page.evaluate(style + "('#more-hint-1 .pv-a .cloze')") == chip
    assert page.evaluate(style + "('#more-math-cloze-1 .pv-a strong')")[0] == "rgba(0, 0, 0, 0)"

    # The tag filter, like Anki's tag: search: the tag and its children, nothing else.
    page.fill("#pv-tag", "dl::cnn")
    cnn = [c.anchor for c in cards if any(t == "dl::cnn" or t.startswith("dl::cnn::") for t in c.item.card.tags)]
    assert page.evaluate(SHOWN) == cnn and len(cnn) == 3
    assert "tag=dl%3A%3Acnn" in page.evaluate("location.hash")
    page.fill("#pv-tag", "DL::CNN::pool*")
    assert page.evaluate(SHOWN) == ["cnn-pooling-1"]

    # Subdeck and free-text filters, combined with the tag filter cleared.
    page.fill("#pv-tag", "")
    page.select_option("#pv-deck", "Mini::More")
    assert page.evaluate(SHOWN) == [c.anchor for c in cards if c.item.card.deck == "Mini::More"]
    page.fill("#pv-text", "ampersand")
    assert page.evaluate(SHOWN) == ["more-basic-1"]

    # A shared address restores the filters; night mode is Anki's class on the body; fits a phone.
    phone, phone_log = new_page(412, 900, mobile=True)
    _goto(phone, index.as_uri() + "#tag=dl::more")
    phone.evaluate("window.dlankiPreview.ready")
    assert phone.evaluate(SHOWN) == [c.anchor for c in cards if "dl::more" in c.item.card.tags]
    phone.click("#pv-night")
    assert phone.evaluate("document.body.classList.contains('nightMode')")
    assert phone.evaluate("getComputedStyle(document.querySelector('.pv-side > .card')).backgroundColor") == "rgb(47, 47, 49)"
    assert "invert(1)" in phone.evaluate("getComputedStyle(document.querySelector('img[src$=\".svg\"]')).filter")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 412
    assert phone_log.errors == []
    phone.screenshot(path=ARTIFACTS / "preview-phone-night.png")


def test_no_card_side_of_the_shipped_deck_is_wider_than_a_phone(tmp_path: Path, new_page):
    """Every card side of the deck at 360 px (the width of most Android phones): no formula needs
    scrolling and nothing pushes the page sideways. One page holds every card, so this takes seconds."""
    checked = check(REPO)
    site = write_preview(checked.project, checked.rendered, find_mathjax(), output=tmp_path / "preview")
    page, _ = new_page(360, 800, mobile=True)
    page.goto(site.index.as_uri())
    ready = page.evaluate("window.dlankiPreview.ready.then(r => ({typeset: r.typeset, errors: r.errors.length}))")
    assert ready["errors"] == 0 and ready["typeset"] > 1000
    too_wide = page.evaluate(
        """Array.from(document.querySelectorAll('.pv-side .dl-card')).flatMap(side => {
             const box = side.getBoundingClientRect(), s = getComputedStyle(side);
             const right = box.right - parseFloat(s.paddingRight) + 1;
             const id = side.closest('.pv-card').id + (side.closest('.pv-q') ? ' question' : ' answer');
             const parts = Array.from(side.querySelectorAll('mjx-math, img, table, pre'))
               .filter(e => e.getBoundingClientRect().right > right);
             return parts.length ? [id + ': ' + parts.map(e => e.tagName.toLowerCase()).join(', ')] : [];
           })"""
    )
    assert too_wide == [], f"{len(too_wide)} card sides wider than a 360 px phone: {too_wide[:20]}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_chromium_flags_broken_formulas_and_missing_mathjax(tmp_path: Path, make_project, new_page):
    """The zero-error result above means something: a broken formula is caught, missing MathJax is said,
    and the sources' problems are listed at the top of the page."""
    root = make_project(
        {
            "cards/09-bad.yaml": "deck: Mini::Bad\ncards:\n  - id: bad-one\n    type: basic\n    source: added\n    front: Q\n    back: $\\fracc{1}{2}$ and $\\frac{1}{2$\n"
        }
    )
    checked = check(root)
    with_mathjax = write_preview(checked.project, checked.rendered, find_mathjax(), output=tmp_path / "a", problems=checked.problems)
    without = write_preview(checked.project, checked.rendered, None, output=tmp_path / "b")
    page, _ = new_page()
    page.goto(with_mathjax.index.as_uri())
    errors = page.evaluate("window.dlankiPreview.ready.then(r => r.errors.map(e => e.tex))")
    # An undefined macro (Anki shows it in red) and unbalanced braces (Anki shows raw TeX).
    assert sorted(errors) == ["\\(\\frac{1}{2\\)", "\\fracc{1}{2}"]
    assert page.evaluate("document.querySelectorAll('.pv-card.pv-has-error').length") == 1
    assert not page.evaluate("document.getElementById('pv-math-errors').hidden")
    problems = page.inner_text("#pv-problems")
    assert "in the sources" in problems and "cards/09-bad.yaml:7:" in problems and "[bad-one] MathJax cannot render" in problems

    _goto(page, without.index.as_uri())
    assert page.evaluate("window.dlankiPreview.ready.then(r => r.mathjax)") is False
    assert page.evaluate("getComputedStyle(document.getElementById('pv-no-mathjax')).display") != "none"
    assert "\\(\\fracc{1}{2}\\)" in page.inner_text(".pv-list")
    assert page.query_selector("#pv-problems") is None


def test_progress_bar_only_for_long_runs_at_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    small = console.ProgressBar("rendering cards")
    for done in range(1, 11):
        small(done, 10)
    small.close()
    assert screen.getvalue() == ""

    big = console.ProgressBar("rendering cards")
    for done in range(1, 601):
        big(done, 600)
    big.close()
    assert "rendering cards" in screen.getvalue() and "100%" in screen.getvalue()

    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a pipe or a log: never a bar
    piped = console.ProgressBar("rendering cards")
    piped(1, 10_000)
    assert piped._bar is None
