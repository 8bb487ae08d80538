"""Graphs and small networks: backprop graph, dropout, GAN, TensorFlow data-flow graph, history, residual block."""

from __future__ import annotations

from matplotlib.patches import Ellipse

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
    TINT,
    arrow,
    box,
    canvas,
    circle,
    line,
    text,
)

MATH = 17.5
"""Size of a label with sub- or superscripts: mathtext draws them at 0.7 of it, 12.25 pt, legible on a phone."""


def _minus(v) -> str:
    return f"{v:g}".replace("-", "\u2212")


# ---------------------------------------------------------------- R04


def backprop_graph():
    """R04: f = (x + y) z with x = -2, y = 5, z = -4: values forward (green), gradients backward (red)."""
    x, y, z = -2, 5, -4
    q = x + y
    f = q * z
    df_df = 1
    df_dq, df_dz = z * df_df, q * df_df  # multiply: each input gets the other input times the upstream gradient
    df_dx = df_dy = df_dq  # add: passes the upstream gradient through unchanged

    fig, ax = canvas((-0.2, 12.2), (-2.1, 6.9))
    plus, times, out = (5.2, 4.0), (9.0, 2.35), (11.9, 2.35)
    inputs = {"x": (0.6, 5.75), "y": (0.6, 2.3), "z": (0.6, 0.2)}
    circle(ax, *plus, 0.55, "+", fc=TINT[GREY], fs=FS + 6)
    circle(ax, *times, 0.55, "×", fc=TINT[GREY], fs=FS + 6)
    edges = (  # (start, end, name, value, gradient)
        (inputs["x"], plus, "x", x, df_dx),
        (inputs["y"], plus, "y", y, df_dy),
        (plus, times, "q", q, df_dq),
        (inputs["z"], times, "z", z, df_dz),
        (times, out, "f", f, df_df),
    )
    for start, end, name, value, grad in edges:
        arrow(
            ax,
            start,
            end,
            lw=2.2,
            head=16,
            z=1,
            shrink_start=0 if name in "xyz" else 16,
            shrink_end=16 if name != "f" else 0,
        )
        sx, sy = start
        ex, ey = end
        frac = {"x": 0.3, "y": 0.3, "z": 0.42}.get(name, 0.5)
        mx, my = sx + frac * (ex - sx), sy + frac * (ey - sy)
        text(ax, mx, my + 0.42, _minus(value), color=GREEN, fs=FS + 2, fontweight="bold")
        text(ax, mx, my - 0.45, _minus(grad), color=RED, fs=FS + 2, fontweight="bold")
        if name in "xyz":
            text(ax, sx - 0.15, sy, f"${name}$", fs=FS + 3, ha="right")
    text(ax, out[0] - 0.55, out[1] + 1.0, "$f$", fs=FS + 3)
    text(ax, plus[0], plus[1] + 0.95, "$q = x + y$", fs=SMALL)
    text(ax, times[0], times[1] + 0.95, "$f = q\\,z$", fs=SMALL)
    text(ax, 12.0, 6.45, "value (forward)", color=GREEN, fs=SMALL, ha="right", fontweight="bold")
    text(
        ax,
        12.0,
        5.75,
        r"gradient $\partial f / \partial(\cdot)$ (backward)",
        color=RED,
        fs=SMALL,
        ha="right",
        fontweight="bold",
    )
    text(
        ax,
        6.0,
        -1.25,
        rf"$\dfrac{{\partial f}}{{\partial x}} = \dfrac{{\partial f}}{{\partial q}}\,\dfrac{{\partial q}}{{\partial x}}"
        rf" = {_minus(df_dq)} \cdot 1 = {_minus(df_dx)}$      "
        rf"$\dfrac{{\partial f}}{{\partial z}} = q = {_minus(q)}$",
        fs=FS,
    )
    return fig


# ---------------------------------------------------------------- R10


def dropout():
    """R10: a standard net and the same net with some hidden units dropped (crossed out, their edges gone)."""
    sizes = (4, 5, 5, 2)
    dropped = {1: {1, 4}, 2: {0, 2}}  # hidden layers only: inputs and outputs are kept
    fig, ax = canvas((-0.3, 12.3), (-2.05, 6.05))
    for panel, x0 in enumerate((0.3, 6.6)):
        xs = [x0 + i * 1.7 for i in range(len(sizes))]
        ys = [[2.3 + (k - (n - 1) / 2) * 1.05 for k in range(n)] for n in sizes]
        gone = dropped if panel else {}
        for layer in range(len(sizes) - 1):
            for a, ya in enumerate(ys[layer]):
                for b, yb in enumerate(ys[layer + 1]):
                    if a in gone.get(layer, ()) or b in gone.get(layer + 1, ()):
                        continue
                    line(ax, [(xs[layer], ya), (xs[layer + 1], yb)], color=GREY, lw=1.2, z=1)
        for layer, column in enumerate(ys):
            for k, y in enumerate(column):
                if k in gone.get(layer, ()):
                    circle(ax, xs[layer], y, 0.3, fc=None, ec=GREY, lw=1.4, z=3)
                    d = 0.3
                    line(ax, [(xs[layer] - d, y - d), (xs[layer] + d, y + d)], color=RED, lw=2.6, z=4)
                    line(ax, [(xs[layer] - d, y + d), (xs[layer] + d, y - d)], color=RED, lw=2.6, z=4)
                else:
                    fc = TINT[BLUE] if layer in (0, len(sizes) - 1) else TINT[GREEN]
                    circle(ax, xs[layer], y, 0.3, fc=fc, lw=2.0, z=3)
        text(ax, (xs[0] + xs[-1]) / 2, 5.55, ("standard net", "after dropout")[panel], fs=FS)
    text(
        ax,
        6.0,
        -1.2,
        "hidden units dropped at random: a new mask for\nevery example at every training step (forward pass)",
        fs=SMALL,
        color=GREY,
        linespacing=1.3,
    )
    return fig


# ---------------------------------------------------------------- R12


def gan():
    """R12: noise z -> generator G -> fake sample; real and fake samples -> discriminator D -> real or fake."""
    fig, ax = canvas((-0.2, 12.2), (-0.25, 6.9))
    f = SMALL
    box(ax, 1.0, 1.6, 1.6, 1.1, "noise\n$z$", fc=TINT[GREY], ec=GREY, fs=f, linespacing=1.1)
    box(ax, 3.9, 1.6, 1.9, 1.3, "G", fc=TINT[GREEN], ec=GREEN, fs=FS + 6, lw=2.6)
    box(ax, 6.8, 1.6, 1.7, 1.1, "fake\n$G(z)$", fc=TINT[ORANGE], ec=ORANGE, fs=f, linespacing=1.1)
    box(ax, 6.8, 4.5, 1.7, 1.1, "real\n$x$", fc=TINT[BLUE], ec=BLUE, fs=f, linespacing=1.1)
    box(ax, 9.3, 3.05, 1.5, 1.3, "D", fc=TINT[PURPLE], ec=PURPLE, fs=FS + 6, lw=2.6)
    arrow(ax, (1.8, 1.6), (2.95, 1.6), lw=2.2, head=14)
    arrow(ax, (4.85, 1.6), (5.95, 1.6), lw=2.2, head=14)
    arrow(ax, (7.65, 1.6), (8.55, 2.55), lw=2.2, head=14)
    arrow(ax, (7.65, 4.5), (8.55, 3.55), lw=2.2, head=14)
    arrow(ax, (10.05, 3.05), (10.75, 3.05), lw=2.2, head=14)
    text(ax, 11.45, 3.05, "real or\nfake?", fs=f, linespacing=1.1)
    text(ax, 6.8, 5.45, "training data", fs=f, color=GREY)
    text(ax, 3.9, 0.55, "generator\n(counterfeiter)", fs=f, color=GREEN, va="top", linespacing=1.1)
    text(ax, 9.3, 2.05, "discriminator\n(police)", fs=f, color=PURPLE, va="top", linespacing=1.1)
    text(ax, 6.0, 6.4, r"$\min_G\ \max_D\ \ \mathbb{E}_x \log D(x) + \mathbb{E}_z \log(1 - D(G(z)))$", fs=MATH)
    return fig


# ---------------------------------------------------------------- R13


def tf_graph():
    """R13: a = x * y; b = a + z; c = reduce_sum(b) as a data-flow graph: operations are nodes, tensors edges."""
    fig, ax = canvas((-0.2, 12.2), (-0.55, 5.55))

    def op(cx, cy, name, w=1.7, colour=BLUE):
        ax.add_patch(Ellipse((cx, cy), w, 1.0, fc=TINT[colour], ec=colour, lw=2.2, zorder=2))
        text(ax, cx, cy, name, fs=SMALL)

    for name, (cx, cy) in {"x": (0.75, 3.6), "y": (0.75, 1.6), "z": (4.3, 0.35)}.items():
        box(ax, cx, cy, 1.45, 0.8, f"input {name}", fc=TINT[GREY], ec=GREY, fs=SMALL)
    op(3.6, 2.6, "Mul")
    op(6.9, 2.6, "Add")
    op(10.0, 2.6, "Sum")

    def edge(a, b, label, pos=0.5, dy=0.32, dx=0.0):
        arrow(ax, a, b, lw=2.2, head=14)
        text(
            ax, a[0] + pos * (b[0] - a[0]) + dx, a[1] + pos * (b[1] - a[1]) + dy, f"${label}$", fs=FS + 2, color=ORANGE
        )

    edge((1.5, 3.45), (2.8, 2.85), "x", dy=0.35)
    edge((1.5, 1.75), (2.8, 2.35), "y", dy=-0.4)
    edge((4.45, 2.6), (6.05, 2.6), "a")
    edge((5.05, 0.55), (6.3, 2.15), "z", pos=0.45, dy=-0.15, dx=0.35)
    edge((7.75, 2.6), (9.15, 2.6), "b")
    edge((10.85, 2.6), (11.95, 2.6), "c", pos=0.45)
    text(ax, 6.0, 5.15, "node = operation   edge = tensor", fs=SMALL)
    text(
        ax,
        6.0,
        4.55,
        "a = x * y;  b = a + z;  c = tf.reduce_sum(b)",
        fs=SMALL,
        color=GREY,
        family="DejaVu Sans Mono",
    )
    return fig


# ---------------------------------------------------------------- R17

HISTORY = (
    (1943, "McCulloch–Pitts neuron"),
    (1949, "Hebbian learning"),
    (1957, "Rosenblatt's perceptron"),
    (1969, "Minsky & Papert: a perceptron can't do XOR"),
    (1986, "backprop trains MLPs (Rumelhart et al.)"),
    (1991, "vanishing gradients (Hochreiter)"),
    (1997, "LSTM"),
    (2006, "deep belief nets: layer-wise pre-training"),
    (2012, "AlexNet wins ImageNet (ReLU, dropout, GPU)"),
)
WINTERS = ((1969, 1986, "1st winter"), (1995, 2006, "2nd winter"))


def history_timeline():
    """R17: neural-network history 1943-2012 with the two winters shaded."""
    k = 0.15  # data units per year
    fig, ax = canvas((0, 12), (-0.35, (2014 - 1940) * k))

    def yr(year):
        return (2013 - year) * k

    for start, end, label in WINTERS:
        ax.axhspan(yr(end), yr(start), color=TINT[BLUE], lw=0, zorder=0)
        text(ax, 11.9, (yr(start) + yr(end)) / 2, label, fs=SMALL, color=BLUE, ha="right", style="italic")
    line(ax, [(1.75, yr(1941)), (1.75, yr(2014))], lw=2.2, z=1)
    for year, event in HISTORY:
        y = yr(year)
        circle(ax, 1.75, y, 0.12, fc=INK, lw=0, z=3)
        text(ax, 1.5, y, str(year), fs=SMALL, ha="right", fontweight="bold")
        text(ax, 2.05, y, event, fs=SMALL, ha="left")
    return fig


# ---------------------------------------------------------------- R18


def residual_block():
    """R18: residual block, output ReLU(F(x) + x), and highway block, y = H(x) T(x) + x (1 - T(x))."""
    fig, ax = canvas((-0.2, 12.2), (-0.5, 11.2))
    w, h = 2.4, 0.7
    # residual block, bottom to top
    cx = 2.4
    stack = ("conv 3×3", "BN", "ReLU", "conv 3×3", "BN")
    ys = [1.6 + i * 1.05 for i in range(len(stack))]
    text(ax, cx, 0.0, "$x$", fs=FS + 2)
    arrow(ax, (cx, 0.3), (cx, ys[0] - h / 2), lw=2.0, head=12)
    for i, (label, y) in enumerate(zip(stack, ys, strict=True)):
        colour = {"BN": ORANGE, "ReLU": GREEN}.get(label, BLUE)
        box(ax, cx, y, w, h, label, fc=TINT[colour], ec=colour, fs=SMALL)
        if i:
            arrow(ax, (cx, ys[i - 1] + h / 2), (cx, y - h / 2), lw=2.0, head=12)
    add_y = ys[-1] + 1.2
    circle(ax, cx, add_y, 0.35, "+", fc=TINT[GREY], fs=FS + 2)
    arrow(ax, (cx, ys[-1] + h / 2), (cx, add_y - 0.35), lw=2.0, head=12)
    relu_y = add_y + 1.05
    box(ax, cx, relu_y, w, h, "ReLU", fc=TINT[GREEN], ec=GREEN, fs=SMALL)
    arrow(ax, (cx, add_y + 0.35), (cx, relu_y - h / 2), lw=2.0, head=12)
    arrow(ax, (cx, relu_y + h / 2), (cx, relu_y + 1.0), lw=2.0, head=12)
    text(ax, cx, relu_y + 1.3, r"$\mathrm{ReLU}(\mathcal{F}(x) + x)$", fs=FS)
    text(ax, cx - 0.5, add_y, r"$\mathcal{F}(x) + x$", fs=FS, ha="right")
    # identity shortcut on the right
    sx = cx + w / 2 + 0.75
    line(ax, [(cx, 0.7), (sx, 0.7), (sx, add_y)], color=RED, lw=2.6)
    arrow(ax, (sx, add_y), (cx + 0.35, add_y), color=RED, lw=2.6, head=14)
    text(ax, sx + 0.2, (ys[1] + ys[3]) / 2, "identity\n$x$", fs=SMALL, color=RED, ha="left", linespacing=1.1)
    text(ax, cx - w / 2 - 0.2, ys[2], r"$\mathcal{F}(x)$", fs=FS, ha="right", color=BLUE)
    text(ax, cx + 0.4, 10.75, "residual block", fs=FS, fontweight="bold")

    # highway block
    hx, tx = 7.4, 10.3
    text(ax, 8.85, 0.0, "$x$", fs=FS + 2)
    line(ax, [(8.85, 0.3), (8.85, 0.7)], lw=2.0)
    line(ax, [(hx, 0.7), (tx, 0.7)], lw=2.0)
    box(ax, hx, 2.2, 2.1, h, "layer $H$", fc=TINT[BLUE], ec=BLUE, fs=SMALL)
    box(ax, tx, 2.2, 2.1, h, r"gate $T$ ($\sigma$)", fc=TINT[PURPLE], ec=PURPLE, fs=SMALL)
    arrow(ax, (hx, 0.7), (hx, 2.2 - h / 2), lw=2.0, head=12)
    arrow(ax, (tx, 0.7), (tx, 2.2 - h / 2), lw=2.0, head=12)
    mul_h, mul_c = (hx, 5.2), (tx, 5.2)
    circle(ax, *mul_h, 0.35, "×", fc=TINT[GREY], fs=FS + 2)
    circle(ax, *mul_c, 0.35, "×", fc=TINT[GREY], fs=FS + 2)
    arrow(ax, (hx, 2.2 + h / 2), (hx, mul_h[1] - 0.35), lw=2.0, head=12)
    box(ax, tx, 3.75, 1.3, 0.6, "1 − T", fc=TINT[PURPLE], ec=PURPLE, fs=SMALL)
    arrow(ax, (tx, 2.2 + h / 2), (tx, 3.75 - 0.3), lw=2.0, head=12)
    arrow(ax, (tx, 3.75 + 0.3), (tx, mul_c[1] - 0.35), lw=2.0, head=12)
    arrow(ax, (tx - 1.05, 2.2 + h / 2), (hx + 0.3, mul_h[1] - 0.2), color=PURPLE, lw=1.8, head=12)
    text(ax, 8.5, 4.05, "$T$", fs=SMALL, color=PURPLE)
    # carry: x goes up the far right into the second multiply
    cxr = tx + 1.45
    line(ax, [(tx, 0.7), (cxr, 0.7), (cxr, mul_c[1])], color=RED, lw=2.6)
    arrow(ax, (cxr, mul_c[1]), (tx + 0.35, mul_c[1]), color=RED, lw=2.6, head=14)
    text(ax, cxr + 0.1, 3.0, "$x$", fs=SMALL, color=RED, ha="left")
    add = (8.85, 6.8)
    circle(ax, *add, 0.35, "+", fc=TINT[GREY], fs=FS + 2)
    arrow(ax, (hx, mul_h[1] + 0.35), (add[0] - 0.3, add[1] - 0.2), lw=2.0, head=12)
    arrow(ax, (tx, mul_c[1] + 0.35), (add[0] + 0.3, add[1] - 0.2), lw=2.0, head=12)
    arrow(ax, (add[0], add[1] + 0.35), (add[0], add[1] + 1.3), lw=2.0, head=12)
    text(ax, 8.85, 8.55, r"$H(x)\,T(x) + x\,(1 - T(x))$", fs=SMALL + 1)
    text(ax, 8.85, 10.75, "highway block", fs=FS, fontweight="bold")
    return fig
