"""Plain data that flows between the stages: load → validate → render → package."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dlanki.errors import Loc

NOTE_TYPES = ("basic", "cloze")
FIELDS_BY_TYPE = {"basic": ("front", "back", "extra"), "cloze": ("text", "extra")}
REQUIRED_FIELDS = {"basic": ("front", "back"), "cloze": ("text",)}


@dataclass(frozen=True)
class Project:
    """Where a deck's sources live and what its package is called."""

    root: Path
    package: str = "deck"
    """Output file stem: build/<package>.apkg."""
    guid_namespace: str = ""
    """Mixed into every note's GUID; never change it after a release. Required: there is no default, so
    two decks never share note identities."""
    sources: dict[str, str] = field(default_factory=dict)
    """The name the Source field shows for each source key (`{n}` stands for the item after '#')."""
    note_types: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Note type ids and names declared in dlanki.yaml (key → (id, name)); the others are derived
    from guid_namespace and package (notetypes.py)."""

    @property
    def cards_dir(self) -> Path:
        return self.root / "cards"

    @property
    def media_dir(self) -> Path:
        return self.root / "media"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def ledger_path(self) -> Path:
        return self.root / "dlanki.lock"


@dataclass(frozen=True)
class TextField:
    """A Markdown field as written in a source file."""

    text: str
    loc: Loc
    """Where the text's first character is."""
    block: bool = False
    """True for a YAML block scalar (`|`), whose text starts on the line after `loc`."""
    indent: int = 0

    def loc_at(self, offset: int) -> Loc:
        """The source location of character `offset` of the text."""
        text, loc = self.text, self.loc
        lines = text.count("\n", 0, offset)  # counted in place: a field's formulas each need one
        col_in_line = offset - (text.rfind("\n", 0, offset) + 1)
        if self.block:
            return Loc(loc.path, loc.line + 1 + lines, self.indent + col_in_line + 1)
        if lines == 0:
            return Loc(loc.path, loc.line, loc.col + col_in_line)
        return Loc(loc.path, loc.line + lines)


@dataclass(frozen=True)
class Card:
    """One note as its author wrote it."""

    id: str
    type: str
    """"basic" or "cloze"."""
    fields: dict[str, TextField]
    """Markdown fields by source key: front/back/extra or text/extra. Emptied once the card is rendered
    (cardfile.FileCompiler): what comes after reads the RenderedCard."""
    tags: tuple[str, ...]
    deck: str
    sources: tuple[str, ...]
    """Provenance as written: source keys such as "smith2020", or a key and an item: "book#15"."""
    loc: Loc


@dataclass(frozen=True)
class Formula:
    """A formula as written, with where it was written."""

    tex: str
    display: bool
    loc: Loc
    shown: str = ""
    """The TeX as Anki's MathJax receives it (deletions marked for highlighting, `}}` spaced out)."""

    @property
    def anki_tex(self) -> str:
        return self.shown or self.tex


@dataclass(frozen=True)
class Image:
    """An <img> in a field: its src as written, and where."""

    src: str
    loc: Loc


@dataclass(frozen=True)
class RenderedCard:
    """A card turned into the HTML fields of its Anki note type."""

    card: Card
    fields: tuple[str, ...]
    """HTML, in the note type's field order."""
    media: tuple[str, ...] = ()
    """Names of the files in media/ the fields use."""
    clozes: tuple[int, ...] = ()
    """Cloze numbers used (cloze notes only)."""
    formulas: tuple[Formula, ...] = ()
    images: tuple[Image, ...] = ()
    """Every image the fields show, with where it is written."""


@dataclass(frozen=True)
class NoteDigest:
    """What the ledger and the package need of a rendered card besides its fields."""

    guid: str
    hash: str
    """The ledger's digest of everything Anki stores for the note: a changed digest means an update."""
    ords: tuple[int, ...]
    """Template ordinals of the note's cards, in the order the package lists them."""


@dataclass
class Deck:
    """Everything loaded from a project's sources."""

    project: Project
    cards: list[Card] = field(default_factory=list)
    """In the curated order: files sorted by path, then cards in file order."""
    retired: dict[str, Loc] = field(default_factory=dict)
    """Card ids explicitly retired by the authors, with where they were retired."""
