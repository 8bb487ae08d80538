"""Checks on the files in media/: names Anki accepts, a real image behind each name, and SVG that runs nothing.

Anki shows a card's images in a web view on every learner's device. An SVG is a document, not a
picture: it can carry scripts, event handlers and links to other servers, all of which would run
or load on every review. So an SVG is parsed and refused (never silently cleaned: the author's figure
must be fixed at its source) if it holds anything but drawing. Every other file must be an image
whose bytes match its extension: a PNG named .svg, or an HTML page named .png, is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from dlanki.errors import Loc, Problem

MEDIA_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
"""dlanki's rule, stricter than Anki's: flat, lowercase ASCII, so names never collide by case."""
ANKI_MAX_NAME_BYTES = 120
"""Anki's rule: longer media names are truncated on import."""
MAX_MEDIA_BYTES = 5 << 20
SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
}
IMAGE_SUFFIXES = (".svg", *SIGNATURES)

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# Elements that run code, embed other documents or pull in other resources.
UNSAFE_ELEMENTS = {"script", "foreignobject", "iframe", "object", "embed", "handler", "listener", "a", "audio", "video"}
SAFE_HREF = re.compile(r"^(#|data:image/(png|jpeg|gif|webp);base64,)", re.IGNORECASE)
CSS_URL = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)|@import|expression\s*\(", re.IGNORECASE)


def check_media(media_dir: Path, root: Path) -> Iterator[Problem]:
    """Every file in media/: its name, its size, its real type, and for SVG, its safety."""
    if not media_dir.is_dir():
        return
    lowered: dict[str, str] = {}
    resolved_media = media_dir.resolve()
    for path in sorted(media_dir.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        rel = path.relative_to(root).as_posix()
        loc = Loc(rel)
        if path.name.startswith("_"):
            yield Problem(loc, "media names starting with '_' are reserved for note type assets (Anki's rule)", "rename the file")
        elif len(path.name.encode()) > ANKI_MAX_NAME_BYTES:
            yield Problem(loc, f"media name is longer than Anki's {ANKI_MAX_NAME_BYTES} bytes", "shorten it")
        elif not MEDIA_NAME_RE.match(path.name):
            yield Problem(
                loc,
                f"media name {path.name!r} breaks dlanki's naming rule",
                "use lowercase ASCII letters, digits, '-', '_' and '.' (no spaces, no capitals: Anki on some phones matches names case-insensitively)",
            )
        other = lowered.setdefault(path.name.lower(), path.name)
        if other != path.name:
            yield Problem(loc, f"media names {other!r} and {path.name!r} differ only in case", "rename one of them")
        if not path.resolve().is_relative_to(resolved_media):
            continue  # a link out of media/ is refused where a card uses it (validate.py)
        yield from _check_content(path, loc)


def _check_content(path: Path, loc: Loc) -> Iterator[Problem]:
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        yield Problem(loc, f"{path.name!r} is not an image dlanki packages", f"media/ holds images: {', '.join(IMAGE_SUFFIXES)}")
        return
    size = path.stat().st_size
    if size > MAX_MEDIA_BYTES:
        yield Problem(loc, f"{path.name!r} is {size / (1 << 20):.1f} MiB", f"keep images under {MAX_MEDIA_BYTES >> 20} MiB: learners download every file")
        return
    data = path.read_bytes()
    if suffix == ".svg":
        yield from _check_svg(data, loc)
    elif not data.startswith(SIGNATURES[suffix]) or (suffix == ".webp" and data[8:12] != b"WEBP"):
        yield Problem(loc, f"{path.name!r} is not a {suffix[1:].upper()} file ({_sniff(data)})", "save the image in the format its name says")


def _check_svg(data: bytes, loc: Loc) -> Iterator[Problem]:
    hint = "draw the figure without it: an SVG on a card must only draw"
    if b"<!ENTITY" in data:
        yield Problem(loc, "SVG declares XML entities", "remove the DOCTYPE's internal subset")
        return
    import xml.etree.ElementTree as ET  # only when media/ changed

    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        yield Problem(Loc(loc.path, exc.position[0], exc.position[1] + 1), f"not a well-formed SVG file ({_sniff(data)})", "save it as SVG")
        return
    if root.tag != f"{SVG_NS}svg":
        yield Problem(loc, f"not an SVG document: its root element is <{_local(root.tag)}>", "save it as SVG")
        return
    for element in root.iter():
        name = _local(element.tag).lower()
        if name in UNSAFE_ELEMENTS:
            yield Problem(loc, f"SVG contains a <{_local(element.tag)}> element", hint)
        if name == "style" and _loads(element.text or ""):
            yield Problem(loc, "SVG stylesheet loads another resource (url(), @import)", hint)
        for attribute, value in element.attrib.items():
            local = _local(attribute).lower()
            if local.startswith("on"):
                yield Problem(loc, f"SVG <{_local(element.tag)}> has an event handler `{_local(attribute)}`", hint)
            elif local == "href" or attribute == XLINK_HREF:
                if not SAFE_HREF.match(value.strip()):
                    yield Problem(loc, f"SVG <{_local(element.tag)}> links to {value[:60]!r}", hint)
            elif _loads(value):
                yield Problem(loc, f"SVG <{_local(element.tag)}> attribute `{local}` loads another resource", hint)


def _loads(css: str) -> bool:
    """Does this CSS load something? Every form CSS_URL finds has a '(' or an '@': most values have neither,
    and skipping the search for them halves the check of a deck's figures."""
    return ("(" in css or "@" in css) and CSS_URL.search(css) is not None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sniff(data: bytes) -> str:
    """What the bytes look like, for the message."""
    for suffix, signatures in SIGNATURES.items():
        if data.startswith(signatures):
            return f"it is a {suffix[1:].upper()} image"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "it is an HTML page"
    if b"<svg" in head:
        return "it looks like SVG"
    return "its bytes are no image format"
