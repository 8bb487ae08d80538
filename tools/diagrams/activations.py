"""Activation functions and what they do to gradients: ELU, sigmoid/tanh/ReLU with derivatives, batch norm
against saturation, and the zig-zag caused by all-positive inputs."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Wedge

from .plots import DASH, SEED, _clean, _plain, sigmoid
from .style import BLUE, GREEN, GREY, INK, ORANGE, RED, SMALL, TINT, arrow, figure, plot_axes

MATH = 17.5
"""Size of a label with sub- or superscripts: mathtext draws them at 0.7 of it, 12.25 pt, legible on a phone."""

# ---------------------------------------------------------------- D03


def elu():
    """D03: ELU (alpha = 1) against ReLU and Leaky ReLU, with the asymptote y = -alpha."""
    fig = figure(4.2)
    ax = plot_axes(fig.add_subplot(), "$x$", None, zero_lines=True)
    x = np.linspace(-4, 4, 161)
    ax.axhline(-1, color=RED, lw=1.6, ls=DASH, zorder=1)
    ax.plot(x, np.maximum(x, 0), color=BLUE, lw=5, alpha=0.9, label="ReLU", zorder=2)
    ax.plot(x, np.where(x > 0, x, 0.1 * x), color=GREEN, lw=2.6, ls=DASH, label="Leaky ReLU ($0.1x$)", zorder=3)
    ax.plot(x, np.where(x > 0, x, np.expm1(x)), color=RED, lw=2.6, label=r"ELU ($\alpha = 1$)", zorder=4)
    ax.text(-3.9, -1.12, r"asymptote $y = -\alpha = -1$", color=RED, fontsize=SMALL, va="top")
    ax.annotate(
        r"$\alpha(e^x - 1)$",
        (-1.2, np.expm1(-1.2)),
        (-2.2, 0.75),
        color=RED,
        ha="center",
        va="bottom",
        fontsize=MATH,
        arrowprops={"arrowstyle": "-", "color": RED, "lw": 1.2, "shrinkA": 2, "shrinkB": 2},
    )
    ax.text(2.1, 2.75, "$y = x$ for $x > 0$", ha="right", fontsize=SMALL)
    ax.set_xlim(-4, 4)
    ax.set_ylim(-1.6, 4)
    _clean(ax, range(-4, 5), [-1, 0, 1, 2, 3, 4])
    ax.legend(loc="upper left", handlelength=2.2)
    return fig


# ---------------------------------------------------------------- D05


def activation_curves():
    """D05: sigmoid, tanh, ReLU and their derivatives; saturation shaded."""
    fig = figure(6.4)
    top, bottom = fig.subplots(2, 1, sharex=True)
    x = np.linspace(-5, 5, 201)
    s = sigmoid(x)
    for ax in (top, bottom):
        plot_axes(ax, zero_lines=True)
        for side in (-1, 1):
            ax.axvspan(3 * side, 5.3 * side, color=TINT[GREY], lw=0, zorder=-1)
    top.text(-4.1, 1.75, "saturated", ha="center", color=GREY, fontsize=SMALL)
    top.text(4.1, 1.75, "saturated", ha="center", color=GREY, fontsize=SMALL)

    top.plot(x, s, color=BLUE)
    top.plot(x, np.tanh(x), color=RED)
    top.plot(x, np.maximum(x, 0), color=GREEN)
    top.text(-2.3, 0.26, r"$\sigma(x)$", color=BLUE, ha="center")
    top.text(-2.3, -1.28, r"$\tanh(x)$", color=RED, ha="center")
    top.text(1.25, 1.75, "ReLU", color=GREEN, ha="right")
    top.set_ylim(-1.45, 2.1)
    top.set_yticks([-1, 0, 1, 2])
    top.set_title("activation", fontsize=SMALL + 1, loc="left")

    bottom.plot(x, s * (1 - s), color=BLUE)
    bottom.plot(x, 1 - np.tanh(x) ** 2, color=RED)
    bottom.plot([-5, 0], [0, 0], color=GREEN, lw=2.6, zorder=3)
    bottom.plot([0, 5], [1, 1], color=GREEN, lw=2.6, zorder=3)
    bottom.plot([0, 0], [0, 1], color=GREEN, lw=1.4, ls=(0, (2, 2)), zorder=3)
    bottom.plot([0], [0.25], "o", color=BLUE, ms=7, zorder=4)
    bottom.plot([0], [1], "o", color=RED, ms=7, zorder=4)
    bottom.annotate(
        "$\\sigma$\u2032(0) = 0.25",
        (0, 0.25),
        (1.35, 0.42),
        color=BLUE,
        fontsize=SMALL,
        arrowprops={"arrowstyle": "-", "color": BLUE, "lw": 1.2},
    )
    bottom.annotate(
        "tanh\u2032(0) = 1",
        (0, 1),
        (-1.0, 1.13),
        color=RED,
        fontsize=SMALL,
        ha="right",
        va="center",
        arrowprops={"arrowstyle": "-", "color": RED, "lw": 1.2},
    )
    bottom.text(2.7, 1.07, "ReLU\u2032 = 1", color=GREEN, ha="center", fontsize=SMALL)
    bottom.text(-4.0, 0.07, "ReLU\u2032 = 0", color=GREEN, ha="center", fontsize=SMALL, va="bottom")
    bottom.set_ylim(-0.1, 1.3)
    bottom.set_yticks([0, 0.25, 0.5, 1])
    _plain(bottom)
    bottom.set_xlim(-5, 5)
    bottom.set_xticks(range(-5, 6))
    bottom.set_xlabel("$x$")
    bottom.set_title("derivative", fontsize=SMALL + 1, loc="left")
    return fig


# ---------------------------------------------------------------- R03


def bn_saturation():
    """R03: pre-activations in sigmoid's saturated tail before BN, centred on the steep part after BN."""
    rng = np.random.default_rng(SEED)
    batch = rng.normal(4.5, 1.5, 256)
    mu, var = batch.mean(), batch.var()
    normalised = (batch - mu) / np.sqrt(var + 1e-5)

    fig = figure(5.8)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(1, 1))
    x = np.linspace(-8, 8, 241)
    s = sigmoid(x)
    for ax in (top, bottom):
        plot_axes(ax)
        for side in (-1, 1):
            ax.axvspan(3 * side, 8.5 * side, color=TINT[GREY], lw=0, zorder=0)
    top.plot(x, s, color=INK)
    top.plot(x, s * (1 - s), color=ORANGE)
    top.text(-7.6, 0.87, r"$\sigma(x)$", color=INK)
    top.text(1.0, 0.33, "$\\sigma$\u2032$(x)$", color=ORANGE)
    top.text(-5.5, 0.45, "saturated", color=GREY, ha="center", fontsize=SMALL)
    top.text(5.5, 0.45, "saturated", color=GREY, ha="center", fontsize=SMALL)
    top.set_ylim(0, 1.05)
    top.set_yticks([0, 0.25, 0.5, 1])
    _plain(top)

    bins = np.arange(-8, 8.01, 0.5)
    bottom.hist(batch, bins=bins, histtype="stepfilled", fc=TINT[RED], ec=RED, lw=2)
    bottom.hist(normalised, bins=bins, histtype="stepfilled", fc=TINT[BLUE], ec=BLUE, lw=2)
    bottom.text(
        4.6,
        57,
        f"before BN\n$\\mu = {mu:.1f}$, $\\sigma = {np.sqrt(var):.1f}$",
        color=RED,
        ha="center",
        va="bottom",
        fontsize=SMALL,
        linespacing=1.2,
    )
    bottom.text(
        -0.3,
        57,
        "after BN\n$\\mu = 0$, $\\sigma = 1$",
        color=BLUE,
        ha="center",
        va="bottom",
        fontsize=SMALL,
        linespacing=1.2,
    )
    bottom.set_ylim(0, 95)
    bottom.set_yticks([])
    bottom.spines["left"].set_visible(False)
    bottom.set_xlim(-8, 8)
    bottom.set_xticks([-8, -4, 0, 4, 8])
    bottom.set_xlabel(r"pre-activation $x$   ($\gamma = 1$, $\beta = 0$)")
    top.set_title("256 pre-activations of one unit in a batch", fontsize=SMALL, loc="left")
    return fig


# ---------------------------------------------------------------- R16


def zigzag():
    """R16: with all inputs x_i > 0 every step moves all weights the same way, so the path zig-zags."""
    fig = figure(4.6)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    start, goal = np.array([-2.6, 2.2]), np.array([2.6, -2.2])
    ax.add_patch(Wedge(tuple(start), 1.5, 0, 90, fc=TINT[GREEN], ec=GREEN, lw=1.2, zorder=0))
    ax.add_patch(Wedge(tuple(start), 1.5, 180, 270, fc=TINT[GREEN], ec=GREEN, lw=1.2, zorder=0))
    ax.text(
        start[0] - 0.72,
        start[1] - 0.72,
        "allowed",
        color=GREEN,
        ha="center",
        va="center",
        fontsize=SMALL,
        rotation=45,
    )
    steps = [(1.6, 0.45), (-0.3, -1.55)] * 4  # each pair nets (1.3, -1.1); four pairs reach the optimum
    point = start.copy()
    for dx, dy in steps:
        nxt = point + (dx, dy)
        arrow(ax, tuple(point), tuple(nxt), color=RED, lw=2.4, head=14, z=3)
        point = nxt
    arrow(ax, tuple(start), tuple(goal), color=BLUE, lw=2.0, head=14, ls="--", z=2, shrink=6)
    ax.plot(*start, "o", color=INK, ms=8, zorder=4)
    ax.plot(*goal, "*", color=BLUE, ms=18, zorder=4)
    ax.text(goal[0] + 0.1, goal[1] - 0.45, "optimum", color=BLUE, ha="center", va="top", fontsize=SMALL)
    ax.text(
        -0.6,
        0.05,
        "best direction",
        color=BLUE,
        ha="center",
        va="top",
        rotation=-40.2,
        fontsize=SMALL,
        rotation_mode="anchor",
    )
    ax.text(start[0] - 0.1, start[1] + 0.35, "start", ha="right", va="bottom", fontsize=SMALL)
    ax.axhline(0, color=GREY, lw=1.0, zorder=0)
    ax.axvline(0, color=GREY, lw=1.0, zorder=0)
    ax.set_xlim(-4.3, 4.3)
    ax.set_ylim(-3.6, 4.3)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(4.3, -0.1, "$w_1$", ha="right", va="top", fontsize=MATH)
    ax.text(-0.1, 4.3, "$w_2$", ha="right", va="top", fontsize=MATH)
    ax.set_title(r"$\partial L / \partial w_i = \delta\, x_i$, all $x_i > 0$", fontsize=MATH, pad=26)
    ax.text(
        0.5,
        1.02,
        "so every weight's gradient has the sign of \u03b4",
        transform=ax.transAxes,
        ha="center",
        va="bottom",
        fontsize=SMALL,
    )
    return fig
