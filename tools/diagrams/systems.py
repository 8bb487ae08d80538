"""Large-model systems: number formats, ZeRO, tensor and pipeline parallelism, all-reduce (14), and serving,
PagedAttention, speculative decoding and quantization (15)."""

from __future__ import annotations

import numpy as np

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
    SMALL,
    TINT,
    arrow,
    box,
    canvas,
    circle,
    figure,
    line,
    plot_axes,
    rect,
    runs,
    text,
)

# ---------------------------------------------------------------- S01

FORMATS = (  # name, exponent bits, mantissa bits, largest finite value, note
    ("FP32", 8, 23, r"$3.4\times10^{38}$", ""),
    ("TF32", 8, 10, r"$3.4\times10^{38}$", "19 bits used"),
    ("FP16", 5, 10, "$65504$", ""),
    ("BF16", 8, 7, r"$3.4\times10^{38}$", ""),
    ("FP8 E4M3", 4, 3, "$448$", ""),
    ("FP8 E5M2", 5, 2, "$57344$", ""),
)


def float_formats():
    """S01: sign, exponent and mantissa bits of FP32, TF32, FP16, BF16 and the two FP8 encodings, with max values."""
    w, row = 0.21, 1.0  # one bit, one row
    x0 = 2.25
    top = len(FORMATS) * row
    fig, ax = canvas((-0.1, 12.1), (-0.45, top + 1.0))
    colours = (RED, BLUE, ORANGE)
    for label, x, colour in (("sign", 2.3, RED), ("exponent", 4.0, BLUE), ("mantissa", 6.35, ORANGE)):
        rect(ax, x, top + 0.38, 0.32, 0.32, fc=TINT[colour], ec=colour, lw=1.6)
        text(ax, x + 0.45, top + 0.54, label, fs=SMALL, ha="left")
    text(ax, 11.95, top + 0.54, "largest value", fs=SMALL, ha="right", color=GREY)
    for i, (name, e, m, biggest, note) in enumerate(FORMATS):
        y = top - (i + 1) * row + 0.2
        h = row - 0.4
        text(ax, 0.0, y + h / 2, name, fs=SMALL, ha="left", fontweight="bold")
        start = x0
        for bits, colour, show in ((1, colours[0], False), (e, colours[1], True), (m, colours[2], True)):
            rect(ax, start, y, bits * w, h, fc=TINT[colour], ec=colour, lw=1.6, z=2)
            for k in range(1, bits):
                line(ax, [(start + k * w, y), (start + k * w, y + h)], color=colour, lw=0.5, z=3)
            if show:
                text(ax, start + bits * w / 2, y + h / 2, str(bits), fs=SMALL, color=colour, fontweight="bold", z=6)
            start += bits * w
        if note:
            text(ax, start + 0.15, y + h / 2, note, fs=SMALL, ha="left", color=GREY)
        text(ax, 11.95, y + h / 2, biggest, fs=MATH, ha="right")  # all in math at one size: 10^38 has a script
    return fig


# ---------------------------------------------------------------- S02

ZERO_ROWS = (  # label, which of (params, grads, optimizer states) are partitioned, formula, 7.5B on 64 GPUs
    ("DP", (False, False, False), r"$16\Psi$", "120 GB"),
    ("ZeRO-1", (False, False, True), r"$4\Psi + 12\Psi/N_d$", "31.4 GB"),
    ("ZeRO-2", (False, True, True), r"$2\Psi + 14\Psi/N_d$", "16.6 GB"),
    ("ZeRO-3", (True, True, True), r"$16\Psi/N_d$", "1.9 GB"),
)


def zero_stages():
    """S02: the ZeRO paper's Figure 1 redrawn: what each of 4 data-parallel GPUs stores at each stage."""
    n = 4
    states = ((BLUE, "fp16 params  2Ψ"), (ORANGE, "fp16 grads  2Ψ"), (GREEN, "optimizer states  12Ψ"))
    cell_w, gap, strip_h = 1.24, 0.22, 0.26
    x_gpu = 1.85
    fig, ax = canvas((-0.1, 12.1), (-0.4, 7.25))
    # legend
    for k, (colour, label) in enumerate(states):
        x = (0.0, 3.75, 7.3)[k]
        rect(ax, x, 6.75, 0.32, 0.32, fc=TINT[colour], ec=colour, lw=1.6)
        text(ax, x + 0.45, 6.91, label, fs=SMALL, ha="left")
    for g in range(n):
        text(ax, x_gpu + g * (cell_w + gap) + cell_w / 2, 6.2, f"GPU {g}", fs=SMALL)
    rx = 10.5  # the per-GPU column: formula over the 7.5B example
    text(ax, rx, 6.25, "per GPU", fs=SMALL)
    runs(ax, rx, 5.75, (("7.5B,", SMALL), (r"$N_d = 64$", MATH)), color=GREY)
    for r, (label, split, formula, example) in enumerate(ZERO_ROWS):
        yc = 4.75 - r * 1.45
        text(ax, 0.0, yc, label, fs=SMALL, ha="left", fontweight="bold")
        for g in range(n):
            x = x_gpu + g * (cell_w + gap)
            for k, (colour, _) in enumerate(states):
                y = yc + 0.36 - k * (strip_h + 0.07) - strip_h / 2
                part = cell_w / n
                for s in range(n):
                    owned = (not split[k]) or s == g
                    rect(
                        ax,
                        x + s * part,
                        y,
                        part,
                        strip_h,
                        fc=TINT[colour] if owned else None,
                        ec=colour if owned else TINT[GREY],
                        lw=1.2 if owned else 0.8,
                        z=3 if owned else 2,
                    )
        text(ax, rx, yc + 0.22, formula, fs=MATH)
        text(ax, rx, yc - 0.38, example, fs=SMALL, color=GREY)
    return fig


# ---------------------------------------------------------------- S03


def _matrix(ax, x, y, w, h, split, colours, labels):
    """A matrix drawn as a rectangle cut into two parts, side by side ('col') or stacked ('row')."""
    for i in range(2):
        if split == "col":
            rx, ry, rw, rh = x + i * w / 2, y, w / 2, h
        else:
            rx, ry, rw, rh = x, y + (1 - i) * h / 2, w, h / 2
        rect(ax, rx, ry, rw, rh, fc=TINT[colours[i]], ec=colours[i], lw=1.6)
        text(ax, rx + rw / 2, ry + rh / 2, labels[i], fs=MATH)


def tp_column_row():
    """S03: Megatron MLP on 2 GPUs: A split by columns, GeLU local, B split by rows, one all-reduce (g)."""
    fig, ax = canvas((-0.1, 12.1), (-0.45, 7.2))
    lanes = ((5.05, BLUE, "1"), (2.95, ORANGE, "2"))
    box(ax, 0.55, 4.0, 0.95, 0.75, "$X$", fc=TINT[GREY], ec=GREY, fs=FS)
    circle(ax, 1.75, 4.0, 0.32, "$f$", fc=TINT[PURPLE], ec=PURPLE, fs=FS)
    arrow(ax, (1.03, 4.0), (1.43, 4.0), lw=1.8, head=11)
    gx = 9.55
    circle(ax, gx, 4.0, 0.32, "$g$", fc=TINT[PURPLE], ec=PURPLE, fs=FS)
    box(ax, 11.4, 4.0, 1.1, 0.75, "$Z$", fc=TINT[GREY], ec=GREY, fs=FS)
    arrow(ax, (gx + 0.32, 4.0), (10.85, 4.0), lw=1.8, head=11)
    text(ax, 10.45, 4.7, "all-reduce", fs=SMALL, color=PURPLE)
    for y, colour, i in lanes:
        text(ax, 2.6, y + 0.68, f"GPU {i}", fs=SMALL, color=colour, ha="left", fontweight="bold")
        arrow(ax, (2.0, 4.0 + (0.2 if y > 4.0 else -0.2)), (2.6, y), lw=1.6, head=10)
        box(ax, 3.35, y, 1.5, 0.8, f"$XA_{i}$", fc=TINT[colour], ec=colour, fs=MATH)
        box(ax, 5.25, y, 1.3, 0.8, "GeLU", fc=TINT[colour], ec=colour, fs=FS)
        box(ax, 7.75, y, 1.5, 0.8, f"$Y_{i}B_{i}$", fc=TINT[colour], ec=colour, fs=MATH)
        for a, b in ((4.1, 4.6), (5.9, 7.0)):
            arrow(ax, (a, y), (b, y), lw=1.6, head=10)
        text(ax, 6.4, y + 0.4, f"$Y_{i}$", fs=MATH)
        arrow(ax, (8.5, y), (gx - 0.28, 4.0 + (0.2 if y > 4.0 else -0.2)), lw=1.6, head=10)
    # the two weight matrices
    _matrix(ax, 1.65, 0.4, 2.0, 1.2, "col", (BLUE, ORANGE), ("$A_1$", "$A_2$"))
    text(ax, 2.65, 1.95, "A: split by columns", fs=SMALL)
    _matrix(ax, 7.65, 0.3, 1.4, 1.4, "row", (BLUE, ORANGE), ("$B_1$", "$B_2$"))
    text(ax, 8.35, 2.0, "B: split by rows", fs=SMALL)
    text(ax, 6.0, -0.2, "$f$: identity forward, all-reduce backward.   $g$: the reverse.", fs=SMALL)
    text(ax, 6.0, 6.7, r"$Z = \mathrm{GeLU}(XA)\,B = Y_1B_1 + Y_2B_2$", fs=MATH)
    return fig


# ---------------------------------------------------------------- S04


def _pipeline(p, m, tf, tb, schedule):
    """Start times of every forward/backward op per stage for 'gpipe' or '1f1b' (flush at the end)."""
    order = []
    for s in range(p):
        if schedule == "gpipe":
            ops = [("F", j) for j in range(m)] + [("B", j) for j in range(m)]
        else:
            warm = min(p - s - 1, m)
            ops = [("F", j) for j in range(warm)]
            f, b = warm, 0
            while f < m:
                ops += [("F", f), ("B", b)]
                f, b = f + 1, b + 1
            ops += [("B", j) for j in range(b, m)]
        order.append(ops)
    done = {}
    free = [0.0] * p
    pos = [0] * p
    while any(pos[s] < len(order[s]) for s in range(p)):
        progressed = False
        for s in range(p):
            if pos[s] >= len(order[s]):
                continue
            kind, j = order[s][pos[s]]
            if kind == "F":
                dep = done.get(("F", s - 1, j), None) if s > 0 else 0.0
            else:
                dep = done.get(("B", s + 1, j), None) if s < p - 1 else done.get(("F", s, j), None)
            if dep is None:
                continue
            start = max(free[s], dep)
            end = start + (tf if kind == "F" else tb)
            done[(kind, s, j)] = end
            free[s] = end
            pos[s] += 1
            progressed = True
        assert progressed
    return done


def pp_bubble():
    """S04: GPipe and 1F1B timelines for p = 4 stages, m = 6 micro-batches, backward twice the forward."""
    p, m, tf, tb = 4, 6, 1.0, 2.0
    total = (m + p - 1) * (tf + tb)
    x0, unit = 1.35, 10.6 / total
    fig, ax = canvas((-0.1, 12.1), (-0.55, 9.1))
    panels = (("gpipe", 8.05, "GPipe"), ("1f1b", 3.55, "1F1B (PipeDream-Flush)"))
    for schedule, top, title in panels:
        done = _pipeline(p, m, tf, tb, schedule)
        text(ax, 0.0, top + 0.55, title, fs=SMALL + 1, ha="left", fontweight="bold")
        for s in range(p):
            y = top - (s + 1) * 0.78
            text(ax, 0.0, y + 0.33, f"GPU {s + 1}", fs=SMALL, ha="left")
            rect(ax, x0, y, total * unit, 0.66, fc=TINT[GREY], ec=GREY, lw=0.8, z=1)
            for (kind, stage, j), end in done.items():
                if stage != s:
                    continue
                dur = tf if kind == "F" else tb
                colour = BLUE if kind == "F" else GREEN
                rect(ax, x0 + (end - dur) * unit, y, dur * unit, 0.66, fc=TINT[colour], ec=colour, lw=1.3, z=2)
                text(ax, x0 + (end - dur / 2) * unit, y + 0.33, str(j + 1), fs=SMALL, color=colour, z=6)
        if schedule == "gpipe":
            text(ax, 11.95, top + 0.55, "activations kept for m = 6 micro-batches", fs=SMALL, ha="right", color=RED)
        else:
            text(ax, 11.95, top + 0.55, "for at most p = 4", fs=SMALL, ha="right", color=GREEN)
    rect(ax, 0.0, -0.4, 0.32, 0.32, fc=TINT[BLUE], ec=BLUE, lw=1.3)
    text(ax, 0.45, -0.24, "forward", fs=SMALL, ha="left")
    rect(ax, 2.1, -0.4, 0.32, 0.32, fc=TINT[GREEN], ec=GREEN, lw=1.3)
    text(ax, 2.55, -0.24, "backward", fs=SMALL, ha="left")
    rect(ax, 4.4, -0.4, 0.32, 0.32, fc=TINT[GREY], ec=GREY, lw=0.8)
    text(ax, 4.85, -0.24, "idle", fs=SMALL, ha="left")
    text(ax, 11.95, -0.24, "bubble: (p−1)/(m+p−1) = 3/9", fs=SMALL, ha="right")
    return fig


# ---------------------------------------------------------------- S05


def ring_allreduce():
    """S05: ring all-reduce on 4 GPUs: reduce-scatter (N-1 steps) then all-gather (N-1 steps)."""
    n = 4
    colours = (BLUE, ORANGE, GREEN, PURPLE)
    fig, ax = canvas((-0.1, 12.1), (-0.6, 4.9))
    # the ring
    cx, cy, r = 1.55, 2.35, 1.15
    angles = [np.pi / 2 - k * np.pi / 2 for k in range(n)]
    pts = [(cx + r * np.cos(a), cy + r * np.sin(a)) for a in angles]
    for k in range(n):
        arrow(ax, pts[k], pts[(k + 1) % n], lw=1.8, head=11, rad=-0.3, shrink=16)
    for k, (x, y) in enumerate(pts):
        circle(ax, x, y, 0.36, f"{k}", fc=TINT[colours[k]], ec=colours[k], fs=SMALL)
    text(ax, cx, 4.45, "GPUs in a ring", fs=SMALL)
    # three states of the data: rows = GPUs, columns = chunks of the gradient
    cell, top = 0.38, 3.1
    grids = ((3.75, "start"), (6.95, "1 summed\nchunk each"), (10.15, "every chunk\nsummed"))
    for gi, (gx, caption) in enumerate(grids):
        for row in range(n):
            for col in range(n):
                x, y = gx + col * cell, top - (row + 1) * cell
                if gi == 0:
                    rect(ax, x, y, cell, cell, fc=TINT[colours[row]], ec=colours[row], lw=1.0)
                elif gi == 1 and col != (row + 1) % n:
                    rect(ax, x, y, cell, cell, fc=None, ec=TINT[GREY], lw=0.8)
                else:
                    rect(ax, x, y, cell, cell, fc=TINT[GREY], ec=INK, lw=1.0)
                    text(ax, x + cell / 2, y + cell / 2, r"$\Sigma$", fs=SMALL, z=6)
        text(ax, gx + 2 * cell, top - n * cell - 0.45, caption, fs=SMALL, va="top", linespacing=1.05)
    text(ax, 3.75 + 2 * cell, top + 0.35, "chunks 1..N", fs=SMALL, color=GREY)
    text(ax, 3.5, top - 2 * cell, "GPU", fs=SMALL, color=GREY, rotation=90)
    for x0, x1, label in ((5.45, 6.8, "reduce-\nscatter"), (8.65, 10.0, "all-\ngather")):
        ym = top - 2 * cell
        arrow(ax, (x0, ym), (x1, ym), lw=1.8, head=11)
        text(ax, (x0 + x1) / 2, ym + 0.2, label, fs=SMALL, va="bottom", linespacing=1.0)
        text(ax, (x0 + x1) / 2, ym - 0.2, "N−1\nsteps", fs=SMALL, va="top", color=GREY, linespacing=1.0)
    text(ax, 6.0, -0.3, r"each step every GPU sends one chunk $S/N$:  in total $2(N-1)\,S/N \approx 2S$", fs=SMALL)
    return fig


# ---------------------------------------------------------------- S06


def prefill_decode():
    """S06: roofline sketch for an A100 (312 TFLOP/s BF16, ~2 TB/s): decode is memory-bound, prefill compute-bound."""
    peak, bw = 312.0, 2.039  # TFLOP/s, TB/s (A100 80GB SXM)
    ridge = peak / bw
    fig = figure(3.6)
    ax = plot_axes(fig.add_subplot(), "arithmetic intensity (FLOP per byte read)", "attainable TFLOP/s")
    x = np.logspace(0, 4, 200)
    ax.plot(x, np.minimum(peak, bw * x), color=INK, lw=2.4)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(0.6, 1.2e4)
    ax.set_ylim(0.4, 900)
    ax.axvline(ridge, color=GREY, lw=1.0, ls="--", zorder=0)
    ax.text(ridge * 1.12, 0.6, f"ridge ≈ {round(ridge, -1):.0f}", fontsize=SMALL, color=GREY, ha="left")
    ax.text(
        1.0,
        300,
        "memory-bound\n(slope = bandwidth)",
        fontsize=SMALL,
        color=BLUE,
        ha="left",
        va="center",
        linespacing=1.0,
    )
    ax.text(9000, 1.4, "A100: 312 TFLOP/s,\n2.0 TB/s", fontsize=SMALL, color=GREY, ha="right", linespacing=1.0)
    ax.text(700, 420, "compute-bound", fontsize=SMALL, color=RED, ha="center")
    points = (
        (1, "decode\nbatch 1", BLUE, "left"),
        (32, "decode\nbatch 32", BLUE, "left"),
        (2048, "prefill\n2k tokens", RED, "center"),
    )
    for xi, label, colour, ha in points:
        yi = min(peak, bw * xi)
        ax.plot([xi], [yi], "o", color=colour, ms=9, zorder=4)
        if ha == "center":
            ax.text(xi, yi / 3.2, label, fontsize=SMALL, color=colour, ha="center", va="top", linespacing=1.0)
        else:
            ax.text(xi * 1.35, yi * 0.78, label, fontsize=SMALL, color=colour, ha="left", va="top", linespacing=1.0)
    ax.set_xticks([1, 10, 100, 1000, 10000])
    ax.set_xticklabels(["1", "10", "100", "1k", "10k"])
    ax.set_yticks([1, 10, 100, 312])
    ax.set_yticklabels(["1", "10", "100", "312"])
    ax.minorticks_off()
    return fig


# ---------------------------------------------------------------- S07


def paged_attention():
    """S07: PagedAttention: two requests' logical KV blocks mapped by block tables onto scattered physical blocks."""
    bs, cell = 4, 0.42
    fig, ax = canvas((-0.1, 12.1), (-0.95, 6.75))
    requests = (  # name, colour, tokens, physical block of each logical block
        ("A", BLUE, 10, (7, 1, 3)),
        ("B", ORANGE, 6, (4, 6)),
    )
    phys_x, phys_top = 8.7, 5.9
    text(ax, 0.0, 6.35, "logical blocks", fs=SMALL, ha="left", fontweight="bold")
    text(ax, 3.35, 6.35, "block tables", fs=SMALL, ha="left", fontweight="bold")
    text(ax, phys_x - 0.45, 6.35, "physical blocks", fs=SMALL, ha="left", fontweight="bold")
    owner = {}
    for name, colour, tokens, table in requests:
        for k, pb in enumerate(table):
            owner[pb] = (colour, min(bs, tokens - k * bs), f"{name}{k}")
    for pb in range(8):
        y = phys_top - (pb + 1) * 0.7
        text(ax, phys_x - 0.3, y + cell / 2, str(pb), fs=SMALL, color=GREY)
        colour, filled, label = owner.get(pb, (None, 0, "free"))
        for t in range(bs):
            fill = colour and t < filled
            rect(ax, phys_x + t * cell, y, cell, cell, fc=TINT[colour] if fill else None, ec=colour or GREY, lw=1.0)
        text(ax, phys_x + bs * cell + 0.15, y + cell / 2, label, fs=SMALL, ha="left", color=colour or GREY)
    tops = (5.9, 3.0)
    for (name, colour, tokens, table), top in zip(requests, tops, strict=True):
        for k, pb in enumerate(table):
            y = top - (k + 1) * 0.7
            text(ax, 0.0, y + cell / 2, f"{name}{k}", fs=SMALL, color=colour, ha="left")
            for t in range(bs):
                fill = k * bs + t < tokens
                rect(
                    ax,
                    0.55 + t * cell,
                    y,
                    cell,
                    cell,
                    fc=TINT[colour] if fill else None,
                    ec=colour,
                    lw=1.0,
                    ls="-" if fill else "--",
                )
            text(ax, 3.55, y + cell / 2, f"{k} → {pb}", fs=SMALL, ha="left")
            arrow(
                ax,
                (4.75, y + cell / 2),
                (phys_x - 0.5, phys_top - (pb + 1) * 0.7 + cell / 2),
                color=colour,
                lw=1.3,
                head=9,
            )
        text(
            ax, 0.0, top - len(table) * 0.7 - 0.35, f"request {name}: {tokens} tokens", fs=SMALL, ha="left", color=GREY
        )
    text(ax, 0.0, -0.7, "4 tokens per block in this sketch (vLLM default: 16)", fs=SMALL, ha="left", color=GREY)
    return fig


# ---------------------------------------------------------------- S08


def speculative_decoding():
    """S08: one round of speculative decoding with gamma = 4 draft tokens: two accepted, one rejected and resampled."""
    fig, ax = canvas((-0.1, 12.1), (0.05, 8.35))
    w, h = 1.05, 0.8
    xs = [4.0 + i * 1.5 for i in range(5)]
    bold = {"fontweight": "bold"}
    runs(
        ax,
        0.0,
        7.9,
        (("1  draft model", SMALL), ("$M_q$", MATH), ("proposes $\\gamma$ = 4 tokens, one cheap step each", SMALL)),
        ha="left",
        **bold,
    )
    box(ax, 1.1, 7.0, 1.9, h, "prefix", fc=TINT[GREY], ec=GREY, fs=SMALL)
    for i in range(4):
        box(ax, xs[i], 7.0, w, h, f"$x_{i + 1}$", fc=TINT[BLUE], ec=BLUE, fs=MATH)
        text(ax, xs[i], 6.25, f"$q(x_{i + 1})$", fs=MATH, color=BLUE)
        arrow(ax, (xs[i - 1] + w / 2 + 0.02 if i else 2.05, 7.0), (xs[i] - w / 2 - 0.02, 7.0), lw=1.4, head=9)
    runs(
        ax,
        0.0,
        5.4,
        (("2  target model", SMALL), ("$M_p$:", MATH), ("one parallel pass gives $p$ at 5 positions", SMALL)),
        ha="left",
        **bold,
    )
    rect(ax, xs[0] - 0.75, 4.1, xs[-1] - xs[0] + 1.5, 0.85, fc=TINT[ORANGE], ec=ORANGE, lw=1.6)
    for i in range(5):
        text(ax, xs[i], 4.55, f"$p_{i + 1}$", fs=MATH, color=ORANGE)
    runs(
        ax,
        0.0,
        3.45,
        (
            ("3  left to right, keep", SMALL),
            ("$x_i$", MATH),
            ("with probability", SMALL),
            (r"$\min(1,\,p_i(x_i)/q(x_i))$", MATH),
        ),
        ha="left",
        **bold,
    )
    marks = (("✓", GREEN), ("✓", GREEN), ("✗", RED), ("dropped", GREY))
    for i, (mark, colour) in enumerate(marks):
        text(ax, xs[i], 2.75, mark, fs=FS + 2 if len(mark) == 1 else SMALL, color=colour, fontweight="bold")
    text(ax, 0.0, 1.75, "output", fs=SMALL, ha="left", fontweight="bold")
    for i, (label, colour) in enumerate((("$x_1$", BLUE), ("$x_2$", BLUE), ("$x_3'$", RED))):
        box(ax, xs[i], 1.75, w, h, label, fc=TINT[colour], ec=colour, fs=MATH)
    text(
        ax, xs[3] - 0.45, 1.75, "3 tokens from one\ntarget-model pass", fs=SMALL, ha="left", color=GREY, linespacing=1.05
    )
    runs(
        ax,
        6.0,
        0.6,
        (("$x_3'$", MATH), ("resampled from", SMALL), (r"$\mathrm{norm}(\max(0,\,p_3-q_3))$", MATH)),
        color=RED,
    )
    return fig


# ---------------------------------------------------------------- S09


def quant_mapping():
    """S09: float axis to 4-bit integer grid: asymmetric (scale S, zero point Z) and symmetric (Z = 0)."""
    fig, ax = canvas((-0.1, 12.1), (-0.75, 8.95))
    left, right = 1.9, 11.3

    def panel(y, rmin, rmax, qmin, qmax, title, formula, zero):
        text(ax, 0.0, y + 2.85, title, fs=SMALL + 1, ha="left", fontweight="bold")
        text(ax, 0.0, y + 2.2, formula, fs=MATH, ha="left")
        line(ax, [(left, y + 0.8), (right, y + 0.8)], lw=1.6)
        text(ax, 0.0, y + 0.8, "float $r$", fs=SMALL, ha="left", color=BLUE)

        def fx(r):
            return left + (r - rmin) / (rmax - rmin) * (right - left)

        ends = (r"$r_{\min}$", r"$r_{\max}$") if zero else (r"$-\max|r|$", r"$\max|r|$")
        for r, label in ((rmin, ends[0]), (0.0, "0"), (rmax, ends[1])):
            line(ax, [(fx(r), y + 0.7), (fx(r), y + 0.9)], lw=1.6)
            text(ax, fx(r), y + 1.3, label, fs=MATH if "_" in label else FS if label != "0" else SMALL, color=BLUE)
        line(ax, [(left, y - 0.3), (right, y - 0.3)], lw=1.0, color=GREY)
        text(ax, 0.0, y - 0.3, "int $q$", fs=SMALL, ha="left", color=ORANGE)
        s = (rmax - rmin) / (qmax - qmin)
        for q in range(qmin, qmax + 1):
            x = fx(rmin + (q - qmin) * s)
            ax.plot([x], [y - 0.3], "o", color=ORANGE, ms=4.5, zorder=4)
            line(ax, [(x, y - 0.22), (x, y + 0.72)], color=TINT[ORANGE], lw=0.9, z=0)
            if q in (qmin, qmax):
                text(ax, x, y - 0.68, str(q).replace("-", "\u2212"), fs=SMALL, color=ORANGE)
        xa, xb = fx(rmin + 2 * s), fx(rmin + 3 * s)
        arrow(ax, (xa, y + 0.25), (xb, y + 0.25), lw=1.2, head=7, style="<|-|>")
        text(ax, (xa + xb) / 2, y + 0.47, "$S$", fs=SMALL)
        text(ax, fx(0.0), y - 0.68, f"$Z$ = {zero}" if zero else "0", fs=SMALL, color=RED if zero else ORANGE)

    # asymmetric: r in [-1, 2] onto 0..15: S = 0.2, zero point round(1 / 0.2) = 5
    panel(
        4.85,
        -1.0,
        2.0,
        0,
        15,
        "asymmetric (affine), q in 0..15",
        r"$S=(r_{\max}-r_{\min})\,/\,(2^b-1)$,  $Z=\mathrm{round}(-r_{\min}/S)$",
        5,
    )
    panel(0.35, -2.1, 2.1, -7, 7, "symmetric, q in −7..7", r"$S=\max|r|\,/\,(2^{b-1}-1)$,  $Z=0$", 0)
    text(
        ax,
        6.0,
        8.6,
        r"$b$ = 4 bits:   $q = \mathrm{clamp}(\mathrm{round}(r/S) + Z)$,   $\hat r = S\,(q - Z)$",
        fs=FS,
    )
    return fig
