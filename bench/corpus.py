"""Synthetic but realistic projects: Chinese text, inline and display math, clozes, images."""

from __future__ import annotations

from pathlib import Path

TOPICS = ["卷积神经网络", "循环神经网络", "激活函数", "正则化", "优化算法", "批归一化", "损失函数", "注意力机制"]
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><path d="M0 20 L20 0 L40 20" fill="none" stroke="#222"/></svg>\n'


def card_yaml(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    if i % 4 == 0:
        return (
            f"  - id: syn-{i}\n    type: cloze\n    source: added\n    tags: [bench::c{i % 10}]\n    text: |\n"
            f"      {topic}第 {i} 题: $\\sigma(x_{{{i}}}) = {{{{c1::\\frac{{1}}{{1+e^{{-x}}}}}}}}$, "
            f"其导数最大值为 {{{{c2::0.25}}}}。\n"
        )
    image = f"\n      ![图](syn-{i % 20}.svg)" if i % 10 == 1 else ""
    return (
        f"  - id: syn-{i}\n    type: basic\n    source: added\n    tags: [bench::b{i % 10}]\n"
        f"    front: '{topic}中, 第 {i} 个问题: 为什么 **梯度** 会消失 (vanishing gradient)?'\n"
        f"    back: |\n      链式法则连乘 $\\prod_{{t}} \\frac{{\\partial h_t}}{{\\partial h_{{t-1}}}}$, 每项 $<1$ 时指数衰减。\n\n"
        f"      $$\\lVert g \\rVert_2 = \\sqrt{{\\sum_i g_i^2}}$$\n    extra: |\n      参见 `clip_grad_norm_` 与 *梯度裁剪*。{image}\n"
    )


def write_corpus(root: Path, cards: int, per_file: int = 500) -> Path:
    (root / "cards").mkdir(parents=True, exist_ok=True)
    (root / "media").mkdir(exist_ok=True)
    (root / "dlanki.yaml").write_text("package: bench\nguid_namespace: bench\n")
    for n in range(20):
        (root / "media" / f"syn-{n}.svg").write_text(SVG)
    for start in range(0, cards, per_file):
        body = "".join(card_yaml(i) for i in range(start, min(start + per_file, cards)))
        (root / "cards" / f"{start // per_file:03d}.yaml").write_text(f"deck: Bench::Part {start // per_file:03d}\ncards:\n" + body)
    return root
