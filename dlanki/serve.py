"""`dlanki serve`: the preview on a local port, rebuilt when a source is saved, reloaded in the browser.

Like `mkdocs serve`: a watcher polls dlanki.yaml, cards/ and media/ (polling needs no extra package
and sees every editor's way of saving); on a change it runs the same check and preview writing as
`dlanki check` and `dlanki preview`, into a folder of its own, with a build cache kept in memory so
only the cards that changed are rendered again. Open pages hold a server-sent event stream and reload
when a new preview is ready. Standard library only: http.server and threads.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from dlanki.build import check
from dlanki.cache import load_cache, save_cache
from dlanki.errors import Problem
from dlanki.load import load_project
from dlanki.mathjax import find_mathjax
from dlanki.preview import write_preview

POLL_SECONDS = 0.25
"""How often sources are looked at: a save shows in the page well within a second."""
EVENTS = "/_dlanki/events"
# Reload when the server's build number differs from the one the page was served with, including
# after a restart of the server (EventSource reconnects by itself).
RELOAD_SCRIPT = """<script>
(function () {
  var events = new EventSource("%s");
  events.onmessage = function (event) { if (event.data !== "%d") location.reload(); };
})();
</script>"""


@dataclass(frozen=True)
class Rebuild:
    """One rebuild of the preview, for the command line to report."""

    number: int
    seconds: float
    problems: list[Problem] = field(default_factory=list)
    cards: int = 0
    crash: str = ""
    """The traceback, if the rebuild itself failed (a bug in dlanki); the previous preview stays."""
    changed: tuple[str, ...] = ()
    """The sources that changed since the previous build, relative to the project."""


class DeckServer:
    """Serve a project's preview at http://host:port/, rebuilding it as its sources change."""

    def __init__(self, root: Path, host: str, port: int, on_rebuild: Callable[[Rebuild], None]) -> None:
        self.root = root
        self.on_rebuild = on_rebuild
        self._workdir = Path(tempfile.mkdtemp(prefix="dlanki-serve-"))
        self.site = self._workdir / "site"
        self._cache = load_cache(load_project(root)[0])
        self._number = 0
        self._crash = ""
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._snapshot: dict[str, tuple[int, int]] = {}
        self.httpd = _Server((host, port), self._handler())

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def rebuild(self, changed: tuple[str, ...] = ()) -> Rebuild:
        """Check the sources and write the preview; never raises (a crash is reported, not fatal)."""
        started = time.monotonic()
        try:
            result = check(self.root, self._cache)
            write_preview(result.project, result.rendered, find_mathjax(), self.site, result.problems)
            self._crash = ""
            outcome = {"problems": result.problems, "cards": len(result.rendered)}
        except Exception:  # noqa: BLE001 - keep serving: the next save may fix it, and the page says what broke
            self._crash = traceback.format_exc()
            outcome = {"crash": self._crash}
        with self._changed:
            self._number += 1
            rebuild = Rebuild(self._number, time.monotonic() - started, changed=changed, **outcome)
            self._changed.notify_all()
        self.on_rebuild(rebuild)
        return rebuild

    def serve_forever(self) -> None:
        """Build once, then serve and watch until shutdown() (or Ctrl+C in the calling thread)."""
        self._snapshot = sources(self.root)
        self.rebuild()
        watcher = threading.Thread(target=self._watch, name="dlanki-watch", daemon=True)
        watcher.start()
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.close()

    def shutdown(self) -> None:
        """Stop serve_forever() from another thread."""
        self._stopping.set()
        self.httpd.shutdown()

    def close(self) -> None:
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()
        self.httpd.server_close()
        save_cache(load_project(self.root)[0], self._cache)  # the next `dlanki build` starts warm
        shutil.rmtree(self._workdir, ignore_errors=True)

    def _watch(self) -> None:
        while not self._stopping.wait(POLL_SECONDS):
            now = sources(self.root)
            if now == self._snapshot:
                continue
            # An editor may save in steps (truncate, write, rename): wait until the files hold still.
            while not self._stopping.wait(POLL_SECONDS / 2):
                settled = sources(self.root)
                if settled == now:
                    break
                now = settled
            changed = tuple(sorted(name for name in now.keys() | self._snapshot.keys() if now.get(name) != self._snapshot.get(name)))
            self._snapshot = now
            self.rebuild(changed)

    def _wait_for_change(self, seen: int, timeout: float) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self._number != seen or self._stopping.is_set(), timeout)
            return self._number

    def _page(self) -> bytes:
        """index.html as served: with the reload script, and a banner if the last rebuild crashed."""
        try:
            page = (self.site / "index.html").read_text(encoding="utf-8")
        except FileNotFoundError:  # the first build crashed: there is no preview yet
            page = "<!DOCTYPE html><html><head><meta charset=utf-8><title>dlanki</title></head><body></body></html>"
        # The written preview allows no connections (it works from file://); the served one needs its event stream.
        page = page.replace("default-src 'none';", "default-src 'none'; connect-src 'self';", 1)
        extra = RELOAD_SCRIPT % (EVENTS, self._number)
        if self._crash:
            last = self._crash.strip().splitlines()[-1]
            extra += (
                '<div class="pv-banner pv-banner-error" id="pv-crash" style="position:fixed;bottom:0;left:0;right:0">'
                f"dlanki could not rebuild the preview (internal error: {_escape(last)}); this page is the previous "
                "build. The terminal has the traceback.</div>"
            )
        return page.replace("</body>", extra + "\n</body>", 1).encode("utf-8")

    def _handler(self):
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(server.site), **kwargs)

            def do_GET(self) -> None:  # http.server's naming
                path = self.path.split("?", 1)[0].split("#", 1)[0]
                if path == EVENTS:
                    self._events()
                elif path in ("/", "/index.html"):
                    self._send(server._page(), "text/html; charset=utf-8")
                elif path == "/favicon.ico":  # browsers ask; the preview has none
                    self.send_response(HTTPStatus.NO_CONTENT)
                    self.end_headers()
                else:
                    super().do_GET()

            def end_headers(self) -> None:
                self.send_header("Cache-Control", "no-store")  # always the latest build
                super().end_headers()

            def _send(self, body: bytes, content_type: str) -> None:
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _events(self) -> None:
                # https://html.spec.whatwg.org/multipage/server-sent-events.html
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                seen = -1
                try:
                    while not server._stopping.is_set():
                        number = server._wait_for_change(seen, timeout=10)
                        # A comment line every 10 s finds closed connections, so their threads end.
                        self.wfile.write(f"data: {number}\n\n".encode() if number != seen else b": ping\n\n")
                        self.wfile.flush()
                        seen = number
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args) -> None:  # http.server's signature
                pass  # the command line reports rebuilds, not every request

        return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # open event streams never keep the process alive

    def handle_error(self, request, client_address) -> None:
        """A browser that closes a connection early is normal; anything else is printed by http.server."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def sources(root: Path) -> dict[str, tuple[int, int]]:
    """Every file a build reads, with its modification time and size."""
    found = {}
    for path in [root / "dlanki.yaml", root / "dlanki.lock", *_files(root / "cards"), *_files(root / "media")]:
        try:
            stat = path.stat()
        except OSError:
            continue
        found[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
