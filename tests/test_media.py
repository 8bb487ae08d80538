"""The figures in media/: well-formed, small, self-contained SVG with no live text, and exactly what
tools/diagrams.py draws (needs the `diagrams` extra: matplotlib and numpy at the pinned versions)."""

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
