"""The terminal side of the command line: how loud, in what colour, and what a crash looks like.

With cli.py, the only module that prints. Colour only reaches a terminal: Click strips it in pipes
and files, and NO_COLOR (https://no-color.org) turns it off everywhere. -q keeps errors only; -v adds
what ran and how long it took, and the traceback of an internal error.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import NoReturn

import click

from dlanki import REPOSITORY, __version__
from dlanki.errors import ExitStatus, Problem, printable
from dlanki.report import format_problems

QUIET, NORMAL, VERBOSE = -1, 0, 1
_LEVEL = "dlanki.verbosity"
"""Key in Click's ctx.meta, which every context of one invocation shares."""


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value:
        return
    level = QUIET if param.name == "quiet" else VERBOSE
    if ctx.meta.get(_LEVEL, level) != level:
        raise click.UsageError("-q and -v cannot be used together", ctx)
    ctx.meta[_LEVEL] = level


def verbosity_options(command):
    """-q and -v, accepted before the command name (`dlanki -v build`) and after it (`dlanki build -v`)."""
    command = click.option(
        "-v", "--verbose", is_flag=True, expose_value=False, callback=_set_verbosity,
        help="Say more: what ran, how long it took, the traceback of an internal error.",
    )(command)
    return click.option(
        "-q", "--quiet", is_flag=True, expose_value=False, callback=_set_verbosity,
        help="Print errors only.",
    )(command)


def level() -> int:
    context = click.get_current_context(silent=True)
    return context.meta.get(_LEVEL, NORMAL) if context is not None else NORMAL


def say(message: str, err: bool = False) -> None:
    """A result line for people ("wrote …", "ok: …"); -q hides it."""
    if level() > QUIET:
        click.echo(message, err=err)


def detail(message: str) -> None:
    """A line only -v shows, on stderr."""
    if level() >= VERBOSE:
        click.echo(click.style(message, dim=True), err=True)


def warn(message: str) -> None:
    if level() > QUIET:
        click.echo(f"{click.style('warning:', fg='yellow', bold=True)} {message}", err=True)


def problems(found: list[Problem], fmt: str = "text") -> None:
    """Problems go to stderr for people (-q: errors only), to stdout for tools that parse them."""
    if fmt != "text":
        if found or fmt == "json":
            click.echo(format_problems(found, fmt))
        return
    for problem in found:
        if problem.is_error or level() > QUIET:
            click.echo(styled(problem), err=True)


def styled(problem: Problem) -> str:
    """str(problem), with the location bold and the level in colour (untrusted text made printable, as there)."""
    card = f" [{printable(problem.card_id)}]" if problem.card_id else ""
    level_word = click.style(f"{problem.level}:", fg="red" if problem.is_error else "yellow", bold=True)
    text = f"{click.style(printable(str(problem.loc)) + ':', bold=True)} {level_word}{card} {printable(problem.message)}"
    return f"{text}\n    {click.style('hint:', fg='cyan')} {printable(problem.hint)}" if problem.hint else text


def in_context(ctx: click.Context, function, *args) -> None:
    """Run `function` (which prints) from another thread with the command's -q / -v and colour."""
    click.globals.push_context(ctx)
    try:
        function(*args)
    finally:
        click.globals.pop_context()


_EXIT_WHEN_DONE = False
"""Set by the `dlanki` program (main), never when a test invokes the commands in its own process."""


def main(command: click.Group) -> None:
    """Run the command line as the `dlanki` program: it may end the process itself (done)."""
    global _EXIT_WHEN_DONE
    _EXIT_WHEN_DONE = True
    command(prog_name="dlanki")


def done() -> None:
    """A command finished and printed everything. As a program, end the process now: after a build of
    10,000 notes, freeing its objects one by one and tearing the interpreter down take a tenth of a
    second, while the system takes the memory back at once. Every file is written and closed by now,
    and every child process joined."""
    if _EXIT_WHEN_DONE:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(ExitStatus.OK)


def fail(message: str, status: ExitStatus = ExitStatus.BAD_INPUT) -> NoReturn:
    """The run's verdict on bad input, in red on a terminal; then exit."""
    click.echo(click.style(message, fg="red", bold=True), err=True)
    sys.exit(status)


class DlankiGroup(click.Group):
    """The command group: colour as the environment asks, and crashes reported in one line."""

    def invoke(self, ctx: click.Context):
        if os.environ.get("NO_COLOR"):
            ctx.color = False  # inherited by the subcommand's context
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo(click.style("interrupted", fg="red"), err=True)
            ctx.exit(ExitStatus.INTERRUPTED)
        except Exception as exc:  # noqa: BLE001 - anything else is a bug in dlanki: say so, briefly
            verbose = ctx.meta.get(_LEVEL) == VERBOSE
            if verbose:
                click.echo(traceback.format_exc().rstrip(), err=True)
            message = str(exc).strip()
            click.echo(internal_error_line(type(exc).__name__ + (f": {message.splitlines()[0]}" if message else ""), verbose), err=True)
            ctx.exit(ExitStatus.INTERNAL_ERROR)


def internal_error_line(what: str, verbose: bool) -> str:
    """One line for a bug in dlanki: what failed, the version, where to report it."""
    where = f"please report it at {REPOSITORY}/issues with the command you ran"
    then = "" if verbose else "; run with -v for the traceback"
    return f"{click.style('internal error:', fg='red', bold=True)} dlanki {__version__} failed ({what}); {where}{then}"


PROGRESS_MIN_CARDS = 500
"""Below this a run takes about a second: a bar would only flicker."""


class ProgressBar:
    """A progress bar on stderr for long runs at a terminal; silent in pipes, CI logs, tests and with -q."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._bar = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if total < PROGRESS_MIN_CARDS or not sys.stderr.isatty() or level() == QUIET:
                return
            self._bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
