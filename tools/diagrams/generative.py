"""Generative models, self-supervised and multimodal learning: VAE reparameterization, the diffusion chain, latent
diffusion, SimCLR, the CLIP similarity matrix, ViT patches, MAE masking and the VLM architecture."""

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
    TEAL,
    TINT,
    YELLOW,
    arrow,
    box,
    canvas,
    line,
    rect,
    text,
)

LW = 1.8  # arrow width shared by the schematics below
HEAD = 11


def _link(ax, a, b, color=INK, **kw):
    arrow(ax, a, b, lw=LW, head=HEAD, color=color, **kw)


# ---------------------------------------------------------------- G01


def vae_reparam():
    """G01: sampling z ~ N(mu, sigma^2) blocks the gradient to the encoder; z = mu + sigma * eps lets it through."""
    fig, ax = canvas((-0.1, 12.1), (-0.55, 7.45))
    rows = {"direct": 5.4, "reparam": 1.95}
    zx, zw = 6.55, 2.5  # the middle node
    for y in rows.values():
        box(ax, 0.5, y, 0.85, 0.8, "$x$", fc=TINT[BLUE], ec=BLUE, fs=FS)
        box(ax, 2.25, y, 1.8, 1.05, "encoder\n$\\phi$", fc=TINT[GREEN], ec=GREEN, fs=SMALL, linespacing=1.1)
        box(ax, 4.15, y + 0.42, 0.75, 0.62, "$\\mu$", fc=TINT[GREEN], ec=GREEN, fs=FS, lw=1.5)
        box(ax, 4.15, y - 0.42, 0.75, 0.62, "$\\sigma$", fc=TINT[GREEN], ec=GREEN, fs=FS, lw=1.5)
        box(ax, 9.45, y, 1.8, 1.05, "decoder\n$\\theta$", fc=TINT[PURPLE], ec=PURPLE, fs=SMALL, linespacing=1.1)
        box(ax, 11.5, y, 0.85, 0.8, "$\\hat x$", fc=TINT[BLUE], ec=BLUE, fs=FS)
        _link(ax, (0.93, y), (1.35, y))
        _link(ax, (3.15, y + 0.3), (3.77, y + 0.42))
        _link(ax, (3.15, y - 0.3), (3.77, y - 0.42))
        _link(ax, (4.53, y + 0.42), (zx - zw / 2, y + 0.2))
        _link(ax, (4.53, y - 0.42), (zx - zw / 2, y - 0.2))
        _link(ax, (zx + zw / 2, y), (8.55, y))
        _link(ax, (10.35, y), (11.07, y))
    # top: a random sampling node
    y = rows["direct"]
    box(
        ax,
        zx,
        y,
        zw,
        1.05,
        "random\nsample $z$",
        fc=TINT[ORANGE],
        ec=ORANGE,
        fs=SMALL,
        linespacing=1.15,
    )
    arrow(ax, (9.45, y + 0.85), (zx - zw / 2 + 0.1, y + 0.85), color=RED, lw=LW, head=HEAD, ls="--")
    cx, cy, d = zx - zw / 2 - 0.15, y + 0.85, 0.2
    line(ax, [(cx - d, cy - d), (cx + d, cy + d)], color=RED, lw=2.6)
    line(ax, [(cx - d, cy + d), (cx + d, cy - d)], color=RED, lw=2.6)
    text(ax, 0.0, y + 1.55, "direct sampling", fs=SMALL, ha="left", fontweight="bold")
    text(ax, 7.4, y + 1.3, "no gradient through a random draw", fs=SMALL, color=RED)
    # bottom: the reparameterized node, noise from the side
    y = rows["reparam"]
    box(ax, zx, y, zw, 1.05, "$z = \\mu + \\sigma \\odot \\epsilon$", fc=TINT[GREY], ec=INK, fs=SMALL)
    box(ax, zx, -0.05, 2.1, 0.75, "$\\epsilon \\sim \\mathcal{N}(0, I)$", fc=TINT[ORANGE], ec=ORANGE, fs=SMALL)
    _link(ax, (zx, 0.33), (zx, y - 0.53))
    arrow(ax, (9.45, y + 0.85), (2.25, y + 0.85), color=RED, lw=LW, head=HEAD, ls="--")
    text(ax, 0.0, y + 1.55, "reparameterized", fs=SMALL, ha="left", fontweight="bold")
    text(ax, 7.4, y + 1.3, r"gradient reaches $\phi$ through $\mu$ and $\sigma$", fs=SMALL, color=RED)
    text(ax, 3.05, -0.05, "randomness only in $\\epsilon$", fs=SMALL, color=ORANGE)
    return fig


# ---------------------------------------------------------------- G02


def _toy_image(n: int = 24) -> np.ndarray:
    """An n x n RGB picture in [-1, 1]: a disc and a bar on a plain ground, so noise visibly eats it."""
    yy, xx = np.mgrid[0:n, 0:n] / (n - 1)
    img = np.ones((n, n, 3)) * np.array([0.86, 0.91, 0.98])
    disc = (xx - 0.38) ** 2 + (yy - 0.4) ** 2 < 0.2**2
    img[disc] = [0.90, 0.45, 0.10]
    bar = (yy > 0.68) & (yy < 0.84) & (xx > 0.2) & (xx < 0.85)
    img[bar] = [0.18, 0.42, 0.75]
    return img * 2 - 1


def diffusion_chain():
    """G02: x_0 -> ... -> x_T; forward q adds noise (top arrows), reverse p_theta removes it (bottom arrows)."""
    fig, ax = canvas((-0.1, 12.1), (-0.45, 5.1))
    rng = np.random.default_rng(0)
    x0 = _toy_image()
    noise = rng.standard_normal(x0.shape)
    nodes = [  # (centre x, label, alpha_bar): illustrative noise levels
        (0.85, "$x_0$", 1.0),
        (4.3, "$x_{t-1}$", 0.8),
        (7.7, "$x_t$", 0.6),
        (11.15, "$x_T$", 0.0),
    ]
    s, yc = 1.4, 2.2
    for cx, label, abar in nodes:
        xt = np.sqrt(abar) * x0 + np.sqrt(1 - abar) * noise
        ax.imshow(
            np.clip((xt + 1) / 2, 0, 1),
            extent=(cx - s / 2, cx + s / 2, yc - s / 2, yc + s / 2),
            interpolation="nearest",
            zorder=2,
        )
        rect(ax, cx - s / 2, yc - s / 2, s, s, lw=1.4, z=3)
        text(ax, cx, yc - s / 2 - 0.42, label, fs=MATH)
    text(ax, 0.85, yc + s / 2 + 0.3, "data", fs=SMALL, color=GREY)
    text(ax, 11.15, yc + s / 2 + 0.3, "noise", fs=SMALL, color=GREY)
    gap = s / 2 + 0.12
    for (xa, _, _), (xb, _, _) in itertools.pairwise(nodes):
        _link(ax, (xa + gap, yc + 0.3), (xb - gap, yc + 0.3), color=BLUE)
        _link(ax, (xb - gap, yc - 0.3), (xa + gap, yc - 0.3), color=GREEN)
    for xa, xb in ((0.85, 4.3), (7.7, 11.15)):
        text(ax, (xa + xb) / 2, yc, "$\\cdots$", fs=FS + 2)
    text(ax, 6.0, yc + 0.78, "$q$", fs=MATH, color=BLUE)
    text(ax, 6.0, yc - 0.8, "$p_\\theta$", fs=MATH, color=GREEN)
    arrow(ax, (0.85, yc + s / 2 + 0.6), (7.7, yc + s / 2 + 0.35), color=BLUE, lw=LW, head=HEAD, ls="--", rad=-0.2)
    text(ax, 4.3, 4.75, "$q(x_t \\mid x_0)$: one step", fs=MATH, color=BLUE)
    text(ax, 6.0, -0.2, "forward $q$: fixed, adds noise    reverse: learned, denoises", fs=SMALL, color=GREY)
    return fig


# ---------------------------------------------------------------- G03


def latent_diffusion():
    """G03: Stable Diffusion: VAE encoder/decoder (pixel <-> latent), U-Net denoiser in latent space, text encoder
    whose tokens enter the U-Net through cross-attention."""
    fig, ax = canvas((-0.1, 12.1), (-1.2, 7.55))
    bands = ((-0.05, 2.5, GREY, "pixel space"), (4.1, 9.0, BLUE, "latent space"), (9.4, 12.05, ORANGE, "condition"))
    for x0, x1, colour, label in bands:
        rect(ax, x0, -1.15, x1 - x0, 7.85, fc=TINT[colour], ec="none", lw=0, z=0)
        text(ax, (x0 + x1) / 2, 7.15, label, fs=SMALL, color=colour if colour != GREY else INK, fontweight="bold")
    yt, yb = 5.6, 1.45
    box(ax, 1.22, yt, 2.4, 0.95, "image $x$\n512×512×3", fc="white", ec=INK, fs=SMALL, linespacing=1.1)
    box(ax, 1.22, yb, 2.4, 0.95, "image $\\tilde x$\n512×512×3", fc="white", ec=INK, fs=SMALL, linespacing=1.1)
    box(ax, 3.3, yt, 0.95, 0.95, "$\\mathcal{E}$", fc=TINT[GREEN], ec=GREEN, fs=FS + 2)
    box(ax, 3.3, yb, 0.95, 0.95, "$\\mathcal{D}$", fc=TINT[GREEN], ec=GREEN, fs=FS + 2)
    text(ax, 3.3, yt - 0.85, "encoder", fs=SMALL, color=GREEN)
    text(ax, 3.3, (yt + yb) / 2, "VAE", fs=SMALL, color=GREEN, fontweight="bold")
    text(ax, 3.3, yb + 0.85, "decoder", fs=SMALL, color=GREEN)
    box(ax, 5.08, yt, 1.8, 1.25, "", fc="white", ec=BLUE)
    text(ax, 5.08, yt + 0.25, "$z_0$", fs=MATH)
    text(ax, 5.08, yt - 0.3, "64×64×4", fs=SMALL)
    box(ax, 8.25, yt, 0.9, 0.95, "$z_T$", fc="white", ec=BLUE, fs=MATH)
    box(ax, 6.3, yb, 2.7, 1.0, "U-Net $\\epsilon_\\theta$", fc=TINT[PURPLE], ec=PURPLE, fs=MATH)
    box(ax, 10.72, yt, 2.45, 0.95, "prompt $y$", fc="white", ec=ORANGE, fs=SMALL)
    box(
        ax,
        10.72,
        3.55,
        2.45,
        0.95,
        "CLIP text\nencoder",
        fc=TINT[ORANGE],
        ec=ORANGE,
        fs=SMALL,
        linespacing=1.1,
    )
    _link(ax, (2.37, yt), (2.82, yt))
    _link(ax, (3.78, yt), (4.2, yt))
    _link(ax, (5.98, yt), (7.8, yt), color=BLUE)
    text(ax, 6.9, yt + 0.75, "add noise", fs=SMALL, color=BLUE)
    _link(ax, (8.25, yt - 0.48), (7.3, yb + 0.52), color=BLUE)
    arrow(ax, (5.5, yb - 0.52), (7.1, yb - 0.52), color=PURPLE, lw=LW, head=HEAD, rad=1.0, style="<|-")
    text(ax, 6.3, -0.8, "denoise $T$ steps", fs=SMALL, color=PURPLE)
    _link(ax, (4.95, yb), (3.78, yb))
    _link(ax, (2.82, yb), (2.37, yb))
    _link(ax, (10.72, yt - 0.48), (10.72, 4.03))
    _link(ax, (10.72, 3.07), (7.65, yb + 0.2), color=ORANGE)
    text(ax, 10.72, 1.6, "$K, V$ via\ncross-attn", fs=SMALL, color=ORANGE, linespacing=1.1)
    return fig


# ---------------------------------------------------------------- G04


def simclr():
    """G04: one image, two random augmentations, a shared encoder f and projection head g, contrast on z."""
    fig, ax = canvas((-0.1, 12.1), (-0.75, 5.6))
    ys = (4.0, 1.2)
    box(ax, 0.6, 2.6, 1.0, 1.0, "$x$", fc=TINT[BLUE], ec=BLUE, fs=FS + 2)
    for k, y in enumerate(ys):
        sub = "ij"[k]
        box(ax, 2.95, y, 1.0, 1.0, f"$\\tilde x_{sub}$", fc=TINT[BLUE], ec=BLUE, fs=MATH)
        box(ax, 4.9, y, 1.4, 1.0, "$f(\\cdot)$", fc=TINT[GREEN], ec=GREEN, fs=FS)
        box(ax, 6.75, y, 0.9, 0.8, f"$h_{sub}$", fc="white", ec=INK, fs=MATH)
        box(ax, 8.55, y, 1.4, 1.0, "$g(\\cdot)$", fc=TINT[PURPLE], ec=PURPLE, fs=FS)
        box(ax, 10.35, y, 0.9, 0.8, f"$z_{sub}$", fc="white", ec=INK, fs=MATH)
        _link(ax, (1.1, 2.6 + (0.25 if k == 0 else -0.25)), (2.42, y))
        _link(ax, (3.45, y), (4.17, y))
        _link(ax, (5.6, y), (6.28, y))
        _link(ax, (7.2, y), (7.82, y))
        _link(ax, (9.25, y), (9.88, y))
    text(ax, 0.95, 4.3, "$t \\sim \\mathcal{T}$", fs=MATH, color=BLUE)
    text(ax, 0.95, 0.9, "$t' \\sim \\mathcal{T}$", fs=MATH, color=BLUE)
    for x, colour in ((4.9, GREEN), (8.55, PURPLE)):
        arrow(ax, (x, ys[0] - 0.52), (x, ys[1] + 0.52), color=colour, lw=1.4, head=9, style="<|-|>", ls=":")
        text(ax, x - 0.15, 2.6, "shared", fs=SMALL, color=colour, ha="right")
    arrow(ax, (11.0, ys[0]), (11.0, ys[1]), color=RED, lw=2.2, head=12, style="<|-|>")
    text(ax, 11.2, 2.6, "maximize\nagreement", fs=SMALL, color=RED, ha="left", linespacing=1.05, rotation=90)
    text(ax, 4.9, 5.2, "encoder (ResNet-50)", fs=SMALL, color=GREEN)
    text(ax, 8.55, 5.2, "projection head", fs=SMALL, color=PURPLE)
    text(ax, 6.75, -0.35, "downstream uses $h$", fs=SMALL, color=GREY)
    text(ax, 10.2, -0.35, "NT-Xent on $z$", fs=SMALL, color=RED)
    return fig


# ---------------------------------------------------------------- G05


def clip_matrix():
    """G05: the N x N image-text similarity matrix of one batch; the diagonal holds the matched pairs."""
    fig, ax = canvas((-0.1, 12.1), (-1.35, 7.6))
    n, cell = 4, 1.15
    x0, y0 = 3.2, 5.3  # top-left corner of the grid
    idx = ["1", "2", "3", "N"]
    right, bottom = x0 + n * cell, y0 - n * cell
    box(ax, x0 + n * cell / 2, 7.05, 3.2, 0.8, "text encoder", fc=TINT[ORANGE], ec=ORANGE, fs=SMALL)
    box(ax, 0.8, y0 - n * cell / 2, 1.55, 1.9, "image\nencoder", fc=TINT[BLUE], ec=BLUE, fs=SMALL, linespacing=1.1)
    for i in range(n):
        xc = x0 + (i + 0.5) * cell
        yc = y0 - (i + 0.5) * cell
        text(ax, xc, y0 + 0.42, f"$T_{{{idx[i]}}}$", fs=MATH, color=ORANGE)
        text(ax, x0 - 0.45, yc, f"$I_{{{idx[i]}}}$", fs=MATH, color=BLUE)
        for j in range(n):
            xj = x0 + j * cell
            yi = y0 - (i + 1) * cell
            fc = TINT[GREEN] if i == j else None
            rect(ax, xj, yi, cell, cell, fc=fc, ec=INK, lw=1.4)
    _link(ax, (x0 + n * cell / 2, 6.63), (x0 + n * cell / 2, y0 + 0.72), color=ORANGE)
    _link(ax, (1.6, y0 - n * cell / 2), (x0 - 0.75, y0 - n * cell / 2), color=BLUE)
    yr = y0 - 0.5 * cell
    _link(ax, (right + 0.1, yr), (right + 0.6, yr), color=RED, shrink=0)
    text(
        ax, right + 0.7, yr, "each row: CE over\ntexts (image → text)", fs=SMALL, color=RED, ha="left", linespacing=1.1
    )
    xcol = x0 + 0.5 * cell
    _link(ax, (xcol, bottom - 0.1), (xcol, bottom - 0.55), color=PURPLE, shrink=0)
    text(ax, xcol + 0.2, bottom - 0.45, "each column: CE over images (text → image)", fs=SMALL, color=PURPLE, ha="left")
    text(
        ax,
        right + 0.7,
        y0 - 2.5 * cell,
        "diagonal = matched\npairs (targets)",
        fs=SMALL,
        color=GREEN,
        ha="left",
        linespacing=1.1,
    )
    text(ax, 6.0, -0.4, "cell $(i, j)$:  $\\cos(I_i, T_j)\\,/\\,\\tau$", fs=MATH)
    text(ax, 6.0, -1.05, "loss = (CE over rows + CE over columns) / 2", fs=SMALL)
    return fig


# ---------------------------------------------------------------- G06


def vit_patches():
    """G06: a 224 x 224 image cut into 14 x 14 patches of 16 x 16, projected to tokens, [CLS] prepended."""
    fig, ax = canvas((-0.1, 12.1), (0.35, 6.45))
    side, n = 3.0, 14
    gx, gy = 0.25, 2.45  # lower-left corner of the image
    rect(ax, gx, gy, side, side, fc=TINT[BLUE], ec=INK, lw=1.6)
    step = side / n
    for k in range(1, n):
        line(ax, [(gx + k * step, gy), (gx + k * step, gy + side)], color=BLUE, lw=0.6, z=3)
        line(ax, [(gx, gy + k * step), (gx + side, gy + k * step)], color=BLUE, lw=0.6, z=3)
    rect(ax, gx, gy + side - step, step, step, fc=ORANGE, ec=ORANGE, lw=1.2, z=4)
    text(ax, gx + side / 2, gy + side + 0.35, "14 × 14 patches", fs=SMALL)
    text(ax, gx + side / 2, gy - 0.35, "224 × 224 image", fs=SMALL)
    text(ax, gx + side / 2, gy - 0.85, "patch: 16 × 16 × 3", fs=SMALL, color=ORANGE)
    # linear projection, tokens, encoder, head
    labels = ["CLS", "1", "2", "3", "\u22ef", "196"]
    xs = [4.85, 6.05, 7.25, 8.45, 9.55, 10.65]
    yp, yt, ye = 0.95, 2.3, 3.95
    left, right = 4.2, 11.35
    box(
        ax,
        (6.05 + right) / 2,
        yp,
        right - 6.05 + 0.55,
        0.75,
        "linear projection $E$ + position",
        fc=TINT[GREY],
        ec=GREY,
        fs=SMALL,
    )
    _link(ax, (gx + side + 0.1, gy + 0.1), (5.7, yp))
    for k, (x, lab) in enumerate(zip(xs, labels, strict=True)):
        if lab == "\u22ef":
            text(ax, x, yt, lab, fs=FS)
            continue
        colour = PURPLE if k == 0 else ORANGE
        box(ax, x, yt, 0.95, 0.7, lab, fc=TINT[colour], ec=colour, fs=SMALL, lw=1.5)
        if k:
            _link(ax, (x, yp + 0.38), (x, yt - 0.36), shrink=0)
        _link(ax, (x, yt + 0.36), (x, ye - 0.52), shrink=0)
    box(ax, (left + right) / 2, ye, right - left, 1.0, "Transformer encoder", fc=TINT[GREEN], ec=GREEN, fs=SMALL)
    box(ax, xs[0], 5.65, 1.9, 0.7, "MLP head", fc=TINT[PURPLE], ec=PURPLE, fs=SMALL)
    _link(ax, (xs[0], ye + 0.5), (xs[0], 5.3), color=PURPLE, shrink=0)
    text(ax, xs[0] + 1.1, 5.65, "class", fs=SMALL, ha="left", color=PURPLE)
    text(ax, 9.6, 5.65, "1 + 196 = 197 tokens", fs=SMALL, color=GREY)
    return fig


# ---------------------------------------------------------------- G07

_SKY, _SUN, _HILL = TINT[BLUE], TINT[YELLOW], TINT[GREEN]


def _picture(n: int) -> list[list[str]]:
    """Fill colours of an n x n patch grid that reads as a small landscape: sky, sun, hills."""
    out = []
    for r in range(n):
        row = []
        for c in range(n):
            if r >= n - 2 or (r == n - 3 and 1 <= c <= 3):
                row.append(_HILL)
            elif (r, c) in {(1, 4), (1, 3), (0, 4)}:
                row.append(_SUN)
            else:
                row.append(_SKY)
        out.append(row)
    return out


def mae_masking():
    """G07: MAE: 75% of the patches masked; the encoder sees only the visible 25%; the decoder adds mask tokens and
    reconstructs every patch; the loss counts the masked ones only."""
    fig, ax = canvas((-0.1, 12.1), (-0.05, 4.3))
    n, cell = 6, 0.36
    pic = _picture(n)
    visible = {r * n + c for r, c in ((0, 2), (1, 4), (1, 0), (2, 3), (2, 5), (3, 1), (4, 4), (5, 0), (5, 3))}
    top, mid = 3.35, 3.35 - n * cell / 2

    def grid(x0, fills, red=False):
        for r in range(n):
            for c in range(n):
                k = r * n + c
                rect(ax, x0 + c * cell, top - (r + 1) * cell, cell, cell, fc=fills(k, pic[r][c]), ec=INK, lw=1.0)
                if red and k not in visible:
                    d = 0.05
                    rect(
                        ax, x0 + c * cell + d, top - (r + 1) * cell + d, cell - 2 * d, cell - 2 * d, ec=RED, lw=1.3, z=4
                    )

    grid(0.1, lambda k, colour: colour if k in visible else GREY)
    text(ax, 0.1 + n * cell / 2, top + 0.35, "input", fs=SMALL)
    text(ax, 0.1 + n * cell / 2, top - n * cell - 0.35, "75% masked", fs=SMALL, color=GREY)
    colx, step = 2.8, 0.24  # the 9 visible patches as a sequence
    for i, k in enumerate(sorted(visible)):
        r, c = divmod(k, n)
        rect(ax, colx - step / 2, top - (i + 1) * step, step, step, fc=pic[r][c], ec=INK, lw=1.0)
    text(ax, colx, top + 0.35, "25%", fs=SMALL, color=GREY)
    _link(ax, (2.32, mid), (colx - 0.2, mid))
    box(ax, 3.95, mid, 1.5, 2.4, "encoder\n(ViT)", fc=TINT[GREEN], ec=GREEN, fs=SMALL, linespacing=1.1)
    _link(ax, (colx + 0.18, mid), (3.18, mid))
    gx = 5.2
    _link(ax, (4.72, mid), (gx - 0.06, mid))
    grid(gx, lambda k, colour: TINT[GREEN] if k in visible else "white")
    text(ax, gx + n * cell / 2, top + 0.35, "+ mask tokens", fs=SMALL)
    box(ax, 8.35, mid, 1.5, 1.6, "decoder\n(small)", fc=TINT[PURPLE], ec=PURPLE, fs=SMALL, linespacing=1.1)
    _link(ax, (gx + n * cell + 0.06, mid), (7.58, mid))
    ox = 9.65
    _link(ax, (9.12, mid), (ox - 0.06, mid))
    grid(ox, lambda k, colour: colour, red=True)
    text(ax, ox + n * cell / 2, top + 0.35, "output", fs=SMALL)
    text(ax, 3.3, 0.22, "encoder: visible patches only", fs=SMALL, color=GREEN)
    text(ax, 9.45, 0.22, "loss on masked (red) only", fs=SMALL, color=RED)
    return fig


# ---------------------------------------------------------------- G08


def vlm_architecture():
    """G08: image -> vision encoder -> projector -> visual tokens; with the text tokens into the LLM."""
    fig, ax = canvas((-0.1, 12.1), (-0.45, 7.4))
    yb, ym = 0.5, 2.15
    box(ax, 1.4, yb, 1.9, 0.8, "image", fc=TINT[BLUE], ec=BLUE, fs=SMALL)
    box(ax, 1.4, ym, 2.9, 1.05, "vision encoder\n(CLIP ViT)", fc=TINT[BLUE], ec=BLUE, fs=SMALL, linespacing=1.1)
    box(ax, 4.85, ym, 3.3, 1.05, "projector\n(MLP / Q-Former)", fc=TINT[ORANGE], ec=ORANGE, fs=SMALL, linespacing=1.1)
    box(ax, 9.4, yb, 4.8, 0.8, "\u201cWhat is in the image?\u201d", fc="white", ec=TEAL, fs=SMALL)
    box(ax, 9.4, ym, 2.4, 1.05, "tokenizer +\nembedding", fc=TINT[TEAL], ec=TEAL, fs=SMALL, linespacing=1.1)
    _link(ax, (1.4, yb + 0.4), (1.4, ym - 0.53))
    _link(ax, (2.85, ym), (3.2, ym))
    _link(ax, (9.4, yb + 0.4), (9.4, ym - 0.53))
    # one input sequence: visual tokens then text tokens
    ys = 3.75
    vis = [3.0 + 0.62 * k for k in range(4)]
    txt = [6.6 + 0.62 * k for k in range(4)]
    for x in vis:
        box(ax, x, ys, 0.5, 0.5, "", fc=TINT[ORANGE], ec=ORANGE, lw=1.5)
    for x in txt:
        box(ax, x, ys, 0.5, 0.5, "", fc=TINT[TEAL], ec=TEAL, lw=1.5)
    text(ax, (vis[-1] + txt[0]) / 2, ys, "\u22ef", fs=FS)
    _link(ax, (4.85, ym + 0.53), (vis[2], ys - 0.3), color=ORANGE)
    _link(ax, (9.4, ym + 0.53), (txt[-1], ys - 0.3), color=TEAL)
    text(ax, 1.5, ys, "visual\ntokens", fs=SMALL, color=ORANGE, linespacing=1.05)
    text(ax, 10.9, ys, "text\ntokens", fs=SMALL, color=TEAL, linespacing=1.05)
    yl = 5.35
    box(ax, 5.6, yl, 7.6, 1.05, "LLM (decoder-only Transformer)", fc=TINT[PURPLE], ec=PURPLE, fs=SMALL)
    for x in vis + txt:
        _link(ax, (x, ys + 0.27), (x, yl - 0.55), shrink=0)
    _link(ax, (9.4, yl + 0.53), (9.4, 6.55), color=PURPLE, shrink=0)
    text(ax, 9.55, 6.95, "answer: \u201cA dog on a sofa.\u201d", fs=SMALL, color=PURPLE)
    return fig
