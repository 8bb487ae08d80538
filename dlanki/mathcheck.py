"""Prove every formula renders: parse it with MathJax 3.2.2, the version Anki bundles.

A formula MathJax cannot parse shows in Anki as raw TeX or a red error box, so it is an error here.
MathJax runs under Node.js from node_modules (installed by `npm ci`); each cloze card's question
side is checked too, because a deletion inside a formula changes the TeX MathJax sees.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from dlanki.errors import Loc, Problem
from dlanki.mathspans import cloze_variants
from dlanki.model import RenderedCard

MATHJAX_PACKAGE = Path("node_modules") / "mathjax-full"


def find_mathjax(root: Path) -> Path | None:
    """MathJax from $DLANKI_MATHJAX, the project's node_modules, or dlanki's own checkout."""
    candidates = [os.environ.get("DLANKI_MATHJAX", ""), root / MATHJAX_PACKAGE, Path(__file__).parent.parent / MATHJAX_PACKAGE]
    for candidate in candidates:
        if candidate and (Path(candidate) / "js" / "mathjax.js").is_file():
            return Path(candidate).resolve()
    return None


def check_formulas(rendered: list[RenderedCard], root: Path) -> list[Problem]:
    jobs = []
    for item in rendered:
        for formula in item.formulas:
            for variant in dict.fromkeys(cloze_variants(formula.tex)):
                jobs.append((item.card.id, formula, variant))
    if not jobs:
        return []
    mathjax = find_mathjax(root)
    node = shutil.which("node")
    if mathjax is None or node is None:
        missing = "Node.js" if node is None else "MathJax (node_modules/mathjax-full)"
        return [
            Problem(
                Loc("cards/"),
                f"{len(jobs)} formula(s) not verified: {missing} not found",
                "run `npm ci` in the project (needs Node.js) so MathJax 3.2.2 can check them",
                level="warning",
            )
        ]
    script = resources.files("dlanki").joinpath("mathjax_check.js")
    payload = json.dumps([{"tex": tex, "display": f.display} for _, f, tex in jobs])
    with resources.as_file(script) as script_path:
        run = subprocess.run(
            [node, str(script_path), str(mathjax)], input=payload, capture_output=True, text=True, check=False
        )
    if run.returncode != 0:
        return [Problem(Loc("cards/"), f"MathJax check crashed: {run.stderr.strip()[:300]}", "report this as a dlanki bug")]
    problems = []
    seen = set()
    for (card_id, formula, tex), error in zip(jobs, json.loads(run.stdout)):
        if error and (formula.loc, error) not in seen:
            seen.add((formula.loc, error))
            side = "" if tex == cloze_variants(formula.tex)[0] else " (on a cloze question side)"
            problems.append(
                Problem(
                    formula.loc,
                    f"MathJax cannot render ${_short(formula.tex)}${side}: {error}",
                    "fix the LaTeX; Anki's MathJax shows it as raw TeX or an error",
                    card_id,
                )
            )
    return problems


def _short(tex: str) -> str:
    return tex if len(tex) <= 60 else tex[:57] + "..."
