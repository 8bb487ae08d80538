"""The two note types of a deck, basic and cloze, and their identity.

Anki matches note types by id and refuses to merge a changed field or template list (it forks a
copy named "Name+"), so field names, template names and their ids below are frozen; only CSS and
template HTML may change. tests/notetype_schema.json is the committed snapshot that guards this.

Each deck's note types have ids and names of their own: two dlanki decks in one collection must
not overwrite each other's templates and CSS. They are derived from the deck's guid_namespace (as
note GUIDs are) and named after its package, unless dlanki.yaml declares them under `note_types:`
(a deck that already has learners keeps the ids it was published with).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from dlanki.errors import Problem
from dlanki.model import Project
from dlanki.yamlnodes import YValue

LABELS = {"basic": "Basic", "cloze": "Cloze"}
"""Source key → the word in the note type's name."""
ANKI_MAX_ID = (1 << 63) - 1


@dataclass(frozen=True)
class NoteType:
    """A note type's identity and content, before stamps are applied."""

    key: str
    """"basic" or "cloze", as in the sources."""
    model_id: int
    name: str
    fields: tuple[tuple[str, int], ...]
    """Field names with their fixed Anki ids."""
    templates: tuple[tuple[str, int, str, str], ...]
    """(name, id, question html, answer html)."""
    css: str
    is_cloze: bool

    def to_genanki(self):
        """As a genanki.Model (imported here: a rebuild that writes nothing never needs genanki)."""
        import genanki

        return genanki.Model(
            self.model_id,
            self.name,
            fields=[{"name": name, "id": field_id} for name, field_id in self.fields],
            templates=[
                {"name": name, "id": template_id, "qfmt": qfmt, "afmt": afmt}
                for name, template_id, qfmt, afmt in self.templates
            ],
            css=self.css,
            model_type=genanki.Model.CLOZE if self.is_cloze else genanki.Model.FRONT_BACK,
        )


def _template(name: str) -> str:
    return resources.files("dlanki").joinpath("templates", name).read_text(encoding="utf-8")


MAX_CLOZE_HIGHLIGHT = 50
"""Deletions inside formulas are highlighted up to this cloze number."""


def cloze_math_css(limit: int = MAX_CLOZE_HIGHLIGHT) -> str:
    """Highlight a revealed deletion inside a formula on its own card only.

    Inside a formula the deletion's content carries the MathJax class dl-cN (render.py); Anki gives
    the card's body the class cardN (documented in Anki's manual on card styling), so `.cardN .dl-cN`
    is the deletion this card asks for. On the question side it is replaced by [...], so it only ever
    shows on the answer side, styled like `.cloze` outside formulas.
    """
    selectors = ", ".join(f".card{n} .dl-c{n}" for n in range(1, limit + 1))
    night = ", ".join(f".{mode} .card{n} .dl-c{n}, .card{n}.{mode} .dl-c{n}" for n in range(1, limit + 1) for mode in ("nightMode", "night_mode"))
    return (
        f"\n/* Revealed deletions inside formulas (see cloze_math_css in dlanki/notetypes.py). */\n"
        f"{selectors} {{ color: #0550ae; background: #ddf4ff; border-radius: 3px; }}\n"
        f"{night} {{ color: #a5d6ff; background: #0c2d6b; }}\n"
    )


def note_types(project: Project) -> dict[str, NoteType]:
    """The project's note types by source key, read from the packaged templates."""
    css = _template("card.css") + cloze_math_css()
    ids = identities(project)
    basic = NoteType(
        "basic",
        *ids["basic"],
        (("Front", 7301001), ("Back", 7301002), ("Extra", 7301003), ("Source", 7301004)),
        (("Card 1", 7302001, _template("basic_front.html"), _template("basic_back.html")),),
        css,
        False,
    )
    cloze = NoteType(
        "cloze",
        *ids["cloze"],
        (("Text", 7303001), ("Extra", 7303002), ("Source", 7303003)),
        (("Cloze", 7304001, _template("cloze_front.html"), _template("cloze_back.html")),),
        css,
        True,
    )
    return {"basic": basic, "cloze": cloze}


def identities(project: Project) -> dict[str, tuple[int, str]]:
    """Source key → (note type id, name): declared in dlanki.yaml, else derived from the deck's own identity."""
    derived = {key: (derived_id(project.guid_namespace, key), f"dlanki {label} ({project.package})") for key, label in LABELS.items()}
    return {**derived, **project.note_types}


def derived_id(namespace: str, key: str) -> int:
    """A note type id from the guid_namespace, in genanki's recommended range [2**30, 2**31)."""
    digest = hashlib.sha256(f"dlanki note type:{namespace}:{key}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def declared_identities(node: YValue) -> tuple[dict[str, tuple[int, str]], list[Problem]]:
    """dlanki.yaml's `note_types:` setting: `basic: {id: 1234567890, name: My Basic}`, and likewise cloze."""
    example = "write `basic: {id: 1234567890, name: My Basic}`"
    if not isinstance(node.value, dict):
        return {}, [Problem(node.loc, "`note_types` must map basic and cloze to an id and a name", example)]
    declared, problems = {}, []
    for key, item in node.value.items():
        if key not in LABELS:
            problems.append(Problem(node.key_locs[key], f"unknown note type {key!r} under `note_types`", "use basic and cloze"))
            continue
        fields = item.value if isinstance(item.value, dict) else {}
        extra = [name for name in fields if name not in ("id", "name")]
        written = str(fields["id"].value).strip() if "id" in fields else ""  # yamlnodes keeps scalars as text
        note_id = int(written) if written.isascii() and written.isdigit() else 0
        name = fields.get("name").value if "name" in fields else None
        if extra or not 0 < note_id <= ANKI_MAX_ID:
            problems.append(Problem(item.loc, f"note type {key!r} needs a positive integer `id` and a `name`, nothing else", example))
        elif not isinstance(name, str) or not name.strip():
            problems.append(Problem(item.loc, f"note type {key!r} needs a non-empty `name`", example))
        else:
            declared[key] = (note_id, name.strip())
    ids = [note_id for note_id, _ in declared.values()]
    names = [name for _, name in declared.values()]
    if len(set(ids)) < len(ids) or len(set(names)) < len(names):
        problems.append(Problem(node.loc, "basic and cloze need different ids and names", example))
    return declared, problems
