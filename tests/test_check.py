"""Every bad input gets a located, actionable error; the previous build stays untouched."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from conftest import past, write_project

from dlanki.build import build, check
from dlanki.cli import cli

GOOD_CARD = """
deck: Mini::Extra
cards:
  - id: extra-card
    type: basic
    source: added
    front: Question?
    back: Answer.
"""


def card_file(body: str, deck: str = "Mini::Extra") -> str:
    return f"deck: {deck}\ncards:\n" + body


# (name, files to add or replace, expected "location", card id, fragment of the message)
CASES = [
    ("malformed yaml", {"cards/09.yaml": "deck: X\ncards:\n  - id: a\n    front: [unclosed\n"}, "cards/09.yaml:5:1", "", "invalid YAML"),
    ("card not a mapping", {"cards/09.yaml": card_file("  - just a string\n")}, "cards/09.yaml:3:5", "", "a card must be a mapping"),
    (
        "missing source",
        {"cards/09.yaml": card_file("  - id: no-source\n    type: basic\n    front: q\n    back: a\n")},
        "cards/09.yaml:3:5",
        "no-source",
        "card has no `source`",
    ),
    (
        "unknown key with suggestion",
        {"cards/09.yaml": card_file("  - id: typo\n    type: basic\n    source: added\n    front: q\n    bakc: a\n")},
        "cards/09.yaml:7:5",
        "typo",
        "unknown key 'bakc' (did you mean 'back'?)",
    ),
    (
        "wrong type",
        {"cards/09.yaml": card_file("  - id: wrong\n    type: basic\n    source: added\n    front: [a, b]\n    back: a\n")},
        "cards/09.yaml:6:12",
        "wrong",
        "`front` must be text",
    ),
    (
        "empty field",
        {"cards/09.yaml": card_file("  - id: empty\n    type: basic\n    source: added\n    front: q\n    back: ' '\n")},
        "cards/09.yaml:7:12",
        "empty",
        "`back` is empty",
    ),
    (
        "duplicate id within a file",
        {"cards/09.yaml": card_file("  - id: twin\n    type: basic\n    source: added\n    front: q\n    back: a\n" * 2)},
        "cards/09.yaml:8:5",
        "twin",
        "duplicate card id 'twin' (first used at cards/09.yaml:3)",
    ),
    (
        "duplicate id across files",
        {"cards/09.yaml": card_file("  - id: rnn-state\n    type: basic\n    source: added\n    front: q\n    back: a\n")},
        "cards/09.yaml:3:5",
        "rnn-state",
        "duplicate card id 'rnn-state' (first used at cards/02-rnn.yaml:4)",
    ),
    (
        "id not a slug",
        {"cards/09.yaml": card_file("  - id: Bad_Id\n    type: basic\n    source: added\n    front: q\n    back: a\n")},
        "cards/09.yaml:3:5",
        "Bad_Id",
        "card id 'Bad_Id' is not a valid slug",
    ),
    (
        "unknown note type",
        {"cards/09.yaml": card_file("  - id: kind\n    type: clozed\n    source: added\n    text: '{{c1::x}}'\n")},
        "cards/09.yaml:4:11",
        "kind",
        "unknown note type 'clozed' (did you mean 'cloze'?)",
    ),
    (
        "cloze without deletion",
        {"cards/09.yaml": card_file("  - id: nocloze\n    type: cloze\n    source: added\n    text: nothing hidden\n")},
        "cards/09.yaml:6:11",
        "nocloze",
        "cloze card has no deletion",
    ),
    (
        "cloze numbers skip",
        {"cards/09.yaml": card_file("  - id: skip\n    type: cloze\n    source: added\n    text: '{{c1::a}} {{c3::b}}'\n")},
        "cards/09.yaml:6:12",
        "skip",
        "cloze numbers skip c2",
    ),
    (
        "deletion in a basic note",
        {"cards/09.yaml": card_file("  - id: basicc\n    type: basic\n    source: added\n    front: 'a {{c1::b}}'\n    back: a\n")},
        "cards/09.yaml:6:15",
        "basicc",
        "a basic card contains a cloze deletion",
    ),
    (
        "unclosed cloze inside math",
        {"cards/09.yaml": card_file("  - id: brace\n    type: cloze\n    source: added\n    text: '$x = {{c1::\\frac{1}{2}$'\n")},
        "cards/09.yaml:6:12",
        "brace",
        "a cloze inside this formula is not closed",
    ),
    (
        "dollar not closed",
        {"cards/09.yaml": card_file("  - id: dollar\n    type: basic\n    source: added\n    front: |\n      costs $5\n    back: a\n")},
        "cards/09.yaml:7:13",
        "dollar",
        "formula opened with '$' is never closed",
    ),
    (
        "latex mathjax cannot render",
        {"cards/09.yaml": card_file("  - id: tex\n    type: basic\n    source: added\n    front: 'see $\\fracc{1}{2}$'\n    back: a\n")},
        "cards/09.yaml:6:17",
        "tex",
        "Undefined control sequence \\fracc",
    ),
    (
        "missing image",
        {"cards/09.yaml": card_file("  - id: img\n    type: basic\n    source: added\n    front: q\n    back: '![x](nope.svg)'\n")},
        "cards/09.yaml:7:12",
        "img",
        "image 'nope.svg' not found in media/",
    ),
    (
        "image path leaving media",
        {"cards/09.yaml": card_file("  - id: escape\n    type: basic\n    source: added\n    front: q\n    back: '![x](../secret.svg)'\n")},
        "cards/09.yaml:7:12",
        "escape",
        "image path '../secret.svg' leaves media/",
    ),
    (
        "absolute image path",
        {"cards/09.yaml": card_file("  - id: absolute\n    type: basic\n    source: added\n    front: q\n    back: '![x](/etc/x.svg)'\n")},
        "cards/09.yaml:7:12",
        "absolute",
        "image path '/etc/x.svg' leaves media/",
    ),
    (
        "source key with no name",
        {"cards/09.yaml": card_file("  - id: unnamed\n    type: basic\n    source: smith2020\n    front: q\n    back: a\n")},
        "cards/09.yaml:3:5",
        "unnamed",
        "source 'smith2020' has no name in dlanki.yaml",
    ),
    (
        "source item the name cannot show",
        {"cards/09.yaml": card_file("  - id: item\n    type: basic\n    source: added#3\n    front: q\n    back: a\n")},
        "cards/09.yaml:3:5",
        "item",
        "has an item, but the name of 'added' has no {n}",
    ),
    (
        "source names not a mapping",
        {"dlanki.yaml": "package: mini\nguid_namespace: mini-test\nsources: [a, b]\n"},
        "dlanki.yaml:3:10",
        "",
        "`sources` must map source keys to names",
    ),
    ("media name breaking rules", {"media/My Figure.svg": "<svg/>"}, "media/My Figure.svg", "", "breaks dlanki's naming rule"),
    ("media names colliding", {"media/POOL.svg": "<svg/>"}, "media/pool.svg", "", "differ only in case"),
    (
        "script in html",
        {"cards/09.yaml": card_file("  - id: xss\n    type: basic\n    source: added\n    front: q\n    back: 'a <script>alert(1)</script>'\n")},
        "cards/09.yaml:7:14",
        "xss",
        "contains a <script> element",
    ),
    (
        "event handler in html",
        {"cards/09.yaml": card_file("  - id: onx\n    type: basic\n    source: added\n    front: q\n    back: '<b onclick=\"x()\">a</b>'\n")},
        "cards/09.yaml:7:12",
        "onx",
        "contains the `onclick` attribute of <b>",
    ),
    (
        "javascript url",
        {"cards/09.yaml": card_file("  - id: jsurl\n    type: basic\n    source: added\n    front: q\n    back: '[go](javascript:alert(1))'\n")},
        "cards/09.yaml:7:17",
        "jsurl",
        "contains the `href` attribute of <a> ('javascript:alert(1)')",
    ),
    ("non utf-8 file", {"cards/09.yaml": "deck: X\ncards: []\n# caf\xe9\n".encode("latin-1")}, "cards/09.yaml:3:6", "", "not valid UTF-8"),
    ("byte order mark", {"cards/09.yaml": b"\xef\xbb\xbf" + GOOD_CARD.encode()}, "cards/09.yaml:1:1", "", "byte-order mark"),
    (
        "yaml tag constructing objects",
        {"cards/09.yaml": card_file("  - !!python/object/apply:os.system ['echo hi']\n")},
        "cards/09.yaml:3:5",
        "",
        "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    ),
]


@pytest.mark.parametrize("files, where, card_id, fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_reported_with_location_and_nothing_is_written(project: Path, runner, files, where, card_id, fragment):
    previous = build(project, now=past(100)).output
    before = hashlib.sha256(previous.read_bytes()).hexdigest()
    write_project(project, files)

    result = runner.invoke(cli, ["build", "-p", str(project)])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    expected_prefix = f"{where}: error: " + (f"[{card_id}] " if card_id else "")
    lines = [line for line in result.output.splitlines() if line.startswith(expected_prefix)]
    assert any(fragment in line for line in lines), result.output
    assert "hint:" in result.output
    assert "nothing written" in result.output
    assert hashlib.sha256(previous.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in previous.parent.iterdir() if p.name != ".cache") == [previous.name]


def test_empty_cards_directory(tmp_path: Path, runner):
    root = write_project(tmp_path, {"cards/.keep": ""})
    result = runner.invoke(cli, ["check", "-p", str(root)])
    assert result.exit_code == 1
    assert "cards/: error: cards/ has no .yaml files" in result.output


def test_symlink_out_of_media_is_refused(project: Path, tmp_path: Path):
    outside = tmp_path / "outside.svg"
    outside.write_text("<svg/>")
    os.symlink(outside, project / "media/link.svg")
    write_project(project, {"cards/09.yaml": card_file("  - id: link\n    type: basic\n    source: added\n    front: q\n    back: '![x](link.svg)'\n")})
    messages = [str(p) for p in check(project).errors]
    assert any("cards/09.yaml:7:12: error: [link] image 'link.svg' is a link that points outside media/" in m for m in messages)


def test_all_errors_of_a_run_are_reported_at_once(project: Path, runner):
    body = (
        "  - id: one\n    type: basic\n    source: added\n    front: q\n    bakc: a\n"
        "  - id: Two\n    type: basic\n    source: added\n    front: q\n    back: a\n"
    )
    write_project(project, {"cards/09.yaml": card_file(body), "cards/10.yaml": "deck: [\n"})
    result = runner.invoke(cli, ["check", "-p", str(project)])
    assert result.exit_code == 1
    for expected in ("cards/09.yaml:7:5", "cards/09.yaml:8:5", "cards/10.yaml:2:1"):
        assert expected in result.output
    assert "error(s)" in result.output


def test_json_and_github_formats(project: Path, runner):
    write_project(project, {"cards/09.yaml": card_file("  - id: Bad_Id\n    type: basic\n    source: added\n    front: q\n    back: a\n")})
    as_json = runner.invoke(cli, ["check", "-p", str(project), "--format", "json"])
    import json

    problems = json.loads(as_json.stdout)
    assert problems[0] == {
        "path": "cards/09.yaml",
        "line": 3,
        "column": 5,
        "card_id": "Bad_Id",
        "level": "error",
        "message": "card id 'Bad_Id' is not a valid slug",
        "hint": "use lowercase ASCII letters, digits and single hyphens, e.g. `water-boiling-point`",
    }
    github = runner.invoke(cli, ["check", "-p", str(project), "--format", "github"])
    assert github.stdout.startswith("::error file=cards/09.yaml,line=3,col=5,title=Bad_Id::card id 'Bad_Id' is not a valid slug")


def test_check_writes_nothing(project: Path, runner):
    result = runner.invoke(cli, ["check", "-p", str(project)])
    assert result.exit_code == 0 and "ok: 4 notes checked" in result.output
    assert not (project / "build").exists() and not (project / "dlanki.lock").exists()


def test_a_formula_wider_than_a_phone_is_a_located_warning(make_project, runner):
    if shutil.which("node") is None and not os.environ.get("CI"):
        pytest.skip("Node.js is not installed")
    wide = r"L = -\frac{1}{N}\sum_{i=1}^{N}\left[y_i \log \hat{y}_i + (1 - y_i)\log(1 - \hat{y}_i)\right] + \lambda \lVert w \rVert^2"
    narrow = r"\begin{aligned} L &= -\frac{1}{N}\sum_{i=1}^{N} \ell_i \\ &\quad + \lambda \lVert w \rVert^2 \end{aligned}"
    body = (
        f"  - id: wide\n    type: cloze\n    source: added\n    text: |\n      $${{{{c1::{wide}}}}}$$\n"
        f"  - id: narrow\n    type: basic\n    source: added\n    front: q\n    back: |\n      $${narrow}$$\n"
    )
    root = make_project({"cards/09.yaml": card_file(body)})
    result = runner.invoke(cli, ["check", "-p", str(root)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if ": warning: " in line]
    assert len(warnings) == 1, result.output
    assert warnings[0].startswith("cards/09.yaml:7:7: warning: [wide] display formula ${{c1::L = -\\frac")
    assert "too wide for a 360 px phone" in warnings[0]
    strict = runner.invoke(cli, ["check", "--strict", "-p", str(root)])
    assert strict.exit_code == 1


def test_a_short_formula_that_sets_a_length_is_still_measured(make_project, runner):
    """A few characters of TeX can be wide (`\\hskip20em`): the check must not skip them as short."""
    body = "  - id: skip\n    type: basic\n    source: added\n    front: q\n    back: '$a\\hskip20em b$'\n"
    root = make_project({"cards/09.yaml": card_file(body)})
    result = runner.invoke(cli, ["check", "-p", str(root)])
    assert result.exit_code == 0, result.output
    assert "cards/09.yaml:7:12: warning: [skip] inline formula $a\\hskip20em b$ is too wide for a 360 px phone" in result.output


def test_a_formula_written_on_several_cards_is_reported_on_each(make_project, runner):
    """MathJax judges a formula once, but every card that shows it gets its own located problem."""
    if shutil.which("node") is None and not os.environ.get("CI"):
        pytest.skip("Node.js is not installed")
    body = "".join(
        f"  - id: {name}\n    type: basic\n    source: added\n    front: q{name}\n    back: '$\\fracc{{1}}{{2}}$ and $a\\hskip20em b$'\n"
        for name in ("first", "second")
    )
    root = make_project({"cards/09.yaml": card_file(body)})
    result = runner.invoke(cli, ["check", "-p", str(root)])
    assert result.exit_code == 1, result.output
    problems = [line for line in result.output.splitlines() if line.startswith("cards/09.yaml:")]
    assert [line.split(" $")[0] for line in problems] == [
        "cards/09.yaml:7:12: error: [first] MathJax cannot render",
        "cards/09.yaml:7:31: warning: [first] inline formula",
        "cards/09.yaml:12:12: error: [second] MathJax cannot render",
        "cards/09.yaml:12:31: warning: [second] inline formula",
    ], result.output


def test_a_space_between_chinese_text_and_a_deletion_is_a_located_warning(make_project, runner):
    """On a note's other cards a deletion is plain text: 「是 实数 的」 would show gaps between characters.
    Next to Latin letters, digits or a formula the space is how Chinese text spaces mixed scripts."""
    body = (
        "  - id: spaced\n    type: cloze\n    source: added\n    text: |\n"
        "      特征值全是 {{c1::实数}} 的，{{c2::ReLU}} 之后也可以 {{c3::$x$}} 再写。\n"
        "  - id: tight\n    type: cloze\n    source: added\n    text: |\n"
        "      特征值全是{{c1::实数}}的，激活用 {{c2::ReLU}} 和{{c3::输出 token}} 的说法。\n"
    )
    root = make_project({"cards/09.yaml": card_file(body)})
    result = runner.invoke(cli, ["check", "-p", str(root)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if ": warning: " in line]
    assert warnings == [
        (
            "cards/09.yaml:7:12: warning: [spaced] 2 space(s) between Chinese text and a deletion: on this note's "
            "other cards the deletion is plain text, and the space a gap between two characters"
        )
    ], result.output
    assert runner.invoke(cli, ["check", "--strict", "-p", str(root)]).exit_code == 1
