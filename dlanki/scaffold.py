"""`dlanki new`: a working deck in one command, like `mkdocs new`.

The files come from dlanki/skeleton/ with a few words filled in. The deck gets a guid_namespace of
its own, made here at random: identity is never shared between decks, or their notes would
overwrite each other in a learner's collection.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dlanki import REPOSITORY, __version__

WORKFLOW = Path(".github") / "workflows" / "deck.yml"

# Where each skeleton file goes in the new deck ({package}: the deck's package name).
LAYOUT = {
    "dlanki.yaml": "dlanki.yaml",
    "cards.yaml": "cards/examples.yaml",
    "right-triangle.svg": "media/{package}-right-triangle.svg",
    "README.md": "README.md",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "deck.yml": WORKFLOW.as_posix(),
}


class ProjectExists(Exception):
    """The folder already holds a deck, or a file `new` would write."""


@dataclass(frozen=True)
class NewDeck:
    root: Path
    package: str
    """The deck's package name (build/<package>.apkg), from the folder's name."""
    guid_namespace: str
    files: tuple[str, ...]
    """What was written, relative to root."""


def new_deck(root: Path) -> NewDeck:
    """Write a deck that `dlanki build` builds at once; write nothing if any of its files exists."""
    package = package_name(root.resolve().name)
    namespace = f"{package}-{secrets.token_hex(8)}"
    targets = {name: target.format(package=package) for name, target in LAYOUT.items()}
    if (root / "dlanki.yaml").exists():
        raise ProjectExists(f"{root} is already a dlanki project (it has dlanki.yaml); nothing written")
    existing = [target for target in targets.values() if (root / target).exists()]
    if existing:
        raise ProjectExists(f"{root} already has {', '.join(existing)}; nothing written: choose a new or empty folder")
    words = {
        "PACKAGE": package,
        "NAMESPACE": namespace,
        "TITLE": title(package),
        "VERSION": __version__,
        "REPOSITORY": REPOSITORY,
        "INSTALL": f'"dlanki=={__version__}"',
    }
    for name, target in targets.items():
        path = root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fill(skeleton(name), words), encoding="utf-8")
    return NewDeck(root, package, namespace, tuple(targets.values()))


def workflow(install: str) -> str:
    """The GitHub Actions workflow `new` writes, installing dlanki with `pip install <install>`."""
    return fill(skeleton("deck.yml"), {"INSTALL": install})


def package_name(folder: str) -> str:
    """A deck's package name from its folder's: lowercase ASCII words joined by '-'."""
    return "-".join(re.findall(r"[a-z0-9]+", folder.lower())) or "deck"


def title(package: str) -> str:
    return " ".join(word.capitalize() for word in package.split("-"))


def skeleton(name: str) -> str:
    return resources.files("dlanki").joinpath("skeleton", name).read_text(encoding="utf-8")


def fill(text: str, words: dict[str, str]) -> str:
    return re.sub(r"@@([A-Z]+)@@", lambda m: words[m.group(1)], text)
