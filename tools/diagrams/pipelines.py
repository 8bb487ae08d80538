"""Pipelines built from CNNs: the R-CNN family and neural style transfer."""

from __future__ import annotations

from .style import BLUE, GREEN, GREY, INK, ORANGE, PURPLE, RED, SMALL, TINT, arrow, box, canvas, circle, line, text

MATH = 17.5
"""Size of a label with sub- or superscripts: mathtext draws them at 0.7 of it, 12.25 pt, legible on a phone."""

# ---------------------------------------------------------------- R19


def rcnn_family():
    """R19: R-CNN, Fast R-CNN, Faster R-CNN: where the CNN runs and where the proposals come from."""
    fig, ax = canvas((-0.15, 10.05), (-0.35, 9.8))
    bw, bh = 1.72, 1.12
    cols = [0.85, 2.9, 4.95, 7.0, 9.05]

    def node(col, y, label, colour=None, **kw):
        box(
            ax,
            cols[col] if isinstance(col, int) else col,
            y,
            bw,
            bh,
            label,
            fc=TINT[colour] if colour else None,
            ec=colour or INK,
            fs=SMALL,
            linespacing=1.05,
            **kw,
        )

    def link(a, b, y1, y2=None, **kw):
        y2 = y1 if y2 is None else y2
        arrow(ax, (a, y1), (b, y2), lw=1.8, head=11, shrink=0, **kw)

    # R-CNN
    y = 8.1
    text(ax, -0.1, 9.4, "R-CNN", fs=SMALL + 1, ha="left", fontweight="bold")
    text(ax, 9.9, 9.4, "CNN once per region", fs=SMALL, ha="right", color=RED)
    node(0, y, "image")
    node(1, y, "selective\nsearch\n~2k boxes", ORANGE)
    node(2, y, "crop +\nwarp each")
    for off in (0.2, 0.1):
        box(ax, cols[3] + off, y + off, bw, bh, fc=TINT[RED], ec=RED, lw=1.5, z=1)
    node(3, y, "CNN\n×2k", RED)
    node(4, y, "SVMs +\nbox reg.")
    for i in range(4):
        link(cols[i] + bw / 2, cols[i + 1] - bw / 2, y)

    def shared_cnn_row(y, title, caption, colour, proposals):
        """Fast and Faster R-CNN share the row image -> CNN once -> feature map -> RoI pooling -> FC."""
        top = y + 2.45
        text(ax, -0.1, top, title, fs=SMALL + 1, ha="left", fontweight="bold")
        text(ax, 9.9, top, caption, fs=SMALL, ha="right", color=colour)
        node(0, y, "image")
        node(1, y, "CNN\nonce", GREEN)
        node(2, y, "feature\nmap")
        node(3, y, "RoI\npooling")
        node(4, y, "FC: class\n+ box")
        node(*proposals)
        for i in range(4):
            link(cols[i] + bw / 2, cols[i + 1] - bw / 2, y)

    # Fast R-CNN: proposals still from selective search on the image
    y, yp = 4.35, 5.85
    shared_cnn_row(y, "Fast R-CNN", "CNN once per image", GREEN, (2, yp, "selective\nsearch", ORANGE))
    link(cols[0], cols[2] - bw / 2, y + bh / 2, yp)
    link(cols[2] + bw / 2, cols[3], yp, y + bh / 2)

    # Faster R-CNN: proposals from the RPN on the shared feature map
    y, yp = 0.6, 2.1
    shared_cnn_row(y, "Faster R-CNN", "regions from the network", BLUE, (3, yp, "RPN", BLUE))
    link(cols[2], cols[3] - bw / 2, y + bh / 2, yp)
    link(cols[3], cols[3], yp - bh / 2, y + bh / 2)
    return fig


# ---------------------------------------------------------------- R20


def style_transfer():
    """R20: content, generated and style images through one fixed VGG; content loss at a deep block, Gram-matrix
    style losses at every block; the gradient changes only the generated image's pixels (Gatys et al. 2016:
    style at conv1_1 ... conv5_1, content at conv4_2, i.e. block 4)."""
    fig, ax = canvas((-0.15, 11.1), (-1.05, 9.75))
    xs = [3.2 + i * 1.75 for i in range(5)]
    rows = {"style": 8.1, "generated": 4.5, "content": 0.9}
    colours = {"style": PURPLE, "generated": RED, "content": BLUE}
    f = SMALL
    for name, y in rows.items():
        box(ax, 0.85, y, 1.75, 1.05, f"{name}\nimage", fc=TINT[colours[name]], ec=colours[name], fs=f, linespacing=1.05)
        arrow(ax, (1.75, y), (xs[0] - 0.6, y), lw=1.6, head=10)
        for i, x in enumerate(xs):
            box(ax, x, y, 1.1, 0.75, str(i + 1), fc=TINT[GREY], ec=GREY, lw=1.4, fs=f, color=GREY)
            if i:
                arrow(ax, (xs[i - 1] + 0.55, y), (x - 0.55, y), lw=1.4, head=8, color=GREY)
    text(ax, 6.5, 9.35, "one fixed, pretrained VGG: blocks 1–5", fs=f, color=GREY)
    ys, yg, yc = rows["style"], rows["generated"], rows["content"]
    mid = (ys + yg) / 2
    for x in xs:
        circle(ax, x, mid, 0.38, "G", fc=TINT[PURPLE], ec=PURPLE, fs=f)
        line(ax, [(x, ys - 0.38), (x, mid + 0.38)], color=PURPLE, lw=1.6)
        line(ax, [(x, yg + 0.38), (x, mid - 0.38)], color=PURPLE, lw=1.6)
    text(ax, 0.95, mid, "style loss:\nGram\nmatrices", fs=f, color=PURPLE, linespacing=1.05)
    x, low = xs[3], (yg + yc) / 2
    circle(ax, x, low, 0.38, "C", fc=TINT[BLUE], ec=BLUE, fs=f)
    line(ax, [(x, yc + 0.38), (x, low - 0.38)], color=BLUE, lw=1.6)
    line(ax, [(x, yg - 0.38), (x, low + 0.38)], color=BLUE, lw=1.6)
    text(ax, x + 0.55, low, "content\nloss", fs=f, color=BLUE, ha="left", linespacing=1.05)
    arrow(ax, (xs[2], yg - 0.45), (0.85, yg - 0.6), color=RED, lw=2.0, head=12, ls="--", rad=-0.15)
    text(ax, 3.6, yg - 1.7, "gradient changes only\nthe generated image", fs=f, color=RED, linespacing=1.05)
    text(ax, 5.6, -0.55, r"$L = \alpha\, L_{content} + \beta\, L_{style}$", fs=MATH)
    return fig
