"""2026 additions to 08 循环神经网络: Bahdanau attention in an RNN encoder-decoder, teacher forcing against
free running, and word2vec's CBOW and skip-gram.

Notation follows the cards: encoder states h_j, decoder states s_i, weights alpha_ij, context vector c_i
(Bahdanau et al. 2015); word2vec words w_t with a window of two on each side (Mikolov et al. 2013).
"""

from __future__ import annotations

from itertools import pairwise

from .style import (
    BLUE,
    FS,
    GREEN,
    GREY,
    INK,
    ORANGE,
    PURPLE,
    SMALL,
    TINT,
    arrow,
    box,
    canvas,
    circle,
    line,
    rect,
    text,
)

ENC, DEC, ATT, CTX = BLUE, GREEN, ORANGE, PURPLE
MATH = 17.5
"""Size of a label with sub- or superscripts: mathtext draws them at 0.7 of it, 12.25 pt."""

# ---------------------------------------------------------------- A01


def seq2seq_attention():
    """A01: one decoding step i of Bahdanau attention. Every (bidirectional) encoder state h_j is scored against the previous
    decoder state s_{i-1}; the softmax weights alpha_ij (drawn as bars, summing to 1) weight the h_j into the
    context vector c_i, which enters the decoder RNN together with y_{i-1} and s_{i-1} to give s_i."""
    fig, ax = canvas((-0.2, 12.2), (-1.55, 7.05))
    xs = (1.0, 2.75, 4.5, 6.25)  # encoder columns
    weights = (0.10, 0.62, 0.20, 0.08)  # alpha_i1..alpha_i4, a made-up but valid softmax output
    assert abs(sum(weights) - 1.0) < 1e-9
    bw, bh = 1.25, 0.8

    # encoder: inputs x_j and states h_j, with the left-to-right recurrence
    y_h = 0.0
    for j, x in enumerate(xs, start=1):
        box(ax, x, y_h, bw, bh, f"$h_{j}$", fc=TINT[ENC], ec=ENC, lw=2.2, rounding=0.08, fs=MATH)
        text(ax, x, y_h - 1.1, f"$x_{j}$", fs=MATH)
        arrow(ax, (x, y_h - 0.8), (x, y_h - bh / 2), lw=1.8, head=11)
    for a, b in pairwise(xs):  # bidirectional: forward above, backward below
        arrow(ax, (a + bw / 2, y_h + 0.17), (b - bw / 2, y_h + 0.17), color=ENC, lw=1.6, head=9)
        arrow(ax, (b - bw / 2, y_h - 0.17), (a + bw / 2, y_h - 0.17), color=ENC, lw=1.6, head=9)
    text(ax, xs[-1] + bw / 2 + 0.25, y_h + 0.2, "encoder", fs=SMALL, color=ENC, ha="left")
    text(ax, xs[-1] + bw / 2 + 0.25, y_h - 0.3, "(BiRNN)", fs=SMALL, color=ENC, ha="left")

    # score + softmax band, fed by every h_j and by s_{i-1}
    y_band, band_h = 1.95, 1.25
    left, right = xs[0] - bw / 2, xs[-1] + bw / 2
    box(ax, (left + right) / 2, y_band, right - left, band_h, fc=TINT[ATT], ec=ATT, lw=2.0, rounding=0.08)
    text(ax, (left + right) / 2, y_band + 0.25, r"$e_{ij} = \mathrm{score}(s_{i-1}, h_j)$", fs=MATH)
    text(ax, (left + right) / 2, y_band - 0.36, r"softmax over $j$ gives the weights", fs=SMALL)
    for x in xs:
        arrow(ax, (x, y_h + bh / 2), (x, y_band - band_h / 2), lw=1.6, head=10)

    # decoder, right column
    x_dec = 9.9
    y_prev, y_new = y_band, 5.35
    box(ax, x_dec, y_prev, 1.6, bh, "$s_{i-1}$", fc=TINT[DEC], ec=DEC, lw=2.2, rounding=0.08, fs=MATH)
    box(ax, x_dec, y_new, 1.6, bh, "$s_i$", fc=TINT[DEC], ec=DEC, lw=2.2, rounding=0.08, fs=MATH)
    arrow(ax, (x_dec - 0.8, y_prev), (right, y_band), color=DEC, lw=2.0, head=12)
    arrow(ax, (x_dec, y_prev + bh / 2), (x_dec, y_new - bh / 2), color=DEC, lw=2.0, head=12)
    text(ax, x_dec, y_prev - 0.75, "decoder", fs=SMALL, color=DEC)
    arrow(ax, (11.4, y_new - 1.25), (x_dec + 0.8, y_new - 0.2), lw=1.8, head=11)
    text(ax, 11.4, y_new - 1.62, "$y_{i-1}$", fs=MATH)
    arrow(ax, (x_dec, y_new + bh / 2), (x_dec, y_new + 1.05), lw=1.8, head=11)
    text(ax, x_dec, y_new + 1.35, "$y_i$", fs=MATH)

    # attention weights as bars, then the weighted sum
    y_bar = y_band + band_h / 2 + 0.15
    scale = 2.0
    for j, (x, a) in enumerate(zip(xs, weights, strict=True), start=1):
        rect(ax, x - 0.3, y_bar, 0.6, a * scale, fc=TINT[ATT], ec=ATT, lw=1.6)
        text(ax, x + 0.38, y_bar + a * scale / 2 + 0.05, rf"$\alpha_{{i{j}}}$", fs=MATH, ha="left")
    y_sum = y_new
    x_sum = 5.2
    circle(ax, x_sum, y_sum, 0.42, r"$\Sigma$", fc=TINT[CTX], ec=CTX, fs=FS)
    for x, a in zip(xs, weights, strict=True):
        top = y_bar + a * scale
        arrow(
            ax,
            (x, top + 0.05),
            (x_sum, y_sum - 0.42),
            color=CTX,
            lw=0.8 + 4.0 * a,
            head=9,
            shrink_start=1,
            shrink_end=2,
        )
    arrow(ax, (x_sum + 0.42, y_sum), (x_dec - 0.8, y_new), color=CTX, lw=2.0, head=12)
    text(ax, 7.35, y_sum + 0.4, "$c_i$", fs=MATH, color=CTX)
    text(ax, x_sum - 0.6, y_sum + 0.75, r"$c_i = \sum_j \alpha_{ij} h_j$", fs=MATH, color=CTX, ha="right")
    return fig


# ---------------------------------------------------------------- A02


def _decoder_row(ax, y, inputs, input_colours, label, feedback):
    """Three unrolled decoder steps at height y; inputs under the cells, predictions above."""
    xs = (1.4, 5.0, 8.6)
    bw, bh = 1.5, 0.8
    gap = 1.2  # centre of a cell to the centre of its input or output token
    text(ax, 0.05, y + gap + 0.75, label, fs=SMALL, ha="left")
    for k, x in enumerate(xs):
        box(ax, x, y, bw, bh, "RNN", fc=TINT[GREY], ec=INK, lw=1.8, fs=SMALL, rounding=0.08)
        colour = input_colours[k]
        box(
            ax,
            x,
            y - gap,
            1.25,
            0.7,
            inputs[k],
            fc=TINT[colour],
            ec=colour,
            lw=1.8,
            fs=MATH if "$" in inputs[k] else SMALL,
            rounding=0.08,
        )
        arrow(ax, (x, y - gap + 0.35), (x, y - bh / 2), lw=1.6, head=10)
        box(ax, x, y + gap, 1.25, 0.7, rf"$\hat y_{k + 1}$", fc=TINT[ATT], ec=ATT, lw=1.8, fs=MATH, rounding=0.08)
        arrow(ax, (x, y + bh / 2), (x, y + gap - 0.35), lw=1.6, head=10)
    for a, b in pairwise(xs):
        arrow(ax, (a + bw / 2, y), (b - bw / 2, y), lw=1.8, head=11)
    if feedback:  # each prediction becomes the next step's input (dashed)
        for a, b in pairwise(xs):
            arrow(
                ax,
                (a + 0.58, y + gap - 0.1),
                (b - 0.58, y - gap + 0.1),
                color=ATT,
                lw=1.8,
                head=11,
                ls=(0, (4, 2)),
                shrink_start=1,
                shrink_end=1,
            )


def teacher_forcing():
    """A02: the same decoder unrolled twice. Training with teacher forcing feeds the true previous token y_{t-1}
    (green); inference (free running) feeds back the model's own previous prediction (orange, dashed)."""
    fig, ax = canvas((-0.1, 9.9), (-1.75, 6.55))
    _decoder_row(
        ax,
        4.3,
        ("<bos>", "$y_1$", "$y_2$"),
        (GREY, DEC, DEC),
        "training (teacher forcing): true previous token",
        feedback=False,
    )
    _decoder_row(
        ax,
        0.0,
        ("<bos>", r"$\hat y_1$", r"$\hat y_2$"),
        (GREY, ATT, ATT),
        "inference (free running): own previous prediction",
        feedback=True,
    )
    return fig


# ---------------------------------------------------------------- A03


def w2v_skipgram_cbow():
    """A03: Mikolov et al. 2013, Fig. 1 redrawn. CBOW averages the context words' vectors to predict the centre
    word w_t; skip-gram predicts each context word from the centre word's vector. Window: two on each side."""
    fig, ax = canvas((-0.1, 12.1), (-0.35, 6.75))
    context = ("$w_{t-2}$", "$w_{t-1}$", "$w_{t+1}$", "$w_{t+2}$")
    ys = (4.8, 3.5, 2.2, 0.9)
    mid = sum(ys) / len(ys)
    bw, bh = 1.6, 0.8

    def word(x, y, label, colour):
        box(ax, x, y, bw, bh, label, fc=TINT[colour], ec=colour, lw=2.0, fs=MATH, rounding=0.08)

    # CBOW: context (input) -> average (projection) -> centre word (output)
    x_in, x_proj, x_out = 0.85, 3.05, 5.0
    for y, label in zip(ys, context, strict=True):
        word(x_in, y, label, ENC)
        arrow(ax, (x_in + bw / 2, y), (x_proj - 0.45, mid), lw=1.6, head=10, shrink_end=2)
    circle(ax, x_proj, mid, 0.45, "avg", fc=TINT[GREY], fs=SMALL)
    word(x_out, mid, "$w_t$", DEC)
    arrow(ax, (x_proj + 0.45, mid), (x_out - bw / 2, mid), lw=1.8, head=11)
    text(ax, 2.95, 6.35, "CBOW", fs=FS, weight="bold")

    # skip-gram: centre word (input) -> projection -> each context word (output)
    x_in, x_proj, x_out = 7.1, 8.9, 11.15
    word(x_in, mid, "$w_t$", DEC)
    circle(ax, x_proj, mid, 0.45, "", fc=TINT[GREY])
    arrow(ax, (x_in + bw / 2, mid), (x_proj - 0.45, mid), lw=1.8, head=11)
    for y, label in zip(ys, context, strict=True):
        word(x_out, y, label, ENC)
        arrow(ax, (x_proj + 0.45, mid), (x_out - bw / 2, y), lw=1.6, head=10, shrink_start=2)
    text(ax, 9.15, 6.35, "skip-gram", fs=FS, weight="bold")

    for x, label in (
        (0.85, "input"),
        (3.05, "projection"),
        (5.0, "output"),
        (7.1, "input"),
        (8.9, "projection"),
        (11.15, "output"),
    ):
        text(ax, x, -0.05, label, fs=SMALL, color=GREY)
    line(ax, ((6.05, 0.3), (6.05, 6.0)), color=GREY, lw=1.2, ls=(0, (4, 3)))
    return fig
