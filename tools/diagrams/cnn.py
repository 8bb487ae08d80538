"""Convolutional networks: pooling, feature hierarchy, receptive field, 1x1 bottleneck, sliding window,
local vs shared weights and kernel volumes."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Arc, Ellipse, Polygon

from .style import (
    BLUE,
    FS,
    GREEN,
    GREY,
    INK,
    ORANGE,
    PURPLE,
    RED,
    SMALL,
    TEAL,
    TINT,
    YELLOW,
    arrow,
    box,
    canvas,
    circle,
    grid,
    line,
    rect,
    text,
)

MATH = 17.5
"""Size of a label with sub- or superscripts: mathtext draws them at 0.7 of it, 12.25 pt, legible on a phone."""

# ---------------------------------------------------------------- D01

POOL_INPUT = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
"""The cs231n example the card quotes; the output is computed from it, never typed."""


def maxpool():
    """D01: a 4x4 depth slice, its four 2x2 windows colour-coded, and the 2x2 max-pool output [[6, 8], [3, 4]]."""
    colours = ((RED, GREEN), (PURPLE, BLUE))
    out = POOL_INPUT.reshape(2, 2, 2, 2).max(axis=(1, 3))
    fills = [[TINT[colours[r // 2][c // 2]] for c in range(4)] for r in range(4)]
    fig, ax = canvas((-0.2, 10.6), (-0.35, 5.15))
    grid(ax, 0.3, 4.3, POOL_INPUT.tolist(), fills=fills, fs=FS + 3, lw=1.5)
    for r in range(2):  # heavy lines around the 2x2 windows, maxima in bold
        for c in range(2):
            rect(ax, 0.3 + 2 * c, 4.3 - 2 * (r + 1), 2, 2, ec=colours[r][c], lw=3.5, z=4)
            block = POOL_INPUT[2 * r : 2 * r + 2, 2 * c : 2 * c + 2]
            i, j = np.unravel_index(block.argmax(), block.shape)
            rect(ax, 0.3 + 2 * c + j + 0.12, 4.3 - 2 * r - i - 0.88, 0.76, 0.76, ec=INK, lw=1.6, z=5)
    grid(ax, 7.9, 3.3, out.tolist(), fills=[[TINT[c] for c in row] for row in colours], fs=FS + 3)
    for r in range(2):
        for c in range(2):
            rect(ax, 7.9 + c, 3.3 - r - 1, 1, 1, ec=colours[r][c], lw=3.5, z=4)
    text(ax, 2.3, 4.72, "single depth slice", fs=SMALL)
    arrow(ax, (4.75, 2.3), (7.45, 2.3), lw=3, head=20)
    text(ax, 6.1, 3.05, "max pool\n2×2 filters\nstride 2", fs=SMALL, linespacing=1.15)
    text(ax, 8.9, 0.85, "output", fs=SMALL)
    return fig


# ---------------------------------------------------------------- D02


def _car(ax, x, y, s, body=TINT[BLUE]):
    """A side-view car, lower-left at (x, y), length 4*s."""
    outline = [
        (0, 0.45),
        (0, 1.1),
        (0.35, 1.22),
        (1.05, 1.3),
        (1.6, 1.95),
        (2.85, 1.95),
        (3.45, 1.3),
        (3.95, 1.15),
        (4.0, 0.45),
    ]
    ax.add_patch(Polygon([(x + s * a, y + s * b) for a, b in outline], closed=True, fc=body, ec=INK, lw=2.2, zorder=2))
    for win in (
        [(1.3, 1.32), (1.7, 1.8), (2.2, 1.8), (2.2, 1.32)],
        [(2.35, 1.32), (2.35, 1.8), (2.8, 1.8), (3.2, 1.32)],
    ):
        ax.add_patch(
            Polygon([(x + s * a, y + s * b) for a, b in win], closed=True, fc="none", ec=INK, lw=1.6, zorder=3)
        )
    for cx in (0.95, 3.05):
        circle(ax, x + s * cx, y + s * 0.45, s * 0.42, fc=TINT[GREY], lw=2.2, z=3)
        circle(ax, x + s * cx, y + s * 0.45, s * 0.16, fc=INK, lw=0, z=4)


def feature_hierarchy():
    """D02: edges and curves (layer 1) combine into parts (layer 2), parts into a car (layer 3)."""
    fig, ax = canvas((0, 12), (0, 10.8))
    rows = ((0.4, "layer 1\nedges,\ncurves"), (4.1, "layer 2\nparts"), (7.6, "layer 3\nobject"))
    for y, label in rows:
        text(ax, 1.15, y + 0.95, label, fs=SMALL, linespacing=1.1)

    # layer 1: six tiles with one primitive each
    size, x0 = 1.2, 2.75
    for k in range(6):
        x = x0 + k * (size + 0.33)
        box(ax, x + size / 2, 0.4 + 0.95, size, size, fc=TINT[GREY], ec=GREY, lw=1.2, rounding=0.12)
        cx, cy, h = x + size / 2, 1.35, 0.38
        if k == 0:
            line(ax, [(cx - h, cy), (cx + h, cy)], lw=3, z=4)
        elif k == 1:
            line(ax, [(cx, cy - h), (cx, cy + h)], lw=3, z=4)
        elif k == 2:
            line(ax, [(cx - h, cy - h), (cx + h, cy + h)], lw=3, z=4)
        elif k == 3:
            ax.add_patch(Arc((cx, cy - 0.2), 0.8, 0.8, theta1=20, theta2=160, color=INK, lw=3, zorder=3))
        elif k == 4:
            line(ax, [(cx - h, cy + h), (cx - h, cy - h), (cx + h, cy - h)], lw=3, z=4)
        else:
            ax.add_patch(Arc((cx, cy), 0.7, 0.7, theta1=200, theta2=340, color=INK, lw=3, zorder=3))

    # layer 2: wheel, window, door, headlight
    y2 = 4.1 + 0.95
    circle(ax, 3.6, y2, 0.75, fc=TINT[GREY], lw=2.4)
    circle(ax, 3.6, y2, 0.3, fc=INK, lw=0)
    ax.add_patch(
        Polygon(
            [(5.2, y2 - 0.55), (5.7, y2 + 0.55), (6.8, y2 + 0.55), (6.8, y2 - 0.55)],
            closed=True,
            fc=TINT[BLUE],
            ec=INK,
            lw=2.2,
            zorder=2,
        )
    )
    box(ax, 8.45, y2, 1.2, 1.3, fc=TINT[BLUE], lw=2.2, rounding=0.15)
    line(ax, [(8.75, y2 + 0.15), (8.95, y2 + 0.15)], lw=3, z=4)
    ax.add_patch(Ellipse((10.6, y2), 1.0, 0.6, fc=TINT[YELLOW], ec=INK, lw=2.2, zorder=2))
    for i, name in enumerate(("wheel", "window", "door", "light")):
        text(ax, (3.6, 6.0, 8.45, 10.6)[i], 4.1 - 0.05, name, fs=SMALL, color=GREY)

    # layer 3: the car
    _car(ax, 4.6, 7.6, 1.15)

    for xa, xb in ((3.5, 3.6), (6.2, 6.0), (9.2, 8.5), (11.0, 10.6)):
        arrow(ax, (xa, 2.2), (xb, 3.85), color=GREY, lw=1.8, head=12)
    for xa, xb in ((3.6, 5.3), (6.0, 6.6), (8.45, 7.3), (10.6, 8.9)):
        arrow(ax, (xa, 6.05), (xb, 7.55), color=GREY, lw=1.8, head=12)
    return fig


# ---------------------------------------------------------------- R05


def receptive_field():
    """R05: two stacked 3x3 convolutions: one output sees a 5x5 patch of the input, like a single 5x5 conv."""
    c = 0.62
    fig, ax = canvas((-0.3, 8.9), (-1.9, 4.2))
    x_in, x_mid, x_out, top = 0.0, 4.3, 7.85, 3.1  # top edge of the 5x5 grid; the others are centred on it
    fill_all = [[TINT[BLUE]] * 5 for _ in range(5)]
    for r in range(3):
        for k in range(3):
            fill_all[r][k] = TINT[ORANGE]
    grid(ax, x_in, top, [[""] * 5] * 5, cell=c, fills=fill_all, lw=1.2)
    rect(ax, x_in, top - 3 * c, 3 * c, 3 * c, ec=ORANGE, lw=3.2, z=4)
    rect(ax, x_in, top - 5 * c, 5 * c, 5 * c, ec=BLUE, lw=3.2, z=4)
    mid_top = top - c
    fills_mid = [[TINT[BLUE]] * 3 for _ in range(3)]
    fills_mid[0][0] = TINT[ORANGE]
    grid(ax, x_mid, mid_top, [[""] * 3] * 3, cell=c, fills=fills_mid, lw=1.2)
    rect(ax, x_mid, mid_top - c, c, c, ec=ORANGE, lw=3.2, z=4)
    rect(ax, x_mid, mid_top - 3 * c, 3 * c, 3 * c, ec=BLUE, lw=3.2, z=4)
    out_top = top - 2 * c
    grid(ax, x_out, out_top, [[""]], cell=c, fills=[[TINT[BLUE]]], lw=1.2)
    rect(ax, x_out, out_top - c, c, c, ec=BLUE, lw=3.2, z=4)
    # projection lines: the orange 3x3 window -> one middle cell; the whole middle 3x3 -> the output cell
    for dy in (0, 3 * c):
        line(ax, [(x_in + 3 * c, top - dy), (x_mid, mid_top - dy / 3)], color=ORANGE, lw=1.4, ls=(0, (3, 2)))
    for dy in (0, 3 * c):
        line(ax, [(x_mid + 3 * c, mid_top - dy), (x_out, out_top - dy / 3)], color=BLUE, lw=1.4, ls=(0, (3, 2)))
    text(ax, x_in + 2.5 * c, top + 0.45, "input", fs=SMALL)
    text(ax, x_mid + 1.5 * c, top + 0.45, "layer 1", fs=SMALL)
    text(ax, x_out + 0.5 * c, top + 0.45, "layer 2", fs=SMALL)
    for x in ((x_in + 5 * c + x_mid) / 2, (x_mid + 3 * c + x_out) / 2):
        text(ax, x, 0.5, "3×3\nconv", fs=SMALL, linespacing=1.1)
    text(ax, x_in + 1.5 * c, top - 5 * c - 0.32, "3×3", color=ORANGE, fs=SMALL)
    text(ax, x_in + 4.25 * c, top - 5 * c - 0.32, "5×5", color=BLUE, fs=SMALL)
    text(
        ax,
        4.3,
        -1.05,
        "two 3×3 layers see 5×5, like one 5×5 layer\n"
        "weights per channel pair: 2 · 9 = 18 vs 25",
        fs=SMALL,
        linespacing=1.5,
    )
    return fig


# ---------------------------------------------------------------- R06


def _volume(ax, x, y, w, h, depth, fc, ec=INK, lw=1.8, z=2):
    """A box in oblique projection: front face w x h at (x, y), receding `depth` up and to the right."""
    dx, dy = 0.5 * depth, 0.32 * depth
    front = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    topf = [(x, y + h), (x + w, y + h), (x + w + dx, y + h + dy), (x + dx, y + h + dy)]
    side = [(x + w, y), (x + w + dx, y + dy), (x + w + dx, y + h + dy), (x + w, y + h)]
    for face in (side, topf, front):
        ax.add_patch(Polygon(face, closed=True, fc=fc, ec=ec, lw=lw, zorder=z))
    return x + w + dx


def bottleneck():
    """R06: 28x28x192 -> 5x5 conv (32) directly, vs. through a 1x1 conv (16) bottleneck, with the multiply counts."""
    hw, cin, mid, cout, k = 28, 192, 16, 32, 5
    direct = hw * hw * cout * k * k * cin
    first = hw * hw * mid * cin
    second = hw * hw * cout * k * k * mid
    depth = {cin: 2.3, mid: 0.35, cout: 0.6}

    def millions(n):
        return f"{n / 1e6:.1f} M"

    fig, ax = canvas((-0.1, 12.1), (-0.2, 7.6))
    w = h = 1.35
    rows = (4.45, 0.55)
    for y in rows:
        _volume(ax, 0.1, y, w, h, depth[cin], TINT[BLUE])
        text(ax, 0.1 + w / 2 + 0.4, y - 0.3, f"{hw}×{hw}×{cin}", fs=SMALL)
        _volume(ax, 9.7, y, w, h, depth[cout], TINT[GREEN])
        text(ax, 9.7 + w / 2 + 0.15, y - 0.3, f"{hw}×{hw}×{cout}", fs=SMALL)
    y1, y2 = rows
    text(ax, 0.0, y1 + 2.65, "direct", fs=SMALL, ha="left", color=RED)
    arrow(ax, (3.0, y1 + h / 2), (9.45, y1 + h / 2), lw=2.6, head=16)
    text(ax, 6.2, y1 + h / 2 + 0.38, rf"$5\times5$ conv, {cout}", fs=SMALL)
    text(ax, 6.2, y1 + h / 2 - 0.42, f"{millions(direct)} multiplies", fs=SMALL, color=RED)
    text(ax, 0.0, y2 + 2.65, "with 1×1 bottleneck", fs=SMALL, ha="left", color=GREEN)
    arrow(ax, (3.0, y2 + h / 2), (4.8, y2 + h / 2), lw=2.6, head=16)
    _volume(ax, 5.05, y2, w, h, depth[mid], TINT[ORANGE])
    text(ax, 5.05 + w / 2 + 0.1, y2 - 0.3, f"{hw}×{hw}×{mid}", fs=SMALL)
    arrow(ax, (6.85, y2 + h / 2), (9.45, y2 + h / 2), lw=2.6, head=16)
    text(ax, 3.9, y2 + h / 2 + 0.38, rf"$1\times1$, {mid}", fs=SMALL)
    text(ax, 8.15, y2 + h / 2 + 0.38, rf"$5\times5$, {cout}", fs=SMALL)
    text(ax, 3.9, y2 + h / 2 - 0.42, millions(first), fs=SMALL, color=GREEN)
    text(ax, 8.15, y2 + h / 2 - 0.42, millions(second), fs=SMALL, color=GREEN)
    text(ax, 12.0, y2 + 2.65, f"total {millions(first + second)}", fs=SMALL, ha="right", color=GREEN)
    return fig


# ---------------------------------------------------------------- R07

WINDOW_INPUT = np.array([[1, 2, 0, 1, 3], [0, 1, 3, 2, 1], [2, 1, 0, 1, 0], [3, 0, 1, 2, 2], [1, 2, 2, 0, 1]])
WINDOW_KERNEL = np.array([[1, 0, -1], [2, 1, 0], [0, 0, 1]])


def sliding_window():
    """R07: a 3x3 kernel slides over a 5x5 input (cross-correlation); true convolution uses it rotated 180°."""
    X, K = WINDOW_INPUT, WINDOW_KERNEL
    Y = np.array([[(X[i : i + 3, j : j + 3] * K).sum() for j in range(3)] for i in range(3)])
    at = (0, 1)  # the highlighted window position
    c = 0.7
    fig, ax = canvas((-0.25, 9.95), (-4.35, 4.3))
    top = 3.6
    fills = [
        [TINT[ORANGE] if at[0] <= r < at[0] + 3 and at[1] <= q < at[1] + 3 else None for q in range(5)]
        for r in range(5)
    ]
    grid(ax, 0, top, X.tolist(), cell=c, fills=fills, fs=SMALL + 1)
    rect(ax, at[1] * c, top - (at[0] + 3) * c, 3 * c, 3 * c, ec=ORANGE, lw=3.4, z=5)
    arrow(ax, (at[1] * c + 1.2, top + 0.12), (at[1] * c + 2.3, top + 0.12), color=ORANGE, lw=2.2, head=12)
    text(ax, at[1] * c + 1.0, top + 0.12, "slide", color=ORANGE, fs=SMALL, ha="right")
    grid(ax, 4.35, top - c, K.tolist(), cell=c, fills=[[TINT[ORANGE]] * 3] * 3, fs=SMALL + 1)
    yfills = [[TINT[ORANGE] if (r, q) == at else None for q in range(3)] for r in range(3)]
    grid(ax, 7.7, top - c, Y.tolist(), cell=c, fills=yfills, fs=SMALL + 1)
    rect(ax, 7.7 + at[1] * c, top - c - (at[0] + 1) * c, c, c, ec=ORANGE, lw=3.4, z=5)
    text(ax, 3.93, top - 2.5 * c, r"$\star$", fs=FS + 14)
    text(ax, 7.25, top - 2.5 * c, "=", fs=FS + 6)
    text(ax, 2.5 * c, top - 5 * c - 0.3, "input $x$", fs=SMALL)
    text(ax, 4.35 + 1.5 * c, top - 4 * c - 0.35, "kernel $k$", fs=SMALL)
    text(ax, 7.7 + 1.5 * c, top - 4 * c - 0.35, "output $y$", fs=SMALL)
    text(ax, 4.85, -0.75, "CNN layer (cross-correlation):", fs=SMALL)
    text(ax, 4.85, -1.5, r"$y_{ij} = \sum_{m,n} x_{i+m,\,j+n}\,k_{mn}$", fs=MATH)
    # bottom: the kernel and its 180° rotation
    yb = -2.45
    c2 = 0.55
    grid(ax, 1.9, yb, K.tolist(), cell=c2, fills=[[TINT[ORANGE]] * 3] * 3, fs=SMALL)
    arrow(ax, (3.75, yb - 1.5 * c2), (5.45, yb - 1.5 * c2), lw=2.2, head=14)
    text(ax, 4.6, yb - 1.5 * c2 + 0.32, "rotate 180°", fs=SMALL)
    grid(ax, 5.65, yb, np.rot90(K, 2).tolist(), cell=c2, fills=[[TINT[PURPLE]] * 3] * 3, fs=SMALL)
    text(
        ax, 7.55, yb - 1.5 * c2, "true\nconvolution\nuses this", fs=SMALL, ha="left", color=PURPLE, linespacing=1.1
    )
    text(ax, 1.75, yb - 1.5 * c2, "$k$", fs=SMALL + 1, ha="right")
    return fig


# ---------------------------------------------------------------- R09


def local_vs_shared():
    """R09: fully connected (15 weights), locally connected (9 different weights), convolution (3 shared)."""
    fig, ax = canvas((-0.45, 9.85), (-1.35, 3.3))
    n_in, n_out, k, dx = 5, 3, 3, 0.55
    distinct = (BLUE, RED, GREEN, ORANGE, PURPLE, TEAL, YELLOW, "#c2185b", "#5d4037")
    shared = (RED, GREEN, BLUE)
    panels = (("fully\nconnected", 0.0), ("locally\nconnected", 3.35), ("convolution", 6.7))
    for p, (title, x0) in enumerate(panels):
        xs_in = [x0 + i * dx for i in range(n_in)]
        xs_out = [x0 + (j + 1) * dx for j in range(n_out)]
        count = 0
        for j, xo in enumerate(xs_out):
            sources = range(n_in) if p == 0 else range(j, j + k)
            for m, i in enumerate(sources):
                color = GREY if p == 0 else distinct[j * k + m] if p == 1 else shared[m]
                line(ax, [(xs_in[i], 0), (xo, 2.0)], color=color, lw=2.2 if p else 1.4, z=1)
                count += 1
        for x in xs_in:
            circle(ax, x, 0, 0.17, fc=TINT[GREY], lw=1.6)
        for x in xs_out:
            circle(ax, x, 2.0, 0.17, fc=TINT[GREY], lw=1.6)
        unique = count if p < 2 else k
        text(ax, x0 + 2 * dx, 2.75, title, fs=SMALL, linespacing=1.05)
        label = f"{unique} weights\n" + ("", "none shared", "all shared")[p]
        text(ax, x0 + 2 * dx, -0.3, label, fs=SMALL, va="top", linespacing=1.1)
    return fig


# ---------------------------------------------------------------- R11


def kernel_volume():
    """R11: one K x K x C_in kernel gives one map; N kernels give N maps; grouped convolution splits C_in."""
    fig, ax = canvas((-0.2, 12.2), (-0.4, 10.0))
    # top row: input volume * N kernels -> output volume
    y = 5.9
    _volume(ax, 0.2, y, 2.2, 2.2, 2.2, TINT[BLUE])
    text(ax, 1.85, y - 0.35, "input", fs=SMALL)
    text(ax, 1.85, y - 1.05, r"$H\times W\times C_{in}$", fs=MATH)
    kx = 4.5
    colors = (ORANGE, GREEN, PURPLE)
    for i, col in enumerate(colors):
        _volume(ax, kx + i * 0.35, y + 1.3 - i * 0.55, 0.75, 0.75, 2.2, TINT[col], ec=col, lw=1.8, z=3 + i)
    text(ax, kx + 1.4, y - 0.35, "$N$ kernels", fs=SMALL)
    text(ax, kx + 1.4, y - 1.05, r"$K\times K\times C_{in}$", fs=MATH)
    ox = 8.6
    for i, col in enumerate(colors):
        _volume(ax, ox + i * 0.3, y + i * 0.19, 1.9, 1.9, 0.6, TINT[col], ec=col, lw=1.8, z=3 - i)
    text(ax, ox + 1.6, y - 0.35, "output", fs=SMALL)
    text(ax, ox + 1.6, y - 1.05, r"$H'\times W'\times N$", fs=MATH)
    arrow(ax, (3.85, y + 1.1), (4.35, y + 1.1), lw=2.2, head=12)
    arrow(ax, (7.75, y + 1.1), (8.45, y + 1.1), lw=2.2, head=12)
    text(ax, 6.1, 9.55, "each kernel spans all input channels and makes one map", fs=SMALL + 1)

    # bottom row: grouped, g = 2
    y = 0.8
    text(ax, 6.1, 3.95, "grouped, $g = 2$: each kernel sees half the channels", fs=SMALL + 1)
    _volume(ax, 0.2, y, 2.2, 2.2, 1.1, TINT[TEAL], ec=TEAL)
    _volume(ax, 0.2 + 0.55, y + 0.352, 2.2, 2.2, 1.1, TINT[RED], ec=RED, z=1)
    for i, col in enumerate((TEAL, RED)):
        _volume(ax, kx + i * 1.1, y + 0.7, 0.75, 0.75, 1.1, TINT[col], ec=col)
    for i, col in enumerate((TEAL, RED)):
        _volume(ax, ox + i * 0.55, y + i * 0.352, 1.9, 1.9, 0.9, TINT[col], ec=col, z=3 - i)
    arrow(ax, (3.85, y + 1.1), (4.35, y + 1.1), lw=2.2, head=12)
    arrow(ax, (7.75, y + 1.1), (8.45, y + 1.1), lw=2.2, head=12)
    text(ax, 6.1, y - 0.45, "weights and multiplies ÷ 2", fs=SMALL, color=GREY)
    return fig
