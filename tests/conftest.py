"""Shared fixtures: tiny real projects on disk and a real Anki collection (PyPI `anki`)."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="5"/></svg>\n'

MINIMAL = {
    "dlanki.yaml": """
        package: mini
        guid_namespace: mini-test
        sources:
          "000": Notes item {n}
          "004": Interview question {n}
          added: Added by the authors
    """,
    "cards/01-cnn.yaml": """
        deck: Mini::CNN
        tags: [dl::cnn]
        cards:
          - id: cnn-pooling
            type: basic
            source: "004#8"
            tags: [dl::cnn::pooling]
            front: What does *max pooling* output for a window?
            back: |
              Its largest value: $y = \\max_{i} x_i$
            extra: |
              ![max pool](pool.svg)
          - id: cnn-output-size
            type: cloze
            source: "000#11"
            text: |
              Output width $$O = {{c1::\\left\\lfloor \\frac{W-K+2P}{S} \\right\\rfloor}} + {{c2::1}}$$
    """,
    "cards/02-rnn.yaml": """
        deck: Mini::RNN
        tags: [dl::rnn]
        cards:
          - id: rnn-state
            type: basic
            source: "004#35"
            front: RNN hidden state update?
            back: $s_t = f(U x_t + W s_{t-1})$
          - id: rnn-sigmoid-derivative
            type: cloze
            source: added
            text: |
              $\\sigma'(x) = {{c1::\\sigma(x)(1-\\sigma(x))}}$
    """,
    "media/pool.svg": SVG,
}


def write_project(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small real project that always builds."""
    return write_project(tmp_path / "project", MINIMAL)


@pytest.fixture
def make_project(tmp_path: Path):
    """make_project({...}) writes a project from the minimal one plus/minus the given files."""

    def make(files: dict[str, str | bytes | None], base: dict = MINIMAL) -> Path:
        merged = {**base, **files}
        root = tmp_path / "custom"
        write_project(root, {k: v for k, v in merged.items() if v is not None})
        return root

    return make


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def collection(tmp_path: Path):
    """A fresh, real Anki collection."""
    folder = tmp_path / "anki"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


def import_apkg(col: Collection, path: Path):
    """Import with the default options a user has; return Anki's import log."""
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    log = col.import_anki_package(request).log
    col.models._clear_cache()  # Anki caches note types across an import
    return log


def past(seconds_ago: int) -> int:
    """A build stamp in the past, so tests never stamp notes in the future."""
    return int(time.time()) - seconds_ago


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (tests/browser.py); each test opens its own pages."""
    from browser import FLAGS, chromium_or_skip
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=list(FLAGS))
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """new_page(width=1280, height=900, mobile=False) → (page, log) in a fresh browser context, closed afterwards."""
    from browser import PageLog

    contexts = []

    def open_page(width: int = 1280, height: int = 900, mobile: bool = False):
        context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=mobile, device_scale_factor=1)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        log = PageLog()
        log.watch(page)
        return page, log

    yield open_page
    for context in contexts:
        context.close()
