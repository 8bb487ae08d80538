"""Stage 1: read dlanki.yaml and every card file into Cards, checking only their shape."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from dlanki.errors import Loc, Problem
from dlanki.model import FIELDS_BY_TYPE, Card, Deck, Project, TextField
from dlanki.notetypes import declared_identities
from dlanki.sources import KEY_RE
from dlanki.yamlnodes import YValue, parse_yaml

CONFIG_FILE = "dlanki.yaml"
CONFIG_KEYS = ("package", "guid_namespace", "sources", "note_types")
TEXT_SETTINGS = ("package", "guid_namespace")
FILE_KEYS = ("deck", "tags", "cards", "retired")
CARD_KEYS = ("id", "type", "source", "front", "back", "text", "extra", "tags", "deck")
TEXT_KEYS = ("front", "back", "text", "extra")
CARD_FILE_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 1 << 20
"""A card file of a few hundred cards is ~100 KB; a bigger one is a mistake or an attack, and reading
it would cost memory and time for nothing."""
PACKAGE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
NEW_PROJECT_HINT = (
    "run `dlanki new <folder>` to start a deck, or write dlanki.yaml with `package: my-deck` and "
    "`guid_namespace:` set to a random string of your own (it makes every note's identity; never change it)"
)


def load_project(root: Path) -> tuple[Project, list[Problem]]:
    """Read the project settings from dlanki.yaml, which every project has: it holds its identity."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return Project(root), [Problem(Loc(CONFIG_FILE), f"no {CONFIG_FILE}: {root} is not a dlanki project", NEW_PROJECT_HINT)]
    text, problems = read_text(path, CONFIG_FILE)
    if text is None:
        return Project(root), problems
    doc, problems = parse_yaml(text, CONFIG_FILE)
    settings: dict = {}
    if doc is not None and not isinstance(doc.value, dict):
        problems.append(Problem(doc.loc, "dlanki.yaml must be a mapping", "write `package: my-deck`"))
    elif doc is not None:
        problems += _unknown_keys(doc, CONFIG_KEYS, "")
        for key in TEXT_SETTINGS:
            if key in doc.value:
                item = doc.value[key]
                if isinstance(item.value, str) and item.value.strip():
                    settings[key] = item.value.strip()
                else:
                    problems.append(Problem(item.loc, f"'{key}' must be a non-empty string", f"write `{key}: my-deck`"))
        if "sources" in doc.value:
            settings["sources"] = _source_names(doc.value["sources"], problems)
        if "note_types" in doc.value:
            settings["note_types"], found = declared_identities(doc.value["note_types"])
            problems += found
        if "guid_namespace" not in doc.value:
            problems.append(Problem(Loc(CONFIG_FILE, 1), "no `guid_namespace` in dlanki.yaml", NEW_PROJECT_HINT))
        package = settings.get("package", "")
        if package and not PACKAGE_RE.match(package):
            problems.append(
                Problem(
                    doc.value["package"].loc,
                    f"package name {package!r} is not a plain file name",
                    "use letters, digits, '.', '_' and '-' only: the package is always written to build/<package>.apkg",
                )
            )
            settings.pop("package")
    return Project(root, **settings), problems


def _source_names(node: YValue, problems: list[Problem]) -> dict[str, str]:
    """The `sources:` setting: source key → the name learners see in the Source field."""
    if not isinstance(node.value, dict):
        problems.append(Problem(node.loc, "`sources` must map source keys to names", 'write `sources: {smith2020: "Smith et al. 2020"}`'))
        return {}
    names = {}
    for key, item in node.value.items():
        if not KEY_RE.match(key):
            problems.append(Problem(node.key_locs[key], f"source key {key!r} is not a simple key", "use letters, digits, '.', '_' and '-'"))
        elif isinstance(item.value, str) and item.value.strip():
            names[key] = item.value.strip()
        else:
            problems.append(Problem(item.loc, f"the name of source {key!r} must be non-empty text", f'write `{key}: "Smith et al. 2020"`'))
    return names


def load_deck(project: Project) -> tuple[Deck, list[Problem]]:
    """Load every card file under cards/, in sorted path order."""
    deck = Deck(project)
    paths, problems = card_files(project)
    for path, rel in paths:
        data, read_problems = read_card_file(path, rel)
        loaded = load_file(data, rel) if data is not None else LoadedFile(problems=read_problems)
        deck.cards += loaded.cards
        for card_id, loc in loaded.retired:
            deck.retired.setdefault(card_id, loc)
        problems += loaded.problems
    return deck, problems


@dataclass
class LoadedFile:
    """The cards of one file, as written, and what is wrong with their shape."""

    cards: list[Card] = field(default_factory=list)
    retired: list[tuple[str, Loc]] = field(default_factory=list)
    """Card ids listed under `retired:`, with where."""
    problems: list[Problem] = field(default_factory=list)


def card_files(project: Project) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Every card file under cards/ in sorted order, with its path relative to the project root."""
    problems: list[Problem] = []
    if not project.cards_dir.is_dir():
        problems.append(Problem(Loc("cards/"), "no cards/ directory", "create cards/ and put YAML card files in it"))
        return [], problems
    # Any case of the extension: `.YAML` written on another system is still a card file.
    paths = sorted(p for p in project.cards_dir.rglob("*") if p.suffix.lower() in CARD_FILE_SUFFIXES and p.is_file())
    if not paths:
        problems.append(Problem(Loc("cards/"), "cards/ has no .yaml files", "add a card file such as cards/basics.yaml"))
    root = project.root.resolve()
    files = []
    for path in paths:
        rel = path.relative_to(project.root).as_posix()
        if not path.resolve().is_relative_to(root):
            problems.append(Problem(Loc(rel), "card file is a link to a file outside the project", "copy the file into cards/"))
            continue
        files.append((path, rel))
    return files, problems


def read_text(path: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Read a file as UTF-8 without a byte-order mark, if it is not unreasonably large."""
    data, problems = read_card_file(path, rel)
    return (None, problems) if data is None else decode(data, rel)


def read_card_file(path: Path, rel: str) -> tuple[bytes | None, list[Problem]]:
    """A file's bytes, if it is not unreasonably large."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        message = f"file is {size / (1 << 20):.1f} MiB; dlanki reads files of at most {MAX_FILE_BYTES >> 20} MiB"
        return None, [Problem(Loc(rel), message, "split it into several card files")]
    return path.read_bytes(), []


def decode(data: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    """Bytes as UTF-8 text without a byte-order mark."""
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(Loc(rel, 1, 1), "file starts with a UTF-8 byte-order mark (BOM)", "save the file as UTF-8 without BOM")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(Loc(rel, line, col), f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", "save the file as UTF-8")]


def load_file(data: bytes, rel: str) -> LoadedFile:
    """The cards of one card file, checking only their shape."""
    loaded = LoadedFile()
    text, loaded.problems = decode(data, rel)
    if text is None:
        return loaded
    doc, problems = parse_yaml(text, rel)
    loaded.problems = problems
    if doc is None:
        if not problems:
            problems.append(Problem(Loc(rel, 1), "file is empty", "add `deck:` and `cards:`, or delete the file"))
        return loaded
    if not isinstance(doc.value, dict):
        problems.append(Problem(doc.loc, "a card file must be a mapping with `deck`, `tags` and `cards`", "see README, Writing cards"))
        return loaded
    problems += _unknown_keys(doc, FILE_KEYS, "")
    file_deck = _string(doc, "deck", problems)
    file_tags = _string_list(doc, "tags", problems)
    for item in _list(doc, "retired", problems):
        if isinstance(item.value, str) and item.value:
            loaded.retired.append((item.value, item.loc))
        else:
            problems.append(Problem(item.loc, "a retired entry must be a card id", "write `retired: [old-card-id]`"))
    cards = doc.value.get("cards")
    if cards is None:
        if "retired" not in doc.value:
            problems.append(Problem(doc.loc, "no `cards:` list in this file", "add `cards:` with a list of cards"))
        return loaded
    if not isinstance(cards.value, list):
        problems.append(Problem(cards.loc, "`cards` must be a list", "start each card with `- id: ...`"))
        return loaded
    for node in cards.value:
        card = _card(node, file_deck, file_tags, problems)
        if card is not None:
            loaded.cards.append(card)
    return loaded


def _card(node: YValue, file_deck: str | None, file_tags: list[str], problems: list[Problem]) -> Card | None:
    if not isinstance(node.value, dict):
        problems.append(Problem(node.loc, "a card must be a mapping of keys such as `id:` and `front:`", "start the card with `- id: my-card`"))
        return None
    card_id = _string(node, "id", problems) or ""
    before = len(problems)
    problems += _unknown_keys(node, CARD_KEYS, card_id)
    if "id" not in node.value:
        problems.append(Problem(node.loc, "card has no `id`", "add `id: a-unique-slug`; it must never change later"))
    note_type = _string(node, "type", problems, card_id)
    if note_type is None:
        problems.append(Problem(node.loc, "card has no `type`", "add `type: basic` or `type: cloze`", card_id))
    elif note_type not in FIELDS_BY_TYPE:
        suggestion = _did_you_mean(note_type, FIELDS_BY_TYPE)
        problems.append(
            Problem(node.value["type"].loc, f"unknown note type {note_type!r}{suggestion}", "use `basic` or `cloze`", card_id)
        )
    sources = _string_list(node, "source", problems, card_id)
    if "source" not in node.value:
        problems.append(Problem(node.loc, "card has no `source`", 'add `source: smith2020` and name the key under `sources:` in dlanki.yaml', card_id))
    fields = {}
    for key in TEXT_KEYS:
        if key in node.value:
            item = node.value[key]
            if isinstance(item.value, str):
                fields[key] = TextField(item.value, item.loc, item.block, item.indent)
            else:
                problems.append(Problem(item.loc, f"`{key}` must be text", f"write `{key}: |` and the text below it", card_id))
    card_deck = _string(node, "deck", problems, card_id) or file_deck
    if card_deck is None:
        problems.append(Problem(node.loc, "card has no deck", "set `deck:` at the top of the file or on the card", card_id))
    tags = tuple(dict.fromkeys(file_tags + _string_list(node, "tags", problems, card_id)))
    if len(problems) > before and (not card_id or note_type not in FIELDS_BY_TYPE):
        return None
    return Card(card_id, note_type or "", fields, tags, card_deck or "", tuple(sources), node.loc)


def _unknown_keys(node: YValue, allowed: tuple[str, ...], card_id: str) -> list[Problem]:
    problems = []
    for key, loc in node.key_locs.items():
        if key not in allowed:
            hint = "allowed keys: " + ", ".join(allowed)
            problems.append(Problem(loc, f"unknown key {key!r}{_did_you_mean(key, allowed)}", hint, card_id))
    return problems


def _did_you_mean(word: str, choices) -> str:
    import difflib  # only for a mistake

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _string(node: YValue, key: str, problems: list[Problem], card_id: str = "") -> str | None:
    item = node.value.get(key)
    if item is None:
        return None
    if isinstance(item.value, str) and item.value.strip():
        return item.value.strip()
    got = "nothing" if item.value is None or item.value == "" else type(item.value).__name__
    problems.append(Problem(item.loc, f"`{key}` must be non-empty text, got {got}", f"write `{key}: some-text`", card_id))
    return None


def _list(node: YValue, key: str, problems: list[Problem], card_id: str = "") -> list[YValue]:
    item = node.value.get(key)
    if item is None:
        return []
    if isinstance(item.value, list):
        return item.value
    if isinstance(item.value, str):
        return [item]
    problems.append(Problem(item.loc, f"`{key}` must be a list of text", f"write `{key}: [a, b]`", card_id))
    return []


def _string_list(node: YValue, key: str, problems: list[Problem], card_id: str = "") -> list[str]:
    values = []
    for item in _list(node, key, problems, card_id):
        if isinstance(item.value, str) and item.value.strip():
            values.append(item.value.strip())
        else:
            problems.append(Problem(item.loc, f"every entry of `{key}` must be non-empty text", "quote it", card_id))
    return values
