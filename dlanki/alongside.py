"""A job that runs beside the build in its own process, when that is safe and it pays.

The check of media/ parses every SVG: a sixth of a cold build of this deck, with nothing to do with the
card files. Started in a forked process before the card files are compiled, it costs no wall time on a
machine with a second core. Forking is only safe while this process has no other thread, and only
Linux forks here; elsewhere, or if the process dies or fails, the job simply runs in this process when
its result is asked for, so the result never depends on how it was computed.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from dlanki.forked import become_helper

T = TypeVar("T")


class Alongside(Generic[T]):
    def __init__(self, job: Callable[[], T]) -> None:
        self._job = job
        self._process = None
        self._receiver = None
        if sys.platform == "linux" and (os.cpu_count() or 1) > 1 and threading.active_count() == 1:
            import multiprocessing  # only here: a command that forks nothing does not load it

            context = multiprocessing.get_context("fork")
            self._receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(target=_run, args=(job, sender, os.getpid(), self._receiver), daemon=True)
            self._process.start()
            sender.close()

    def result(self) -> T:
        """The job's result: from its process if that delivered one, else computed here and now."""
        if self._process is not None:
            try:
                with self._receiver:
                    payload = self._receiver.recv_bytes()
                self._process.join()
                if payload:
                    return pickle.loads(payload)
            except (EOFError, OSError, pickle.UnpicklingError):
                pass  # it died or failed: compute it here, where a bug shows as it would have
            finally:
                self._process = None
        return self._job()


def _run(job: Callable, sender, build: int, receiver) -> None:
    become_helper(build, [receiver])
    with sender:
        try:
            payload = pickle.dumps(job(), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - the main process runs the job again and reports what it finds
            payload = b""
        try:
            sender.send_bytes(payload)
        except OSError:  # the main process is gone
            pass
