"""Benchmark `dlanki build` against a bare genanki script on synthetic corpora, and the shipped deck.

    python bench/bench_build.py            # 1,000 and 10,000 cards, 3 runs each, plus the shipped deck

Wall time and peak memory (max RSS of the process and its children, e.g. Node for MathJax) of
separate processes. "cold" deletes build/.cache first (every field rendered, every formula proven
by MathJax); "warm" is a rebuild with the cache of the previous build, as after editing a card.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from corpus import write_corpus

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """Seconds and peak MiB of one run, measured by a wrapper so each run's peak is its own."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter(); code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "t = time.perf_counter() - t\n"
        "print(t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
        "sys.exit(code)\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, *command], cwd=cwd, capture_output=True, text=True, check=True)
    seconds, mib = out.stdout.split()
    return float(seconds), float(mib)


def row(name: str, runs: list[tuple[float, float]]) -> str:
    times = [t for t, _ in runs]
    return f"| {name} | {statistics.median(times):.2f} s | {min(times):.2f} s | {max(m for _, m in runs):.0f} MiB |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    dlanki = [sys.executable, "-m", "dlanki", "build"]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores\n")
    print("| what | median | best | peak memory |\n| --- | --- | --- | --- |")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = write_corpus(Path(folder), size)
            subprocess.run(dlanki, cwd=root, check=True, capture_output=True)  # first build writes the ledger
            cold = []
            for _ in range(args.runs):
                shutil.rmtree(root / "build" / ".cache", ignore_errors=True)
                cold.append(measure(dlanki, root))
            ours = [measure(dlanki, root) for _ in range(args.runs)]
            bare = [measure([sys.executable, str(HERE / "bare_genanki.py"), str(root)], root) for _ in range(args.runs)]
        print(row(f"dlanki build, {size:,} cards, cold", cold))
        print(row(f"dlanki build, {size:,} cards, warm", ours))
        print(row(f"bare genanki, {size:,} cards", bare))
        ratio = statistics.median(t for t, _ in ours) / statistics.median(t for t, _ in bare)
        cold_ratio = statistics.median(t for t, _ in cold) / statistics.median(t for t, _ in bare)
        print(f"| ratio dlanki / genanki, {size:,} | {cold_ratio:.2f}x cold, {ratio:.2f}x warm | | |")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        for name in ("cards", "media"):
            if (REPO / name).is_dir():
                shutil.copytree(REPO / name, copy / name)
        for name in ("dlanki.yaml", "dlanki.lock"):
            if (REPO / name).exists():
                shutil.copy2(REPO / name, copy / name)
        shipped = []
        for _ in range(args.runs):
            shutil.rmtree(copy / "build" / ".cache", ignore_errors=True)
            shipped.append(measure(dlanki + ["--frozen"], copy))
        print(row("dlanki build, shipped deck, cold", shipped))


if __name__ == "__main__":
    main()
