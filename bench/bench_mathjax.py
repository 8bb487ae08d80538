"""The formula check on its own: distinct formula sides of the shipped deck proven per second.

    python bench/bench_mathjax.py           # one and two Node processes, 3 runs each, alternating

Every side MathJax receives (the answer and each cloze question side) of every formula in cards/, each
once, streamed to Node the way a cold build streams them. Reported: wall time, CPU time of the Node
processes, and sides per second of wall time.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

from corpus import REPO

sys.path.insert(0, str(REPO))

from dlanki import mathjax_workers
from dlanki.load import load_deck, load_project
from dlanki.mathcheck import PHONE_FORMULA_EM, FormulaChecker
from dlanki.mathjax import find_mathjax
from dlanki.render import Renderer


def formula_sides(root: Path) -> list[tuple[str, bool]]:
    project, _ = load_project(root)
    deck, _ = load_deck(project)
    renderer = Renderer(project.sources)
    checker = FormulaChecker()
    sides: dict[tuple[str, bool], None] = {}
    for card in deck.cards:
        for formula in renderer.render_card(card)[0].formulas:
            for tex in checker.variants(formula.anki_tex):
                sides[(tex, formula.display)] = None
    return list(sides)


def prove(sides: list[tuple[str, bool]], processes: int) -> tuple[float, float, int]:
    """Wall and Node CPU seconds to prove every side with this many processes at most, and how many
    sides had to be measured (their width bound did not prove they fit)."""
    mathjax_workers.MAX_WORKERS = processes
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    workers = mathjax_workers.MathJaxWorkers(shutil.which("node"), find_mathjax(), PHONE_FORMULA_EM)
    for side in sides:
        workers.send(side)
    workers.finish()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if workers.failures or len(workers.verdicts) != len(sides):
        raise SystemExit(f"MathJax failed: {workers.failures}")
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), workers.measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if find_mathjax() is None or shutil.which("node") is None:
        raise SystemExit("needs Node.js")
    sides = formula_sides(REPO)
    results: dict[int, list[tuple[float, float, int]]] = {1: [], 2: []}
    for _ in range(args.runs):
        for processes, runs in results.items():
            runs.append(prove(sides, processes))
    measured = results[1][0][2]
    print(f"{len(sides)} distinct formula sides in cards/ ({measured} measured for width: the bound of the others fits)\n")
    print("| Node processes | wall | Node CPU | sides per second |\n| --- | --- | --- | --- |")
    for processes, runs in results.items():
        wall = statistics.median(w for w, _, _ in runs)
        cpu = statistics.median(c for _, c, _ in runs)
        print(f"| {processes} | {wall:.2f} s | {cpu:.2f} s | {len(sides) / wall:.0f} |")


if __name__ == "__main__":
    main()
