"""`dlanki serve` in real Chromium: a saved card shows without a manual reload, a broken card shows its
located error in the page and the terminal, and Ctrl+C stops the server cleanly."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO

from dlanki.cli import cli, serve_command


class Served:
    """`python -m dlanki serve` in a child process, its output read line by line."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dlanki", "serve", "-p", str(root), "-a", "127.0.0.1:0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=lambda: [self.lines.put(line.rstrip("\n")) for line in self.process.stdout], daemon=True)
        self.reader.start()
        self.url = re.search(r"serving (\S+)", self.wait_for("serving ")).group(1)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not printed; the server said: {self.seen}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl+C
        status = self.process.wait(timeout=30)
        self.reader.join(timeout=10)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return status


def test_serve_rebuilds_and_reloads_on_save_and_shows_errors_in_the_page(tmp_path: Path, runner, new_page):
    root = tmp_path / "deck"
    assert runner.invoke(cli, ["new", str(root)]).exit_code == 0
    cards = root / "cards" / "examples.yaml"
    served = Served(root)
    try:
        served.wait_for("preview of 2 notes built")
        page, log = new_page()
        page.goto(served.url)
        assert page.evaluate("window.dlankiPreview.ready.then(r => r.typeset)") == 8
        assert "exactly one answer" in page.inner_text("#example-good-card-1 .pv-a")
        page.evaluate("window.notReloaded = true")

        # Save an edit: the page shows it by itself, as a new page load (the marker is gone).
        cards.write_text(cards.read_text().replace("exactly one answer", "a single, unambiguous answer"))
        served.wait_for("cards/examples.yaml changed: preview of 2 notes rebuilt")
        # The new page's script runs after its cards are in the body: wait for both, or a slow machine races it.
        page.wait_for_function(
            "() => window.dlankiPreview && document.body.innerText.includes('a single, unambiguous answer')", timeout=15_000
        )
        assert page.evaluate("window.notReloaded") is None
        page.evaluate("window.dlankiPreview.ready")
        assert page.query_selector("#pv-problems") is None

        # Break a card: the located error is in the terminal and at the top of the page.
        cards.write_text(cards.read_text().replace("    front: What", "    frnt: What"))
        error = served.wait_for("error: [example-good-card] unknown key 'frnt'")
        assert error.startswith("cards/examples.yaml:17:5: ")
        page.wait_for_selector("#pv-problems", timeout=15_000)
        problems = page.inner_text("#pv-problems")
        assert "cards/examples.yaml:17:5 error: [example-good-card] unknown key 'frnt' (did you mean 'front'?)" in problems
        assert "dlanki build refuses the deck" in problems

        # Fix it: the banner goes; nothing was ever fetched from anywhere but the server.
        cards.write_text(cards.read_text().replace("    frnt: What", "    front: What"))
        page.wait_for_function("() => !document.getElementById('pv-problems') && document.getElementById('example-good-card-1')", timeout=15_000)
        # A reload closes the page's event stream: the browser reports that one as aborted, nothing else.
        assert [e for e in log.errors if "/_dlanki/events net::ERR_ABORTED" not in e] == []
        assert all(url.startswith(served.url) for url in log.requests), log.requests
    finally:
        status = served.stop()
    assert status == 0 and served.seen[-1] == "stopped"


def test_serve_binds_to_loopback_unless_told_otherwise(runner):
    (address,) = [p for p in serve_command.params if p.name == "address"]
    assert address.default == "127.0.0.1:8000"
    bad = runner.invoke(cli, ["serve", "-a", "8000"])
    assert bad.exit_code == 2 and "is not IP:PORT" in bad.stderr


@pytest.mark.parametrize("host", ["127.0.0.1"])
def test_a_port_in_use_is_an_error_not_a_crash(tmp_path: Path, runner, host):
    import socket

    root = tmp_path / "deck"
    runner.invoke(cli, ["new", str(root)])
    with socket.socket() as taken:
        taken.bind((host, 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = runner.invoke(cli, ["serve", "-p", str(root), "-a", f"{host}:{port}"])
    assert done.exit_code == 1 and f"cannot serve on {host}:{port}: Address already in use" in done.stderr
