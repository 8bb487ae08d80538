"""Allow-list sanitising of the HTML a card field becomes, with a report of everything removed.

Anki runs a card's HTML and JavaScript on every learner's device, and a shared deck takes pull requests
from strangers. So the rendered HTML, not the Markdown source, is what gets checked: it is parsed by a
real HTML5 parser (html5ever, through nh3, the maintained binding of the ammonia sanitiser) and only
allowed elements, attributes and URLs survive. Anything else is removed and reported as an error, so a
build never ships it and the author learns what was wrong.

To report what was removed, the same HTML is also cleaned by a pass that allows everything it contains:
both passes serialise identically, so any difference is exactly what the allow-list removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "div", "span", "strong", "em", "b", "i", "u", "s", "del", "ins", "sub", "sup", "mark",
        "small", "code", "pre", "kbd", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
        "table", "thead", "tbody", "tr", "th", "td", "img", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "img": {"src", "alt", "title", "width", "height"},
    "a": {"href", "title"},
    "ol": {"start"},
    "code": {"class"},
    "th": {"style"},
    "td": {"style"},
}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
"""A link opens in the learner's browser only when tapped; nothing loads by itself."""

TABLE_ALIGN = re.compile(r"^text-align:(left|right|center)$")
CODE_LANGUAGE = re.compile(r"^language-[A-Za-z0-9_+-]+$")
_MEDIA_NAME = re.compile(r"^[^/\\:?#]+$")


def is_media_name(src: str) -> bool:
    """An image names a file in media/: no scheme, no folder, no query."""
    return bool(_MEDIA_NAME.match(src)) and src not in (".", "..")

_IMG_TAG = re.compile("<img", re.IGNORECASE)
_TAG_NAME = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9:_-]*)")
_ATTR_NAME = re.compile(r"[\s/\"']([A-Za-z_:@][A-Za-z0-9_:.@-]*)\s*=?")


@dataclass(frozen=True)
class Removed:
    """Something the allow-list took out of a field."""

    what: str
    """For people: "a <script> element", "the `onerror` attribute of <img>"."""
    needle: str
    """Text to look for in the source to locate it."""
    element: str = ""
    attribute: str = ""


def sanitize(html: str) -> tuple[str, list[Removed]]:
    """The HTML with only allowed elements, attributes and URLs, and what was removed."""
    if "<" not in html:
        return html, []  # text and entities only: nothing to remove
    strict = _STRICT.clean(html)
    if strict == html:
        return strict, []  # nothing was removed (most fields: Markdown's HTML is already what nh3 writes)
    everything = _keep_everything(html)
    if strict == everything:
        return strict, []
    return strict, _difference(everything, strict)


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        return value if is_media_name(value) else None
    if attribute == "style":
        return value if TABLE_ALIGN.match(value.replace(" ", "").rstrip(";")) else None
    if element == "code" and attribute == "class":
        return value if CODE_LANGUAGE.match(value) else None
    return value


_STRICT = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes=set(LINK_SCHEMES),
    link_rel=None,
    strip_comments=True,
)
"""The allow-list, built once: nh3.clean with these options builds it again for every field, which took
three quarters of the time sanitising takes."""


def image_sources(html: str) -> list[str]:
    """The src of every <img>, in order."""
    if not _IMG_TAG.search(html):
        return []  # an <img> start tag always spells `<img`: no need to parse the field
    collector = _Elements()
    collector.feed(html)
    return [attrs.get("src") or "" for tag, attrs in collector.elements if tag == "img"]


def _keep_everything(html: str) -> str:
    """The same parse and serialisation as sanitize(), allowing every name that appears in the HTML."""
    tags = {name.lower() for name in _TAG_NAME.findall(html)}
    attributes = {name.lower() for name in _ATTR_NAME.findall(html)}
    decoded = unescape(html)  # `&#106;avascript:` is a javascript: URL to the parser
    schemes = {m.lower() for m in re.findall(r"([A-Za-z][A-Za-z0-9+.-]*)\s*:", decoded)} | set(LINK_SCHEMES)
    return nh3.clean(
        html,
        tags=tags,
        clean_content_tags=set(),
        attributes={"*": attributes},
        url_schemes=schemes,
        link_rel=None,
        strip_comments=True,
    )


class _Elements(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def _difference(everything: str, strict: str) -> list[Removed]:
    """What the allow-list removed: elements, attributes, or attribute values."""
    before, after = _Elements(), _Elements()
    before.feed(everything)
    after.feed(strict)
    kept = list(after.elements)
    removed: list[Removed] = []
    for tag, attrs in before.elements:
        match = next((i for i, (t, _) in enumerate(kept) if t == tag), None)
        if match is None:
            removed.append(Removed(f"a <{tag}> element", f"<{tag}", tag))
            continue
        _, kept_attrs = kept.pop(match)
        for name, value in attrs.items():
            if name not in kept_attrs:
                shown = f"{value[:40]!r}" if value else ""
                what = f"the `{name}` attribute of <{tag}>" + (f" ({shown})" if shown else "")
                removed.append(Removed(what, value if name in ("src", "href") and value else name, tag, name))
    if not removed:  # same elements and attributes: text was dropped (e.g. inside <script>)
        removed.append(Removed("content that is not allowed in a card", "<"))
    return removed
