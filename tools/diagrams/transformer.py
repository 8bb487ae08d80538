"""Attention and the Transformer: scaled dot-product attention, multi-head split/concat, masks, Pre-LN vs Post-LN,
sinusoidal positions, RoPE, MHA/MQA/GQA, KV cache, FlashAttention tiling, normalisation axes, architecture variants."""

from __future__ import annotations

import itertools

import numpy as np
from matplotlib.patches import Arc, Polygon

from .style import (
    BLUE,
    FS,
    GREEN,
    GREY,
    INK,
    MATH,
    ORANGE,
    PURPLE,
    RED,
    ROOT,
    SMALL,
    TEAL,
    TINT,
    YELLOW,
    arrow,
    box,
    canvas,
    circle,
    figure,
    grid,
    line,
    rect,
    runs,
    text,
)

MINUS_INF = "\u2212\u221e"


# ---------------------------------------------------------------- T01


def scaled_dot_product():
    """T01: Q, K -> MatMul -> Scale -> Mask (opt.) -> Softmax -> MatMul with V -> output, bottom to top, with shapes."""
    fig, ax = canvas((-0.2, 12.2), (-0.3, 10.3))
    cx, w, h = 4.5, 4.1, 0.95
    steps = (  # (centre y, label runs, note runs on the right, colour)
        (1.9, (("MatMul", FS), ("$QK^\\top$", MATH)), (("scores", SMALL), ("$n\\times n$", MATH)), BLUE),
        (3.5, (("Scale", FS), ("$\\div\\sqrt{d_k}$", ROOT)), (("variance back to 1", SMALL),), PURPLE),
        (5.1, (("Mask (optional)", FS),), (("illegal", SMALL), ("$\\to{-\\infty}$", MATH)), RED),
        (6.7, (("Softmax (each row)", FS),), (("weights, rows sum to 1", SMALL),), ORANGE),
        (8.3, (("MatMul", FS), ("$\\cdot\\, V$", MATH)), (("output", SMALL), ("$n\\times d_v$", MATH)), BLUE),
    )
    for cy, label, note, colour in steps:
        box(ax, cx, cy, w, h, fc=TINT[colour], ec=colour)
        runs(ax, cx, cy, label)
        runs(ax, cx + w / 2 + 0.35, cy, note, ha="left", color=GREY)
    for (a, *_), (b, *_) in itertools.pairwise(steps):
        arrow(ax, (cx, a + h / 2), (cx, b - h / 2), lw=2.0, head=12)
    arrow(ax, (cx, 8.3 + h / 2), (cx, 9.75), lw=2.0, head=12)
    text(ax, cx, 10.0, "output", fs=SMALL)
    # inputs Q and K under the first MatMul, V up the right side into the last one
    for x, name in ((cx - 0.9, "Q"), (cx + 0.9, "K")):
        text(ax, x, 0.05, f"${name}$", fs=FS + 2)
        arrow(ax, (x, 0.35), (x, 1.9 - h / 2), lw=2.0, head=12)
    text(ax, cx + 1.6, 0.05, "$Q,K$: $n\\times d_k$", fs=MATH, color=GREY, ha="left")
    vx = 1.2
    text(ax, vx, 0.05, "$V$", fs=FS + 2)
    line(ax, [(vx, 0.35), (vx, 8.3)], lw=2.0)
    arrow(ax, (vx, 8.3), (cx - w / 2, 8.3), lw=2.0, head=12)
    return fig


# ---------------------------------------------------------------- T02

HEAD_COLOURS = (BLUE, ORANGE, GREEN, PURPLE)


def _split_matrix(ax, x, y, w, h, colours, label="", fs=SMALL):
    """A matrix drawn as h coloured column blocks, lower-left corner (x, y)."""
    k = len(colours)
    for i, colour in enumerate(colours):
        rect(ax, x + i * w / k, y, w / k, h, fc=TINT[colour], ec=colour, lw=1.6)
    rect(ax, x, y, w, h, ec=INK, lw=2.0, z=3)
    if label:
        text(ax, x + w / 2, y + h + 0.38, label, fs=fs)


def multihead():
    """T02: project Q, K, V, split the d columns into h heads of d/h, attend per head, concatenate, multiply by W^O."""
    fig, ax = canvas((-0.2, 12.2), (-1.15, 6.55))
    h_mat = 3.2
    # left: the three projections, each split into h = 4 column blocks
    for i, name in enumerate(("Q", "K", "V")):
        x0 = 0.05 + i * 1.52
        _split_matrix(ax, x0, 1.6, 1.2, h_mat, HEAD_COLOURS, f"$XW^{name}$", fs=MATH)
    runs(ax, 2.15, 1.1, (("$n\\times d$", MATH), ("each, split into", SMALL)), color=GREY)
    runs(ax, 2.15, 0.5, (("$h$ heads of", SMALL), ("$d_k=d/h$", MATH)), color=GREY)
    # middle: one attention per head
    hx = 6.3
    ys = [5.05 - i * 1.05 for i in range(4)]
    for i, (yy, colour) in enumerate(zip(ys, HEAD_COLOURS, strict=True)):
        box(ax, hx, yy, 1.9, 0.78, f"head {i + 1}", fc=TINT[colour], ec=colour, fs=SMALL)
        arrow(ax, (4.45, 1.6 + h_mat / 2), (hx - 0.95, yy), lw=1.4, head=10, color=colour)
        arrow(ax, (hx + 0.95, yy), (8.0, 1.6 + h_mat / 2 + (1.5 - i) * 0.75), lw=1.4, head=10, color=colour)
    text(ax, hx, 6.25, "attention per head", fs=SMALL, color=GREY)
    text(ax, hx, 5.8, "on block $i$ of $Q,K,V$", fs=SMALL, color=GREY)
    runs(ax, hx - 0.25, 1.1, (("$n\\times d_k$", MATH), ("each", SMALL)), color=GREY)
    # right: concatenation and the output projection
    _split_matrix(ax, 8.05, 1.6, 1.4, h_mat, HEAD_COLOURS, "Concat")
    text(ax, 8.75, 1.1, "$n\\times d$", fs=MATH, color=GREY)
    text(ax, 9.95, 1.6 + h_mat / 2, "$\\times$", fs=FS + 2)
    rect(ax, 10.4, 2.5, 1.4, 1.4, fc=TINT[GREY], ec=INK, lw=2.0)
    text(ax, 11.1, 3.2, "$W^O$", fs=MATH)
    text(ax, 11.1, 2.0, "$d\\times d$", fs=MATH, color=GREY)
    text(
        ax,
        6.0,
        -0.6,
        r"$\mathrm{head}_i=\mathrm{Attention}(QW_i^Q,KW_i^K,VW_i^V)$",
        fs=MATH,
    )
    return fig


# ---------------------------------------------------------------- T03


def _mask_panel(ax, x0, y0, allowed, title, cell=0.78, fs=SMALL):
    n = len(allowed)
    values = [["0" if ok else MINUS_INF for ok in row] for row in allowed]
    fills = [[TINT[GREEN] if ok else TINT[RED] for ok in row] for row in allowed]
    grid(ax, x0, y0, values, cell=cell, fills=fills, fs=fs, lw=1.2)
    text(ax, x0 + n * cell / 2, y0 + 0.75, title, fs=FS, fontweight="bold")
    text(ax, x0 + n * cell / 2, y0 + 0.3, "key $j$ $\\rightarrow$", fs=SMALL, color=GREY)
    text(ax, x0 - 0.3, y0 - n * cell / 2, "query $i$ $\\downarrow$", fs=SMALL, color=GREY, rotation=90)


def masks():
    """T03: a padding mask (last two keys are [PAD]) and a causal mask (keys after the query), added before softmax."""
    n, pad = 6, 2
    fig, ax = canvas((-0.2, 12.2), (-1.7, 6.55))
    padding = [[j < n - pad for j in range(n)] for _ in range(n)]
    causal = [[j <= i for j in range(n)] for i in range(n)]
    _mask_panel(ax, 0.75, 5.2, padding, "padding mask")
    _mask_panel(ax, 7.0, 5.2, causal, "causal mask")
    tokens = ["a", "b", "c", "d", "P", "P"]
    for j, tok in enumerate(tokens):
        colour = RED if tok == "P" else GREY
        text(ax, 0.75 + (j + 0.5) * 0.78, 0.25, tok, fs=SMALL, color=colour)
    text(ax, 3.1, -0.3, "P = [PAD]", fs=SMALL, color=RED)
    text(ax, 9.35, -0.05, "$j>i$: future", fs=SMALL, color=RED)
    runs(
        ax,
        6.0,
        -1.15,
        (("added to", SMALL), ("$QK^\\top/\\sqrt{d_k}$", ROOT), ("before softmax:", SMALL), ("$e^{-\\infty}=0$", MATH)),
    )
    return fig


# ---------------------------------------------------------------- T04


def _residual_column(ax, cx, order, title, formula, final_note=None):
    """One sub-layer with its residual path, bottom to top; order lists the boxes between input and output."""
    w, h = 3.0, 0.85
    colours = {"LayerNorm": ORANGE, "Sublayer $F$": BLUE}
    y_in, y = 0.35, 1.2
    text(ax, cx, y_in, "$x_l$", fs=MATH)
    line(ax, [(cx, y_in + 0.3), (cx, y)], lw=2.0)
    split_y = y
    centres = []
    y_box = y + 0.95
    for label in order:
        if label == "+":
            circle(ax, cx, y_box, 0.36, "+", fc=TINT[GREY], fs=FS + 2)
            centres.append((label, y_box, 0.36))
            y_box += 1.25
            continue
        box(ax, cx, y_box, w, h, label, fc=TINT[colours[label]], ec=colours[label], fs=FS)
        centres.append((label, y_box, h / 2))
        y_box += 1.45
    # arrows between consecutive elements
    arrow(ax, (cx, split_y), (cx, centres[0][1] - centres[0][2]), lw=2.0, head=12)
    for (_, ya, ra), (_, yb, rb) in itertools.pairwise(centres):
        arrow(ax, (cx, ya + ra), (cx, yb - rb), lw=2.0, head=12)
    top = centres[-1][1] + centres[-1][2]
    arrow(ax, (cx, top), (cx, top + 0.75), lw=2.0, head=12)
    text(ax, cx, top + 1.05, "$x_{l+1}$", fs=MATH)
    # residual path on the right into the + node
    plus_y = next(yy for label, yy, _ in centres if label == "+")
    sx = cx + w / 2 + 0.45
    line(ax, [(cx, split_y), (sx, split_y), (sx, plus_y)], color=RED, lw=2.6)
    arrow(ax, (sx, plus_y), (cx + 0.36, plus_y), color=RED, lw=2.6, head=14)
    text(ax, sx + 0.12, (split_y + plus_y) / 2, "identity", fs=SMALL, color=RED, ha="left", rotation=90)
    text(ax, cx, 8.25, title, fs=FS, fontweight="bold")
    text(ax, cx, 7.55, formula, fs=MATH)
    if final_note:
        text(ax, cx, -0.35, final_note, fs=SMALL, color=GREY)


def pre_post_ln():
    """T04: Post-LN (original: LN after the residual add) next to Pre-LN (LN inside the branch, clean identity path)."""
    fig, ax = canvas((-0.2, 12.2), (-0.75, 8.65))
    _residual_column(
        ax, 2.6, ("Sublayer $F$", "+", "LayerNorm"), "Post-LN (2017)", r"$x_{l+1}=\mathrm{LN}(x_l+F(x_l))$"
    )
    _residual_column(
        ax,
        8.8,
        ("LayerNorm", "Sublayer $F$", "+"),
        "Pre-LN (GPT-2, LLaMA)",
        r"$x_{l+1}=x_l+F(\mathrm{LN}(x_l))$",
        "+ one final LN on top",
    )
    line(ax, [(5.75, 0.0), (5.75, 8.5)], color=GREY, lw=1.0, ls=":")
    return fig


# ---------------------------------------------------------------- T05


def sinusoid_heatmap():
    """T05: the sinusoidal encoding PE[pos, k] for d_model = 64 and positions 0..99: fast columns left, slow right."""
    d, n = 64, 100
    pos = np.arange(n)[:, None]
    i = np.arange(d // 2)[None, :]
    angle = pos / 10000 ** (2 * i / d)
    pe = np.empty((n, d))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    fig = figure(4.1)
    ax = fig.add_subplot()
    image = ax.imshow(pe, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_xlabel("dimension ($2i$: sin, $2i+1$: cos)")
    ax.set_ylabel("position pos")
    ax.set_xticks([0, 16, 32, 48, 63])
    ax.set_yticks([0, 25, 50, 75, 99])
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.03, ticks=[-1, 0, 1])
    bar.outline.set_visible(False)
    ax.set_title(r"$PE_{(pos,2i)}=\sin(pos/10000^{2i/d})$, $d=64$", fontsize=MATH)
    return fig


# ---------------------------------------------------------------- T06


def _rotation_matrix(ax, cx, cy, fs=MATH):
    """R_m for pair i as a 2x2 matrix (mathtext has no arrays): four entries between drawn brackets."""
    text(ax, cx - 2.5, cy, r"$R_m=$", fs=fs, ha="right")
    entries = ((r"$\cos m\theta_i$", r"$-\sin m\theta_i$"), (r"$\sin m\theta_i$", r"$\cos m\theta_i$"))
    for r, row in enumerate(entries):
        for c, entry in enumerate(row):
            text(ax, cx - 1.15 + c * 2.35, cy + 0.38 - r * 0.76, entry, fs=fs)
    for x, side in ((cx - 2.3, -1), (cx + 2.45, 1)):
        tick = -side * 0.16
        line(ax, [(x + tick, cy + 0.78), (x, cy + 0.78), (x, cy - 0.78), (x + tick, cy - 0.78)], lw=1.4)


def rope_rotation():
    """T06: one 2-D pair of q and k: q rotated by m*theta, k by n*theta; the angle between them grows by exactly
    (n - m)*theta, so their dot product sees only n - m (phi is the angle between the raw q and k).
    R_m is the rotation at position m (the cards write R_m too), so no label needs a script on a script."""
    fig, ax = canvas((-0.2, 12.2), (-2.05, 5.8))
    o = (3.2, 1.2)
    r = 3.4
    line(ax, [(o[0] - 0.5, o[1]), (o[0] + 3.9, o[1])], color=GREY, lw=1.2)
    line(ax, [(o[0], o[1] - 0.5), (o[0], o[1] + 3.4)], color=GREY, lw=1.2)
    text(ax, o[0] + 3.95, o[1] + 0.3, "$x_{2i}$", fs=MATH, color=GREY, ha="left")
    text(ax, o[0] + 0.12, o[1] + 3.3, "$x_{2i+1}$", fs=MATH, color=GREY, ha="left")
    phi_q, phi_k = np.deg2rad(0), np.deg2rad(20)  # the raw directions of q and k in this pair; phi = 20 degrees
    m_theta, n_theta = np.deg2rad(50), np.deg2rad(105)

    def tip(a, radius=r):
        return (o[0] + radius * np.cos(a), o[1] + radius * np.sin(a))

    for a, colour in ((phi_q, BLUE), (phi_k, ORANGE)):
        arrow(ax, o, tip(a, r * 0.9), color=colour, lw=1.6, head=12, ls="--")
    arrow(ax, o, tip(phi_q + m_theta), color=BLUE, lw=2.8, head=16)
    arrow(ax, o, tip(phi_k + n_theta), color=ORANGE, lw=2.8, head=16)
    arcs = (  # (start, span, radius, colour, label, label position)
        (phi_q, phi_k - phi_q, 2.55, GREY, "$\\varphi$", tip(np.deg2rad(10), 2.85)),
        (phi_q, m_theta, 2.0, BLUE, "$m\\theta_i$", tip(np.deg2rad(33), 2.55)),
        (phi_k, n_theta, 1.2, ORANGE, "$n\\theta_i$", tip(np.deg2rad(103), 1.75)),
        (phi_q + m_theta, phi_k + n_theta - phi_q - m_theta, 2.7, RED, "$\\varphi+(n-m)\\theta_i$", (2.9, 5.3)),
    )
    for start, span, radius, colour, label, at in arcs:
        ax.add_patch(
            Arc(o, 2 * radius, 2 * radius, theta1=np.rad2deg(start), theta2=np.rad2deg(start + span), color=colour, lw=2.0)
        )
        text(ax, *at, label, fs=MATH, color=colour)
    text(ax, *tip(phi_q, r * 0.9 + 0.3), "$q$", fs=MATH, color=BLUE)
    text(ax, *tip(phi_k, r * 0.9 + 0.3), "$k$", fs=MATH, color=ORANGE)
    text(ax, *tip(phi_q + m_theta, r + 0.55), "$R_mq$", fs=MATH, color=BLUE)
    text(ax, *tip(phi_k + n_theta, r + 0.55), "$R_nk$", fs=MATH, color=ORANGE)
    text(ax, o[0] + 1.2, 0.2, "$\\varphi$: angle from $q$ to $k$ before rotation", fs=SMALL, color=GREY)
    # the frequency and the relative-position identity on the right
    rx = 10.2
    text(ax, rx, 5.45, r"$\theta_i=10000^{-2i/d}$", fs=MATH)
    text(ax, rx, 4.0, r"$(R_mq)^\top(R_nk)$", fs=MATH)
    text(ax, rx, 3.15, r"$=q^\top R_{n-m}\,k$", fs=MATH)
    text(ax, rx, 2.2, "depends only", fs=SMALL, color=RED)
    text(ax, rx, 1.7, "on $n-m$", fs=SMALL, color=RED)
    # the rotation block of pair i at position m, across the bottom
    text(ax, 0.0, -0.95, "pair $i$ at", fs=SMALL, ha="left")
    text(ax, 0.0, -1.45, "position $m$:", fs=SMALL, ha="left")
    _rotation_matrix(ax, 7.3, -1.2)
    return fig


# ---------------------------------------------------------------- T07


def _sharing_panel(ax, x0, y0, n_kv, title, note, n_q=8):
    """Query heads in a row above their key/value heads; lines show which K/V head each query head reads."""
    step = 0.46
    qs = [x0 + i * step for i in range(n_q)]
    group = n_q // n_kv
    colours = (BLUE, ORANGE, GREEN, PURPLE, TEAL, RED, YELLOW, GREY)
    for i, x in enumerate(qs):
        colour = colours[i // group] if n_kv > 1 else BLUE
        rect(ax, x - 0.17, y0, 0.34, 0.5, fc=TINT[colour], ec=colour, lw=1.4)
    kv_x = [np.mean(qs[g * group : (g + 1) * group]) for g in range(n_kv)]
    for g, x in enumerate(kv_x):
        colour = colours[g] if n_kv > 1 else BLUE
        for dy, label in ((-1.55, "K"), (-2.2, "V")):
            rect(ax, x - 0.17, y0 + dy, 0.34, 0.5, fc=colour, ec=colour, lw=1.4)
        for i in range(g * group, (g + 1) * group):
            line(ax, [(qs[i], y0), (x, y0 - 1.05)], color=colour, lw=1.2)
    mid = (qs[0] + qs[-1]) / 2
    text(ax, mid, y0 + 1.25, title, fs=FS, fontweight="bold")
    text(ax, mid, y0 + 0.8, "query heads", fs=SMALL, color=GREY)
    text(ax, mid, y0 - 2.75, note, fs=SMALL)


def mha_mqa_gqa():
    """T07: 8 query heads reading 8 (MHA), 2 (GQA) or 1 (MQA) key/value heads; the KV cache shrinks with the K/V heads."""
    fig, ax = canvas((-0.2, 12.2), (-0.55, 5.75))
    y0 = 3.55
    _sharing_panel(ax, 0.35, y0, 8, "MHA", "8 K/V heads")
    _sharing_panel(ax, 4.45, y0, 2, "GQA", "2 K/V heads")
    _sharing_panel(ax, 8.55, y0, 1, "MQA", "1 K/V head")
    text(ax, 0.0, y0 - 1.3, "K", fs=SMALL, color=GREY)
    text(ax, 0.0, y0 - 1.95, "V", fs=SMALL, color=GREY)
    text(ax, 6.0, -0.2, "KV cache per token $\\propto$ number of K/V heads:  8 : 2 : 1", fs=SMALL)
    return fig


# ---------------------------------------------------------------- T08


def _vector_row(ax, x0, y, n, colour, new_colour=None, cell=0.62, label=""):
    for j in range(n):
        is_new = new_colour is not None and j == n - 1
        c = new_colour if is_new else colour
        rect(ax, x0 + j * cell, y, cell * 0.86, 0.62, fc=TINT[c], ec=c, lw=2.4 if is_new else 1.4)
    if label:
        text(ax, x0 - 0.2, y + 0.31, label, fs=FS, ha="right")


def _span(ax, x_left, x_right, y, colour=INK):
    """A flat bracket under a row of cells, from x_left to x_right, opening upwards."""
    line(ax, [(x_left, y + 0.15), (x_left, y), (x_right, y), (x_right, y + 0.15)], color=colour, lw=1.6)


def kv_cache():
    """T08: decoding step t: k_t, v_t are appended to the cache; only the new query q_t attends over all cached keys."""
    fig, ax = canvas((-0.2, 12.2), (-1.25, 6.5))
    t, cell, x0 = 7, 0.62, 1.4
    _vector_row(ax, x0, 4.4, t, GREY, RED, cell, "$K$")
    _vector_row(ax, x0, 2.2, t, GREY, RED, cell, "$V$")
    xs = [x0 + j * cell + cell * 0.43 for j in range(t)]
    for j, x in enumerate(xs[:-1]):
        text(ax, x, 5.3, str(j + 1), fs=SMALL, color=GREY)
    text(ax, xs[-1], 5.3, "$t$", fs=SMALL, color=RED)
    text(ax, (xs[0] + xs[-2]) / 2, 5.85, "cached (reused)", fs=SMALL, color=GREY)
    text(ax, xs[-1] + 0.15, 5.85, "new", fs=SMALL, color=RED)
    right = x0 + t * cell
    # all keys with the one new query -> weights; all values -> output
    _span(ax, x0, right - 0.09, 4.2)
    _span(ax, x0, right - 0.09, 2.0)
    bx, bw = 9.35, 5.3
    qx, qy = 7.6, 5.45
    rect(ax, qx - 0.27, qy - 0.31, 0.54, 0.62, fc=TINT[BLUE], ec=BLUE, lw=2.4)
    runs(ax, qx + 0.45, qy, (("$q_t$", MATH), ("(new token only)", SMALL)), ha="left", color=BLUE)
    box(ax, bx, 3.55, bw, 1.0, fc=TINT[ORANGE], ec=ORANGE)
    runs(ax, bx, 3.55, (("softmax", FS), ("$(q_tK^\\top/\\sqrt{d_k})$", ROOT)), gap=0.05)
    arrow(ax, (qx, qy - 0.31), (qx, 4.05), lw=1.6, head=12, color=BLUE)
    arrow(ax, ((x0 + right) / 2, 4.2), (bx - bw / 2, 3.55), lw=1.6, head=12)
    arrow(ax, (bx, 3.05), (bx, 2.1), lw=1.6, head=12)
    runs(ax, bx + 0.2, 2.6, (("weights", SMALL), ("$a_{tj}$", MATH)), ha="left", color=GREY)
    box(ax, bx, 1.45, 3.6, 1.3, "$o_t=\\sum_{j\\leq t} a_{tj}\\,v_j$", fc=TINT[GREEN], ec=GREEN, fs=MATH)
    arrow(ax, ((x0 + right) / 2, 2.0), (bx - 1.8, 1.45), lw=1.6, head=12)
    runs(ax, 3.55, 1.15, (("$q_1,\\dots,q_{t-1}$", MATH), ("are never", SMALL)), color=BLUE)
    text(ax, 3.55, 0.6, "used again: no Q cache", fs=SMALL, color=BLUE)
    runs(ax, 6.0, -0.3, (("per step: compute", SMALL), ("$q_t,k_t,v_t$", MATH), ("for the new token;", SMALL)))
    runs(ax, 6.0, -0.9, (("append", SMALL), ("$k_t,v_t$", MATH), ("to the cache", SMALL)))
    return fig


# ---------------------------------------------------------------- T09


def flash_tiling():
    """T09: Q in row blocks, K^T in column blocks; one tile S_ij at a time in SRAM, never the full N x N matrix in HBM."""
    fig, ax = canvas((-0.2, 12.2), (-0.75, 7.6))
    nb, c = 4, 1.1  # blocks per side, tile size
    sx, sy = 1.4, 0.65  # lower-left corner of S
    top = sy + nb * c
    bi, bj = 1, 2  # the highlighted tile: query block i (from the top), key block j
    # S = Q K^T as a grid of tiles: row i tinted (the sweep), tile (i, j) in SRAM
    for r in range(nb):
        for col in range(nb):
            if r == bi and col == bj:
                fc, ec, lw = TINT[RED], RED, 3.0
            elif r == bi:
                fc, ec, lw = TINT[ORANGE], INK, 1.2
            else:
                fc, ec, lw = None, GREY, 1.0
            rect(ax, sx + col * c, top - (r + 1) * c, c, c, fc=fc, ec=ec, lw=lw, z=3 if ec == RED else 2)
    text(ax, sx + (bj + 0.5) * c, top - (bi + 0.5) * c + 0.1, "$S_{ij}$", fs=MATH, color=RED, z=6)
    sweep_y = top - (bi + 0.5) * c - 0.4  # above the tinted tiles (z=4), under the S_ij label
    arrow(ax, (sx + 0.15, sweep_y), (sx + nb * c - 0.15, sweep_y), lw=1.6, head=12, z=4)
    text(ax, sx + nb * c / 2, sy - 0.4, "$S=QK^\\top$: $N\\times N$", fs=MATH, color=GREY)
    text(ax, sx + nb * c / 2, sy - 0.95, "never stored whole", fs=SMALL, color=GREY)
    # Q: row blocks on the left; K^T: column blocks on top
    qw = 0.8
    for r in range(nb):
        hl = r == bi
        rect(ax, 0.35, top - (r + 1) * c, qw, c, fc=TINT[BLUE] if hl else None, ec=BLUE if hl else GREY, lw=2.4 if hl else 1.0)
    text(ax, 0.35 + qw / 2, top - (bi + 0.5) * c, "$Q_i$", fs=MATH, color=BLUE)
    text(ax, 0.35 + qw / 2, sy - 0.4, "$Q$", fs=MATH)
    kh = 0.95
    for col in range(nb):
        hl = col == bj
        rect(ax, sx + col * c, top + 0.2, c, kh, fc=TINT[ORANGE] if hl else None, ec=ORANGE if hl else GREY, lw=2.4 if hl else 1.0)
    text(ax, sx + (bj + 0.5) * c, top + 0.2 + kh / 2, "$K_j^\\top$", fs=MATH, color=ORANGE)
    text(ax, sx - 0.25, top + 0.2 + kh / 2, "$K^\\top$", fs=MATH, ha="right")
    runs(ax, sx + nb * c / 2, top + 1.6, (("$V_j$", MATH), ("is read with", SMALL), ("$K_j$", MATH)), color=GREY)
    # memory hierarchy and the per-tile steps on the right
    mx = 9.25
    box(ax, mx, 6.95, 5.7, 0.85, "on-chip SRAM: 20 MB, 19 TB/s", fc=TINT[RED], ec=RED, fs=SMALL)
    box(ax, mx, 5.85, 5.7, 0.85, "HBM: 40 GB, 1.5 TB/s", fc=TINT[GREY], ec=GREY, fs=SMALL)
    text(ax, mx, 5.1, "(A100 40 GB)", fs=SMALL, color=GREY)
    steps = (
        (("for one", SMALL), ("$Q_i$,", MATH), ("stream", SMALL), ("$K_j,V_j$:", MATH)),
        (("1.", SMALL), ("$S_{ij}=Q_iK_j^\\top$", MATH), ("in SRAM", SMALL)),
        (("2. update max", SMALL), ("$m_i$", MATH), ("and sum", SMALL), ("$\\ell_i$", MATH)),
        (("3. rescale", SMALL), ("$O_i$,", MATH), ("add", SMALL), ("$\\tilde P_{ij}V_j$", MATH)),
        (("write", SMALL), ("$O_i$", MATH), ("to HBM once", SMALL)),
    )
    for k, step in enumerate(steps):
        runs(ax, 6.45, 4.35 - k * 0.8, step, ha="left", color=RED if k in (1, 2, 3) else INK, gap=0.25)
    text(ax, 6.45, 0.35, "(FlashAttention-2 loop order)", fs=SMALL, ha="left", color=GREY)
    return fig


# ---------------------------------------------------------------- T10


def _cube(ax, x0, y0, shaded, title, size=(2.6, 2.2, 1.5), channels=8):
    """An N x C x (H,W) block in oblique projection, after Wu & He 2018 (Fig. 2).

    Axes: C to the right, H,W up, N into the page (drawn up and to the right). shaded = ((c0, c1), (n0, n1)) in
    fractions of C and N; the shaded set always spans all of H,W.
    """
    wc, hh, dn = size  # width along C, height along H,W, depth along N
    ox, oy = 0.6, 0.42  # oblique offset per unit of N depth

    def p(c, h, n):
        return (x0 + c * wc + n * dn * ox, y0 + h * hh + n * dn * oy)

    def face(points, fc, ec, lw, z):
        ax.add_patch(Polygon([p(*q) for q in points], closed=True, fc=fc, ec=ec, lw=lw, zorder=z))

    (c0, c1), (n0, n1) = shaded
    colour = BLUE
    face([(c0, 0, n0), (c1, 0, n0), (c1, 1, n0), (c0, 1, n0)], TINT[colour], colour, 1.6, 3)  # front
    face([(c0, 1, n0), (c1, 1, n0), (c1, 1, n1), (c0, 1, n1)], TINT[colour], colour, 1.6, 3)  # top
    face([(c1, 0, n0), (c1, 0, n1), (c1, 1, n1), (c1, 1, n0)], TINT[colour], colour, 1.6, 3)  # side
    for k in range(1, channels):  # channel boundaries on the front and top faces
        f = k / channels
        line(ax, [p(f, 0, 0), p(f, 1, 0), p(f, 1, 1)], color=GREY, lw=0.8, z=2)
    edges = (
        ((0, 0, 0), (1, 0, 0)), ((1, 0, 0), (1, 1, 0)), ((1, 1, 0), (0, 1, 0)), ((0, 1, 0), (0, 0, 0)),
        ((0, 1, 0), (0, 1, 1)), ((1, 1, 0), (1, 1, 1)), ((1, 0, 0), (1, 0, 1)), ((0, 1, 1), (1, 1, 1)),
        ((1, 1, 1), (1, 0, 1)),
    )
    for a, b in edges:
        line(ax, [p(*a), p(*b)], color=INK, lw=1.6, z=4)
    text(ax, *p(0.5, -0.1, 0), "C", fs=SMALL, va="top")
    text(ax, *p(-0.05, 0.5, 0), "H, W", fs=SMALL, ha="right")
    text(ax, *p(1.0, 0.0, 0.5), "  N", fs=SMALL, ha="left")
    tx, ty = p(0.5, 1.0, 1.0)
    text(ax, tx, ty + 0.15, title, fs=FS, fontweight="bold", va="bottom")


def norm_axes():
    """T10: BatchNorm, LayerNorm, InstanceNorm and GroupNorm on an N x C x H x W tensor (after Wu & He 2018, Fig. 2).

    The shaded cells share one mean and one variance.
    """
    fig, ax = canvas((-0.2, 12.2), (-0.95, 9.35))
    panels = (  # ((channel range), (sample range)) shaded; GN: one group of 4 channels
        (1.1, 5.0, ((3 / 8, 4 / 8), (0.0, 1.0)), "Batch Norm"),
        (7.1, 5.0, ((0.0, 1.0), (0.0, 0.2)), "Layer Norm"),
        (1.1, 0.6, ((3 / 8, 4 / 8), (0.0, 0.2)), "Instance Norm"),
        (7.1, 0.6, ((0.0, 4 / 8), (0.0, 0.2)), "Group Norm"),
    )
    for x0, y0, shaded, title in panels:
        _cube(ax, x0, y0, shaded, title)
    text(ax, 6.0, -0.6, "shaded: normalised with one mean and one variance", fs=SMALL, color=GREY)
    return fig


# ---------------------------------------------------------------- T11


def _mini_mask(ax, x0, y0, allowed, cell=0.45, title=""):
    """A self-attention mask, top-left corner (x0, y0): allowed cells green, drawn as one polygon per row run."""
    n = len(allowed)
    for i, row in enumerate(allowed):
        j = 0
        while j < n:
            if not row[j]:
                j += 1
                continue
            k = j
            while k < n and row[k]:
                k += 1
            rect(ax, x0 + j * cell, y0 - (i + 1) * cell, (k - j) * cell, cell, fc=TINT[GREEN], ec="none", lw=0, z=1)
            j = k
    for k in range(n + 1):
        line(ax, [(x0 + k * cell, y0), (x0 + k * cell, y0 - n * cell)], color=GREY, lw=0.8, z=2)
        line(ax, [(x0, y0 - k * cell), (x0 + n * cell, y0 - k * cell)], color=GREY, lw=0.8, z=2)
    text(ax, x0 + n * cell / 2, y0 + 0.35, title, fs=SMALL)


def architectures():
    """T11: encoder-decoder (bidirectional encoder, causal decoder, cross-attention) vs decoder-only, with the
    self-attention masks of encoder-only, decoder-only and prefix-LM models (green = may attend)."""
    fig, ax = canvas((-0.2, 12.2), (-0.75, 8.75))
    # top left: encoder-decoder
    text(ax, 3.0, 8.35, "encoder–decoder (T5)", fs=FS, fontweight="bold")
    box(ax, 1.5, 5.6, 2.6, 1.6, "encoder\n(bidirectional)", fc=TINT[BLUE], ec=BLUE, fs=SMALL, linespacing=1.4)
    box(ax, 4.5, 5.6, 2.4, 1.6, "decoder\n(causal)", fc=TINT[ORANGE], ec=ORANGE, fs=SMALL, linespacing=1.4)
    arrow(ax, (2.8, 5.6), (3.3, 5.6), lw=2.4, head=14, color=PURPLE)
    text(ax, 3.0, 7.55, "cross-attention:", fs=SMALL, color=PURPLE)
    text(ax, 3.0, 7.1, "$Q$ decoder, $K,V$ encoder", fs=SMALL, color=PURPLE)
    runs(ax, 1.5, 4.45, (("source", SMALL), ("$x$", MATH)))
    runs(ax, 4.5, 4.45, (("target", SMALL), ("$y_{<t}$", MATH)))
    # top right: decoder-only
    text(ax, 9.1, 8.35, "decoder-only (GPT, LLaMA)", fs=FS, fontweight="bold")
    box(ax, 9.0, 5.6, 4.0, 1.6, "decoder\n(causal, no cross-attn)", fc=TINT[ORANGE], ec=ORANGE, fs=SMALL, linespacing=1.4)
    text(ax, 9.0, 4.45, "prompt + generated tokens", fs=SMALL)
    arrow(ax, (9.0, 6.4), (9.0, 7.2), lw=1.6, head=10)
    text(ax, 9.0, 7.5, "next token", fs=SMALL)
    line(ax, [(6.0, 4.2), (6.0, 7.95)], color=GREY, lw=1.0, ls=":")
    # bottom: self-attention masks (rows: queries, columns: keys)
    n, prefix = 6, 3
    full = [[True] * n for _ in range(n)]
    causal = [[j <= i for j in range(n)] for i in range(n)]
    prefix_lm = [[j < prefix or j <= i for j in range(n)] for i in range(n)]
    for x0, allowed, title in (
        (0.4, full, "encoder-only (BERT)"),
        (4.65, causal, "decoder-only"),
        (8.9, prefix_lm, "prefix LM"),
    ):
        _mini_mask(ax, x0, 3.35, allowed, title=title)
    text(ax, 6.0, -0.35, "self-attention masks: row = query, column = key, green = may attend", fs=SMALL, color=GREY)
    return fig
