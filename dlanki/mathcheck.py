"""Prove every formula renders: parse it with MathJax 3.2.2, the version Anki bundles.

A formula MathJax cannot parse shows in Anki as raw TeX or a red error box, so it is an error here.
MathJax runs under Node.js from node_modules (installed by `npm ci`); each cloze card's question
side is checked too, because a deletion inside a formula changes the TeX MathJax sees. Formulas are
streamed to Node while Python renders the rest, so the check runs on the second core.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from importlib import resources
from pathlib import Path

from dlanki.errors import Loc, Problem
from dlanki.mathspans import cloze_variants
from dlanki.model import Formula

MATHJAX_PACKAGE = Path("node_modules") / "mathjax-full"


def find_mathjax(root: Path) -> Path | None:
    """MathJax from $DLANKI_MATHJAX, the project's node_modules, or dlanki's own checkout."""
    candidates = [os.environ.get("DLANKI_MATHJAX", ""), root / MATHJAX_PACKAGE, Path(__file__).parent.parent / MATHJAX_PACKAGE]
    for candidate in candidates:
        if candidate and (Path(candidate) / "js" / "mathjax.js").is_file():
            return Path(candidate).resolve()
    return None


class FormulaChecker:
    """Feed formulas as they are rendered; collect MathJax's verdicts at the end."""

    def __init__(self, root: Path, known_ok: set[str] | None = None):
        self.known_ok = known_ok if known_ok is not None else set()
        """`display|tex` keys already proven to render; updated with this run's successes."""
        self._mathjax = find_mathjax(root)
        self._node = shutil.which("node")
        self._jobs: dict[tuple[str, bool], list[tuple[str, Formula]]] = {}
        self._order: list[tuple[str, bool]] = []
        self._answers: list[str] = []
        self._process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self._script = resources.as_file(resources.files("dlanki").joinpath("mathjax_check.js"))

    def add(self, card_id: str, formula: Formula) -> None:
        for tex in dict.fromkeys(cloze_variants(formula.tex)):
            key = (tex, formula.display)
            if _cache_key(key) in self.known_ok:
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
        self._process.stdin.write(json.dumps({"tex": key[0], "display": key[1]}) + "\n")

    def problems(self) -> list[Problem]:
        if not self._jobs:
            return []
        if self._process is None:
            missing = "Node.js" if self._node is None else "MathJax (node_modules/mathjax-full)"
            return [
                Problem(
                    Loc("cards/"),
                    f"{len(self._order)} formula(s) not verified: {missing} not found",
                    "run `npm ci` in the project (needs Node.js) so MathJax 3.2.2 can check them",
                    level="warning",
                )
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
            error = json.loads(answer)
            if error:
                problems += self._located(key, error)
            else:
                self.known_ok.add(_cache_key(key))
        return problems

    def _located(self, key: tuple[str, bool], error: str) -> list[Problem]:
        problems = []
        for card_id, formula in dict.fromkeys(self._jobs[key]):
            side = "" if key[0] == cloze_variants(formula.tex)[0] else " (on a cloze question side)"
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
