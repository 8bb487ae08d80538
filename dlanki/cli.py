"""The command line: parse options, call the pipeline, print (through console.py). Nothing else lives here."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dlanki import __version__, console
from dlanki.build import CheckResult, Selection, build, check, check_cached
from dlanki.errors import BuildFailed
from dlanki.mathjax import describe, find_mathjax
from dlanki.report import FORMATS, summary

if TYPE_CHECKING:
    from dlanki.serve import Rebuild

# Each command imports what only it needs (preview, serve, stats, changes, new) when it runs: `dlanki
# build` starts a tenth of a second sooner without the HTTP server and the rest.

project_option = click.option(
    "--project",
    "-p",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Project folder (holds dlanki.yaml, cards/ and media/).",
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


@click.group(cls=console.DlankiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dlanki")
@console.verbosity_options
def cli() -> None:
    """Keep an Anki deck as source code: YAML + Markdown cards in, .apkg out.

    Exit status: 0 ok, 1 the sources have errors, 2 bad usage, 70 an internal error (a bug in
    dlanki), 130 interrupted.
    """


@cli.command(name="new")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@console.verbosity_options
def new_command(folder: Path) -> None:
    """Start a deck in FOLDER: settings, two example cards, a figure, a README, CI and pre-commit."""
    from dlanki.scaffold import ProjectExists, new_deck

    try:
        deck = new_deck(folder)
    except ProjectExists as exc:
        console.fail(f"error: {exc}")
    where = _display(folder)
    console.say(f"created the deck {deck.package!r} in {where}: {', '.join(deck.files)}")
    console.say(f"next: cd {where} && dlanki serve   (then edit cards/examples.yaml and watch the preview)")


@cli.command(name="build")
@project_option
@click.option("--tag", "tags", multiple=True, help="Only cards with this tag or a child tag (repeatable).")
@click.option("--deck", "decks", multiple=True, help="Only cards in this deck or a subdeck (repeatable).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the .apkg.")
@click.option("--frozen", is_flag=True, help="Fail instead of updating dlanki.lock (for CI).")
@strict_option
@format_option
@console.verbosity_options
def build_command(root: Path, tags, decks, output, frozen: bool, strict: bool, fmt: str) -> None:
    """Build build/<package>.apkg from cards/ and media/."""
    started = time.monotonic()
    bar = console.ProgressBar("building")
    try:
        selection = Selection(tuple(tags), tuple(decks))
        result = build(root, selection, output=output, frozen=frozen, strict=strict, progress=bar)
    except BuildFailed as failed:
        bar.close()
        console.problems(failed.problems, fmt)
        console.fail(f"{summary(failed.problems)}; nothing written")
    bar.close()
    console.problems(list(result.warnings), fmt)
    console.say(f"wrote {_display(result.output)}: {result.notes} notes, {result.cards} cards, {result.media} media files")
    proved, seconds = result.formulas_checked
    if proved:
        # A rate only means something once Node's start-up no longer dominates.
        rate = f" ({proved / max(seconds, 1e-3):.0f} a second)" if proved >= 100 else ""
        console.say(f"MathJax proved {proved} new formula side(s) in {seconds:.1f} s{rate}")
    if result.changed:
        console.say(f"{len(result.changed)} note(s) new or changed since the last build; dlanki.lock updated: commit it")
    console.detail(f"built in {time.monotonic() - started:.1f} s")
    console.done()


@cli.command(name="check")
@project_option
@strict_option
@format_option
@console.verbosity_options
def check_command(root: Path, strict: bool, fmt: str) -> None:
    """Validate everything build would, and write nothing."""
    started = time.monotonic()
    result = check(root)
    console.problems(result.problems, fmt)
    _formulas(result)
    console.detail(f"checked in {time.monotonic() - started:.1f} s")
    if result.errors or (strict and result.warnings):
        console.fail(summary(result.problems))
    formulas = result.formulas
    proven = f", {formulas.verified} of {formulas.formulas} formulas render" if formulas and formulas.formulas else ""
    console.say(f"ok: {len(result.deck.cards)} notes checked{proven}, {len(result.warnings)} warning(s)", err=fmt != "text")
    console.done()


def _formulas(result: CheckResult) -> None:
    """-v: which MathJax proved the formulas, under which Node.js."""
    report = result.formulas
    if report is not None and report.formulas:
        node = report.node or "no Node.js"
        console.detail(f"formulas: {report.verified} of {report.formulas} proven by {describe(report.mathjax)} under {node}")


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _checked(root: Path, label: str = "reading cards") -> CheckResult:
    bar = console.ProgressBar(label)
    try:
        return check_cached(root, progress=bar)
    finally:
        bar.close()


def _source_errors(result: CheckResult) -> None:
    """The output was written, but the deck it shows cannot be built: say so and exit 1."""
    if result.errors:
        console.fail(f"{summary(result.problems)} in the sources (run `dlanki check`): `dlanki build` would refuse them")


@cli.command(name="preview")
@project_option
@click.option(
    "--output", "-o", type=click.Path(file_okay=False, path_type=Path), help="Folder to write [default: build/preview]."
)
@console.verbosity_options
def preview_command(root: Path, output: Path | None) -> None:
    """Write an HTML preview of every card, both sides, as Anki shows them."""
    from dlanki.preview import write_preview

    result = _checked(root)
    console.problems(result.problems)
    bar = console.ProgressBar("writing preview")
    mathjax = find_mathjax()
    try:
        written = write_preview(result.project, result.rendered, mathjax, output, result.problems, progress=bar)
    except FileExistsError as exc:
        console.fail(f"error: {exc}")
    finally:
        bar.close()
    if not written.mathjax:
        console.warn(f"formulas show as raw TeX: {describe(mathjax)}")
    console.say(
        f"wrote {_display(written.index)}: {written.cards} cards of {written.notes} notes, "
        f"{written.formulas} formulas, {written.media} media files"
    )
    _source_errors(result)


@cli.command(name="serve")
@project_option
@click.option(
    "--dev-addr",
    "-a",
    "address",
    default="127.0.0.1:8000",
    show_default=True,
    metavar="IP:PORT",
    help="Where to serve (port 0: any free port). Another IP than 127.0.0.1 shows the deck to your network.",
)
@console.verbosity_options
def serve_command(root: Path, address: str) -> None:
    """Preview the deck in a browser, rebuilt and reloaded whenever a card file or figure is saved."""
    import gc

    from dlanki.serve import DeckServer

    gc.enable()  # the program turned it off (dlanki/__main__.py); a server runs for hours

    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise click.BadParameter(f"{address!r} is not IP:PORT, e.g. 127.0.0.1:8000", param_hint="--dev-addr")
    ctx = click.get_current_context()
    try:
        server = DeckServer(root, host, int(port), lambda rebuild: console.in_context(ctx, _rebuilt, rebuild))
    except OSError as exc:
        console.fail(f"error: cannot serve on {address}: {exc.strerror or exc}; choose another with --dev-addr")
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.warn(f"serving on {host}: anyone who can reach this machine can read the deck")
    click.echo(f"serving {server.url} (Ctrl+C to stop); the page reloads when cards/, media/ or dlanki.yaml change")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.say("stopped")


def _rebuilt(rebuild: Rebuild) -> None:
    """What changed, how long the rebuild took, and the problems it found (also shown in the page)."""
    what = f"{', '.join(rebuild.changed[:3])}{' …' if len(rebuild.changed) > 3 else ''} changed: " if rebuild.changed else ""
    if rebuild.crash:
        console.detail(rebuild.crash.rstrip())
        last = rebuild.crash.strip().splitlines()[-1]
        click.echo(f"{what}{console.internal_error_line(last, console.level() == console.VERBOSE)}", err=True)
        return
    console.problems(rebuild.problems)
    verdict = summary(rebuild.problems) if rebuild.problems else "ok"
    done = "rebuilt" if rebuild.number > 1 else "built"
    console.say(f"{what}preview of {rebuild.cards} notes {done} in {rebuild.seconds:.1f} s: {verdict}")


@cli.command(name="stats")
@project_option
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@console.verbosity_options
def stats_command(root: Path, fmt: str) -> None:
    """Count notes and cards per subdeck, tag and note type; formulas and images."""
    from dlanki.stats import deck_stats, format_text

    result = _checked(root)
    stats = deck_stats(result.rendered, result.project.media_dir, retired=len(result.deck.retired))
    click.echo(json.dumps(stats.to_dict(), ensure_ascii=False, indent=1) if fmt == "json" else format_text(stats))
    _source_errors(result)


@cli.command(name="changes")
@project_option
@click.option("--since", "revision", metavar="REV", help="Git revision of the last release [default: the latest tag].")
@click.option(
    "--since-apkg",
    "apkg",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Compare with this previously released package instead.",
)
@click.option("--format", "fmt", type=click.Choice(("markdown", "json")), default="markdown", show_default=True)
@console.verbosity_options
def changes_command(root: Path, revision: str | None, apkg: Path | None, fmt: str) -> None:
    """Release notes: notes added, changed and retired since the last release, and what to do by hand."""
    from dlanki.changes import ChangesError, changes_since
    from dlanki.release_notes import format_markdown

    if revision and apkg:
        raise click.UsageError("give --since or --since-apkg, not both")
    result = _checked(root)
    try:
        changes = changes_since(result, revision, apkg)
    except ChangesError as exc:
        console.fail(f"error: {exc}")
    if fmt == "json":
        click.echo(json.dumps(changes.to_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo(format_markdown(changes, result.project.package), nl=False)
    _source_errors(result)


def main() -> None:
    """The `dlanki` program, started by dlanki/__main__.py (pyproject's script and `python -m dlanki`)."""
    console.main(cli)
