"""The command line: parse options, call the pipeline, print. Nothing else lives here."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dlanki import __version__
from dlanki.build import Selection, build, check
from dlanki.errors import BuildFailed, ExitStatus, Problem
from dlanki.report import FORMATS, format_problems, summary

project_option = click.option(
    "--project",
    "-p",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Project folder (holds cards/ and media/).",
)
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="How to print problems: for people, as JSON, or as GitHub Actions annotations.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dlanki")
def cli() -> None:
    """Keep an Anki deck as source code: YAML + Markdown cards in, .apkg out."""


@cli.command(name="build")
@project_option
@click.option("--tag", "tags", multiple=True, help="Only cards with this tag or a child tag (repeatable).")
@click.option("--deck", "decks", multiple=True, help="Only cards in this deck or a subdeck (repeatable).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the .apkg.")
@click.option("--frozen", is_flag=True, help="Fail instead of updating dlanki.lock (for CI).")
@strict_option
@format_option
def build_command(root: Path, tags, decks, output, frozen: bool, strict: bool, fmt: str) -> None:
    """Build build/<package>.apkg from cards/ and media/."""
    try:
        result = build(root, Selection(tuple(tags), tuple(decks)), output=output, frozen=frozen, strict=strict)
    except BuildFailed as failed:
        _print_problems(failed.problems, fmt)
        _fail(f"{summary(failed.problems)}; nothing written")
    _print_problems(list(result.warnings), fmt)
    click.echo(f"wrote {_display(result.output)}: {result.notes} notes, {result.cards} cards, {result.media} media files")
    if result.changed:
        click.echo(f"{len(result.changed)} note(s) new or changed since the last build; dlanki.lock updated: commit it")


@cli.command(name="check")
@project_option
@strict_option
@format_option
def check_command(root: Path, strict: bool, fmt: str) -> None:
    """Validate everything build would, and write nothing."""
    result = check(root)
    _print_problems(result.problems, fmt)
    if result.errors or (strict and result.warnings):
        _fail(summary(result.problems))
    click.echo(f"ok: {len(result.deck.cards)} notes checked, {len(result.warnings)} warning(s)", err=fmt != "text")


def _print_problems(problems: list[Problem], fmt: str = "text") -> None:
    """Problems go to stderr for people, to stdout for tools that parse them."""
    if problems or fmt == "json":
        click.echo(format_problems(problems, fmt), err=fmt == "text")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(ExitStatus.BAD_INPUT)


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
