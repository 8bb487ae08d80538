"""Real headless Chromium for the tests: Playwright for Python, driving the system's Chromium.

Playwright's own browser download is never used (`playwright install` is not needed): the tests
launch the Chromium the system has (Debian: `apt-get install chromium`), with the flags below.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

import pytest

FLAGS = (
    "--no-sandbox",  # the tests run as root in CI
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",  # no request leaves the machine, so the offline checks mean something
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_or_skip() -> str:
    """The system Chromium; a test that needs it is skipped without it, except in CI, where it fails."""
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (apt-get install chromium); CI must run the browser tests")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return executable


@dataclass
class PageLog:
    """What a page did: every request it made, and every error it logged or threw."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: message.type == "error" and self.errors.append(f"{message.text} {message.location.get('url', '')}".strip()))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfailed", lambda request: self.errors.append(f"failed: {request.url} {request.failure}"))
