"""Prove every formula renders: parse it with MathJax 3.2.2, the version Anki bundles.

A formula MathJax cannot parse shows in Anki as raw TeX or a red error box, so it is an error here.
MathJax is bundled with dlanki (dlanki/mathjax.py) and runs under Node.js; each cloze card's question
side is checked too, because a deletion inside a formula changes the TeX MathJax sees. Formulas are
streamed to Node while Python renders the rest, on up to two processes (mathjax_workers.py).

MathJax also measures each formula from its font metrics, so a formula wider than a phone screen is
a warning: MathJax never breaks a line, so such a formula is cut off or scrolls sideways. Most formulas
are proven to fit by a cheap upper bound of their width and need no measuring (mathjax_check.js).
"""

from __future__ import annotations

import functools
import hashlib
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dlanki.errors import Loc, Problem
from dlanki.mathjax import CHECK, ENV_OVERRIDE, describe, find_mathjax
from dlanki.mathjax_workers import MathJaxWorkers
from dlanki.mathspans import cloze_variants
from dlanki.model import Formula

NODE_HINT = (
    "install Node.js (https://nodejs.org; Debian/Ubuntu: `apt-get install nodejs`, macOS: `brew install node`, "
    "Windows: `winget install OpenJS.NodeJS.LTS`) and run the check again: dlanki brings MathJax, Node.js runs it"
)

PHONE_WIDTH_PX = 360
"""The width of most Android phones, in CSS pixels."""
PHONE_FORMULA_EM = 14.4
"""How many em of MathJax output fit on one line of a card at PHONE_WIDTH_PX. Measured in Chromium on
the preview at 360 px: the card's text is 18 px, MathJax scales its fonts to the text's x-height
(22.6 px per em), and a card side is 326 px wide inside the margins. MathJax's widths computed here
agree with Chromium's to 0.1 em (tests/test_preview.py checks the deck at 360 px)."""
@dataclass(frozen=True)
class FormulaReport:
    """How many formulas were proven to render, and by what: for the command line to say."""

    formulas: int
    """Formula uses on cards (a formula written twice counts twice)."""
    verified: int
    """Of those, how many MathJax rendered on every side they appear on (now or in an earlier run; none
    when MathJax cannot run, whatever an earlier run found)."""
    mathjax: Path | None
    node: str | None


def mathjax_identity() -> str:
    """Which MathJax checks formulas ("" if none can run), by the content of the files that check them: a
    verdict is only as good as what gave it, so another version or a changed copy ($DLANKI_MATHJAX's)
    judges afresh, while the same files installed elsewhere (a deck's own virtual environment, a
    reinstall) keep every verdict."""
    mathjax = find_mathjax()
    if mathjax is None or shutil.which("node") is None:
        return ""
    script = resources.files("dlanki").joinpath("mathjax_check.js").read_bytes()
    components = _components_digest(mathjax, tuple(_stat(mathjax / "es5" / name) for name in CHECK))
    # A width that fits may be an upper bound that only proves it fits this limit.
    return f"MathJax {components}, check {hashlib.sha256(script).hexdigest()[:16]}, fits {PHONE_FORMULA_EM}em"


def _stat(path: Path) -> tuple[int, int]:
    found = path.stat()
    return found.st_size, found.st_mtime_ns


@functools.lru_cache(maxsize=4)
def _components_digest(folder: Path, stats: tuple) -> str:
    """A digest of the MathJax components the check loads (0.9 MB): read once per process while their
    sizes and times (`stats`) stay the same."""
    digest = hashlib.sha256()
    for name in CHECK:
        digest.update(name.encode() + b"\0" + (folder / "es5" / name).read_bytes())
    return digest.hexdigest()[:16]


MISSING = object()


class FormulaChecker:
    """Feed formulas as they are rendered; collect MathJax's verdicts at the end, then problems per file."""

    def __init__(self, known_ok: dict[str, float | None] | None = None):
        self.known_ok = known_ok if known_ok is not None else {}
        """`display|tex` of formulas already proven to render → their width in em, or an upper bound of
        it when that fits the phone; updated with this run's successes."""
        mathjax = find_mathjax()
        node = shutil.which("node")
        self.mathjax, self.node = mathjax, node
        self.available = mathjax is not None and node is not None
        """MathJax can run: without it no formula is checked, and no earlier verdict is used either, so
        a warm cache reports exactly what a cold one does."""
        self._workers = MathJaxWorkers(node, mathjax, PHONE_FORMULA_EM) if self.available else None
        self._verdicts: dict[tuple[str, bool], tuple[str | None, float | None] | None] = {}
        """Every formula side seen → (error, width), or None while MathJax has not answered."""
        self._variants: dict[str, list[str]] = {}
        self._outcomes: dict[tuple[str, bool], tuple] = {}
        """A formula written many times is looked up once: (TeX, display) → _outcome's answer, once known."""
        self._unverified: set[tuple[str, bool]] = set()

    def add(self, formula: Formula) -> None:
        if not self.available:
            # Nothing will check it: no need to work out what each cloze side shows.
            self._unverified.add((formula.anki_tex, formula.display))
            return
        for tex in self.variants(formula.anki_tex):
            key = (tex, formula.display)
            if key in self._verdicts:
                continue
            width = self.known_ok.get(_cache_key(key), MISSING)
            if width is not MISSING:
                self._verdicts[key] = (None, width)
                continue
            self._verdicts[key] = None
            self._workers.send(key)

    def variants(self, anki_tex: str) -> list[str]:
        """The TeX of each side (answer first), computed once per formula text."""
        found = self._variants.get(anki_tex)
        if found is None:
            found = self._variants[anki_tex] = list(dict.fromkeys(cloze_variants(anki_tex)))
        return found

    def finish(self) -> list[Problem]:
        """Wait for MathJax; problems that belong to no one file (MathJax missing or failing)."""
        if not self.available:
            if not self._unverified:
                return []
            if self.node is None:
                missing, hint = "Node.js was not found", NODE_HINT
            else:
                missing, hint = describe(self.mathjax), f"unset ${ENV_OVERRIDE} to use the MathJax dlanki bundles"
            return [Problem(Loc("cards/"), f"{len(self._unverified)} formula(s) not verified: {missing}", hint, level="warning")]
        self._workers.finish()
        for key, verdict in self._workers.verdicts.items():
            self._verdicts[key] = verdict
            if verdict[0] is None:
                self.known_ok[_cache_key(key)] = verdict[1]
        failures = list(self._workers.failures)
        if not failures and any(verdict is None for verdict in self._verdicts.values()):
            failures.append("no answer for some formulas")
        return [Problem(Loc("cards/"), f"MathJax check failed: {failure}", "report this as a dlanki bug") for failure in failures[:1]]

    @property
    def stats(self) -> tuple[int, float]:
        """How many formula sides MathJax checked in this run, and in how many seconds (first sent to last answered)."""
        if self._workers is None or not self._workers.sent:
            return 0, 0.0
        return self._workers.sent, self._workers.finished_at - self._workers.started_at

    def problems_for(self, uses: list[tuple[str, Formula]]) -> tuple[list[Problem], int] | None:
        """The problems of these formula uses (one file's) and how many render on every side, or None
        if some side has no verdict."""
        if not self.available:
            return None
        problems = []
        rendered = 0
        outcomes = self._outcomes
        for card_id, formula in uses:
            key = (formula.anki_tex, formula.display)
            outcome = outcomes.get(key)
            if outcome is None:
                outcome = self._outcome(*key)
                if outcome is None:
                    return None
                outcomes[key] = outcome
            errors, widest = outcome
            if errors:
                problems += [_cannot_render(card_id, formula, error, on_question) for error, on_question in errors]
            else:
                rendered += 1
            if widest is not None:
                problems.append(_too_wide(card_id, formula, *widest))
        return problems, rendered

    def _outcome(self, anki_tex: str, display: bool) -> tuple[list[tuple[str, bool]], tuple[float, bool] | None] | None:
        """What MathJax found on each side of a formula: its errors (with whether on a question side),
        and its widest side if wider than a phone; None while a side has no verdict."""
        sides = self.variants(anki_tex)
        errors = []
        widest: tuple[float, bool] | None = None
        for tex in sides:
            verdict = self._verdicts.get((tex, display))
            if verdict is None:
                return None
            error, width = verdict
            on_question = tex != sides[0]
            if error:
                errors.append((error, on_question))
            elif width is not None and width > PHONE_FORMULA_EM:
                widest = max(widest, (width, on_question)) if widest else (width, on_question)
        return errors, widest


def _cannot_render(card_id: str, formula: Formula, error: str, on_question: bool) -> Problem:
    side = " (on a cloze question side)" if on_question else ""
    return Problem(
        formula.loc,
        f"MathJax cannot render ${_short(formula.tex)}${side}: {error}",
        "fix the LaTeX; Anki's MathJax shows it as raw TeX or an error",
        card_id,
    )


def _too_wide(card_id: str, formula: Formula, width: float, on_question: bool) -> Problem:
    """One warning per formula use that is wider than a phone, naming its widest side."""
    side = " (on a cloze question side)" if on_question else ""
    kind = "display formula" if formula.display else "inline formula"
    return Problem(
        formula.loc,
        f"{kind} ${_short(formula.tex)}$ is too wide for a {PHONE_WIDTH_PX} px phone{side}: "
        f"{width:.1f}em, {PHONE_FORMULA_EM:.1f}em fit",
        "break it into lines (\\begin{aligned} … \\\\ … \\end{aligned}) or shorten the notation",
        card_id,
        level="warning",
    )


def _cache_key(key: tuple[str, bool]) -> str:
    return f"{int(key[1])}|{key[0]}"


def _short(tex: str) -> str:
    return tex if len(tex) <= 60 else tex[:57] + "..."
