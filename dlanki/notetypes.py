"""The two note types every dlanki deck uses, with identities fixed forever.

Anki matches note types by id and refuses to merge a changed field or template list (it forks a
copy named "Name+"), so ids, field names and template names below are frozen; only CSS and template
HTML may change. tests/notetype_schema.json is the committed snapshot that guards this.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

BASIC_MODEL_ID = 1574112837
CLOZE_MODEL_ID = 1574112838


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


def note_types() -> dict[str, NoteType]:
    """The note types by source key, read from the packaged templates."""
    css = _template("card.css") + cloze_math_css()
    basic = NoteType(
        "basic",
        BASIC_MODEL_ID,
        "dlanki Basic",
        (("Front", 7301001), ("Back", 7301002), ("Extra", 7301003), ("Source", 7301004)),
        (("Card 1", 7302001, _template("basic_front.html"), _template("basic_back.html")),),
        css,
        False,
    )
    cloze = NoteType(
        "cloze",
        CLOZE_MODEL_ID,
        "dlanki Cloze",
        (("Text", 7303001), ("Extra", 7303002), ("Source", 7303003)),
        (("Cloze", 7304001, _template("cloze_front.html"), _template("cloze_back.html")),),
        css,
        True,
    )
    return {"basic": basic, "cloze": cloze}
