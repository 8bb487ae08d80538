"""Pre-trained language models: BPE merges, BERT input embeddings, top-k / top-p cut-offs, MoE router, forward vs
reverse KL."""

from __future__ import annotations

import itertools

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

DASH = (0, (5, 3))

# ---------------------------------------------------------------- L01

BPE_CORPUS = (("hug", 10), ("pug", 5), ("pun", 12), ("bun", 4), ("hugs", 5))


def _bpe_steps(corpus, n_merges):
    """Run BPE training on (word, count) pairs: every state of the segmentation and every merge (pair, count)."""
    words = [(list(w), c) for w, c in corpus]
    states, merges = [[list(s) for s, _ in words]], []
    for _ in range(n_merges):
        counts: dict[tuple[str, str], int] = {}
        for symbols, c in words:
            for a, b in itertools.pairwise(symbols):
                counts[(a, b)] = counts.get((a, b), 0) + c
        best = max(counts, key=lambda p: counts[p])  # ties do not occur in this corpus
        merges.append((best, counts[best]))
        new_words = []
        for symbols, c in words:
            out, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    out.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            new_words.append((out, c))
        words = new_words
        states.append([list(s) for s, _ in words])
    return states, merges


def bpe_merges():
    """L01: BPE training on a toy corpus: three merges, each of the most frequent adjacent pair; then encoding."""
    states, merges = _bpe_steps(BPE_CORPUS, 3)
    fig, ax = canvas((0, 12), (-0.65, 8.3))
    char_w, pad, gap = 0.27, 0.16, 0.12
    word_x = (0.15, 2.55, 4.95, 7.35, 9.75)
    row_h = 0.62

    def row(y, segmentation, new_token=None):
        for x0, symbols in zip(word_x, segmentation, strict=True):
            x = x0
            for s in symbols:
                w = pad + char_w * len(s)
                hot = s == new_token
                box(
                    ax,
                    x + w / 2,
                    y,
                    w,
                    row_h,
                    s,
                    fc=TINT[ORANGE] if hot else (TINT[BLUE] if len(s) > 1 else TINT[GREY]),
                    ec=ORANGE if hot else (BLUE if len(s) > 1 else GREY),
                    fs=FS,
                    lw=2.0 if hot else 1.4,
                    rounding=0.06,
                )
                x += w + gap

    text(ax, 0.15, 8.0, "corpus (word × count)", fs=SMALL, ha="left", color=GREY)
    for x0, (word, count) in zip(word_x, BPE_CORPUS, strict=True):
        text(ax, x0, 7.5, f"{word} ×{count}", fs=SMALL, ha="left")
    y = 6.1
    text(ax, 0.15, y + 0.72, "start: single characters", fs=SMALL, ha="left", color=GREY, fontweight="bold")
    row(y, states[0])
    for k, ((a, b), count) in enumerate(merges, start=1):
        y -= 1.55
        text(
            ax,
            0.15,
            y + 0.72,
            f"merge {k}:  {a} + {b} → {a + b}   (pair count {count})",
            fs=SMALL,
            ha="left",
            color=ORANGE,
            fontweight="bold",
        )
        row(y, states[k], new_token=a + b)
    line(ax, [(0.15, 0.7), (11.85, 0.7)], color=GREY, lw=1.0)
    text(ax, 0.15, 0.25, "encode new words with the merges in order:", fs=SMALL, ha="left", color=GREY)
    text(ax, 0.15, -0.3, "bug → b + ug", fs=SMALL, ha="left")
    text(ax, 4.0, -0.3, "mug → [UNK] + ug   (no 'm' in base vocab)", fs=SMALL, ha="left", color=RED)
    return fig


# ---------------------------------------------------------------- L02

BERT_TOKENS = ("[CLS]", "the", "cat", "[MASK]", "[SEP]", "it", "purrs", "[SEP]")


def bert_mlm_input():
    """L02: BERT input = token + segment + position embeddings; the MLM head predicts the masked token."""
    n = len(BERT_TOKENS)
    col = 1.5
    fig, ax = canvas((0, n * col), (-0.45, 9.35))
    xs = [col * (i + 0.5) for i in range(n)]
    w, h = col - 0.14, 0.72
    rows = (  # (y, caption, labels, colour)
        (4.55, "token embeddings (WordPiece)", BERT_TOKENS, BLUE),
        (2.75, "segment embeddings", tuple("A" if i <= 4 else "B" for i in range(n)), GREEN),
        (0.95, "position embeddings (learned)", tuple(str(i) for i in range(n)), ORANGE),
    )
    for r, (y, caption, labels, colour) in enumerate(rows):
        text(ax, 0.08, y + 0.78, caption, fs=SMALL, ha="left", color=colour, fontweight="bold")
        if r:
            text(ax, n * col - 0.1, y + 0.8, "+", fs=FS + 4, ha="right", color=INK)
        for x, label in zip(xs, labels, strict=True):
            hot = label == "[MASK]"
            box(
                ax,
                x,
                y,
                w,
                h,
                label,
                fc=TINT[RED] if hot else TINT[colour],
                ec=RED if hot else colour,
                fs=SMALL,
                lw=2.2 if hot else 1.5,
                rounding=0.06,
            )
    enc_y = 6.85
    box(ax, n * col / 2, enc_y, n * col - 0.2, 0.85, "Transformer encoder (bidirectional)", fc=TINT[GREY], ec=INK, fs=FS)
    for x in xs:  # start above the caption of the token row, so the arrows do not cross its text
        arrow(ax, (x, 5.62), (x, enc_y - 0.45), lw=1.4, head=10, color=GREY)
    text(ax, n * col / 2, -0.05, "input to the encoder = sum of the three rows", fs=SMALL, color=GREY)
    mask_x = xs[BERT_TOKENS.index("[MASK]")]
    arrow(ax, (mask_x, enc_y + 0.45), (mask_x, 8.4), lw=2.2, head=13, color=RED)
    text(ax, mask_x + 0.2, 8.9, "MLM: predict “sleeps”", fs=SMALL, ha="left", color=RED, fontweight="bold")
    cls_x = xs[0]
    arrow(ax, (cls_x, enc_y + 0.45), (cls_x, 8.4), lw=2.2, head=13, color=PURPLE)
    text(ax, cls_x - 0.6, 8.9, "NSP: IsNext?", fs=SMALL, ha="left", color=PURPLE, fontweight="bold")
    return fig


# ---------------------------------------------------------------- L03


def _nucleus(p, top_p):
    """Number of tokens in the smallest prefix of the sorted distribution with mass >= top_p."""
    return int(np.searchsorted(np.cumsum(p), top_p - 1e-12) + 1)


def _dist(logits):
    z = np.exp(np.asarray(logits, dtype=float))
    return np.sort(z / z.sum())[::-1]


def decoding_topk_topp():
    """L03: sorted next-token probabilities, peaked and flat; the top-k (k = 4) and top-p (p = 0.9) cut-offs."""
    k, top_p, n = 4, 0.9, 14
    peaked = _dist([4.6, 3.5, 1.0, 0.6, 0.3, 0.2, 0.1, 0.0, -0.1, -0.2, -0.3, -0.4, -0.5, -0.6])
    flat = _dist([1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5, 0.4, 0.3, 0.1, -0.6, -1.2])
    fig = figure(5.3)
    axes = fig.subplots(2, 1, sharex=True)
    for ax, p, title in zip(axes, (peaked, flat), ("peaked: the model is sure", "flat: many good continuations"), strict=True):
        m = _nucleus(p, top_p)
        colours = [BLUE if i < m else GREY for i in range(n)]
        fills = [TINT[BLUE] if i < m else TINT[GREY] for i in range(n)]
        ax.bar(np.arange(n), p, width=0.72, color=fills, edgecolor=colours, linewidth=1.4, zorder=2)
        ax.axvline(k - 0.5, color=RED, lw=2.2, ls=DASH, zorder=3)
        ax.axvline(m - 0.5, color=BLUE, lw=2.2, zorder=3)
        top = p.max() * 1.12
        ax.set_ylim(0, top)
        ax.text(k - 0.35, top * 0.97, f"top-k (k={k})", color=RED, fontsize=SMALL, ha="left", va="top")
        if m < k:
            ax.text(k - 0.35, top * 0.62, f"top-p (p={top_p}):\n{m} tokens", color=BLUE, fontsize=SMALL, ha="left",
                    va="top", linespacing=1.15)
        else:
            ax.text(m - 0.65, top * 0.97, f"top-p (p={top_p}):\n{m} tokens", color=BLUE, fontsize=SMALL, ha="right",
                    va="top", linespacing=1.15)
        ax.set_title(title, fontsize=SMALL, loc="right")
        ax.set_yticks([0, round(float(p.max()), 1) if p.max() > 0.3 else 0.1])
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}")
        plot_axes(ax, ylabel="$P$")
    axes[1].set_xticks([])
    axes[1].set_xlabel("candidate tokens, sorted by probability")
    return fig


# ---------------------------------------------------------------- L04


def moe_router():
    """L04: a token's router scores over 8 experts; the top-2 run, weighted by their gates; a shared expert always runs."""
    probs = np.array([0.05, 0.08, 0.34, 0.06, 0.04, 0.25, 0.11, 0.07])
    chosen = set(np.argsort(probs)[-2:].tolist())
    fig, ax = canvas((0, 12), (-0.2, 9.75))
    xs = [0.8 + 1.2 * i for i in range(8)]
    shared_x = 11.1
    # input and router
    text(ax, 4.9, 0.25, "token $x$", fs=FS)
    box(ax, 4.9, 1.55, 6.6, 0.85, fc=TINT[PURPLE], ec=PURPLE)
    runs(ax, 4.9, 1.55, (("router:", SMALL), (r"$g = \mathrm{softmax}(W_r\,x)$", MATH)))
    arrow(ax, (4.9, 0.55), (4.9, 1.15), lw=2.0, head=12)
    # gate bars
    base, scale = 2.55, 4.2
    for i, (x, p) in enumerate(zip(xs, probs, strict=True)):
        hot = i in chosen
        c = ORANGE if hot else GREY
        rect(ax, x - 0.3, base, 0.6, p * scale, fc=TINT[c], ec=c, lw=1.4)
        if hot:
            text(ax, x, base + p * scale + 0.25, f"{p:.2f}", fs=SMALL, color=ORANGE)
    line(ax, [(xs[0] - 0.5, base), (xs[-1] + 0.5, base)], color=GREY, lw=1.2)
    text(ax, xs[-1] + 0.45, base + 1.25, "top-2", fs=SMALL, color=ORANGE, ha="right", fontweight="bold")
    # experts
    ey = 5.3
    for i, x in enumerate(xs):
        hot = i in chosen
        box(
            ax,
            x,
            ey,
            1.0,
            0.8,
            f"E{i + 1}",
            fc=TINT[ORANGE] if hot else None,
            ec=ORANGE if hot else GREY,
            color=INK if hot else GREY,
            fs=SMALL,
            lw=2.2 if hot else 1.2,
        )
    box(ax, shared_x, ey, 1.3, 0.8, "shared", fc=TINT[GREEN], ec=GREEN, fs=SMALL, lw=2.2)
    text(ax, shared_x, ey - 0.75, "always on", fs=SMALL, color=GREEN)
    # sum
    sy = 7.6
    circle(ax, 6.0, sy, 0.38, "+", fc=TINT[GREY], fs=FS + 2)
    for i in sorted(chosen):
        x = xs[i]
        arrow(ax, (x, ey + 0.42), (6.0 - 0.25 * np.sign(6.0 - x), sy - 0.3), lw=2.2, head=12, color=ORANGE)
        text(ax, (x + 6.0) / 2 - 0.7 * np.sign(6.0 - x), (ey + sy) / 2 + 0.2, f"$g_{{{i + 1}}}$", fs=MATH, color=ORANGE)
    arrow(ax, (shared_x, ey + 0.42), (6.38, sy + 0.05), lw=2.2, head=12, color=GREEN)
    arrow(ax, (6.0, sy + 0.38), (6.0, 8.75), lw=2.0, head=12)
    text(ax, 6.0, 9.2, r"$y = g_3 E_3(x) + g_6 E_6(x) + E_s(x)$", fs=MATH)
    text(ax, 0.3, 8.2, "6 experts idle:\nno compute", fs=SMALL, ha="left", color=GREY, linespacing=1.15)
    return fig


# ---------------------------------------------------------------- L05


def _kl(p, q, dx):
    mask = p > 1e-300
    return float(np.sum(p[mask] * (np.log(p[mask]) - np.log(np.maximum(q[mask], 1e-300)))) * dx)


def _gauss(x, mu, sigma):
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (np.sqrt(2 * np.pi) * sigma)


def kl_forward_reverse():
    """L05: a bimodal p fitted by one Gaussian q: argmin KL(p||q) covers both modes, argmin KL(q||p) locks onto one.

    Both fits are found by grid search, so the picture is the actual minimiser, not a sketch.
    """
    x = np.linspace(-6, 6, 241)
    dx = x[1] - x[0]
    p = 0.5 * _gauss(x, -2.5, 0.8) + 0.5 * _gauss(x, 2.5, 0.8)
    mus = np.linspace(-4, 4, 161)
    sigmas = np.linspace(0.3, 4.0, 149)
    best_f, best_r = (np.inf, 0, 0), (np.inf, 0, 0)
    for mu in mus:
        for s in sigmas:
            q = _gauss(x, mu, s)
            f, r = _kl(p, q, dx), _kl(q, p, dx)
            if f < best_f[0]:
                best_f = (f, mu, s)
            if r < best_r[0]:
                best_r = (r, mu, s)
    fig = figure(3.1)
    axes = fig.subplots(1, 2, sharey=True)
    fits = (
        (best_f, r"$\min_q \mathrm{KL}(p\,\|\,q)$", "forward KL: mean-seeking", RED),
        (best_r, r"$\min_q \mathrm{KL}(q\,\|\,p)$", "reverse KL: mode-seeking", GREEN),
    )
    for ax, ((_, mu, s), title, tag, colour) in zip(axes, fits, strict=True):
        ax.fill_between(x, p, color=TINT[BLUE], lw=0, zorder=1)
        ax.plot(x, p, color=BLUE, lw=2.2, zorder=2, label="$p$")
        ax.plot(x, _gauss(x, mu, s), color=colour, lw=2.6, zorder=3, label="$q$")
        ax.set_title(title, fontsize=MATH)  # the q under min is a script: MATH keeps it at 12 pt
        ax.set_xlabel(tag, color=colour, fontsize=SMALL)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlim(-6, 6)
        ax.set_ylim(0, 0.62)
        plot_axes(ax)
    axes[0].legend(loc="upper left", handlelength=1.2)
    return fig
