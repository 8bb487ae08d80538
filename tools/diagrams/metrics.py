"""Evaluation metrics: the confusion matrix, ROC vs PR under class imbalance, IoU, and NMS step by step."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.patches import Ellipse, FancyBboxPatch

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
    canvas,
    figure,
    plot_axes,
    rect,
    text,
)

DASH = (0, (5, 3))

# ---------------------------------------------------------------- E01


def confusion_matrix():
    """E01: the 2x2 confusion matrix (rows: actual, columns: predicted); precision reads down the
    predicted-positive column, recall along the actual-positive row."""
    fig, ax = canvas((0, 12), (-0.1, 7.3))
    x0, w, h = 2.5, 4.6, 2.2  # left edge of the cells, cell width and height
    top = 6.0  # top edge of the cells
    cells = (  # row, column, name, gloss, colour
        (0, 0, "TP", "true positive", GREEN),
        (0, 1, "FN", "miss\n(type II error)", ORANGE),
        (1, 0, "FP", "false alarm\n(type I error)", RED),
        (1, 1, "TN", "true negative", BLUE),
    )
    for r, c, name, gloss, colour in cells:
        x, y = x0 + c * w, top - (r + 1) * h
        rect(ax, x, y, w, h, fc=TINT[colour], ec=INK, lw=1.6)
        text(ax, x + w / 2, y + h * 0.7, name, fs=FS + 4, color=colour, weight="bold")
        text(ax, x + w / 2, y + h * 0.3, gloss, fs=SMALL, linespacing=1.1)
    text(ax, x0 + w, 7.0, "predicted", fs=FS)
    text(ax, x0 + w / 2, 6.35, "positive", fs=SMALL)
    text(ax, x0 + 1.5 * w, 6.35, "negative", fs=SMALL)
    text(ax, 0.35, top - h, "actual", fs=FS, rotation=90)
    text(ax, 1.45, top - h / 2, "positive", fs=SMALL, rotation=90)
    text(ax, 1.45, top - 1.5 * h, "negative", fs=SMALL, rotation=90)
    # precision: the predicted-positive column (dashed); recall: the actual-positive row (solid)
    pad = 0.12
    for (x, y, wd, ht), colour, style, z in (
        ((x0 + pad, top - 2 * h + pad, w - 2 * pad, 2 * h - 2 * pad), PURPLE, DASH, 6),
        ((x0 + 2.5 * pad, top - h + 2.5 * pad, 2 * w - 5 * pad, h - 5 * pad), TEAL, "-", 7),
    ):
        ax.add_patch(
            FancyBboxPatch(
                (x, y),
                wd,
                ht,
                boxstyle="round,pad=0,rounding_size=0.15",
                fc="none",
                ec=colour,
                lw=2.6,
                ls=style,
                zorder=z,
            )
        )
    text(ax, 0.2, 0.95, "precision = TP / (TP + FP)   dashed column", fs=SMALL + 1, color=PURPLE, ha="left")
    text(ax, 0.2, 0.3, "recall = TP / (TP + FN)   solid row", fs=SMALL + 1, color=TEAL, ha="left")
    return fig


# ---------------------------------------------------------------- E02

_erf = np.frompyfunc(math.erf, 1, 1)


def _phi(x):
    """Standard normal CDF."""
    return 0.5 * (1 + np.asarray(_erf(np.asarray(x, dtype=float) / math.sqrt(2)), dtype=float))


ROC_SHIFT = 2.0
"""Scores: negatives ~ N(0, 1), positives ~ N(ROC_SHIFT, 1). The same scorer for both data sets."""


def _rates(shift=ROC_SHIFT):
    t = np.linspace(-6, shift + 6, 2001)[::-1]  # thresholds from high to low
    tpr = 1 - _phi(t - shift)
    fpr = 1 - _phi(t)
    return tpr, fpr


def _pr(prevalence, shift=ROC_SHIFT):
    tpr, fpr = _rates(shift)
    precision = prevalence * tpr / (prevalence * tpr + (1 - prevalence) * fpr)
    return tpr, precision


def roc_vs_pr():
    """E02: one scorer on balanced (1:1) and imbalanced (1:99) data: the ROC curves coincide, the PR curves
    do not. Curves are exact for binormal scores, so AUC = Phi(shift / sqrt 2) and AP is the area under PR."""
    tpr, fpr = _rates()
    auc = float(np.trapezoid(tpr, fpr))
    assert abs(auc - float(_phi(ROC_SHIFT / math.sqrt(2)))) < 1e-3
    fig = figure(3.55)
    left, right = fig.subplots(1, 2)
    plot_axes(left, "FPR", "TPR (recall)")
    left.plot([0, 1], [0, 1], color=GREY, lw=1.4, ls=DASH)
    left.plot(fpr, tpr, color=BLUE, lw=4.5, label="1:1")
    left.plot(fpr, tpr, color=RED, lw=2.0, ls=DASH, label="1:99")
    left.text(0.97, 0.08, f"AUC = {auc:.2f}\nfor both", ha="right", va="bottom", fontsize=SMALL, linespacing=1.2)
    left.set_title("ROC: the same", fontsize=FS)
    left.legend(loc="center right", handlelength=1.6)

    plot_axes(right, "recall", "precision")
    for prevalence, colour, style, lw, name in ((0.5, BLUE, "-", 3.0, "1:1"), (0.01, RED, DASH, 2.6, "1:99")):
        recall, precision = _pr(prevalence)
        ap = float(np.trapezoid(precision[1:], recall[1:]))
        right.plot(recall[1:], precision[1:], color=colour, lw=lw, ls=style)
        right.axhline(prevalence, color=colour, lw=1.2, ls=(0, (2, 2)), zorder=0)
        x, y = (0.25, 0.74) if prevalence == 0.5 else (0.36, 0.43)
        right.text(x, y, f"{name}: AP = {ap:.2f}", color=colour, fontsize=SMALL, va="top")
    right.text(0.97, 0.52, "random = 0.5", color=BLUE, fontsize=SMALL, ha="right", va="bottom")
    right.text(0.04, 0.035, "random = 0.01", color=RED, fontsize=SMALL, ha="left", va="bottom")
    right.set_title("PR: very different", fontsize=FS)
    for ax in (left, right):
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xticks([0, 0.5, 1])
        ax.set_yticks([0, 0.5, 1])
        ax.set_aspect("equal")
        ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:g}")
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}")
    return fig


# ---------------------------------------------------------------- E03 / E04: boxes


def box_iou(a, b):
    """IoU of two boxes (x1, y1, x2, y2) with x1 < x2 and y1 < y2."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return inter / (area - inter)


def _outline(ax, b, colour, lw=2.4, ls="-", fc=None, z=3):
    return rect(ax, b[0], b[1], b[2] - b[0], b[3] - b[1], fc=fc, ec=colour, lw=lw, ls=ls, z=z)


IOU_A = (2.2, 1.2, 6.6, 5.2)  # ground truth
IOU_B = (4.2, 0.2, 8.4, 3.8)  # prediction


def _iou_pictogram(ax, x, y, s, fill):
    """The two boxes scaled by s with their joint lower-left corner at (x, y); fill 'inter' or 'union'."""
    x0, y0 = min(IOU_A[0], IOU_B[0]), min(IOU_A[1], IOU_B[1])

    def place(b):
        return (x + s * (b[0] - x0), y + s * (b[1] - y0), x + s * (b[2] - x0), y + s * (b[3] - y0))

    a, b = place(IOU_A), place(IOU_B)
    inter = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    shaded = (a, b) if fill == "union" else (inter,)
    for region in shaded:
        _outline(ax, region, "none", lw=0, fc=TINT[ORANGE], z=1)
    _outline(ax, a, GREEN, lw=1.8, z=3)
    _outline(ax, b, BLUE, lw=1.8, z=3)


def iou():
    """E03: ground-truth and predicted boxes, their intersection, and IoU as intersection area over union area."""
    inter = (max(IOU_A[0], IOU_B[0]), max(IOU_A[1], IOU_B[1]), min(IOU_A[2], IOU_B[2]), min(IOU_A[3], IOU_B[3]))
    fig, ax = canvas((0, 15.2), (-1.25, 6.55))
    _outline(ax, inter, "none", lw=0, fc=TINT[ORANGE], z=1)
    _outline(ax, IOU_A, GREEN, lw=2.8)
    _outline(ax, IOU_B, BLUE, lw=2.8)
    text(ax, IOU_A[0] + 0.15, IOU_A[3] - 0.15, "A: ground truth", fs=SMALL, color=GREEN, ha="left", va="top")
    text(ax, IOU_B[2] - 0.15, IOU_B[1] + 0.15, "B: predicted", fs=SMALL, color=BLUE, ha="right", va="bottom")
    text(ax, (inter[0] + inter[2]) / 2, (inter[1] + inter[3]) / 2, "A ∩ B", fs=FS, color=ORANGE, weight="bold")
    for (px, py), label, ha, va, dx, dy in (
        ((inter[0], inter[1]), "(max x₁, max y₁)", "right", "top", -0.1, -0.12),
        ((inter[2], inter[3]), "(min x₂, min y₂)", "left", "bottom", 0.1, 0.12),
    ):
        ax.plot(px, py, "o", color=INK, ms=6, zorder=6)
        text(ax, px + dx, py + dy, label, fs=SMALL, ha=ha, va=va)
    # IoU = pictogram / pictogram
    fx, s = 11.4, 0.55
    width = s * (max(IOU_A[2], IOU_B[2]) - min(IOU_A[0], IOU_B[0]))
    text(ax, fx - 0.2, 2.8, "IoU =", fs=FS + 2, ha="right")
    _iou_pictogram(ax, fx, 3.05, s, "inter")
    ax.plot([fx - 0.05, fx + width + 0.05], [2.8, 2.8], color=INK, lw=2.0)
    _iou_pictogram(ax, fx, -0.2, s, "union")
    text(ax, fx + width / 2, 6.15, "area(A ∩ B)", fs=SMALL)
    text(ax, fx + width / 2, -0.7, "area(A ∪ B)", fs=SMALL)
    text(ax, 0.3, -0.85, "area(A ∪ B) = area(A) + area(B) − area(A ∩ B)", fs=SMALL, ha="left")
    return fig


NMS_BOXES = (  # score, (x1, y1, x2, y2), where the score tag sits
    (0.95, (1.0, 1.4, 4.4, 6.4), "above_left"),
    (0.90, (1.5, 0.7, 4.9, 5.7), "inside_bottom_right"),
    (0.80, (5.8, 1.4, 9.2, 6.4), "above_right"),
    (0.75, (5.5, 0.7, 8.9, 5.7), "inside_bottom_left"),
)
NMS_THRESHOLD = 0.5


def _nms(boxes, threshold):
    """Greedy NMS; returns the state after each pick: (kept indices, removed indices)."""
    order = sorted(range(len(boxes)), key=lambda i: -boxes[i][0])
    kept, removed, states = [], [], []
    while order:
        best = order.pop(0)
        kept.append(best)
        gone = [i for i in order if box_iou(boxes[best][1], boxes[i][1]) >= threshold]
        removed += gone
        order = [i for i in order if i not in gone]
        states.append((list(kept), list(removed)))
    return states


def _person(ax, cx, y0, z=0):
    """A pale figure standing on y0: the object the boxes are looking for."""
    ax.add_patch(Ellipse((cx, y0 + 1.9), 2.3, 3.4, fc=TINT[GREY], ec="none", zorder=z))
    ax.add_patch(Ellipse((cx, y0 + 4.35), 1.3, 1.3, fc=TINT[GREY], ec="none", zorder=z))


def _score_tag(ax, b, score, where, colour, z):
    x1, y1, x2, y2 = b
    spots = {
        "above_left": (x1, y2 + 0.08, "left", "bottom"),
        "above_right": (x2, y2 + 0.08, "right", "bottom"),
        "inside_bottom_right": (x2 - 0.12, y1 + 0.12, "right", "bottom"),
        "inside_bottom_left": (x1 + 0.12, y1 + 0.12, "left", "bottom"),
    }
    x, y, ha, va = spots[where]
    fill = TINT[GREY] if colour == GREY else TINT[colour]
    ax.text(
        x,
        y,
        f"{score:.2f}",
        fontsize=SMALL,
        color=colour,
        ha=ha,
        va=va,
        weight="bold",
        zorder=z + 1,
        bbox={"boxstyle": "square,pad=0.12", "fc": fill, "ec": "none"},
    )


def nms_steps():
    """E04: greedy NMS on four candidates around two objects, IoU threshold 0.5, shown after each pick."""
    states = _nms(NMS_BOXES, NMS_THRESHOLD)
    assert states == [([0], [1]), ([0, 2], [1, 3])], states
    ious = {(i, j): box_iou(NMS_BOXES[i][1], NMS_BOXES[j][1]) for i in range(4) for j in range(i + 1, 4)}
    assert ious[0, 1] >= NMS_THRESHOLD and ious[2, 3] >= NMS_THRESHOLD and ious[0, 2] == 0, ious
    panels = (
        ("1. candidates, sorted by score", [], []),
        ("2. keep 0.95, drop IoU ≥ 0.5", *states[0]),
        ("3. keep 0.80 (next), drop 0.75", *states[1]),
        ("4. result: one box per object", *states[1]),
    )
    fig, ax = canvas((-0.1, 21.3), (-0.1, 17.5))
    for p, (title, kept, removed) in enumerate(panels):
        ox, oy = (p % 2) * 10.8, (1 - p // 2) * 8.7
        rect(ax, ox, oy, 10.4, 7.4, ec=GREY, lw=1.2, z=0)
        text(ax, ox + 0.05, oy + 7.55, title, fs=SMALL, ha="left", va="bottom")
        _person(ax, ox + 2.95, oy + 1.2)
        _person(ax, ox + 7.35, oy + 1.2)
        for i, (score, b, where) in enumerate(NMS_BOXES):
            b = (b[0] + ox, b[1] + oy, b[2] + ox, b[3] + oy)
            if p == 3 and i not in kept:
                continue
            if i in kept:
                colour, lw, ls, z = GREEN, 3.2, "-", 5
            elif i in removed:
                colour, lw, ls, z = GREY, 1.6, DASH, 2
            else:
                colour, lw, ls, z = BLUE, 2.2, "-", 3
            _outline(ax, b, colour, lw=lw, ls=ls, z=z)
            _score_tag(ax, b, score, where, colour, z)
    return fig


# ---------------------------------------------------------------- E05

DD_SAMPLES, DD_FEATURES, DD_TRIALS, DD_NOISE = 40, 120, 60, 0.4


def _double_descent_risk():
    """Median test and training error of minimum-norm least squares on the first p of D Gaussian features.

    y = x . beta + noise with x ~ N(0, I_D) and the signal spread over the features with weights ~ 1/sqrt(j), so
    small models miss signal (bias) and models near p = n fit the noise (variance). For isotropic x the test
    mean squared error of a fit b on the first p features, on fresh noisy targets, is exactly
    |b - beta_p|^2 + |beta_rest|^2 + noise^2, the same quantity the training error measures on the training set.
    """
    rng = np.random.default_rng(20240611)
    n, d = DD_SAMPLES, DD_FEATURES
    test = np.zeros((DD_TRIALS, d))
    train = np.zeros((DD_TRIALS, d))
    weights = 1 / np.sqrt(np.arange(1, d + 1))
    for t in range(DD_TRIALS):
        beta = rng.normal(0, 1, d) * weights
        beta /= np.linalg.norm(beta)
        X = rng.normal(0, 1, (n, d))
        y = X @ beta + rng.normal(0, DD_NOISE, n)
        for p in range(1, d + 1):
            b = np.linalg.pinv(X[:, :p]) @ y
            test[t, p - 1] = np.sum((b - beta[:p]) ** 2) + np.sum(beta[p:] ** 2) + DD_NOISE**2
            train[t, p - 1] = np.mean((X[:, :p] @ b - y) ** 2)
    return np.arange(1, d + 1), np.median(test, axis=0), np.median(train, axis=0)


def double_descent():
    """E05: model-wise double descent of minimum-norm least squares: U-shape, a peak at p = n, a second descent."""
    p, test, train = _double_descent_risk()
    n = DD_SAMPLES
    assert test.argmax() == n - 1 and test[-1] < test[n // 2 - 1]
    fig = figure(3.4)
    ax = plot_axes(fig.add_subplot(), "model size: number of features p", "error (log scale)")
    ax.axvspan(n, p[-1], color=TINT[BLUE], lw=0, zorder=0)
    ax.plot(p, test, color=RED, label="test")
    ax.plot(p[train > 1e-6], train[train > 1e-6], color=BLUE, label="training")
    ax.axvline(n, color=INK, lw=1.4, ls=DASH)
    ax.set_yscale("log")
    ax.set_ylim(0.01, 60)
    ax.set_xlim(0, p[-1])
    ax.set_xticks([0, n, 80, 120])
    ax.set_xticklabels(["0", f"n = {n}", "80", "120"])
    ax.minorticks_off()
    ax.set_yticks([0.01, 0.1, 1, 10])
    ax.set_yticklabels(["0.01", "0.1", "1", "10"])
    ax.text(n + 2, 30, "interpolation threshold\n(training error reaches 0)", fontsize=SMALL, va="top", linespacing=1.1)
    ax.text(3, 1.7, "classical U", fontsize=SMALL, color=RED)
    ax.text((n + p[-1]) / 2, 0.013, "over-parameterized: p > n", fontsize=SMALL, color=BLUE, ha="center")
    ax.text(p[-1] - 2, 1.4, "second descent", fontsize=SMALL, color=RED, ha="right")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 0.12))
    return fig
