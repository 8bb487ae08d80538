"""Function plots: nonlinear separation, local minima, class imbalance, L1 vs L2, densities, fitting curves."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Polygon

from .style import BLUE, GREEN, GREY, INK, ORANGE, PURPLE, RED, SMALL, TINT, dots, figure, plot_axes

SEED = 20240611
"""The one seed for every sample drawn in these figures."""

DASH = (0, (5, 3))

MATH = 17.5
"""Size of a label with sub- or superscripts: mathtext draws them at 0.7 of it, 12.25 pt, legible on a phone."""


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _plain(ax, axis="y"):
    """Tick labels as 0, 0.25, 0.5, 1 rather than 0.00, 0.25, 0.50, 1.00."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(lambda v, _pos: f"{v:g}".replace("-", "\u2212"))


def _clean(ax, ticks_x=None, ticks_y=None):
    if ticks_x is not None:
        ax.set_xticks(ticks_x)
    if ticks_y is not None:
        ax.set_yticks(ticks_y)


# ---------------------------------------------------------------- D04


def nonlinear_separation():
    """D04: two rings no line can split; after h = (x1^2, x2^2) one straight line does."""
    rng = np.random.default_rng(SEED)
    n = 36
    r_in, r_out = np.sqrt(rng.uniform(0.0, 1.0, n)), rng.uniform(1.9, 2.5, n)
    t_in, t_out = rng.uniform(0, 2 * np.pi, n), rng.uniform(0, 2 * np.pi, n)
    inner = np.c_[r_in * np.cos(t_in), r_in * np.sin(t_in)]
    outer = np.c_[r_out * np.cos(t_out), r_out * np.sin(t_out)]

    fig = figure(3.9)
    left, right = fig.subplots(1, 2)
    style_in = {"marker": "o", "s": 42, "facecolor": TINT[BLUE], "edgecolor": BLUE, "linewidth": 1.6, "zorder": 3}
    style_out = {"marker": "^", "s": 46, "facecolor": TINT[RED], "edgecolor": RED, "linewidth": 1.6, "zorder": 3}

    left.scatter(*inner.T, **style_in)
    left.scatter(*outer.T, **style_out)
    left.set_title("input space\n(no line separates)", fontsize=SMALL, linespacing=1.3)
    left.set_xlabel("$x_1$", fontsize=MATH)
    left.set_ylabel("$x_2$", labelpad=0, fontsize=MATH)
    left.set_xlim(-2.8, 2.8)
    left.set_ylim(-2.8, 2.8)
    left.set_aspect("equal")
    _clean(left, [-2, 0, 2], [-2, 0, 2])

    h_in, h_out = inner**2, outer**2
    right.scatter(*h_in.T, **style_in)
    right.scatter(*h_out.T, **style_out)
    c = 2.4  # h1 + h2 = r^2: at most 1 inside, at least 1.9^2 = 3.61 outside
    right.plot([0, c], [c, 0], color=INK, lw=2.6, zorder=2)
    right.set_title("after squaring each input\n(a line separates)", fontsize=SMALL, linespacing=1.3)
    right.set_xlabel("$h_1 = x_1^2$", fontsize=MATH)
    right.set_ylabel("$h_2 = x_2^2$", labelpad=0, fontsize=MATH)
    right.set_xlim(-0.2, 6.4)
    right.set_ylim(-0.2, 6.4)
    right.set_aspect("equal")
    _clean(right, [0, 2, 4, 6], [0, 2, 4, 6])
    return fig


# ---------------------------------------------------------------- D07


def _local_minima_curve(x):
    """A gentle bowl with four wells of different depths; the third is the deepest."""
    wells = ((-3.6, 1.2, 0.55), (-1.2, 0.7, 0.5), (1.3, 2.1, 0.6), (3.7, 1.0, 0.5))  # centre, depth, width
    return 0.05 * x**2 - sum(d * np.exp(-((x - c) ** 2) / (2 * w**2)) for c, d, w in wells)


def local_minima():
    """D07: a 1-D loss with several local minima of different depths and one global minimum."""
    fig = figure(3.9)
    ax = plot_axes(fig.add_subplot(), r"$\theta$", r"loss $L(\theta)$")
    x = np.linspace(-5.2, 5.2, 521)
    y = _local_minima_curve(x)
    ax.plot(x, y, color=INK)
    inner = np.flatnonzero((y[1:-1] < y[:-2]) & (y[1:-1] < y[2:])) + 1
    best = inner[np.argmin(y[inner])]
    for i in inner:
        is_global = i == best
        color = RED if is_global else BLUE
        ax.plot(x[i], y[i], "o", ms=10, color=color, zorder=4)
        ax.text(
            x[i],
            y[i] - 0.16,
            "global\nminimum" if is_global else "local\nminimum",
            color=color,
            ha="center",
            va="top",
            fontsize=SMALL,
            linespacing=1.0,
        )
    ax.set_xlim(-5.2, 5.2)
    ax.set_ylim(y[best] - 0.75, y.max() + 0.1)
    ax.set_xticks([])
    ax.set_yticks([])
    return fig


# ---------------------------------------------------------------- D12


def _logistic_fit(X, y, iters=30):
    """Logistic regression by Newton's method (deterministic); returns w with the intercept last."""
    A = np.c_[X, np.ones(len(X))]
    w = np.zeros(A.shape[1])
    for _ in range(iters):
        p = sigmoid(A @ w)
        grad = A.T @ (p - y) + 1e-6 * w
        hess = (A * (p * (1 - p))[:, None]).T @ A + 1e-6 * np.eye(A.shape[1])
        w -= np.linalg.solve(hess, grad)
    return w


IMBALANCE_MEANS = (np.array([-0.8, -0.8]), np.array([0.8, 0.8]))


def _imbalance_models(rng, ratio, n_major=2000):
    m0, m1 = IMBALANCE_MEANS
    n_minor = max(1, round(n_major / ratio))
    X0 = rng.normal(m0, 1.0, (n_major, 2))
    X1 = rng.normal(m1, 1.0, (n_minor, 2))
    X = np.r_[X0, X1]
    y = np.r_[np.zeros(n_major), np.ones(n_minor)]
    plain = _logistic_fit(X, y)
    extra = X1[rng.integers(0, n_minor, n_major - n_minor)]  # oversample the minority with replacement
    resampled = _logistic_fit(np.r_[X, extra], np.r_[y, np.ones(len(extra))])
    return X0, X1, plain, resampled


def _accuracy(w, X0, X1):
    score0 = np.c_[X0, np.ones(len(X0))] @ w
    score1 = np.c_[X1, np.ones(len(X1))] @ w
    return 0.5 * ((score0 < 0).mean() + (score1 >= 0).mean())


def imbalance_boundary():
    """D12: logistic-regression boundaries at 1:1, 1:9, 1:99 with and without oversampling, and test accuracy."""
    rng = np.random.default_rng(SEED)
    ratios = (1, 9, 99)
    fig = figure(7.0)
    grid = fig.add_gridspec(3, 3, height_ratios=(1, 1, 1.05))
    lim = 3.6
    xx = np.array([-lim, lim])
    for col, ratio in enumerate(ratios):
        X0, X1, plain, resampled = _imbalance_models(rng, ratio)
        shown0, shown1 = X0[:45], X1[: max(1, round(45 / ratio))]
        for row, w in enumerate((plain, resampled)):
            ax = fig.add_subplot(grid[row, col])
            # w0*x + w1*y + b = 0, drawn across the panel; the minority side is tinted
            yy = -(w[0] * xx + w[2]) / w[1]
            ax.add_patch(
                Polygon(
                    [(xx[0], yy[0]), (xx[1], yy[1]), (lim, lim), (-lim, lim)],
                    closed=True,
                    fc=TINT[RED],
                    ec="none",
                    zorder=0,
                )
            )
            ax.plot(xx, yy, color=INK, lw=2.4, zorder=2)
            ax.plot(xx, -xx, color=GREY, lw=1.3, ls=DASH, zorder=1)  # the balanced (Bayes) boundary
            dots(ax, shown0, BLUE, size=4.5, z=3)
            dots(ax, shown1, RED, size=7.5, z=4)
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ("top", "right"):
                ax.spines[spine].set_visible(True)
            if row == 0:
                ax.set_title(f"1:{ratio}", fontsize=SMALL + 1)
            if col == 0:
                ax.set_ylabel(("no resampling", "oversampled")[row], fontsize=SMALL)

    ax = plot_axes(fig.add_subplot(grid[2, :]), "minority : majority in training", "accuracy\n(balanced test)")
    rng = np.random.default_rng(SEED + 1)
    m0, m1 = IMBALANCE_MEANS
    test0, test1 = rng.normal(m0, 1.0, (20000, 2)), rng.normal(m1, 1.0, (20000, 2))
    sweep = (1, 2, 4, 9, 19, 49, 99)
    plain_acc, resampled_acc = [], []
    for ratio in sweep:
        _, _, plain, resampled = _imbalance_models(rng, ratio)
        plain_acc.append(_accuracy(plain, test0, test1))
        resampled_acc.append(_accuracy(resampled, test0, test1))
    ax.plot(sweep, resampled_acc, "o-", color=GREEN, ms=6, label="oversampled")
    ax.plot(sweep, plain_acc, "s-", color=RED, ms=6, label="no resampling")
    ax.set_xscale("log")
    ax.set_xticks(sweep)
    ax.set_xticklabels([f"1:{r}" for r in sweep])
    ax.minorticks_off()
    ax.set_ylim(0.5, 0.95)
    ax.set_yticks([0.5, 0.6, 0.7, 0.8, 0.9])
    ax.legend(loc="lower left")
    return fig


# ---------------------------------------------------------------- R01

L1L2_CENTER = np.array([0.9, 2.6])
L1L2_A = np.array([[1.0, 0.3], [0.3, 1.0]])
"""Loss (w - c)^T A (w - c). Chosen so that on the L1 ball the optimum is the vertex (0, 1) with margin (the
gradient there is well inside the vertex's normal cone), and on the L2 ball it is about (0.45, 0.89)."""


def _loss(w):
    d = w - L1L2_CENTER
    return np.einsum("...i,ij,...j->...", d, L1L2_A, d)


def _ellipse(level, n=120):
    """Points where the quadratic loss equals level."""
    vals, vecs = np.linalg.eigh(L1L2_A)
    t = np.linspace(0, 2 * np.pi, n)
    unit = np.c_[np.cos(t), np.sin(t)]
    return L1L2_CENTER + (unit / np.sqrt(vals)) @ vecs.T * np.sqrt(level)


def l1_l2():
    """R01: the L1 diamond meets the loss contours at a vertex (w2 = 0), the L2 circle at a generic point."""
    t = np.linspace(0, 2 * np.pi, 20001)
    circle = np.c_[np.cos(t), np.sin(t)]
    diamond = np.c_[np.cos(t), np.sin(t)] / (np.abs(np.cos(t)) + np.abs(np.sin(t)))[:, None]
    fig = figure(4.3)
    axes = fig.subplots(1, 2)
    for ax, boundary, title in (
        (axes[0], diamond, r"L1: $|w_1| + |w_2| \leq 1$"),
        (axes[1], circle, r"L2: $w_1^2 + w_2^2 \leq 1$"),
    ):
        best = boundary[np.argmin(_loss(boundary))]
        level = _loss(best)
        ax.fill(*boundary[::100].T, fc=TINT[BLUE], ec=BLUE, lw=2.4, zorder=1)
        for k, scale in enumerate((1.0, 0.5, 0.15)):
            e = _ellipse(level * scale)
            ax.plot(*e.T, color=ORANGE, lw=2.2 if k == 0 else 1.4, zorder=2)
        ax.plot(*L1L2_CENTER, "o", color=ORANGE, ms=6, zorder=3)
        ax.text(L1L2_CENTER[0] + 0.12, L1L2_CENTER[1] + 0.1, "$w^*$", color=ORANGE, fontsize=MATH)
        ax.plot(*best, "o", color=RED, ms=10, zorder=4)
        ax.axhline(0, color=GREY, lw=1.0, zorder=0)
        ax.axvline(0, color=GREY, lw=1.0, zorder=0)
        ax.set_xlim(-1.4, 3.0)
        ax.set_ylim(-1.4, 3.6)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.text(3.0, -0.08, "$w_1$", ha="right", va="top", fontsize=MATH)
        ax.text(-0.1, 3.6, "$w_2$", ha="right", va="top", fontsize=MATH)
        ax.set_title(title, fontsize=MATH)
        if ax is axes[0]:
            ax.text(best[0] - 0.15, best[1] + 0.45, "$w_1 = 0$", color=RED, ha="right", va="bottom", fontsize=MATH)
            ax.text(best[0] - 0.15, best[1] + 0.4, "(sparse)", color=RED, ha="right", va="top", fontsize=SMALL)
        else:
            ax.annotate(
                "$w_1, w_2 \\neq 0$",
                tuple(best),
                (1.0, -0.85),
                color=RED,
                fontsize=MATH,
                va="center",
                arrowprops={"arrowstyle": "-|>", "color": RED, "lw": 1.4, "shrinkB": 5},
            )
    return fig


# ---------------------------------------------------------------- R02


def gauss_laplace():
    """R02: Gaussian and Laplace densities of equal variance (1): linear and log scale."""
    fig = figure(5.6)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(1.15, 1))
    x = np.linspace(-5, 5, 401)
    gauss = np.exp(-(x**2) / 2) / np.sqrt(2 * np.pi)
    b = 1 / np.sqrt(2)
    laplace = np.exp(-np.abs(x) / b) / (2 * b)
    for ax in (top, bottom):
        plot_axes(ax)
        ax.plot(x, gauss, color=BLUE)
        ax.plot(x, laplace, color=RED)
    top.text(1.05, 0.32, "Gaussian $\\mathcal{N}(0, 1)$", color=BLUE, fontsize=SMALL)
    top.text(0.35, 0.62, "Laplace, b = 1/\u221a2", color=RED, fontsize=SMALL)
    top.set_ylim(0, 0.78)
    top.set_yticks([0, 0.2, 0.4, 0.6])
    top.set_ylabel("$p(x)$")
    top.set_title("equal variance 1", fontsize=SMALL, loc="right")
    bottom.set_yscale("log")
    bottom.set_ylim(1e-5, 1.5)
    bottom.set_yticks([1e-4, 1e-2, 1])
    bottom.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}")  # 0.0001, not 10^-4 with a tiny exponent
    bottom.minorticks_off()
    bottom.set_ylabel("$p(x)$, log scale")
    bottom.set_xlabel("$x$")
    bottom.set_xlim(-5, 5)
    bottom.annotate(
        "heavier tail",
        (4.0, np.exp(-4.0 / b) / (2 * b)),
        (0.6, 4e-5),
        color=RED,
        fontsize=SMALL,
        va="center",
        arrowprops={"arrowstyle": "-|>", "color": RED, "lw": 1.4, "shrinkB": 3},
    )
    return fig


# ---------------------------------------------------------------- R08


def fit_curves():
    """R08: training and validation error over epochs; underfitting, overfitting and early stopping."""
    fig = figure(3.9)
    ax = plot_axes(fig.add_subplot(), "epochs", "error")
    t = np.linspace(0, 10, 201)
    train = 0.12 + 0.85 * np.exp(-0.45 * t)
    val = train + 0.035 * t**1.6 / 4 + 0.05
    stop = t[np.argmin(val)]
    ax.axvspan(0, 2.2, color=TINT[ORANGE], lw=0, zorder=0)
    ax.axvspan(stop + 1.8, 10, color=TINT[PURPLE], lw=0, zorder=0)
    ax.plot(t, train, color=BLUE)
    ax.plot(t, val, color=RED)
    ax.axvline(stop, color=INK, lw=1.6, ls=DASH)
    ax.plot(stop, val.min(), "o", color=RED, ms=9, zorder=4)
    ax.text(9.9, train[-1] - 0.03, "training", color=BLUE, ha="right", va="top")
    ax.text(9.9, val[-1] + 0.03, "validation", color=RED, ha="right", va="bottom")
    ax.text(1.1, 1.02, "under-\nfitting", color=ORANGE, ha="center", va="top", fontsize=SMALL, linespacing=1.0)
    ax.text(8.5, 1.02, "overfitting", color=PURPLE, ha="center", va="top", fontsize=SMALL)
    ax.annotate(
        "early\nstopping",
        (stop, val.min()),
        (stop + 0.25, 0.62),
        fontsize=SMALL,
        ha="left",
        linespacing=1.0,
        arrowprops={"arrowstyle": "-|>", "color": INK, "lw": 1.4},
    )
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 1.05)
    ax.set_xticks([])
    ax.set_yticks([])
    return fig
