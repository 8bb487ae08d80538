"""Command-line conventions: named exit codes, colour only on terminals, -q / -v, a crash in one line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from dlanki import __version__
from dlanki import cli as cli_module
from dlanki.cli import cli
from dlanki.errors import ExitStatus

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BAD_CARD = "deck: Mini::Bad\ncards:\n  - id: bad-one\n    type: basic\n    source: added\n    frnt: Q\n    back: A\n"
WIDE = r"a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + q + r + s + t + u + v + w + x + y + z"
WIDE_CARD = f"deck: Mini::Wide\ncards:\n  - id: wide-one\n    type: basic\n    source: added\n    front: Q\n    back: $${WIDE}$$\n"


def test_exit_codes_are_named_once_and_documented():
    assert [(s.name, s.value) for s in ExitStatus] == [
        ("OK", 0), ("BAD_INPUT", 1), ("USAGE", 2), ("INTERNAL_ERROR", 70), ("INTERRUPTED", 130)
    ]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for status in ExitStatus:
        assert re.search(rf"^\| {status.value} \|", readme, re.MULTILINE), f"README's exit code table lacks {status.value}"


def test_ok_bad_input_and_usage(project: Path, make_project, runner):
    assert runner.invoke(cli, ["check", "-p", str(project)]).exit_code == ExitStatus.OK
    bad = runner.invoke(cli, ["check", "-p", str(make_project({"cards/09.yaml": BAD_CARD}))])
    assert bad.exit_code == ExitStatus.BAD_INPUT and "unknown key 'frnt'" in bad.stderr
    usage = runner.invoke(cli, ["check", "--no-such-option"])
    assert usage.exit_code == ExitStatus.USAGE and "No such option" in usage.stderr


def test_an_internal_error_is_one_line_with_a_way_to_report_it(project: Path, runner, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli_module, "check", broken)  # a bug, planted where `check` runs the pipeline
    done = runner.invoke(cli, ["check", "-p", str(project)])
    assert done.exit_code == ExitStatus.INTERNAL_ERROR
    assert "Traceback" not in done.output
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"internal error: dlanki {__version__} failed (ZeroDivisionError: division by zero)")
    assert "/issues" in line and line.endswith("run with -v for the traceback")

    for args in (["-v", "check"], ["check", "-v"]):
        verbose = runner.invoke(cli, [*args, "-p", str(project)])
        assert verbose.exit_code == ExitStatus.INTERNAL_ERROR
        assert verbose.stderr.startswith("Traceback (most recent call last):")
        assert 'raise ZeroDivisionError("division by zero")' in verbose.stderr
        assert verbose.stderr.splitlines()[-1].startswith("internal error: dlanki")
        assert "run with -v" not in verbose.stderr


def test_ctrl_c_exits_130(project: Path, runner, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "check", interrupted)
    done = runner.invoke(cli, ["check", "-p", str(project)])
    assert done.exit_code == ExitStatus.INTERRUPTED and done.stderr.strip() == "interrupted"


def test_colour_on_a_terminal_only_and_never_with_no_color(make_project, monkeypatch):
    root = make_project({"cards/09.yaml": BAD_CARD})
    terminal = CliRunner()
    coloured = terminal.invoke(cli, ["check", "-p", str(root)], color=True)  # as if stderr were a terminal
    assert "\x1b[31m" in coloured.stderr  # "error:" in red
    plain = ANSI.sub("", coloured.stderr)
    assert "cards/09.yaml:6:5: error: [bad-one] unknown key 'frnt' (did you mean 'front'?)" in plain

    monkeypatch.setenv("NO_COLOR", "1")
    assert not ANSI.search(terminal.invoke(cli, ["check", "-p", str(root)], color=True).stderr)

    monkeypatch.delenv("NO_COLOR")
    piped = subprocess.run(
        [sys.executable, "-m", "dlanki", "check", "-p", str(root)],
        check=False, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert piped.returncode == 1 and "unknown key 'frnt'" in piped.stderr and not ANSI.search(piped.stderr)


def test_quiet_prints_errors_only_and_verbose_says_what_ran(make_project, runner):
    if shutil.which("node") is None and not os.environ.get("CI"):
        pytest.skip("Node.js is not installed")
    warned = make_project({"cards/09.yaml": WIDE_CARD})
    normal = runner.invoke(cli, ["check", "-p", str(warned)])
    assert normal.exit_code == 0 and "too wide for a 360 px phone" in normal.stderr and "ok: 5 notes checked" in normal.output
    quiet = runner.invoke(cli, ["check", "-q", "-p", str(warned)])
    assert quiet.exit_code == 0 and quiet.output == ""

    broken = make_project({"cards/09.yaml": WIDE_CARD + BAD_CARD.split("cards:\n")[1]})
    quiet = runner.invoke(cli, ["-q", "build", "-p", str(broken)])
    assert quiet.exit_code == 1
    assert "unknown key 'frnt'" in quiet.stderr and "too wide" not in quiet.stderr
    assert quiet.stderr.splitlines()[-1] == "2 error(s), 1 warning(s); nothing written"  # unknown key, no front

    verbose = runner.invoke(cli, ["check", "-v", "-p", str(warned)])
    assert re.search(r"formulas: 5 of 5 proven by MathJax 3\.2\.2 \(bundled\) under \S*node", verbose.stderr), verbose.stderr
    assert re.search(r"checked in \d+\.\d s", verbose.stderr)

    both = runner.invoke(cli, ["-q", "check", "-v"])
    assert both.exit_code == ExitStatus.USAGE and "-q and -v cannot be used together" in both.stderr


def test_shell_completion_as_documented(runner):
    """README: eval "$(_DLANKI_COMPLETE=bash_source dlanki)" and the zsh / fish forms."""
    for shell in ("bash", "zsh", "fish"):
        script = runner.invoke(cli, [], prog_name="dlanki", env={"_DLANKI_COMPLETE": f"{shell}_source"})
        assert script.exit_code == 0 and "_DLANKI_COMPLETE" in script.output, shell
        assert f"_DLANKI_COMPLETE={shell}_source dlanki" in (REPO / "README.md").read_text(encoding="utf-8")
    words = runner.invoke(
        cli, [], prog_name="dlanki", env={"_DLANKI_COMPLETE": "bash_complete", "COMP_WORDS": "dlanki bu", "COMP_CWORD": "1"}
    )
    assert words.output.split() == ["plain,build"]


def test_coloured_problems_read_exactly_as_plain_ones(make_project):
    """The colour is only added: without it the line is str(problem), untrusted text escaped as there."""
    from dlanki import console
    from dlanki.errors import Loc, Problem

    hostile = Problem(Loc("cards/x.yaml", 3, 5), "unknown key 'a\x1b[2Jb'", "hint\x07", "id\u202e")
    assert ANSI.sub("", console.styled(hostile)) == str(hostile)
    assert "\x1b[2J" not in console.styled(hostile) and "\\x1b[2J" in str(hostile)


def test_the_program_says_everything_before_it_ends_itself(project: Path):
    """`dlanki build` and `check` end the process as soon as they are done (console.done): what they
    printed still reaches a pipe, the package is whole, and the exit status is 0."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    built = subprocess.run(
        [sys.executable, "-m", "dlanki", "build", "-v", "-p", str(project)], capture_output=True, text=True, env=env, check=False
    )
    assert built.returncode == ExitStatus.OK, built.stderr
    assert re.search(r"^wrote \S+\.apkg: \d+ notes, \d+ cards", built.stdout, re.MULTILINE), built.stdout
    assert built.stdout.rstrip().endswith("dlanki.lock updated: commit it")
    assert re.search(r"^built in \d+\.\d s$", built.stderr, re.MULTILINE), built.stderr
    import zipfile

    with zipfile.ZipFile(next((project / "build").glob("*.apkg"))) as package:
        assert package.testzip() is None
    checked = subprocess.run([sys.executable, "-m", "dlanki", "check", "-p", str(project)], capture_output=True, text=True, env=env, check=False)
    assert checked.returncode == ExitStatus.OK and re.search(r"^ok: \d+ notes checked", checked.stdout, re.MULTILINE), checked
