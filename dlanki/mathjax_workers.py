"""Node.js processes running mathjax_check.js: formulas in, verdicts out, on both cores.

Formulas are queued as Python finds them and written to Node by one thread per process, so
rendering never waits on a full pipe. A second process starts only once enough formulas wait for
it to pay for its start (loading MathJax and warming it up costs about a third of a second of CPU);
a one-edit rebuild with a handful of new formulas uses one. Each process holds only a few formulas in
flight, so neither sits idle at the end while the other still has a backlog.
"""

from __future__ import annotations

import collections
import json
import re
import threading
import time
from importlib import resources
from pathlib import Path

MAX_WORKERS = 2
"""One per core of a laptop or CI runner; measured in bench/bench_mathjax.py."""
SECOND_WORKER_BACKLOG = 150
"""Formulas waiting before a second process starts: about 0.15 s of work for the first one."""
IN_FLIGHT = 32
"""Formulas sent to one process and not yet answered."""

Key = tuple[str, bool]
"""(TeX as MathJax receives it, displayed?)."""


class MathJaxWorkers:
    def __init__(self, node: str, mathjax: Path, fits: float) -> None:
        self._command = [node, "", str(mathjax)]
        self._fits = fits
        """Widths up to this many em need no measuring, only a bound (mathjax_check.js)."""
        self._queue: collections.deque[Key] = collections.deque()
        self._ready = threading.Condition()
        self._closed = False
        self._workers: list[_Worker] = []
        self.verdicts: dict[Key, tuple[str | None, float | None]] = {}
        """Each answered formula → (error message or None, width in em (or a bound that fits) or None)."""
        self.measured = 0
        """How many answers needed measuring (their bound did not prove they fit)."""
        self.failures: list[str] = []
        self.sent = 0
        self.started_at = 0.0
        self.finished_at = 0.0
        self._script = resources.as_file(resources.files("dlanki").joinpath("mathjax_check.js"))

    def send(self, key: Key) -> None:
        with self._ready:
            self._queue.append(key)
            self.sent += 1
            self._ready.notify()
            backlog = len(self._queue)
        if not self._workers or (len(self._workers) < MAX_WORKERS and backlog > SECOND_WORKER_BACKLOG):
            self._start_worker()

    def finish(self) -> None:
        """Wait for every verdict."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()
        for worker in self._workers:
            self.measured += worker.join(self.verdicts, self.failures)
        self.finished_at = time.perf_counter()
        if self._workers:
            self._script.__exit__(None, None, None)

    def _start_worker(self) -> None:
        if not self._workers:
            self.started_at = time.perf_counter()
            self._command[1] = str(self._script.__enter__())
        self._workers.append(_Worker(self._command, self._next, self._fits))

    def _next(self) -> Key | None:
        """The next formula to send, waiting for one; None once finish() was called and none is left."""
        with self._ready:
            while not self._queue and not self._closed:
                self._ready.wait()
            return self._queue.popleft() if self._queue else None


class _Worker:
    """One Node process with a writer thread (feeds it) and a reader thread (collects its answers)."""

    def __init__(self, command: list[str], next_key, fits: float) -> None:
        import subprocess  # only when a formula needs proving

        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
        )
        self.sent: collections.deque[Key] = collections.deque()
        self.answers: list[tuple[Key, str]] = []
        self.slots = threading.Semaphore(IN_FLIGHT)
        self.ended = False
        """Node closed its output (finished, or died: then the writer must not wait for a free slot)."""
        self._next = next_key
        self._fits = fits
        self.writer = threading.Thread(target=self._write, daemon=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.writer.start()
        self.reader.start()

    def _write(self) -> None:
        stdin = self.process.stdin
        try:
            while True:
                self.slots.acquire()
                key = None if self.ended else self._next()
                if key is None:
                    break
                self.sent.append(key)
                stdin.write(json.dumps({"tex": key[0], "display": key[1], "fits": self._fits}) + "\n")
                stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # Node died; join() reports it
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def _read(self) -> None:
        for line in self.process.stdout:
            self.answers.append((self.sent.popleft(), line))
            self.slots.release()
        self.ended = True
        self.slots.release()  # a writer waiting for a slot would wait forever: Node answers no more

    def join(self, verdicts: dict, failures: list[str]) -> int:
        """Add this process's verdicts; return how many of them it measured."""
        self.writer.join()
        self.reader.join()
        stderr = self.process.stderr.read()
        code = self.process.wait()
        if code != 0 or self.sent:
            errors = [line.strip() for line in stderr.splitlines() if re.match(r"\s*\w*Error: ", line)]
            failures.append((errors[0] if errors else stderr.strip()[-300:]) or f"node exited with status {code}")
        measured = 0
        for key, line in self.answers:
            answer = json.loads(line)
            verdicts[key] = (answer["error"], answer["width"])
            measured += bool(answer.get("measured"))
        return measured
