"""Benchmark `dlanki build` against ankdown 0.7.1 and a bare genanki script, in one run, on the same notes.

    pip install -e '.[bench]'             # ankdown 0.7.1
    python bench/bench_build.py           # 1,000, 10,000 and 50,000 cards, 3 runs each, and the shipped deck
    python bench/bench_build.py --sizes 10000 --runs 5

Corpora are the shipped deck's own cards replicated under new ids, in files of 50 (corpus.py); ankdown
gets the same notes as Markdown and the bare script reads the same YAML. Each command runs as its own
process and every kind of run takes its turn in each round, so a load that comes and goes on the
machine falls on all of them alike. dlanki's bytecode is compiled before the first run, as pip compiles
an installed package's. Reported: the median wall time, the median CPU time (user + system,
child processes included: Node for MathJax, the worker pool), the peak memory of the largest process,
and, from one more run sampled every 20 ms, the peak memory of the whole process tree at once.

- first build on this machine: no build/ and an empty user cache (a new $XDG_CACHE_HOME each run), so
  every card file is compiled and every formula proven by MathJax;
- cold: no build/ (a fresh clone, or build/ deleted), so every card file is compiled; the formulas were
  proven by an earlier build on this machine (dlanki keeps MathJax's verdicts per user);
- no-op: built again with nothing changed; one edit: one card's text changed, then built.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from corpus import REPO, edit_one_card, write_ankdown, write_corpus

HERE = Path(__file__).resolve().parent
DLANKI = [sys.executable, "-m", "dlanki", "build"]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))}


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mib: float


def measure(command: list[str], cwd: Path, env: dict[str, str] = ENV) -> Run:
    """Wall time, CPU time and peak RSS of one process and everything it waited for."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode()[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def tree_peak(command: list[str], cwd: Path, env: dict[str, str] = ENV) -> float:
    """Peak MiB of the process and all its descendants at once, sampled from /proc every 20 ms."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.wait()
    done.set()
    sampler.join()
    return peak


def _tree_rss(root: int) -> float:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total / (1 << 20)


def median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs), max(r.peak_mib for r in runs)
    )


def row(name: str, run: Run, tree: float | None = None, ratios: str = "") -> str:
    peak = f"{run.peak_mib:.0f} MiB" + (f" ({tree:.0f} MiB)" if tree else "")
    return f"| {name} | {run.wall:.2f} s | {run.cpu:.2f} s | {peak} | {ratios} |"


def ratio(ours: Run, theirs: Run) -> str:
    return f"{ours.wall / theirs.wall:.2f}x / {ours.cpu / theirs.cpu:.2f}x"


def bench_size(size: int, runs: int, ankdown: str | None, unique: bool) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        root = write_corpus(Path(folder) / "deck", size, unique=unique)
        markdown = write_ankdown(Path(folder) / "ankdown", root)
        subprocess.run(DLANKI, cwd=root, env=ENV, check=True, capture_output=True)  # writes the ledger, proves the formulas
        kinds: dict[str, list[Run]] = {k: [] for k in ("first", "cold", "noop", "edit", "genanki", "ankdown")}
        for run in range(runs):
            shutil.rmtree(root / "build")
            kinds["first"].append(measure(DLANKI, root, new_machine(Path(folder) / f"user-cache-{run}")))
            shutil.rmtree(root / "build")
            kinds["cold"].append(measure(DLANKI, root))
            kinds["noop"].append(measure(DLANKI, root))
            edit_one_card(root)
            kinds["edit"].append(measure(DLANKI, root))
            kinds["genanki"].append(measure([sys.executable, str(HERE / "bare_genanki.py"), str(root)], root))
            if ankdown:
                kinds["ankdown"].append(measure([ankdown, "-r", str(markdown), "-p", str(Path(folder) / "ankdown.apkg")], root))
        shutil.rmtree(root / "build")
        first_tree = tree_peak(DLANKI, root, new_machine(Path(folder) / "user-cache-tree"))
        shutil.rmtree(root / "build")
        cold_tree = tree_peak(DLANKI, root)
        noop_tree = tree_peak(DLANKI, root)
    result = {kind: median(found) for kind, found in kinds.items() if found}
    genanki, peer = result["genanki"], result.get("ankdown")

    def versus(run: Run) -> str:
        text = f"{ratio(run, genanki)} genanki"
        return text + (f", {ratio(run, peer)} ankdown" if peer else "")

    lines = [
        row(f"dlanki, {size:,} cards, first build on this machine (MathJax proves every formula)", result["first"], first_tree, versus(result["first"])),
        row(f"dlanki, {size:,} cards, cold (no build/; formulas proven before)", result["cold"], cold_tree, versus(result["cold"])),
        row(f"dlanki, {size:,} cards, no-op rebuild", result["noop"], noop_tree, versus(result["noop"])),
        row(f"dlanki, {size:,} cards, one-edit rebuild", result["edit"], None, versus(result["edit"])),
        row(f"bare genanki script, {size:,} notes", genanki),
    ]
    if peer:
        lines.append(row(f"ankdown 0.7.1, {size:,} notes", peer))
    return lines


def bench_shipped(runs: int) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        for name in ("cards", "media"):
            shutil.copytree(REPO / name, copy / name)
        for name in ("dlanki.yaml", "dlanki.lock"):
            shutil.copy2(REPO / name, copy / name)
        subprocess.run(DLANKI + ["--frozen"], cwd=copy, env=ENV, check=True, capture_output=True)  # proves the formulas once
        first, cold = [], []
        for run in range(runs):
            shutil.rmtree(copy / "build", ignore_errors=True)
            first.append(measure(DLANKI + ["--frozen"], copy, new_machine(copy / f"user-cache-{run}")))
            shutil.rmtree(copy / "build")
            cold.append(measure(DLANKI + ["--frozen"], copy))
        shutil.rmtree(copy / "build")
        first_tree = tree_peak(DLANKI + ["--frozen"], copy, new_machine(copy / "user-cache-tree"))
        shutil.rmtree(copy / "build")
        cold_tree = tree_peak(DLANKI + ["--frozen"], copy)
        notes = sum(path.read_text(encoding="utf-8").count("\n  - id:") for path in (copy / "cards").glob("*.yaml"))
    return [
        row(f"dlanki, shipped deck ({notes} notes), first build on this machine (MathJax proves every formula)", median(first), first_tree),
        row(f"dlanki, shipped deck ({notes} notes), cold (no build/; formulas proven before)", median(cold), cold_tree),
    ]


def new_machine(folder: Path) -> dict[str, str]:
    """The environment of a machine that never ran dlanki: an empty user cache (key and formula verdicts)."""
    return {**ENV, "XDG_CACHE_HOME": str(folder)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--unique", action="store_true", help="no two cards with the same text (see corpus.py)")
    parser.add_argument("--no-shipped", dest="shipped", action="store_false", help="skip the shipped deck")
    args = parser.parse_args()
    # dlanki runs from this checkout: its bytecode is compiled first, as pip compiles an installed package's
    # (ankdown's and genanki's among them), so that no run compiles it again, even with
    # PYTHONDONTWRITEBYTECODE set. (A read-only checkout only makes every run compile it again.)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "dlanki")], check=False)
    ankdown = shutil.which("ankdown") or shutil.which("ankdown", path=str(Path(sys.executable).parent))
    load = os.getloadavg()[0]
    corpus = "every card's text unique" if args.unique else "the shipped cards replicated"
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {load:.1f} at start, median of {args.runs} runs, {corpus}")
    if not ankdown:
        print("ankdown not found: pip install -e '.[bench]'")
    print("\n| what | wall | CPU | peak memory (whole tree) | ratio to the peers, wall / CPU |\n| --- | --- | --- | --- | --- |")
    for size in args.sizes:
        for line in bench_size(size, args.runs, ankdown, args.unique):
            print(line, flush=True)
    for line in bench_shipped(args.runs) if args.shipped else []:
        print(line, flush=True)
    print(f"\nload {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
