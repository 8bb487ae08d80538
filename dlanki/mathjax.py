"""The MathJax dlanki ships: which files, and where to find them.

dlanki carries MathJax 3.2.2 (the version Anki bundles) as package data, so `pip install dlanki`
is all a deck needs to prove its formulas render (`check`, under Node.js) and to typeset them
offline (`preview`, in the browser). Both run the same files: MathJax's own es5 components, as
published in the npm package mathjax-full, unmodified. tools/vendor_mathjax.py copies them in.
"""

from __future__ import annotations

import os
from pathlib import Path

VERSION = "3.2.2"
"""The MathJax version Anki bundles (Anki's ts/mathjax); change it here, then run tools/vendor_mathjax.py."""

BUNDLED = Path(__file__).parent / "mathjax"
"""MathJax inside the installed package: es5/ (the components below) and MathJax's LICENSE."""

ENV_OVERRIDE = "DLANKI_MATHJAX"
"""Use another MathJax: a folder with es5/ inside, such as node_modules/mathjax-full."""

# The components, as paths under es5/. Each is self-contained; the loader in startup.js fetches the
# others by these names, so the folder layout is kept as MathJax publishes it.
PARSE = ("startup.js", "core.js", "input/tex-full.js")
"""What reads TeX: the loader, MathJax's core and TeX input with every package Anki can use."""
MEASURE = ("output/chtml.js", "output/chtml/fonts/tex.js")
"""The CHTML output jax and its font metrics: how wide a formula is, without drawing it."""
CHECK = (*PARSE, *MEASURE, "adaptors/liteDOM.js")
"""What mathjax_check.js loads under Node.js: no browser, so MathJax's light DOM."""
FONTS = "output/chtml/fonts/woff-v2"
"""The web fonts CHTML output draws with (a folder)."""
PAGE = (*PARSE, *MEASURE, "a11y/assistive-mml.js")
"""What the preview page loads (plus FONTS): the parts of tex-chtml-full.js, the file Anki loads,
without its menu, which Anki switches off."""
FILES = tuple(dict.fromkeys((*CHECK, *PAGE)))
"""Every file dlanki ships, besides FONTS."""


def find_mathjax() -> Path | None:
    """The MathJax to use: $DLANKI_MATHJAX if set, else the bundled copy; None if it is incomplete."""
    override = os.environ.get(ENV_OVERRIDE, "")
    folder = Path(override).expanduser() if override else BUNDLED
    return folder.resolve() if has_files(folder, CHECK) else None


def has_files(folder: Path, names: tuple[str, ...]) -> bool:
    return all((folder / "es5" / name).is_file() for name in names)


def describe(folder: Path | None) -> str:
    """Which MathJax, for messages: the bundled one, or the override and where it is."""
    if folder is None:
        override = os.environ.get(ENV_OVERRIDE)
        return f"${ENV_OVERRIDE} ({override}) has no MathJax es5/ components" if override else "bundled MathJax is missing"
    return f"MathJax {VERSION} (bundled)" if folder == BUNDLED.resolve() else f"MathJax from ${ENV_OVERRIDE} ({folder})"
