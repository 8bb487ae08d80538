"""3-D loss surfaces, drawn as modest wireframes so the SVGs stay small: the clipping cliff, the saddle and
the flat direction, and cross-entropy vs squared error."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from matplotlib.patches import FancyArrowPatch
from mpl_toolkits.mplot3d import proj3d

from .style import BLUE, GREEN, GREY, INK, ORANGE, RED, SMALL, TINT, figure

MATH = 17.5
"""Size of a label with sub- or superscripts: mathtext draws them at 0.7 of it, 12.25 pt, legible on a phone."""


def _surface(ax, X, Y, Z, colour=GREY):
    """An opaque surface in one pale tint with coloured grid lines: hidden parts are hidden, and since every
    face has the same style the SVG stays small."""
    ax.plot_surface(
        X,
        Y,
        Z,
        rstride=1,
        cstride=1,
        color=TINT[colour],
        edgecolor=colour,
        linewidth=0.7,
        shade=False,
        antialiased=True,
        zorder=1,
    )


class _Arrow3D(FancyArrowPatch):
    """An arrow between two 3-D points, re-projected whenever the axes are drawn."""

    def __init__(self, start, end, **kw):
        super().__init__((0, 0), (0, 0), **kw)
        self._ends = np.array([start, end], dtype=float)

    def do_3d_projection(self, renderer=None):
        xs, ys, zs = proj3d.proj_transform(*self._ends.T, self.axes.M)
        self.set_positions((xs[0], ys[0]), (xs[1], ys[1]))
        return float(np.min(zs))


def _axes3d(fig, pos, elev, azim, zoom=1.0, aspect=None):
    ax = fig.add_subplot(*pos, projection="3d", computed_zorder=False)
    ax.view_init(elev=elev, azim=azim)
    ax.set_axis_off()
    ax.set_box_aspect(aspect, zoom=zoom)
    return ax


def _arrow3d(ax, start, end, color, ls="-", lw=2.4, head=16):
    ax.add_artist(
        _Arrow3D(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=head,
            color=color,
            lw=lw,
            linestyle=ls,
            shrinkA=0,
            shrinkB=0,
            zorder=10,
        )
    )


def _axis_lines(ax, xr, yr, z0, labels=("$x$", "$y$"), fs=SMALL + 1):
    """Two axis lines through the origin at height z0, labelled at their positive ends."""
    ax.plot([xr[0], xr[1]], [0, 0], [z0, z0], color=INK, lw=1.2, zorder=1)
    ax.plot([0, 0], [yr[0], yr[1]], [z0, z0], color=INK, lw=1.2, zorder=1)
    ax.text(xr[1] * 1.12, 0, z0, labels[0], fontsize=fs, ha="center", va="center")
    ax.text(0, yr[1] * 1.12, z0, labels[1], fontsize=fs, ha="center", va="center")


# ---------------------------------------------------------------- D08


def saddle():
    """D08: saddle z = x^2 - y^2 (Hessian eigenvalues +2, -2) and the flat direction z = x^2 (+2, 0)."""
    fig = figure(4.0, layout=None)
    fig.subplots_adjust(left=0, right=1, bottom=-0.1, top=0.74, wspace=0.0)
    t = np.linspace(-1, 1, 25)
    X, Y = np.meshgrid(np.linspace(-1, 1, 11), np.linspace(-1, 1, 11))
    panels = (
        (
            X**2 - Y**2,
            ("saddle", "$z = x^2 - y^2$"),
            r"$\lambda_1 = 2,\ \lambda_2 = -2$",
            (t, t**2, GREEN),
            (t, -(t**2), RED),
        ),
        (
            X**2,
            ("flat direction", "$z = x^2$"),
            r"$\lambda_1 = 2,\ \lambda_2 = 0$",
            (t, t**2, GREEN),
            (t, 0 * t, ORANGE),
        ),
    )
    for k, (Z, title, eig, along_x, along_y) in enumerate(panels):
        ax = _axes3d(fig, (1, 2, k + 1), elev=24, azim=-58, zoom=1.15)
        _surface(ax, X, Y, Z)
        ax.plot(along_x[0], 0 * t, along_x[1], color=along_x[2], lw=3.2, zorder=5)
        ax.plot(0 * t, along_y[0], along_y[1], color=along_y[2], lw=3.2, zorder=5)
        ax.scatter([0], [0], [0], color=INK, s=40, zorder=6, depthshade=False)
        ax.text(1.25, 0, 1.05, "$x$", fontsize=MATH, color=GREEN)
        ax.text(0, 1.3, along_y[1][-1], "$y$", fontsize=MATH, color=along_y[2])
        ax.set_xlim(-1, 1)
        ax.set_ylim(-1, 1)
        ax.set_zlim(-1, 1)
        fig.text(0.25 + 0.5 * k, 0.955, title[0], ha="center", va="center", fontsize=SMALL + 1)
        fig.text(0.25 + 0.5 * k, 0.875, title[1], ha="center", va="center", fontsize=MATH)
        fig.text(0.25 + 0.5 * k, 0.785, eig, ha="center", va="center", fontsize=MATH)
    return fig


# ---------------------------------------------------------------- D11


def _logistic_losses(w1, w2):
    """Mean cross-entropy and squared error of p = sigmoid(w1 x1 + w2 x2) on 200 fixed, noisily labelled points.

    The labels are drawn from the model with true weights (2, 1), so both losses have their optimum near
    there; far away the squared error saturates (sigmoid' -> 0) while the cross-entropy keeps rising.
    """
    rng = np.random.default_rng(7)
    x = rng.normal(0.0, 1.0, (200, 2))
    y = (rng.random(200) < 1 / (1 + np.exp(-(2 * x[:, 0] + x[:, 1])))).astype(float)
    z = w1[..., None] * x[:, 0] + w2[..., None] * x[:, 1]
    log_p = -np.logaddexp(0, -z)  # log sigmoid(z), stable
    log_q = -np.logaddexp(0, z)  # log (1 - sigmoid(z))
    ce = -(y * log_p + (1 - y) * log_q).mean(axis=-1)
    mse = ((np.exp(log_p) - y) ** 2).mean(axis=-1)
    return ce, mse


def ce_vs_mse():
    """D11: loss over two weights of a sigmoid output: cross-entropy is a bowl, steep away from the optimum;
    squared error flattens into wide plateaus with tiny gradients (Glorot & Bengio 2010, fig. 5)."""
    t = np.linspace(-8, 8, 12)
    W1, W2 = np.meshgrid(t, t)
    ce, mse = _logistic_losses(W1, W2)
    fig = figure(3.9, layout=None)
    fig.subplots_adjust(left=0, right=1, bottom=-0.04, top=0.84, wspace=0.0)
    panels = (
        (ce, "cross-entropy", "steep away from the optimum", BLUE),
        (mse, "squared error", "flat plateaus, tiny gradients", RED),
    )
    for k, (Z, title, note, colour) in enumerate(panels):
        ax = _axes3d(fig, (1, 2, k + 1), elev=20, azim=35, zoom=1.2, aspect=(1, 1, 1.0))
        _surface(ax, W1, W2, Z, colour)
        ax.set_xlim(-8, 8)
        ax.set_ylim(-8, 8)
        ax.set_zlim(0, Z.max())
        ax.text(0, 10.5, 0, "$w_1$", fontsize=MATH, ha="center")
        ax.text(10.5, 0, 0, "$w_2$", fontsize=MATH, ha="center")
        fig.text(0.25 + 0.5 * k, 0.95, title, ha="center", va="center", fontsize=SMALL + 1, color=colour)
        fig.text(0.25 + 0.5 * k, 0.885, note, ha="center", va="center", fontsize=SMALL, color=colour)
    return fig


# ---------------------------------------------------------------- D06


def _cliff(w, b):
    """A gentle slope down towards a steep wall at w = 1 + 0.25 b; high plateau beyond it."""
    wall = 1.0 + 0.25 * b
    return 0.35 * (wall - w) + 0.06 * b**2 + 3.2 / (1 + np.exp(-9 * (w - wall))) + 0.8


def clipping_cliff():
    """D06: error surface over (w, b) with a cliff; the plain step at the wall is thrown far away (solid), the
    clipped step stays close (dashed). After Pascanu, Mikolov & Bengio 2013, fig. 6."""
    # w is sampled finely only around the wall, so the cliff is sharp but the face count stays small
    wv = np.r_[np.linspace(-3, 0.3, 9), np.linspace(0.45, 1.75, 12), np.linspace(2.0, 2.5, 3)]
    bv = np.linspace(-2, 2, 9)
    W, B = np.meshgrid(wv, bv)
    W = W + 0.25 * B * ((W > 0.3) & (W < 1.8))  # the fine band follows the slanted wall
    L = _cliff(W, B)
    fig = figure(4.3, layout=None)
    fig.subplots_adjust(left=-0.08, right=1.06, bottom=-0.08, top=1.04)
    ax = _axes3d(fig, (1, 1, 1), elev=24, azim=-125, zoom=1.15)
    _surface(ax, W, B, L)

    def at(w, b, lift=0.06):
        return (w, b, _cliff(w, b) + lift)

    path = [at(-2.4, 1.2), at(-1.2, 0.9), at(-0.1, 0.6), at(0.98, 0.5)]
    for p, q in pairwise(path):
        _arrow3d(ax, p, q, INK)
    for p in path:
        ax.scatter(*p, color=INK, s=22, depthshade=False, zorder=11)
    far = at(-2.9, -1.7)
    _arrow3d(ax, path[-1], far, RED, lw=2.6, head=18)
    near = at(0.45, 0.35)
    _arrow3d(ax, path[-1], near, BLUE, ls=(0, (3, 2)), lw=2.6, head=16)
    ax.set_xlim(-3, 2.5)
    ax.set_ylim(-2, 2)
    ax.set_zlim(0, 4.6)
    ax.text(-0.8, -2.7, _cliff(-0.8, -2.0), "$w$", fontsize=SMALL + 2, ha="center")
    ax.text(-3.6, 0.2, _cliff(-3.0, 0.0), "$b$", fontsize=SMALL + 2, ha="center")
    fig.text(0.03, 0.95, "plain gradient step: thrown far away", color=RED, fontsize=SMALL, ha="left")
    fig.text(0.03, 0.885, "clipped step: stays close", color=BLUE, fontsize=SMALL, ha="left")
    fig.text(0.86, 0.62, "cliff", color=INK, fontsize=SMALL, ha="center")
    return fig
