"""The floor: the same notes written by a bare genanki script (YAML in, raw text as fields, no checks)."""

from __future__ import annotations

import sys
from pathlib import Path

import genanki
import yaml

MODEL = genanki.Model(1607392319, "bench Basic", fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Extra"}],
                      templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}])
CLOZE = genanki.Model(1607392320, "bench Cloze", fields=[{"name": "Text"}, {"name": "Extra"}],
                      templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}"}],
                      model_type=genanki.Model.CLOZE)


def main(root: Path) -> None:
    decks: dict[str, genanki.Deck] = {}
    for path in sorted((root / "cards").glob("*.yaml")):
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        deck = decks.setdefault(doc["deck"], genanki.Deck(len(decks) + 1 << 20, doc["deck"]))
        for card in doc["cards"]:
            if card["type"] == "cloze":
                fields = [card["text"], card.get("extra", "")]
                model = CLOZE
            else:
                fields = [card["front"], card["back"], card.get("extra", "")]
                model = MODEL
            tags = [*doc.get("tags", []), *card.get("tags", [])]
            deck.add_note(genanki.Note(model=model, fields=fields, guid=genanki.guid_for(card["id"]), tags=tags))
    media = sorted(str(p) for p in (root / "media").glob("*"))
    genanki.Package(list(decks.values()), media_files=media).write_to_file(str(root / "bare.apkg"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
