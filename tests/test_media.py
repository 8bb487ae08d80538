"""The figures in media/: well-formed, small, self-contained SVG with no live text, every glyph large enough to
read on a phone, and exactly what tools/diagrams.py draws (needs the `diagrams` extra: matplotlib and numpy at
the pinned versions)."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MEDIA = REPO / "media"
SCRIPT = REPO / "tools" / "diagrams.py"
SVGS = sorted(MEDIA.glob("*.svg"))

SVG_NS = "{http://www.w3.org/2000/svg}"
HREFS = ("{http://www.w3.org/1999/xlink}href", "href")
MAX_BYTES = 60 * 1024
CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")

WIDTH_PT = 432.0
"""Figures are judged at the 6-inch width they are drawn at (432 pt): a card shows them ~340-600 px wide."""
MIN_PT = 12.0
"""Smallest glyph at that width: 12 pt is 10 px on a 360 px phone screen."""

_SCALE = re.compile(r"scale\(\s*([-+\d.eE]+)(?:[\s,]+([-+\d.eE]+))?\s*\)")


def glyph_sizes(data: bytes) -> list[tuple[float, str]]:
    """The size in points, at the 6-inch width, of every glyph drawn from text, with the text it belongs to.

    matplotlib draws text as paths (svg.fonttype = 'path'): each run of text is a group with
    `transform="translate(x y) scale(s -s)"`, s = font size / 100 (glyph outlines are defined at 100 units
    and flipped upright), preceded by a comment holding the text. Inside, each glyph is a `<use>` of its
    outline. A plain run places glyphs with `translate(...)` only; a mathtext run ($...$) gives each glyph
    its own `scale(k)` relative to the run's size: 1 for the base, 0.7 for a sub- or superscript or the
    parts of a fraction, 0.49 a level further down. The glyph's size is s * 100 * k. Glyph outlines in
    <defs> carry scale(0.015625) (font units to 1/100) and are not glyphs placed on the page.
    """
    root = ET.fromstring(data, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
    view = (root.get("viewBox") or f"0 0 {root.get('width', '432').removesuffix('pt')} 0").split()
    per_pt = WIDTH_PT / float(view[2])
    sizes: list[tuple[float, str]] = []

    def walk(element, run: float | None, label: str, in_defs: bool) -> None:
        previous = ""
        for child in element:
            if child.tag is ET.Comment:
                previous = (child.text or "").strip()
                continue
            child_run, child_label = run, label
            if child.tag == f"{SVG_NS}g":
                for match in _SCALE.finditer(child.get("transform", "")):
                    if match.group(2) is not None and float(match.group(2)) < 0:  # scale(s -s): a run of text
                        child_run, child_label = abs(float(match.group(1))) * 100 * per_pt, previous
            elif child.tag == f"{SVG_NS}use" and run is not None and not in_defs:
                k = 1.0
                for match in _SCALE.finditer(child.get("transform", "")):
                    k *= abs(float(match.group(1)))
                sizes.append((run * k, label))
            walk(child, child_run, child_label, in_defs or child.tag == f"{SVG_NS}defs")

    walk(root, None, "", False)
    return sizes


def test_media_holds_figures():
    assert SVGS, "media/ has no SVG: run `python tools/diagrams.py`"


@pytest.mark.parametrize("path", SVGS, ids=lambda p: p.name)
def test_svg_is_small_well_formed_and_self_contained(path: Path):
    data = path.read_bytes()
    assert len(data) < MAX_BYTES, f"{path.name} is {len(data) / 1024:.1f} KB (limit {MAX_BYTES // 1024} KB)"
    root = ET.fromstring(data)  # raises on malformed XML
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") or (root.get("width") and root.get("height")), "no viewBox and no width/height"
    texts = list(root.iter(f"{SVG_NS}text"))
    assert not texts, f"{len(texts)} <text> element(s): text must be drawn as paths (svg.fonttype='path')"
    for element in root.iter():
        for attribute in HREFS:
            href = element.get(attribute)
            if href is None:
                continue
            if element.tag == f"{SVG_NS}image":
                assert href.startswith("data:"), f"<image> links to {href!r}: embed it or draw it"
            else:
                assert href.startswith(("#", "data:")), f"{element.tag} refers outside the file: {href!r}"
    assert not CJK.search(data.decode("utf-8")), "CJK characters: figures carry English labels and math only"


@pytest.mark.parametrize("path", SVGS, ids=lambda p: p.name)
def test_every_glyph_is_at_least_12_pt(path: Path):
    sizes = glyph_sizes(path.read_bytes())
    assert sizes, f"{path.name}: no text found (is it still drawn as paths by matplotlib?)"
    small = sorted({(round(size, 2), label) for size, label in sizes if size < MIN_PT - 0.01})
    assert not small, (
        f"{path.name}: text smaller than {MIN_PT:g} pt at the 6-inch width (below 10 px on a phone): "
        + "; ".join(f"{label!r} {size:g} pt" for size, label in small)
    )


@pytest.mark.parametrize(
    ("label", "fontsize", "smallest"),
    [("plain", 9, 9.0), ("plain", 12, 12.0), ("$x_t$", 12, 8.4), ("$x_t$", 18, 12.6), (r"$\frac{a}{b}$", 15, 10.5)],
)
def test_glyph_sizes_reads_plain_and_math_text(label: str, fontsize: float, smallest: float):
    """The size check itself: a 9 pt label and a 12 pt subscript are caught, a 12 pt label passes."""
    pytest.importorskip("matplotlib")
    sys.path.insert(0, str(SCRIPT.parent))
    from diagrams.style import figure, svg_bytes

    fig = figure(1.0)
    fig.text(0.5, 0.5, label, fontsize=fontsize)
    sizes = glyph_sizes(svg_bytes(fig))
    assert sizes and min(size for size, _ in sizes) == pytest.approx(smallest, abs=0.01)
    assert {text for _, text in sizes} == {label}
    assert (min(size for size, _ in sizes) >= MIN_PT) == (smallest >= MIN_PT)


def test_diagrams_script_reproduces_media(tmp_path: Path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "media"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr
    made = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    have = {p.name: p.read_bytes() for p in SVGS}
    hint = "\nregenerate with `python tools/diagrams.py` (matplotlib and numpy as pinned)\n" + result.stderr
    assert sorted(made) == sorted(have), (
        f"drawn but not in media/: {sorted(set(made) - set(have))}; "
        f"in media/ but not drawn by the script: {sorted(set(have) - set(made))}{hint}"
    )
    changed = [name for name in made if made[name] != have[name]]
    assert not changed, f"differ from media/: {changed}{hint}"
