"""Prove every formula renders: parse it with MathJax 3.2.2, the version Anki bundles.

A formula MathJax cannot parse shows in Anki as raw TeX or a red error box, so it is an error here.
MathJax is bundled with dlanki (dlanki/mathjax.py) and runs under Node.js; each cloze card's question
side is checked too, because a deletion inside a formula changes the TeX MathJax sees. Formulas are
streamed to Node while Python renders the rest, so the check runs on the second core.

MathJax also measures each formula from its font metrics, so a formula wider than a phone screen is
a warning: MathJax never breaks a line, so such a formula is cut off or scrolls sideways.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dlanki.errors import Loc, Problem
from dlanki.mathjax import ENV_OVERRIDE, describe, find_mathjax
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
_SPACING = ("\\hspace", "\\kern", "\\mkern", "\\mspace", "\\qquad", "\\quad", "\\phantom", "\\hphantom", "\\makebox")


def may_be_wide(tex: str) -> bool:
    """Could this formula be wider than a phone? No glyph is wider than ~1.1em per source character, so
    a short formula without spacing commands cannot be, and needs no measuring."""
    return len(tex) > PHONE_FORMULA_EM * 0.9 or any(macro in tex for macro in _SPACING)


@dataclass(frozen=True)
class FormulaReport:
    """How many formulas were proven to render, and by what: for the command line to say."""

    formulas: int
    """Formula uses on cards (a formula written twice counts twice)."""
    verified: int
    """Of those, how many MathJax rendered on every side they appear on (now or in an earlier run)."""
    mathjax: Path | None
    node: str | None


class FormulaChecker:
    """Feed formulas as they are rendered; collect MathJax's verdicts at the end."""

    def __init__(self, known_ok: dict[str, float | None] | None = None):
        self.known_ok = known_ok if known_ok is not None else {}
        """`display|tex` of formulas already proven to render → their width in em (None: short, not
        measured); updated with this run's successes."""
        self._mathjax = find_mathjax()
        self._node = shutil.which("node")
        self._jobs: dict[tuple[str, bool], list[tuple[str, Formula]]] = {}
        self._order: list[tuple[str, bool]] = []
        self._answers: list[str] = []
        self._widths: dict[tuple[str, Formula], list[tuple[float, bool]]] = {}
        """Each formula use → the measured widths of its sides (width, on a cloze question side)."""
        self._uses: dict[tuple[str, Formula], list[str]] = {}
        """Each formula use → the cache keys of its sides."""
        self._process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self._script = resources.as_file(resources.files("dlanki").joinpath("mathjax_check.js"))

    def add(self, card_id: str, formula: Formula) -> None:
        for tex in dict.fromkeys(cloze_variants(formula.anki_tex)):
            key = (tex, formula.display)
            cached = _cache_key(key)
            self._uses.setdefault((card_id, formula), []).append(cached)
            if cached in self.known_ok:
                self._measured(key, self.known_ok[cached], [(card_id, formula)])
                continue
            if key not in self._jobs:
                self._jobs[key] = []
                self._order.append(key)
                self._send(key)
            self._jobs[key].append((card_id, formula))

    def _send(self, key: tuple[str, bool]) -> None:
        if self._mathjax is None or self._node is None:
            return
        if self._process is None:
            script = self._script.__enter__()
            self._process = subprocess.Popen(
                [self._node, str(script), str(self._mathjax)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            # Drain stdout concurrently, or a full pipe would stall Node and then us.
            self._reader = threading.Thread(target=lambda: self._answers.extend(self._process.stdout), daemon=True)
            self._reader.start()
        request = {"tex": key[0], "display": key[1], "measure": may_be_wide(key[0])}
        self._process.stdin.write(json.dumps(request) + "\n")

    def problems(self) -> list[Problem]:
        if not self._jobs:
            return self._too_wide()
        if self._process is None:
            if self._node is None:
                missing, hint = "Node.js was not found", NODE_HINT
            else:
                missing, hint = describe(self._mathjax), f"unset ${ENV_OVERRIDE} to use the MathJax dlanki bundles"
            return self._too_wide() + [
                Problem(Loc("cards/"), f"{len(self._order)} formula(s) not verified: {missing}", hint, level="warning")
            ]
        self._process.stdin.close()
        self._reader.join()
        stderr = self._process.stderr.read()
        code = self._process.wait()
        self._script.__exit__(None, None, None)
        if code != 0 or len(self._answers) != len(self._order):
            return [Problem(Loc("cards/"), f"MathJax check failed: {stderr.strip()[:300]}", "report this as a dlanki bug")]
        problems = []
        for key, answer in zip(self._order, self._answers):
            verdict = json.loads(answer)
            if verdict["error"]:
                problems += self._located(key, verdict["error"])
            else:
                self.known_ok[_cache_key(key)] = verdict["width"]
                self._measured(key, verdict["width"], self._jobs[key])
        return problems + self._too_wide()

    def report(self) -> FormulaReport:
        """Call after problems()."""
        verified = sum(all(key in self.known_ok for key in keys) for keys in self._uses.values())
        return FormulaReport(len(self._uses), verified, self._mathjax, self._node)

    def _measured(self, key: tuple[str, bool], width: float | None, uses: list[tuple[str, Formula]]) -> None:
        if width is not None and width > PHONE_FORMULA_EM:
            for use in uses:
                on_question = key[0] != cloze_variants(use[1].anki_tex)[0]
                self._widths.setdefault(use, []).append((width, on_question))

    def _too_wide(self) -> list[Problem]:
        """One warning per formula use that is wider than a phone, naming its widest side."""
        problems = []
        for (card_id, formula), sides in self._widths.items():
            width, on_question = max(sides)
            side = " (on a cloze question side)" if on_question else ""
            kind = "display formula" if formula.display else "inline formula"
            problems.append(
                Problem(
                    formula.loc,
                    f"{kind} ${_short(formula.tex)}$ is too wide for a {PHONE_WIDTH_PX} px phone{side}: "
                    f"{width:.1f}em, {PHONE_FORMULA_EM:.1f}em fit",
                    "break it into lines (\\begin{aligned} … \\\\ … \\end{aligned}) or shorten the notation",
                    card_id,
                    level="warning",
                )
            )
        return problems

    def _located(self, key: tuple[str, bool], error: str) -> list[Problem]:
        problems = []
        for card_id, formula in dict.fromkeys(self._jobs[key]):
            side = "" if key[0] == cloze_variants(formula.anki_tex)[0] else " (on a cloze question side)"
            problems.append(
                Problem(
                    formula.loc,
                    f"MathJax cannot render ${_short(formula.tex)}${side}: {error}",
                    "fix the LaTeX; Anki's MathJax shows it as raw TeX or an error",
                    card_id,
                )
            )
        return problems


def _cache_key(key: tuple[str, bool]) -> str:
    return f"{int(key[1])}|{key[0]}"


def _short(tex: str) -> str:
    return tex if len(tex) <= 60 else tex[:57] + "..."
