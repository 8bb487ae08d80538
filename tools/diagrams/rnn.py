"""Recurrent networks: input/output patterns, the unrolled RNN, the LSTM and GRU cells (colah's layout).

Notation follows the cards: RNN x_t, s_t, o_t with U (input->hidden), W (hidden->hidden), V (hidden->output);
LSTM f_t, i_t, o_t, c~_t, c_t, h_t; GRU z_t (update), r_t (reset), h~_t, h_t.
"""

from __future__ import annotations

from itertools import pairwise

from matplotlib.patches import Ellipse, FancyArrowPatch
from matplotlib.path import Path as MPath

from .style import BLUE, FS, GREEN, GREY, INK, ORANGE, RED, SMALL, TINT, arrow, box, canvas, circle, line, text

MATH = 17.5
"""Size of a label with sub- or superscripts: mathtext draws them at 0.7 of it, 12.25 pt, legible on a phone."""

# ---------------------------------------------------------------- D09

IN, HID, OUT = RED, GREEN, BLUE


def _pattern(ax, x0, y0, inputs, hidden, outputs, label, sub, size=0.62, step=0.95):
    """One of Karpathy's diagrams at (x0, y0): `hidden` columns, inputs and outputs at the given columns."""
    y_in, y_hid, y_out = y0, y0 + 1.25, y0 + 2.5
    xs = [x0 + i * step for i in range(hidden)]
    for i, x in enumerate(xs):
        box(ax, x, y_hid, size, size, fc=TINT[HID], ec=HID, lw=2.2, rounding=0.05)
        if i:
            arrow(ax, (xs[i - 1] + size / 2, y_hid), (x - size / 2, y_hid), lw=1.8, head=10)
    for i in inputs:
        box(ax, xs[i], y_in, size, size, fc=TINT[IN], ec=IN, lw=2.2, rounding=0.05)
        arrow(ax, (xs[i], y_in + size / 2), (xs[i], y_hid - size / 2), lw=1.8, head=10)
    for i in outputs:
        box(ax, xs[i], y_out, size, size, fc=TINT[OUT], ec=OUT, lw=2.2, rounding=0.05)
        arrow(ax, (xs[i], y_hid + size / 2), (xs[i], y_out - size / 2), lw=1.8, head=10)
    centre = (xs[0] + xs[-1]) / 2
    text(ax, centre, y_in - 0.55, label, fs=SMALL, va="top")
    text(ax, centre, y_in - 1.0, sub, fs=SMALL, va="top", color=GREY)


def io_patterns():
    """D09: one-to-one, one-to-many, many-to-one, many-to-many (delayed), many-to-many (synced)."""
    fig, ax = canvas((-0.55, 11.05), (-6.85, 3.75))
    _pattern(ax, 0.75, 0.0, (0,), 1, (0,), "one to one", "feed-forward")
    _pattern(ax, 2.95, 0.0, (0,), 3, (0, 1, 2), "one to many", "image captioning")
    _pattern(ax, 7.0, 0.0, (0, 1, 2), 3, (2,), "many to one", "sentiment")
    _pattern(ax, 0.35, -5.0, (0, 1, 2), 5, (3, 4), "many to many", "translation")
    _pattern(ax, 7.0, -5.0, (0, 1, 2), 3, (0, 1, 2), "many to many, synced", "frame labelling")
    for k, (colour, name) in enumerate(((IN, "input"), (HID, "hidden state"), (OUT, "output"))):
        x = 0.0 + k * 3.4
        box(ax, x, 3.45, 0.36, 0.36, fc=TINT[colour], ec=colour, lw=2, rounding=0.03)
        text(ax, x + 0.35, 3.45, name, fs=SMALL, ha="left")
    return fig


# ---------------------------------------------------------------- D10


def _self_loop(ax, x, y, colour=INK):
    """A loop leaving the top of a box at (x, y) and coming back into its right side."""
    verts = [(x + 0.2, y + 0.42), (x + 0.35, y + 1.5), (x + 1.6, y + 0.9), (x + 0.62, y + 0.1)]
    path = MPath(verts, [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4])
    ax.add_patch(FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=14, color=colour, lw=2.0, zorder=1))


def unrolled():
    """D10: the folded RNN with its self-loop W, and the same network unrolled over t-1, t, t+1."""
    fig, ax = canvas((-0.3, 12.4), (-1.2, 6.1))
    bw, bh = 1.45, 0.85
    yx, ys, yo = 0.35, 2.65, 4.95

    def node(x, y, label, colour, w=bw):
        box(ax, x, y, w, bh, label, fc=TINT[colour], ec=colour, fs=MATH, lw=2.2, rounding=0.1)

    def labelled(a, b, name, side=-1, colour=INK):
        arrow(ax, a, b, lw=2.0, head=13, color=colour)
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        vertical = abs(b[0] - a[0]) < 1e-9
        if vertical:
            text(ax, mx + side * 0.28, my, f"${name}$", fs=FS, ha="right" if side < 0 else "left", color=colour)
        else:
            text(ax, mx, my + 0.3, f"${name}$", fs=FS, color=colour)

    # folded
    fx = 0.65
    node(fx, yx, "$x$", RED, w=1.0)
    node(fx, ys, "$s$", GREEN, w=1.0)
    node(fx, yo, "$o$", BLUE, w=1.0)
    labelled((fx, yx + bh / 2), (fx, ys - bh / 2), "U")
    labelled((fx, ys + bh / 2), (fx, yo - bh / 2), "V")
    _self_loop(ax, fx, ys - 0.1 + 0.1)
    text(ax, fx + 1.35, ys + 0.95, "$W$", fs=FS)
    # unfold arrow
    arrow(ax, (2.3, ys), (3.35, ys), lw=2.6, head=18)
    text(ax, 2.8, ys - 0.45, "unfold", fs=SMALL)
    # unrolled
    xs = (5.35, 7.9, 10.45)
    subs = ("t-1", "t", "t+1")
    for x, sub in zip(xs, subs, strict=True):
        node(x, yx, f"$x_{{{sub}}}$", RED)
        node(x, ys, f"$s_{{{sub}}}$", GREEN)
        node(x, yo, f"$o_{{{sub}}}$", BLUE)
        labelled((x, yx + bh / 2), (x, ys - bh / 2), "U")
        labelled((x, ys + bh / 2), (x, yo - bh / 2), "V")
    for a, b in pairwise(xs):
        labelled((a + bw / 2, ys), (b - bw / 2, ys), "W")
    labelled((3.75, ys), (xs[0] - bw / 2, ys), "W")
    arrow(ax, (xs[-1] + bw / 2, ys), (12.3, ys), lw=2.0, head=13)
    text(ax, 12.1, ys + 0.3, "$W$", fs=FS)
    text(ax, 6.05, -0.75, r"$s_t = f(U x_t + W s_{t-1}),\quad o_t = \mathrm{softmax}(V s_t)$", fs=MATH)
    return fig


# ---------------------------------------------------------------- R14, R15: shared cell parts


def _wire(ax, points, head=True, colour=INK, lw=2.2):
    """A polyline; the last segment ends in an arrowhead unless head=False."""
    if len(points) > 2 or not head:
        line(ax, points if not head else points[:-1], color=colour, lw=lw, z=1)
    if head:
        arrow(ax, points[-2], points[-1], color=colour, lw=lw, head=13, z=1)


def _dot(ax, x, y):
    circle(ax, x, y, 0.09, fc=INK, lw=0, z=4)


def _op(ax, x, y, symbol, r=0.3):
    """A pointwise operation: circle with ×, + or 1−."""
    circle(ax, x, y, r, symbol, fc=TINT[GREY], lw=2.0, fs=FS + 1 if len(symbol) == 1 else SMALL, z=3)


def _layer(ax, x, y, label, colour, w=0.95, h=0.66):
    """A neural-network layer (colah's yellow box), coloured by gate."""
    box(ax, x, y, w, h, label, fc=TINT[colour], ec=colour, lw=2.2, fs=SMALL, rounding=0.08, z=3)


def _cell_frame(ax, x0, y0, x1, y1):
    box(ax, (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0, fc=None, ec=GREY, lw=1.6, rounding=0.3, z=0)


def _label(ax, x, y, main, colour, ha="right"):
    """A gate's output symbol beside its wire."""
    text(ax, x, y, main, fs=MATH, color=colour, ha=ha, va="center")


def _name(ax, x, bus, name, colour):
    """A gate's name under the bus, centred on the wire that feeds its layer."""
    text(ax, x, bus - 0.2, name, fs=SMALL, color=colour, ha="center", va="top")


# ---------------------------------------------------------------- R14


def lstm_cell():
    """R14: LSTM cell: forget, input and output gates, candidate, and the cell-state conveyor on top."""
    fig, ax = canvas((-0.75, 12.45), (-0.75, 7.65))
    top, bus, lay = 5.6, 1.45, 2.65  # cell-state line, concatenated [h_{t-1}, x_t] bus, layer row
    _cell_frame(ax, 1.05, 0.4, 11.05, 6.45)
    xf, xi, xc, xo, xt, xh = 2.55, 4.15, 5.75, 7.85, 9.45, 10.55

    # cell state conveyor: c_{t-1} -> x (forget) -> + (input) -> c_t
    _wire(ax, [(-0.55, top), (xf - 0.3, top)], head=False, colour=INK, lw=3.2)
    _wire(ax, [(xf + 0.3, top), (xi + 0.7 - 0.3, top)], head=False, lw=3.2)
    _wire(ax, [(xi + 0.7 + 0.3, top), (12.3, top)], lw=3.2)
    text(ax, -0.55, top + 0.15, "$c_{t-1}$", fs=MATH, ha="left", va="bottom")
    text(ax, 12.3, top + 0.15, "$c_t$", fs=MATH, ha="right", va="bottom")
    _op(ax, xf, top, "×")
    _op(ax, xi + 0.7, top, "+")

    # the bus: h_{t-1} from the left, x_t from below
    _wire(ax, [(-0.55, bus), (xo, bus)], head=False)
    text(ax, -0.55, bus + 0.12, "$h_{t-1}$", fs=MATH, ha="left", va="bottom")
    _wire(ax, [(1.6, -0.65), (1.6, bus)], head=False)
    _dot(ax, 1.6, bus)
    text(ax, 1.3, -0.65, "$x_t$", fs=MATH, ha="right", va="bottom")
    for x in (xf, xi, xc, xo):
        if x != xo:  # the bus ends at the output gate
            _dot(ax, x, bus)
        _wire(ax, [(x, bus), (x, lay - 0.33)])

    _layer(ax, xf, lay, r"$\sigma$", RED)
    _layer(ax, xi, lay, r"$\sigma$", GREEN)
    _layer(ax, xc, lay, "tanh", ORANGE)
    _layer(ax, xo, lay, r"$\sigma$", BLUE)

    # forget gate up to the conveyor
    _wire(ax, [(xf, lay + 0.33), (xf, top - 0.3)])
    _label(ax, xf - 0.15, 4.2, "$f_t$", RED)
    _name(ax, xf, bus, "forget", RED)
    # input gate x candidate, then up to +
    mul_i = (xi + 0.7, 4.2)
    _op(ax, *mul_i, "×")
    _wire(ax, [(xi, lay + 0.33), (xi, mul_i[1]), (mul_i[0] - 0.3, mul_i[1])])
    _wire(ax, [(xc, lay + 0.33), (xc, mul_i[1]), (mul_i[0] + 0.3, mul_i[1])])
    _wire(ax, [(mul_i[0], mul_i[1] + 0.3), (mul_i[0], top - 0.3)])
    _label(ax, xi - 0.15, 3.5, "$i_t$", GREEN)
    _label(ax, xc + 0.15, 3.5, r"$\tilde{c}_t$", ORANGE, ha="left")
    _name(ax, xi, bus, "input", GREEN)
    _name(ax, xc, bus, "candidate", ORANGE)
    # output: tanh(c_t) x o_t
    _dot(ax, xt, top)
    ax.add_patch(Ellipse((xt, 4.5), 1.1, 0.6, fc=TINT[GREY], ec=INK, lw=2.0, zorder=3))
    text(ax, xt, 4.5, "tanh", fs=SMALL)
    _wire(ax, [(xt, top), (xt, 4.5 + 0.3)])
    mul_o = (xt, 3.35)
    _op(ax, *mul_o, "×")
    _wire(ax, [(xt, 4.5 - 0.3), (xt, mul_o[1] + 0.3)])
    _wire(ax, [(xo, lay + 0.33), (xo, mul_o[1]), (xt - 0.3, mul_o[1])])
    text(ax, (xo + xt) / 2 - 0.1, mul_o[1] + 0.1, "$o_t$", fs=MATH, color=BLUE, va="bottom")
    _name(ax, xo, bus, "output", BLUE)
    # h_t: right and down to the bottom exit, and up out of the top
    _wire(ax, [(xt + 0.3, mul_o[1]), (xh, mul_o[1])], head=False)
    _dot(ax, xh, mul_o[1])
    _wire(ax, [(xh, mul_o[1]), (xh, bus), (12.3, bus)])
    _wire(ax, [(xh, mul_o[1]), (xh, 7.45)])
    text(ax, 12.3, bus + 0.12, "$h_t$", fs=MATH, ha="right", va="bottom")
    text(ax, xh + 0.2, 7.05, "$h_t$", fs=MATH, ha="left")
    return fig


# ---------------------------------------------------------------- R15


def gru_cell():
    """R15: GRU cell: reset gate r_t, update gate z_t, candidate h~_t, h_t = (1 - z_t) h_{t-1} + z_t h~_t.

    Same layout language as the LSTM (R14) so the two can be compared. One crossing is unavoidable: the
    reset path r_t * h_{t-1} passes over the update wire z_t on its way to the candidate layer.
    """
    fig, ax = canvas((-0.75, 12.45), (-0.85, 7.8))
    top, bus, lay = 5.9, 1.45, 2.65
    _cell_frame(ax, 1.05, 0.25, 10.45, 6.7)
    xd, xx, xr, xz, xc, xm, xa, xh = 1.3, 1.95, 2.9, 4.3, 6.4, 7.3, 8.7, 9.85

    # h_{t-1} along the top: x (1 - z_t), then + z_t h~_t, out as h_t
    _wire(ax, [(-0.55, top), (xm - 0.3, top)], head=False, lw=3.2)
    _wire(ax, [(xm + 0.3, top), (xa - 0.3, top)], head=False, lw=3.2)
    _wire(ax, [(xa + 0.3, top), (12.3, top)], lw=3.2)
    text(ax, -0.55, top + 0.15, "$h_{t-1}$", fs=MATH, ha="left", va="bottom")
    text(ax, 12.3, top + 0.15, "$h_t$", fs=MATH, ha="right", va="bottom")
    _op(ax, xm, top, "×")
    _op(ax, xa, top, "+")
    _dot(ax, xh, top)
    _wire(ax, [(xh, top), (xh, 7.6)])
    text(ax, xh + 0.2, 7.25, "$h_t$", fs=MATH, ha="left")

    # both gates read [h_{t-1}, x_t]
    _dot(ax, xd, top)
    _wire(ax, [(xd, top), (xd, bus), (xz, bus)], head=False)
    _wire(ax, [(xx, -0.75), (xx, bus)], head=False)
    _dot(ax, xx, bus)
    _dot(ax, xx, 0.5)
    text(ax, xx - 0.25, -0.75, "$x_t$", fs=MATH, ha="right", va="bottom")
    _dot(ax, xr, bus)
    for x in (xr, xz):
        _wire(ax, [(x, bus), (x, lay - 0.33)])
    _layer(ax, xr, lay, r"$\sigma$", RED)
    _layer(ax, xz, lay, r"$\sigma$", BLUE)
    _layer(ax, xc, lay, "tanh", ORANGE)

    # reset: r_t x h_{t-1} goes into the candidate layer, x_t comes in from below
    mul_r = (xr, 4.4)
    _op(ax, *mul_r, "×")
    _wire(ax, [(xr, lay + 0.33), (xr, mul_r[1] - 0.3)])
    _dot(ax, xr, top)
    _wire(ax, [(xr, top), (xr, mul_r[1] + 0.3)])
    _wire(ax, [(xr + 0.3, mul_r[1]), (5.6, mul_r[1]), (5.6, lay), (xc - 0.48, lay)])
    _wire(ax, [(xx, 0.5), (xc, 0.5), (xc, lay - 0.33)])
    _label(ax, xr - 0.15, 3.45, "$r_t$", RED)
    _name(ax, xr, bus, "reset", RED)

    # update: z_t -> 1 - z_t -> top multiply; z_t -> multiply with h~_t -> +
    zy = 3.5
    _wire(ax, [(xz, lay + 0.33), (xz, zy), (xa, zy), (xa, 4.45 - 0.3)])
    _dot(ax, xm, zy)
    _op(ax, xm, 4.85, "1−", r=0.32)
    _wire(ax, [(xm, zy), (xm, 4.85 - 0.32)])
    _wire(ax, [(xm, 4.85 + 0.32), (xm, top - 0.3)])
    text(ax, xz + 0.6, zy + 0.06, "$z_t$", fs=MATH, color=BLUE, va="bottom")
    _name(ax, xz, bus, "update", BLUE)
    mul_z = (xa, 4.45)
    _op(ax, *mul_z, "×")
    _wire(ax, [(xa, mul_z[1] + 0.3), (xa, top - 0.3)])

    # candidate h~_t: out of the right side, round into the multiply with z_t
    _wire(ax, [(xc + 0.48, lay), (9.25, lay), (9.25, mul_z[1]), (xa + 0.3, mul_z[1])])
    text(ax, 8.05, lay + 0.08, r"$\tilde{h}_t$", fs=MATH, color=ORANGE, va="bottom")
    text(ax, 8.05, lay - 0.12, "candidate", fs=SMALL, color=ORANGE, va="top")
    return fig
