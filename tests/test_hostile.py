"""Hostile or broken sources never reach a learner: one test per class of bad input.

Each asserts what the author sees (the located error: file, line, card id; exit status 1; no
traceback) and what is left on disk (the previous package byte-identical, dlanki.lock unchanged).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path

import pytest
from conftest import import_apkg, past, write_project

from dlanki.build import build, check
from dlanki.cli import cli

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'


def card_file(body: str, deck: str = "Mini::Extra") -> str:
    return f"deck: {deck}\ncards:\n" + body


def basic(card_id: str, back: str) -> str:
    return card_file(f"  - id: {card_id}\n    type: basic\n    source: added\n    front: q\n    back: {back}\n")


def cloze(card_id: str, text: str) -> str:
    return card_file(f"  - id: {card_id}\n    type: cloze\n    source: added\n    text: {text}\n")


def image_card(name: str) -> str:
    return basic("uses-image", f"'![figure]({name})'")


# (class, files to add, "path:line[:col]" the error starts with, card id, fragment of the message)
CASES = [
    # Script and tracking in the HTML Anki receives, however it is written.
    ("handler after > in an attribute", {"cards/09.yaml": basic("h1", "'<img alt=\"a>b\" src=pool.svg onerror=alert(1)>'")}, "cards/09.yaml:7:40", "h1", "`onerror` attribute of <img>"),
    ("entity-encoded javascript link", {"cards/09.yaml": basic("h2", "'[tap](&#106;avascript:alert(1))'")}, "cards/09.yaml:7:12", "h2", "`href` attribute of <a>"),
    ("unquoted remote image", {"cards/09.yaml": basic("h3", "'x <img src=https://t.example/p.gif>'")}, "cards/09.yaml:7:14", "h3", "image 'https://t.example/p.gif' is a URL"),
    ("style with url()", {"cards/09.yaml": basic("h4", "'<b style=\"background:url(https://t.example/p)\">x</b>'")}, "cards/09.yaml:7:12", "h4", "`style` attribute of <b>"),
    ("style element", {"cards/09.yaml": basic("h5", "'x <style>*{background:url(https://t.example/p)}</style>'")}, "cards/09.yaml:7:14", "h5", "a <style> element"),
    ("base element", {"cards/09.yaml": basic("h6", "'<base href=\"https://evil.example/\"> x'")}, "cards/09.yaml:7:12", "h6", "a <base> element"),
    ("svg onload in a card", {"cards/09.yaml": basic("h7", "'<svg onload=alert(1)></svg> x'")}, "cards/09.yaml:7:12", "h7", "a <svg> element"),
    ("url() in TeX \\style", {"cards/09.yaml": basic("h8", "'$\\style{background:url(https://t.example/p)}{x}$'")}, "cards/09.yaml:7:12", "h8", "formula uses \\style"),
    ("TeX \\href", {"cards/09.yaml": basic("h9", "'$\\href{javascript:alert(1)}{x}$'")}, "cards/09.yaml:7:12", "h9", "formula uses \\href"),
    # Media: what a file really is, and SVG that would run or load something.
    ("svg with a script", {"media/evil.svg": f"<svg {SVG_NS}><script>alert(1)</script></svg>"}, "media/evil.svg", "", "SVG contains a <script> element"),
    ("svg with an event handler", {"media/evil.svg": f'<svg {SVG_NS} onload="alert(1)"><rect/></svg>'}, "media/evil.svg", "", "event handler `onload`"),
    ("svg with an external href", {"media/evil.svg": f'<svg {SVG_NS} xmlns:x="http://www.w3.org/1999/xlink"><image x:href="https://t.example/p.png"/></svg>'}, "media/evil.svg", "", "links to 'https://t.example/p.png'"),
    ("svg with a javascript href", {"media/evil.svg": f'<svg {SVG_NS}><a href="javascript:alert(1)"><rect/></a></svg>'}, "media/evil.svg", "", "links to 'javascript:alert(1)'"),
    ("png named .svg", {"media/fake.svg": PNG}, "media/fake.svg:1:1", "", "it is a PNG image"),
    ("garbage named .svg", {"media/junk.svg": b"\x00\x01garbage"}, "media/junk.svg:1:1", "", "not a well-formed SVG"),
    ("html referenced as an image", {"media/page.html": "<html><script>alert(1)</script></html>", "cards/09.yaml": image_card("page.html")}, "media/page.html", "", "is not an image dlanki packages"),
    ("html named .png", {"media/page.png": "<!doctype html><html></html>"}, "media/page.png", "", "it is an HTML page"),
    # Writes outside build/ or over sources.
    ("package name leaving build/", {"dlanki.yaml": "package: ../../escape\nguid_namespace: mini-test\nsources: {added: Added}\n"}, "dlanki.yaml:1:10", "", "package name '../../escape' is not a plain file name"),
    # Inputs that used to end in a traceback.
    ("deeply nested YAML", {"cards/09.yaml": "deck: X\ncards:\n" + "  " + "- " * 60 + "x\n"}, "cards/09.yaml:3:65", "", "nested more than 32 levels deep"),
    ("cloze number too large", {"cards/09.yaml": cloze("huge", "'{{c99999999999999999999::x}}'")}, "cards/09.yaml:6:12", "huge", "outside c1…c500"),
    ("reference image outside media", {"cards/09.yaml": basic("ref-img", "|\n      ![x][r]\n\n      [r]: ../../etc/passwd")}, "cards/09.yaml:10:12", "ref-img", "image path '../../etc/passwd' leaves media/"),
    # Where Anki would count cards differently from dlanki.
    ("nested clozes", {"cards/09.yaml": cloze("nest", "'{{c1::a {{c2::b}} c}}'")}, "cards/09.yaml:6:20", "nest", "is nested inside {{c1::"),
    ("unclosed cloze", {"cards/09.yaml": cloze("open", "'see {{c1::this'")}, "cards/09.yaml:6:16", "open", "never closed"),
    ("empty cloze", {"cards/09.yaml": cloze("blank", "'see {{c1::}} and {{c2::x}}'")}, "cards/09.yaml:6:16", "blank", "empty deletion"),
    ("zero-width field", {"cards/09.yaml": basic("zw", '"\\u200b\\u200c\\u2060"')}, "cards/09.yaml:7:12", "zw", "`back` is empty"),
    ("numbered list of clozes", {"cards/09.yaml": cloze("multi", "'{{c1,2::x}}'")}, "cards/09.yaml:6:12", "multi", "has no single number"),
    # Control characters, escaped or raw.
    ("escaped control character", {"cards/09.yaml": basic("ctl", '"bell \\x07 and escape \\x1b[31m"')}, "cards/09.yaml:7:11", "", "control character U+0007"),
    ("raw control character", {"cards/09.yaml": basic("raw", "a\x1bb")}, "cards/09.yaml:7:12", "", "control character U+001B"),
    # Bombs.
    ("alias bomb", {"cards/09.yaml": "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\ndeck: X\ncards: []\n"}, "cards/09.yaml:2:8", "", "YAML aliases (*name) are not supported (40 in this file)"),
    ("a field of 40 KB of [", {"cards/09.yaml": basic("brackets", "'" + "[" * 40_000 + "'")}, "cards/09.yaml:7:12", "brackets", "`back` is 40,000 characters long"),
    ("a 4 MB line", {"cards/09.yaml": basic("long", "'" + "x" * 4_000_000 + "'")}, "cards/09.yaml", "", "dlanki reads files of at most 1 MiB"),
]


@pytest.fixture
def published(project: Path):
    """A project built once: its package and ledger are what must survive bad input untouched."""
    output = build(project, now=past(100)).output
    return project, output


def fingerprint(project: Path, output: Path) -> tuple[str, str]:
    return hashlib.sha256(output.read_bytes()).hexdigest(), (project / "dlanki.lock").read_text()


@pytest.mark.parametrize("files, where, card_id, fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_a_located_error_and_changes_nothing(published, runner, files, where, card_id, fragment):
    project, output = published
    before = fingerprint(project, output)
    write_project(project, files)

    started = time.monotonic()
    result = runner.invoke(cli, ["build", "-p", str(project)])
    assert time.monotonic() - started < 30, "bad input must finish in seconds"

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    located = [line for line in result.output.splitlines() if line.split(": error:")[0] == where and ": error:" in line]
    assert any(fragment in line for line in located), result.output[:3000]
    if card_id:
        assert any(f"[{card_id}]" in line and fragment in line for line in located), result.output[:3000]
    assert "nothing written" in result.output
    assert fingerprint(project, output) == before


def test_a_project_without_dlanki_yaml_is_an_error_that_says_how_to_start_one(project: Path, runner):
    (project / "dlanki.yaml").unlink()
    result = runner.invoke(cli, ["build", "-p", str(project)])
    assert result.exit_code == 1
    assert "dlanki.yaml: error: no dlanki.yaml" in result.output and "dlanki new" in result.output
    assert not (project / "build").exists()


def test_no_guid_namespace_means_no_default_identity(project: Path, runner):
    write_project(project, {"dlanki.yaml": "package: mini\nsources: {'000': 'n {n}', '004': 'q {n}', added: A}\n"})
    result = runner.invoke(cli, ["check", "-p", str(project)])
    assert result.exit_code == 1 and "dlanki.yaml:1: error: no `guid_namespace` in dlanki.yaml" in result.output


def test_an_edited_namespace_is_an_error_naming_the_published_one(published, runner):
    project, output = published
    before = fingerprint(project, output)
    config = project / "dlanki.yaml"
    config.write_text(config.read_text().replace("guid_namespace: mini-test", "guid_namespace: mini-test-2"))
    result = runner.invoke(cli, ["build", "-p", str(project)])
    assert result.exit_code == 1
    assert "dlanki.yaml:2:1: error: guid_namespace changed from 'mini-test' to 'mini-test-2'" in result.output
    assert "delete dlanki.lock" in result.output
    assert fingerprint(project, output) == before


def test_two_decks_with_the_same_card_id_never_share_a_note(tmp_path: Path, make_project, collection):
    from conftest import MINIMAL

    first = write_project(tmp_path / "a", MINIMAL)
    second = write_project(tmp_path / "b", {**MINIMAL, "dlanki.yaml": MINIMAL["dlanki.yaml"].replace("mini-test", "other-deck")})
    import_apkg(collection, build(first, now=past(200)).output)
    import_apkg(collection, build(second, now=past(100)).output)
    assert collection.note_count() == 8  # 4 + 4: same ids, different decks, no note overwritten


def test_output_on_a_source_file_is_refused(published, runner):
    project, output = published
    before = fingerprint(project, output)
    card = project / "cards" / "01-cnn.yaml"
    text = card.read_text()
    for target in (card, project / "dlanki.lock", project / "cards" / "new.apkg", project / "notes.txt"):
        result = runner.invoke(cli, ["build", "-p", str(project), "--output", str(target)])
        assert result.exit_code == 1, target
        assert "error:" in result.output and "nothing written" in result.output
    assert card.read_text() == text and fingerprint(project, output) == before
    assert not (project / "cards" / "new.apkg").exists() and not (project / "notes.txt").exists()


def test_a_card_file_linking_outside_the_project_is_not_read(published, tmp_path: Path, runner):
    project, _output = published
    secret = tmp_path / "secret.yaml"
    secret.write_text(basic("secret", "stolen"))
    os.symlink(secret, project / "cards" / "09-link.yaml")
    result = runner.invoke(cli, ["build", "-p", str(project)])
    assert result.exit_code == 1
    assert "cards/09-link.yaml: error: card file is a link to a file outside the project" in result.output
    assert "stolen" not in result.output


def test_build_folder_that_is_a_file(project: Path, runner):
    (project / "build").write_text("not a folder")
    result = runner.invoke(cli, ["build", "-p", str(project)])
    assert result.exit_code == 1 and "build: error: build is a file, not a folder" in result.output
    assert (project / "build").read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_build_folder(published, runner):
    project, _output = published
    (project / "build").chmod(0o555)
    try:
        result = runner.invoke(cli, ["build", "-p", str(project), "--output", str(project / "build" / "new.apkg")])
    finally:
        (project / "build").chmod(0o755)
    assert result.exit_code == 1 and "cannot write" in result.output and "Traceback" not in result.output


def test_a_ledger_stamp_that_is_not_an_integer_is_located(published, runner):
    project, _output = published
    ledger = project / "dlanki.lock"
    text = ledger.read_text()
    edited = re.sub(r'("rnn-state": \{[^}]*"mod": )\d+', r'\1"soon"', text)
    assert edited != text
    ledger.write_text(edited)
    result = runner.invoke(cli, ["build", "-p", str(project)])
    line = edited.splitlines().index(next(x for x in edited.splitlines() if '"rnn-state"' in x)) + 1
    assert result.exit_code == 1
    assert f"dlanki.lock:{line}: error: cannot read the ledger: entry 'rnn-state' has a mod that is not int: 'soon'" in result.output
    assert ledger.read_text() == edited


def test_a_retired_id_cannot_be_reused(published, runner):
    project, _output = published
    source = project / "cards/02-rnn.yaml"
    text = source.read_text()
    cut = text.index("  - id: rnn-sigmoid-derivative")
    source.write_text(text[:cut] + "retired: [rnn-sigmoid-derivative]\n")
    build(project, now=past(50))
    source.write_text(text)  # the same id back, as a new card, and no longer listed as retired
    result = runner.invoke(cli, ["build", "-p", str(project)])
    assert result.exit_code == 1
    assert "cards/02-rnn.yaml:9:5: error: [rnn-sigmoid-derivative] card id 'rnn-sigmoid-derivative' was retired" in result.output


def test_a_cloze_in_extra_is_a_warning(project: Path, runner):
    body = "  - id: ex\n    type: cloze\n    source: added\n    text: '{{c1::a}}'\n    extra: 'also {{c2::b}}'\n"
    write_project(project, {"cards/09.yaml": card_file(body)})
    result = runner.invoke(cli, ["check", "-p", str(project)])
    assert result.exit_code == 0
    assert "cards/09.yaml:7:18: warning: [ex] a cloze deletion in `extra` is shown as literal braces" in result.output


def test_untrusted_text_cannot_drive_the_terminal_or_inject_annotations(project: Path, runner):
    # A file name with ESC (clears a terminal) and an id with a newline that starts a second GitHub command.
    card = '  - id: "x\\n::warning file=README.md::pwned"\n    type: basic\n    source: added\n    front: q\n    back: a\n'
    write_project(project, {"cards/09-\x1b[2J.yaml": card_file(card)})
    text = runner.invoke(cli, ["check", "-p", str(project)])
    assert text.exit_code == 1
    assert "\x1b" not in text.output and "09-\\x1b[2J.yaml" in text.output
    assert "[x\\n::warning file=README.md::pwned]" in text.output  # the id, shown, not obeyed
    github = runner.invoke(cli, ["check", "-p", str(project), "--format", "github"])
    lines = github.stdout.splitlines()
    assert lines and all(line.startswith("::error ") for line in lines), lines
    assert "title=x%0A%3A%3Awarning file=README.md%3A%3Apwned" in github.stdout
    problems = json.loads(runner.invoke(cli, ["check", "-p", str(project), "--format", "json"]).stdout)
    assert any(p["card_id"] == "x\n::warning file=README.md::pwned" for p in problems)


def test_yaml_1_1_values_stay_text_as_written(make_project, collection):
    body = "  - id: literal\n    type: basic\n    source: added\n    front: yes\n    back: 45:00\n    extra: 0755\n"
    root = make_project({"cards/09.yaml": card_file(body)})
    import_apkg(collection, build(root, now=past(100)).output)
    note = collection.get_note(collection.find_notes("literal")[0])
    assert (note["Front"], note["Back"], note["Extra"]) == ("yes", "45:00", "0755")


def test_uppercase_extensions_are_card_files(make_project):
    root = make_project({"cards/09-UPPER.YAML": basic("upper-case", "read")})
    assert "upper-case" in {card.id for card in check(root).deck.cards}
