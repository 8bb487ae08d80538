"""Markdown and formulas as Anki receives and shows them."""

from __future__ import annotations

import re
from pathlib import Path
from unittest.mock import patch

from conftest import import_apkg, past
from hypothesis import given, settings
from hypothesis import strategies as st

import dlanki.render as render_module
from dlanki.build import build
from dlanki.errors import Loc
from dlanki.model import TextField
from dlanki.render import Renderer


def render(text: str) -> str:
    result = Renderer().render_field(TextField(text, Loc("cards/t.yaml", 1, 1)))
    assert not result.problems, result.problems
    return result.html


def test_inline_and_display_math_pass_through_untouched():
    tex = r"a_1 * b_2 + \frac{x}{y}_{i} \cdot *c*"
    assert render(f"see ${tex}$") == f"see \\({tex}\\)"
    assert render(f"$${tex}$$") == f"\\[{tex}\\]"
    assert render(f"\\({tex}\\) and \\[{tex}\\]") == f"\\({tex}\\) and \\[{tex}\\]"


def test_html_special_characters_in_math_are_escaped_not_parsed():
    assert render("$a<b>c \\& d$") == "\\(a&lt;b&gt;c \\&amp; d\\)"


def test_markdown_outside_math_still_works():
    html = render("**粗体** and _it_ and `$code$`\n\n- one\n- two")
    assert "<strong>粗体</strong>" in html and "<em>it</em>" in html
    assert "<code>$code$</code>" in html and "<li>two</li>" in html


def test_commonmark_lists_need_no_blank_line_and_nest_by_two_spaces():
    html = render("使它的\n- 深层特征接近内容图,\n- 各层的 Gram 矩阵接近风格图。")
    assert html == "<p>使它的</p>\n<ul>\n<li>深层特征接近内容图,</li>\n<li>各层的 Gram 矩阵接近风格图。</li>\n</ul>"
    nested = render("- top\n  - nested $x_1$\n- next")
    assert "<li>top\n<ul>\n<li>nested \\(x_1\\)</li>\n</ul>\n</li>" in nested
    assert render("1) one\n2) two") == "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"


def test_shipped_card_with_a_list_after_a_sentence_shows_a_list():
    from conftest import REPO

    from dlanki.load import load_deck, load_project

    project, _ = load_project(REPO)
    deck, _ = load_deck(project)
    card = next(c for c in deck.cards if c.id == "style-gatys-method")
    rendered, problems = Renderer().render_card(card)
    assert not problems
    assert rendered.fields[1].count("<li>") == 2


def test_escaped_dollar_is_literal():
    assert render(r"costs \$5 and \$6") == "costs $5 and $6"


def test_tables_and_code_blocks_render():
    html = render("| a | b |\n|---|---|\n| $x_1$ | 2 |\n\n```python\nprint('$x$')\n```")
    assert "<table>" in html and "<td>\\(x_1\\)</td>" in html
    assert "<pre><code class=\"language-python\">print(&#x27;$x$&#x27;)" in html or "print('$x$')" in html


def test_no_double_brace_survives_inside_a_cloze_in_math():
    html = render(r"$\sigma(x) = {{c1::\frac{1}{1+e^{-x}}}}$")
    inner = html[html.index("{{c1::") + 6 : html.rindex("}}")]
    assert "}}" not in inner
    assert re.sub(r"\s", "", inner) == r"\class{dl-c1}{\frac{1}{1+e^{-x}}}"


def test_unclosed_dollar_is_located():
    result = Renderer().render_field(TextField("line one\nthen $x + 1", Loc("cards/t.yaml", 4, 3), block=True, indent=6))
    assert [str(p.loc) for p in result.problems] == ["cards/t.yaml:6:12"]
    assert "never closed" in result.problems[0].message


def test_cloze_inside_formula_works_on_both_sides_in_real_anki(make_project, collection):
    root = make_project(
        {
            "cards/03-extra.yaml": r"""
                deck: Mini::Math
                cards:
                  - id: math-sigmoid
                    type: cloze
                    source: added
                    text: |
                      $$\sigma(x) = {{c1::\frac{1}{1+e^{-x}}}}$$ and ${{c2::x^{2}}}$
            """
        }
    )
    import_apkg(collection, build(root, now=past(100)).output)
    note_id = collection.find_notes("math-sigmoid")[0]
    cards = sorted(collection.get_note(note_id).cards(), key=lambda c: c.ord)
    assert len(cards) == 2
    first_q, first_a = cards[0].question(), cards[0].answer()
    formula_q = re.search(r"\\\[(.*?)\\\]", first_q).group(1)
    assert "[...]" in formula_q and "frac" not in formula_q  # the deletion is hidden, nothing leaks
    assert "}" not in formula_q.replace("\\sigma(x) = [...]", "")  # no stray brace from a broken cloze
    formula_a = re.search(r"\\\[(.*?)\\\]", first_a).group(1)
    # The revealed deletion is marked so the card style can highlight it inside the formula.
    assert re.sub(r"\s", "", formula_a) == r"\sigma(x)=\class{dl-c1}{\frac{1}{1+e^{-x}}}"
    # c2 is shown on c1's card; its mark is highlighted only on card 2 (.card2 .dl-c2 in the card style).
    assert re.sub(r"\s", "", re.search(r"\\\((.*?)\\\)", first_q).group(1)) == r"\class{dl-c2}{x^{2}}"


def test_images_are_packaged_under_their_names(project: Path, collection):
    result = build(project, now=past(100))
    assert result.media == 1
    import_apkg(collection, result.output)
    note = collection.get_note(collection.find_notes("cnn-pooling")[0])
    assert note["Extra"] == '<img src="pool.svg" alt="max pool">'
    assert (Path(collection.media.dir()) / "pool.svg").exists()


def test_emphasis_commonmark_would_not_close_is_a_warning():
    result = Renderer().render_field(TextField("这是**（重点）**内容", Loc("cards/t.yaml", 3, 10)), "em")
    assert "**" in result.html
    assert [(str(p.loc), p.level) for p in result.problems] == [("cards/t.yaml:3:12", "warning")]
    assert "did not turn it into emphasis" in result.problems[0].message
    fine = Renderer().render_field(TextField("这是 **（重点）** 内容, `**code**`", Loc("cards/t.yaml", 1, 1)))
    assert not fine.problems and "<strong>（重点）</strong>" in fine.html


PLAIN_TEXT = st.lists(
    st.sampled_from(
        ["a", "Z", "字", "，", "。", " ", "  ", "\t", "\u3000", "-", "+", "=", "#", "|", "!", ">", "1", "9.", "2)", ")", ".", ":",
         "\n", "\n", "\n\n", " \n", "  \n", "\n ", "\n    ", "\n\u3000", "\n---", "\n===", "\n:--|--:", "a | b\n--|--", "\n1. ",
         "\xa0", "\u2028", "\x0c", "\u200b", "\n \n", "\n\n\n", "\n  \n\n",
         "'", '"', "/", "%", "^", "{", "}", "?", "(", "--", "==", "!!", "||", "x!", "- ", "+ ", "# ", "1. ", "> ", "| a |",
         "$x$", "$$y$$", "{{c1::", "}}", "http://a.b/c", "www.a.bc", "a@b.cd", "&amp;", "*", "_", "`", "[", "]", "<", "\\", "~"]
    ),
    max_size=16,
).map("".join)
FAST, ORACLE = Renderer(), Renderer()


@given(PLAIN_TEXT)
@settings(max_examples=3000, deadline=None)
def test_text_that_skips_markdown_is_what_markdown_renders(text: str):
    """A field of plain lines, with nothing else Markdown would act on, is not given to Markdown: it must
    come out exactly as if it had been. The oracle is the same renderer with every field given to Markdown."""
    source = TextField(text, Loc("cards/x.yaml", 1, 1))
    fast = FAST.render_field(source, "x")
    with patch.object(render_module, "MARKDOWN_SYNTAX", re.compile("")):
        slow = ORACLE.render_field(source, "x")
    assert (fast.html, [str(p) for p in fast.problems]) == (slow.html, [str(p) for p in slow.problems])
