"""The command line: parse options, call the pipeline, print. Nothing else lives here."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dlanki import __version__
from dlanki.build import Selection, build, check
from dlanki.errors import BuildFailed, ExitStatus, Problem

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
def build_command(root: Path, tags, decks, output, frozen: bool, strict: bool) -> None:
    """Build build/<package>.apkg from cards/ and media/."""
    try:
        result = build(root, Selection(tuple(tags), tuple(decks)), output=output, frozen=frozen, strict=strict)
    except BuildFailed as failed:
        _fail(failed)
    _print_problems(list(result.warnings))
    click.echo(f"wrote {_display(result.output)}: {result.notes} notes, {result.cards} cards, {result.media} media files")
    if result.changed:
        click.echo(f"{len(result.changed)} note(s) new or changed since the last build; dlanki.lock updated: commit it")


@cli.command(name="check")
@project_option
@strict_option
def check_command(root: Path, strict: bool) -> None:
    """Validate everything build would, and write nothing."""
    result = check(root)
    _print_problems(result.problems)
    if result.errors or (strict and result.warnings):
        _fail(BuildFailed(result.problems), printed=True)
    click.echo(f"ok: {len(result.deck.cards)} notes checked, {len(result.warnings)} warning(s)")


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _fail(failed: BuildFailed, printed: bool = False) -> None:
    if not printed:
        _print_problems(failed.problems)
    errors = sum(p.is_error for p in failed.problems)
    warnings = len(failed.problems) - errors
    click.echo(f"{errors} error(s), {warnings} warning(s); nothing written", err=True)
    sys.exit(ExitStatus.BAD_INPUT)


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
