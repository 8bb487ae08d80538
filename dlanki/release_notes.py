"""Release notes as Markdown: what changed since the last release, and what learners must do by hand."""

from __future__ import annotations

import re

from dlanki.changes import SOURCE_FIELD, Changes, NoteChange


def anki_search(card_ids: list[str]) -> str:
    """An Anki search (Browser, filtered deck) matching exactly these notes by their Source field."""
    return " OR ".join(f'"{SOURCE_FIELD}:*· {card_id}"' for card_id in card_ids)


def format_markdown(changes: Changes, package: str = "") -> str:
    added, changed, gone = changes.having("added"), changes.having("changed"), changes.gone
    total = len(changes.having("unchanged")) + len(added) + len(changed)
    counts = f"**{len(added)} new, {len(changed)} changed, {len(gone)} retired** (the deck now has {total} notes)"
    apkg = f"`{package}.apkg`" if package else "the new package"
    lines = [f"## Changes since {changes.since}", ""]
    if not (added or changed or gone or changes.moved):
        lines += ["No note was added, changed or retired.", ""]
        return "\n".join(lines)
    lines += [
        (
            f"{counts}. Import {apkg} as usual: new notes are added, and changed notes update in place and "
            "keep their review history."
        ),
        "",
    ]
    for title, notes in (("New", added), ("Changed", changed), ("Retired", gone)):
        if notes:
            lines += [f"### {title} ({len(notes)})", ""]
            lines += [_note_line(note) for note in notes]
            lines.append("")
    lines += _manual_steps(changes)
    return "\n".join(lines).rstrip() + "\n"


def _note_line(note: NoteChange) -> str:
    text = f"- `{note.id}`"
    if note.summary:
        text += f": {_md(note.summary)}"
    details = []
    if note.status == "changed":
        details.append(", ".join(note.fields) if note.fields else "content")
    if note.added_clozes:
        details.append("new card " + ", ".join(f"c{n}" for n in note.added_clozes))
    if note.status == "removed":
        details.append("removed without being listed under `retired:`")
    return text + (f" ({'; '.join(details)})" if details else "")


def _manual_steps(changes: Changes) -> list[str]:
    steps: list[list[str]] = []
    gone = changes.gone
    if gone:
        steps.append(
            [
                "**Delete the retired notes.** Anki keeps notes that left the deck. In the Browser, search for:",
                "",
                "   ```text",
                f"   {anki_search([n.id for n in gone])}",
                "   ```",
                "",
                "   Then select all (Ctrl+A, on a Mac Cmd+A) and choose Notes → Delete.",
            ]
        )
    if changes.moved:
        by_deck: dict[str, list[str]] = {}
        for note in changes.moved:
            by_deck.setdefault(note.deck, []).append(note.id)
        step = [
            (
                "**Move cards to their new subdeck.** Anki leaves existing cards where they are. For each "
                "search below: search for it in the Browser, select all, choose Cards → Change Deck (Ctrl+D) "
                "and pick the deck:"
            ),
            "",
        ]
        for deck_name, ids in by_deck.items():
            step += [f"   - `{anki_search(ids)}` → `{deck_name}`"]
        steps.append(step)
    if changes.emptied:
        names = ", ".join(f"`{n.id}` ({', '.join(f'c{c}' for c in n.removed_clozes)})" for n in changes.emptied)
        steps.append(
            [
                (
                    f"**Remove the empty cards.** Cloze deletions were removed from {names}: their cards are "
                    "now empty. Choose Tools → Empty Cards…, then Delete."
                )
            ]
        )
    if changes.retyped:
        steps.append(
            [
                (
                    "**Replace notes whose type changed.** Anki skips them on import. Delete the old notes "
                    f"(search for `{anki_search([n.id for n in changes.retyped])}`), then import the package again."
                ),
            ]
        )
    if not steps:
        return ["Nothing to do by hand: importing the new package is enough.", ""]
    lines = ["### What to do by hand", "", "Anki's import never deletes a note and never moves a card, so:", ""]
    for number, step in enumerate(steps, 1):
        lines += [f"{number}. {step[0]}", *step[1:], ""]
    return lines


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$#])")
FORMULA = re.compile(r"\\[(\[](.*?)(?:\\[)\]]|$)", re.DOTALL)


def _md(text: str) -> str:
    """Plain text for Markdown: formulas become code spans (TeX intact), the rest is escaped."""
    out = []
    pos = 0
    for match in FORMULA.finditer(text):
        out.append(MARKDOWN_SPECIAL.sub(r"\\\1", text[pos : match.start()]))
        tex = match.group(1).strip()
        if tex:
            fence = "``" if "`" in tex else "`"
            out.append(f"{fence}{tex}{fence}" if fence == "`" else f"{fence} {tex} {fence}")
        pos = match.end()
    out.append(MARKDOWN_SPECIAL.sub(r"\\\1", text[pos:]))
    return "".join(out)
