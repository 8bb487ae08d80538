"""Fine-tuning and alignment of large language models: LoRA, the RLHF pipeline, PPO's clipped objective,
DPO against PPO, and GRPO's group-relative advantage."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Polygon

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
    figure,
    line,
    plot_axes,
    rect,
    text,
)

TRAINED, FROZEN = ORANGE, BLUE
"""One colour for every model that is updated, one for every model that is frozen, in all the figures."""

MATH = 17.5
"""Size of math with sub- or superscripts: the scripts are drawn at 0.7 of it, so they reach 12 pt."""


def _trapezoid(ax, cx, y0, y1, w0, w1, colour, lw=2.0, z=2):
    """A trapezoid centred on cx, from width w0 at height y0 to width w1 at height y1."""
    corners = [(cx - w0 / 2, y0), (cx + w0 / 2, y0), (cx + w1 / 2, y1), (cx - w1 / 2, y1)]
    ax.add_patch(Polygon(corners, closed=True, fc=TINT[colour], ec=colour, lw=lw, zorder=z))


# ---------------------------------------------------------------- P01


def lora():
    """P01: h = W0 x + (alpha/r) B A x: the frozen d x k matrix beside the trainable path x -> A (k to r) -> B (r to d)."""
    fig, ax = canvas((-0.1, 12.1), (-2.15, 8.45))
    # input and output vectors as flat bars
    rect(ax, 1.0, 0.0, 9.8, 0.55, fc=TINT[GREY], ec=GREY, lw=1.6)
    text(ax, 0.85, 0.28, "$x$", fs=FS + 2, ha="right")
    text(ax, 10.95, 0.28, "$k$", fs=SMALL, ha="left", color=GREY)
    rect(ax, 1.0, 7.6, 9.8, 0.55, fc=TINT[GREY], ec=GREY, lw=1.6)
    text(ax, 0.85, 7.88, "$h$", fs=FS + 2, ha="right")
    text(ax, 10.95, 7.88, "$d$", fs=SMALL, ha="left", color=GREY)

    # frozen pretrained weight
    wx, wy = 3.4, 3.6
    box(ax, wx, wy, 3.8, 3.6, fc=TINT[FROZEN], ec=FROZEN, lw=2.4, rounding=0.05)
    text(ax, wx, wy + 0.75, "pretrained", fs=SMALL)
    text(ax, wx, wy + 0.05, r"$W_0 \in \mathbb{R}^{d\times k}$", fs=MATH)
    text(ax, wx, wy - 0.8, "frozen", fs=SMALL, color=FROZEN, fontweight="bold")

    # trainable low-rank path
    lx = 8.5
    _trapezoid(ax, lx, 1.2, 3.3, 3.2, 0.7, TRAINED)
    text(ax, lx, 1.95, "$A$", fs=FS + 2)
    text(ax, lx + 1.05, 2.75, r"$r\times k$", fs=SMALL, ha="left")
    text(ax, lx - 1.75, 1.55, "init:\nrandom", fs=SMALL, color=TRAINED, ha="right", linespacing=1.1)
    _trapezoid(ax, lx, 4.1, 6.2, 0.7, 3.2, TRAINED)
    text(ax, lx, 5.45, "$B$", fs=FS + 2)
    text(ax, lx + 1.05, 4.6, r"$d\times r$", fs=SMALL, ha="left")
    text(ax, lx + 1.75, 5.75, "init:\n$B = 0$", fs=SMALL, color=TRAINED, ha="left", linespacing=1.1)
    text(ax, lx + 1.7, 1.55, "trained", fs=SMALL, color=TRAINED, ha="left", fontweight="bold")
    text(ax, lx - 0.55, 3.7, "rank $r$", fs=SMALL, ha="right", color=GREY)
    text(ax, lx + 0.55, 3.7, r"$\times\,\alpha / r$", fs=SMALL, ha="left")
    line(ax, [(lx, 3.3), (lx, 4.1)], color=TRAINED, lw=2.0)

    # flow
    plus = (6.0, 6.95)
    arrow(ax, (wx, 0.55), (wx, wy - 1.8), lw=2.0, head=13)
    arrow(ax, (lx, 0.55), (lx, 1.2), lw=2.0, head=13)
    arrow(ax, (wx, wy + 1.8), (plus[0] - 0.3, plus[1] - 0.2), lw=2.0, head=13)
    arrow(ax, (lx, 6.2), (plus[0] + 0.3, plus[1] - 0.2), lw=2.0, head=13)
    circle(ax, *plus, 0.32, "+", fc=TINT[GREY], fs=FS + 2)
    arrow(ax, (plus[0], plus[1] + 0.32), (plus[0], 7.6), lw=2.0, head=13)

    text(ax, 6.0, -0.75, r"$h = W_0 x + (\alpha / r)\, B A x$", fs=MATH)
    text(ax, 6.0, -1.65, r"merged: $W = W_0 + (\alpha / r)\, B A$", fs=MATH)
    return fig


# ---------------------------------------------------------------- P02


def rlhf_pipeline():
    """P02: the three steps of InstructGPT (SFT -> reward model -> PPO), and the four models of the PPO step."""
    fig, ax = canvas((-0.1, 12.1), (-0.55, 10.2))
    f = SMALL
    # top row: the three steps
    steps = (
        (2.0, "step 1: SFT", "demonstrations\n→ supervised\nfine-tuning", GREEN),
        (6.0, "step 2: RM", "rank K outputs →\nreward model\n(Bradley–Terry loss)", PURPLE),
        (10.0, "step 3: PPO", "maximise reward\n− β · KL to the\nSFT model", RED),
    )
    for cx, title, body, colour in steps:
        box(ax, cx, 8.55, 3.5, 2.55, fc=TINT[colour], ec=colour, lw=2.2)
        text(ax, cx, 9.45, title, fs=FS, fontweight="bold", color=colour)
        text(ax, cx, 8.2, body, fs=f, linespacing=1.15)
    for x0 in (3.75, 7.75):
        arrow(ax, (x0, 8.55), (x0 + 0.5, 8.55), lw=2.2, head=14)
    line(ax, [(0.1, 6.75), (11.9, 6.75)], color=GREY, lw=1.2, ls=(0, (4, 3)))
    text(ax, 0.1, 6.3, "inside step 3: four models", fs=f, ha="left", color=GREY)

    # bottom: the four models of PPO
    bw, bh = 2.5, 1.25

    def model(cx, cy, label, note, colour):
        name, symbol = label.split("\n")
        box(ax, cx, cy, bw, bh, fc=TINT[colour], ec=colour, lw=2.2)
        text(ax, cx, cy + 0.28, name, fs=f)
        text(ax, cx, cy - 0.25, symbol, fs=MATH)
        text(ax, cx, cy - bh / 2 - 0.3, note, fs=f, color=colour)

    actor_x, mx, adv_x = 3.0, 7.1, 10.75
    text(ax, 0.0, 3.0, "prompt\n$x$", fs=f, ha="left", linespacing=1.1)
    model(actor_x, 3.0, "actor\n$\\pi_\\theta$", "trained (from SFT)", TRAINED)
    arrow(ax, (1.05, 3.0), (actor_x - bw / 2, 3.0), lw=2.0, head=12)
    rows = (
        (5.15, "reward model\n$r_\\phi$", "frozen", FROZEN, "score", (9.3, 4.75)),
        (3.0, "reference\n$\\pi_{\\mathrm{ref}}$", "frozen (SFT copy)", FROZEN, "KL", (9.0, 3.3)),
        (0.85, "critic\n$V_\\psi$", "trained (from RM)", TRAINED, "values", (9.45, 1.3)),
    )
    for cy, label, note, colour, out, (lx, ly) in rows:
        model(mx, cy, label, note, colour)
        arrow(ax, (actor_x + bw / 2, 3.0), (mx - bw / 2, cy), lw=1.8, head=11)
        arrow(ax, (mx + bw / 2, cy), (adv_x - 1.05, 3.0 + (cy - 3.0) * 0.3), lw=1.8, head=11)
        text(ax, lx, ly, out, fs=f, color=GREY)
    text(ax, 5.0, 3.3, "$(x, y)$", fs=f)
    box(ax, adv_x, 3.0, 2.1, 1.5, "advantage\n(GAE) →\nPPO loss", fs=f, fc=TINT[GREY], ec=GREY, lw=1.8, linespacing=1.1)
    return fig


# ---------------------------------------------------------------- P03


def ppo_clip():
    """P03: L_CLIP = min(rho A, clip(rho, 1-eps, 1+eps) A) against rho, for A > 0 and A < 0 (eps = 0.2)."""
    eps = 0.2
    rho = np.linspace(0.2, 1.8, 321)
    fig = figure(3.3)
    axes = fig.subplots(1, 2)
    for ax, adv in zip(axes, (1.0, -1.0), strict=True):
        unclipped = rho * adv
        clipped = np.minimum(rho * adv, np.clip(rho, 1 - eps, 1 + eps) * adv)
        plot_axes(ax, xlabel=r"ratio $\rho$")
        for v in (1 - eps, 1 + eps):
            ax.axvline(v, color=GREY, lw=1.0, ls=(0, (3, 3)), zorder=0)
        ax.plot(rho, unclipped, color=GREY, lw=1.8, ls=(0, (5, 3)), zorder=1)
        ax.plot(rho, clipped, color=RED if adv > 0 else BLUE, lw=3.0, zorder=2)
        ax.plot([1.0], [adv], "o", color=INK, ms=7, zorder=3)
        ax.set_xlim(0.2, 1.8)
        ax.set_xticks([1 - eps, 1.0, 1 + eps])
        ax.set_xticklabels([r"$1-\epsilon$", "1", r"$1+\epsilon$"])
        if adv > 0:
            ax.set_title(r"$\hat A > 0$")
            ax.set_ylim(0.1, 1.9)
            ax.text(1.5, 1.1, "flat:\nno gradient", fontsize=SMALL, ha="center", va="top", linespacing=1.1)
            ax.text(1.4, 1.58, "unclipped", fontsize=SMALL, color=GREY, ha="right")
        else:
            ax.set_title(r"$\hat A < 0$")
            ax.set_ylim(-1.9, -0.1)
            ax.text(0.5, -1.25, "flat:\nno gradient", fontsize=SMALL, ha="center", va="top", linespacing=1.1)
            ax.text(0.6, -0.42, "unclipped", fontsize=SMALL, color=GREY, ha="left")
        ax.set_yticks([])
    axes[0].set_ylabel(r"$L^{\mathrm{CLIP}}$", fontsize=MATH)
    return fig


# ---------------------------------------------------------------- P04


def dpo_vs_ppo():
    """P04: RLHF with PPO (reward model, then an online sampling loop) against DPO (one offline loss on the policy)."""
    fig, ax = canvas((-0.1, 12.1), (-0.35, 7.75))
    f = SMALL
    bh = 1.35

    def node(cx, cy, w, label, colour=None):
        box(ax, cx, cy, w, bh, label, fc=TINT[colour] if colour else None, ec=colour or INK, fs=f, linespacing=1.1)

    # PPO row
    y = 5.6
    text(ax, 0.0, 7.35, "RLHF with PPO", fs=FS, ha="left", fontweight="bold", color=RED)
    node(1.35, y, 2.5, "preference\npairs", GREY)
    node(4.6, y, 2.5, "fit reward\nmodel", PURPLE)
    node(8.0, y, 2.9, "sample, score,\nPPO step", RED)
    node(11.05, y, 1.7, "policy", GREEN)
    for a, b in ((2.6, 3.35), (5.85, 6.55), (9.45, 10.2)):
        arrow(ax, (a, y), (b, y), lw=2.0, head=13)
    arrow(ax, (8.75, y + bh / 2), (7.25, y + bh / 2), lw=1.8, head=12, rad=0.9, color=RED, z=3)
    text(ax, 8.0, 3.95, "online: new samples every step · 4 models", fs=f, color=RED)

    line(ax, [(0.1, 3.35), (11.9, 3.35)], color=GREY, lw=1.2, ls=(0, (4, 3)))

    # DPO row
    y = 1.6
    text(ax, 0.0, 2.75, "DPO", fs=FS, ha="left", fontweight="bold", color=BLUE)
    node(1.35, y, 2.5, "preference\npairs", GREY)
    node(6.25, y, 5.4, "one classification loss\non the policy", BLUE)
    node(11.05, y, 1.7, "policy", GREEN)
    arrow(ax, (2.6, y), (3.55, y), lw=2.0, head=13)
    arrow(ax, (8.95, y), (10.2, y), lw=2.0, head=13)
    text(ax, 6.25, -0.0, "offline: fixed data · 2 models · no reward model", fs=f, color=BLUE)
    return fig


# ---------------------------------------------------------------- P05


def grpo_group_advantage():
    """P05: one question, G = 6 sampled answers, 0/1 rewards, and the group-normalised advantages as bars."""
    rewards = np.array([1, 0, 0, 1, 0, 0], dtype=float)
    adv = (rewards - rewards.mean()) / rewards.std()
    fig, ax = canvas((-0.1, 12.1), (-2.0, 7.4))
    f = SMALL
    ys = [5.9 - 1.0 * i for i in range(len(rewards))]
    box(ax, 0.8, 3.4, 1.6, 1.2, "question\n$q$", fc=TINT[GREY], ec=GREY, fs=f, linespacing=1.1)
    box(ax, 2.9, 3.4, 1.6, 1.3, fc=TINT[TRAINED], ec=TRAINED)
    text(ax, 2.9, 3.7, "policy", fs=f)
    text(ax, 2.9, 3.15, r"$\pi_{\mathrm{old}}$", fs=MATH)
    arrow(ax, (1.6, 3.4), (2.1, 3.4), lw=1.8, head=11)
    text(ax, 2.5, 2.35, "$G = 6$ samples", fs=f, color=GREY)
    text(ax, 5.05, 6.95, "answers", fs=f, color=GREY)
    text(ax, 6.75, 6.95, "reward", fs=f, color=GREY)
    text(ax, 9.75, 6.95, "advantage", fs=f, color=GREY)
    zero, scale = 9.75, 1.25
    for i, (y, r, a) in enumerate(zip(ys, rewards, adv, strict=True)):
        arrow(ax, (3.7, 3.4), (4.35, y), lw=1.4, head=9, color=GREY)
        colour = GREEN if r > 0 else RED
        box(ax, 5.05, y, 1.3, 0.8, fc=TINT[colour], ec=colour, lw=1.8)
        text(ax, 5.05, y + 0.02, f"$o_{i + 1}$", fs=MATH)
        text(ax, 6.75, y, ("correct  1" if r > 0 else "wrong  0"), fs=f, color=colour)
        rect(ax, min(zero, zero + a * scale), y - 0.27, abs(a) * scale, 0.54, fc=TINT[colour], ec=colour, lw=1.8)
    line(ax, [(zero, ys[-1] - 0.55), (zero, ys[0] + 0.55)], color=INK, lw=1.6)
    text(ax, zero, ys[-1] - 0.8, "0", fs=f)
    text(ax, 6.0, -0.85, r"$\hat A_i = (r_i - \mathrm{mean}(\mathbf{r}))\, /\, \mathrm{std}(\mathbf{r})$", fs=MATH)
    text(ax, 6.0, -1.65, "the group mean (here 1/3) is the baseline: no critic", fs=f, color=GREY)
    return fig
