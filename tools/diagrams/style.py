"""Shared look of every figure, the few drawing helpers the schematics share, and the byte-stable SVG writer.

Figures are 6 inches wide (432 pt). The cards show them between ~340 and ~600 px, so 14 pt here is at least
~11 px on a phone. Ink is near-black on a transparent background and fills are pale tints of saturated accent
colours: under the night-mode filter `invert(1) hue-rotate(180deg)` the ink turns light, the tints turn dark
and the hues survive.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("svg")

import numpy as np
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, PathPatch, Rectangle
from matplotlib.path import Path as MPath
from matplotlib.textpath import TextToPath

WIDTH = 6.0
"""Figure width in inches; every figure uses it so that font sizes mean the same thing everywhere."""

INK = "#222222"
GREY = "#777777"
BLUE, RED, GREEN, ORANGE, PURPLE, TEAL, YELLOW = (
    "#1565c0",
    "#d32f2f",
    "#2e7d32",
    "#e65100",
    "#7b1fa2",
    "#00838f",
    "#b58900",
)
TINT = {  # pale fills that keep the hue; under the night filter they become dark fills
    BLUE: "#dbe8fb",
    RED: "#fbdcdc",
    GREEN: "#d8f0d9",
    ORANGE: "#ffe3c7",
    PURPLE: "#ecdcf6",
    TEAL: "#d3f0f2",
    YELLOW: "#fbefc0",
    GREY: "#e8e8e8",
}

FS = 14
"""Base font size (pt) at 6 inches: ~11.7 px when the figure is 360 px wide."""
SMALL = 12
MATH = 17.5
"""Font size (pt) for math with sub- or superscripts: mathtext draws a script at 0.7 of the size, so 17.5 pt keeps
it at 12.25 pt, as large as SMALL. A script on a script (0.49) would need 24.5 pt: write the label without one."""
ROOT = 18.5
"""Font size (pt) for math with a square root over a subscript ($\\sqrt{d_k}$): the radical sign is drawn at 0.66."""

RC = {
    "svg.fonttype": "path",  # glyphs as paths: no font needed on the phone
    "svg.hashsalt": "dlanki-diagrams",  # fixed ids for clip paths and markers
    "svg.image_inline": True,
    "path.simplify": True,
    "font.family": "DejaVu Sans",  # ships with matplotlib, so every machine draws the same glyphs
    "mathtext.fontset": "dejavusans",
    "font.size": FS,
    "axes.titlesize": FS,
    "axes.labelsize": FS,
    "xtick.labelsize": SMALL,
    "ytick.labelsize": SMALL,
    "legend.fontsize": SMALL,
    "legend.frameon": False,
    "text.color": INK,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.linewidth": 1.4,
    "xtick.major.width": 1.4,
    "ytick.major.width": 1.4,
    "xtick.major.size": 5,
    "ytick.major.size": 5,
    "lines.linewidth": 2.6,
    "lines.solid_capstyle": "round",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.facecolor": "none",
    "figure.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.transparent": True,
    "axes.unicode_minus": True,
    "axes.titlepad": 8,
    "axes.labelpad": 4,
    "hatch.linewidth": 1.0,
}

matplotlib.rcParams.update(RC)


# ---------------------------------------------------------------- figures


def figure(height: float, width: float = WIDTH, layout: str | None = "constrained") -> Figure:
    """A bare figure (not registered with pyplot, so nothing leaks between figures)."""
    return Figure(figsize=(width, height), layout=layout)


def canvas(xlim: tuple[float, float], ylim: tuple[float, float], width: float = WIDTH):
    """A figure with one axis-free axes filling it, in data units with equal aspect: for schematics.

    The height follows from the limits, so one data unit is the same length across and up.
    """
    height = width * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0])
    fig = figure(height, width, layout=None)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def plot_axes(ax, xlabel: str | None = None, ylabel: str | None = None, zero_lines: bool = False):
    """Plain function-plot axes: left and bottom spines, optional faint axes through the origin."""
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if zero_lines:
        ax.axhline(0, color=GREY, lw=1.0, zorder=0)
        ax.axvline(0, color=GREY, lw=1.0, zorder=0)
    return ax


# ---------------------------------------------------------------- schematic helpers


def box(ax, cx, cy, w, h, text="", fc=None, ec=INK, fs=FS, lw=2.0, color=INK, pad=0.0, rounding=0.08, z=2, **kw):
    """A rounded box centred on (cx, cy) with centred text; fc=None means a transparent box."""
    patch = FancyBboxPatch(
        (cx - w / 2, cy - h / 2),
        w,
        h,
        boxstyle=f"round,pad={pad},rounding_size={rounding}" if rounding else f"square,pad={pad}",
        fc=fc if fc else "none",
        ec=ec,
        lw=lw,
        zorder=z,
    )
    ax.add_patch(patch)
    if text:
        ax.text(cx, cy, text, ha="center", va="center", fontsize=fs, color=color, zorder=z + 1, **kw)
    return patch


def rect(ax, x, y, w, h, fc=None, ec=INK, lw=1.5, z=2, **kw):
    """A square-cornered rectangle with its lower-left corner at (x, y)."""
    patch = Rectangle((x, y), w, h, fc=fc if fc else "none", ec=ec, lw=lw, zorder=z, **kw)
    ax.add_patch(patch)
    return patch


def circle(ax, cx, cy, r, text="", fc=None, ec=INK, fs=FS, lw=2.0, color=INK, z=3, **kw):
    patch = Circle((cx, cy), r, fc=fc if fc else "none", ec=ec, lw=lw, zorder=z)
    ax.add_patch(patch)
    if text:
        ax.text(cx, cy, text, ha="center", va="center", fontsize=fs, color=color, zorder=z + 1, **kw)
    return patch


def arrow(
    ax,
    start,
    end,
    color=INK,
    lw=2.0,
    head=14,
    style="-|>",
    ls="-",
    rad=0.0,
    shrink=0.0,
    z=1,
    shrink_start=None,
    shrink_end=None,
    **kw,
):
    """An arrow from start to end (data coordinates); rad bends it, shrink (points) stops short of both ends."""
    patch = FancyArrowPatch(
        start,
        end,
        arrowstyle=style,
        mutation_scale=head,
        color=color,
        lw=lw,
        linestyle=ls,
        connectionstyle=f"arc3,rad={rad}",
        shrinkA=shrink if shrink_start is None else shrink_start,
        shrinkB=shrink if shrink_end is None else shrink_end,
        zorder=z,
        joinstyle="miter",
        capstyle="butt",
        **kw,
    )
    ax.add_patch(patch)
    return patch


def line(ax, points, color=INK, lw=2.0, ls="-", z=1, **kw):
    xs, ys = zip(*points, strict=True)
    return ax.plot(xs, ys, color=color, lw=lw, ls=ls, zorder=z, solid_capstyle="butt", **kw)[0]


def grid(ax, x0, y0, values, cell=1.0, fills=None, fs=FS, lw=1.5, ec=INK, color=INK, z=2):
    """A matrix drawn as square cells, row 0 at the top; (x0, y0) is the top-left corner.

    values: rows of numbers or strings ('' leaves a cell empty); fills: same shape, colour or None per cell.
    """
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            fc = fills[r][c] if fills is not None else None
            x, y = x0 + c * cell, y0 - (r + 1) * cell
            rect(ax, x, y, cell, cell, fc=fc, ec=ec, lw=lw, z=z)
            if value != "":
                ax.text(
                    x + cell / 2,
                    y + cell / 2,
                    str(value).replace("-", "\u2212"),
                    ha="center",
                    va="center",
                    fontsize=fs,
                    color=color,
                    zorder=z + 1,
                )


def dots(ax, points, color, size=5.0, z=3):
    """Filled round dots of `size` points, as ONE path of zero-length round-capped strokes.

    A scatter writes one <use> element per point; this writes ~30 bytes per point, which keeps figures with
    many sample points small. SVG renders a zero-length subpath with a round cap as a dot.
    """
    points = np.asarray(points, dtype=float)
    vertices = np.repeat(points, 2, axis=0)
    codes = np.tile([MPath.MOVETO, MPath.LINETO], len(points))
    path = MPath(vertices, codes)
    path.should_simplify = False  # simplification would drop the zero-length segments
    patch = PathPatch(path, fc="none", ec=color, lw=size, capstyle="round", zorder=z)
    ax.add_patch(patch)
    return patch


def text(ax, x, y, s, fs=FS, color=INK, ha="center", va="center", z=5, **kw):
    return ax.text(x, y, s, fontsize=fs, color=color, ha=ha, va=va, zorder=z, **kw)


_TEXT_TO_PATH = TextToPath()


def text_width(s: str, fs: float, weight: str = "normal") -> float:
    """The advance width of one line of text in points (mathtext when it holds a pair of $)."""
    prop = FontProperties(size=fs, weight=weight)
    width, _, _ = _TEXT_TO_PATH.get_text_width_height_descent(s, prop, ismath=s.count("$") >= 2)
    return width


def runs(ax, x, y, parts, ha="center", color=INK, gap=0.3, z=5, **kw):
    """One line of text in several sizes on one baseline: words at FS or SMALL, math with scripts at MATH.

    parts: (text, size) or (text, size, colour) pairs, left to right, `gap` ems of the first size apart; (x, y) is
    the left end, centre or right end of the line (ha) at the height of the centre of its capitals. Only for
    canvas() axes, where one data unit is the same length across and up. Returns the line's (left, right) in data.
    """
    parts = [(p[0], p[1], p[2] if len(p) > 2 else color) for p in parts]
    per_pt = (ax.get_xlim()[1] - ax.get_xlim()[0]) / (ax.figure.get_figwidth() * 72 * ax.get_position().width)
    space = gap * parts[0][1]
    widths = [text_width(s, fs, kw.get("fontweight", "normal")) for s, fs, _ in parts]
    total = (sum(widths) + space * (len(parts) - 1)) * per_pt
    left = x - {"left": 0.0, "center": total / 2, "right": total}[ha]
    base = y - 0.3645 * parts[0][1] * per_pt  # DejaVu Sans capitals are 0.729 em tall
    cursor = left
    for (s, fs, colour), width in zip(parts, widths, strict=True):
        ax.text(cursor, base, s, fontsize=fs, color=colour, ha="left", va="baseline", zorder=z, **kw)
        cursor += (width + space) * per_pt
    return left, left + total


# ---------------------------------------------------------------- writing


_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_LONG_DECIMAL = re.compile(r"-?\d+\.\d{3,}")
# Glyph outlines are drawn in font units and scaled down (1/64 for a glyph, size/100 for a run of text):
# a scale factor is not a coordinate, and rounding 1/64 to 0.02 draws every glyph 28% too large.
_SCALE = re.compile(r"scale\([^)]*\)")
_PATH_BREAK = re.compile(r" ?\n(?=[MLCQZz])")
_INDENT = re.compile(r"\n[ \t]+")
_TAG = re.compile(r"<(/?)([A-Za-z]+)([^>]*?)(/?)>")
_STYLE = re.compile(r' style="([^"]*)"')
_ID = re.compile(r' id="([^"]+)"')
_REF = re.compile(r'(id="|#)([A-Za-z_][\w.\-]*)(?=["\)])')


def _short(match: re.Match) -> str:
    value = round(float(match.group(0)), 2)
    if value == 0:
        return "0"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _round_coordinates(svg: str) -> str:
    """Round long decimals to two places everywhere except inside scale(...), which keeps full precision."""
    out, last = [], 0
    for match in _SCALE.finditer(svg):
        out.append(_LONG_DECIMAL.sub(_short, svg[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_LONG_DECIMAL.sub(_short, svg[last:]))
    return "".join(out)


def _name(n: int) -> str:
    """a, b, ..., z, ba, bb, ...: short, valid XML names, deterministic in n."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = letters[n % 26]
    n //= 26
    while n:
        out = letters[n % 26] + out
        n //= 26
    return out


def _classes(svg: str) -> str:
    """Move inline styles outside <defs> into one stylesheet: a scatter of 100 points repeats one style 100 times.

    Styles inside <defs> (markers, which <use> clones) stay inline, so nothing relies on document CSS
    reaching into a <use> shadow tree.
    """
    classes: dict[str, str] = {}
    depth = 0
    out = []
    last = 0
    for tag in _TAG.finditer(svg):
        closing, name, attrs, selfclosing = tag.groups()
        if name == "defs":
            depth += -1 if closing else (0 if selfclosing else 1)
            continue
        if closing or depth:
            continue
        style = _STYLE.search(attrs)
        if not style:
            continue
        cls = classes.setdefault(style.group(1), _name(len(classes)))
        new_attrs = attrs[: style.start()] + f' class="{cls}"' + attrs[style.end() :]
        out.append(svg[last : tag.start()])
        out.append(f"<{name}{new_attrs}{selfclosing}>")
        last = tag.end()
    out.append(svg[last:])
    svg = "".join(out)
    rules = "".join(f".{cls}{{{style}}}" for style, cls in classes.items())
    return svg.replace("</style>", rules + "</style>", 1)


def _ids(svg: str) -> str:
    """Drop ids nothing refers to (matplotlib names every group) and shorten the rest."""
    referenced = {m.group(2) for m in _REF.finditer(svg) if m.group(1) == "#"}
    names: dict[str, str] = {}
    for ident in _ID.findall(svg):
        if ident in referenced and ident not in names:
            names[ident] = "i" + _name(len(names))
    svg = _ID.sub(lambda m: m.group(0) if m.group(1) in names else "", svg)
    return _REF.sub(lambda m: m.group(1) + names.get(m.group(2), m.group(2)), svg)


def svg_bytes(fig: Figure) -> bytes:
    """The figure as SVG, made smaller and byte-stable.

    matplotlib writes coordinates to six decimals, an RDF metadata block, an id on every group and an inline
    style on every element. Two decimals of a point are far below a pixel, so longer decimals are rounded;
    path commands go on one line, indentation and the metadata (which holds nothing but the format) go, ids
    nothing refers to go and the rest are shortened, and repeated styles become CSS classes. Date and
    Creator are never written, and matplotlib's ids are fixed by svg.hashsalt, so the bytes are stable.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", transparent=True, metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue().decode("utf-8")
    svg = _METADATA.sub("", svg, count=1)
    svg = _round_coordinates(svg)
    svg = _PATH_BREAK.sub(" ", svg)
    svg = _INDENT.sub("\n", svg)
    svg = _ids(svg)
    svg = _classes(svg)
    return svg.encode("utf-8")


def save(fig: Figure, path: Path) -> int:
    data = svg_bytes(fig)
    path.write_bytes(data)
    return len(data)
