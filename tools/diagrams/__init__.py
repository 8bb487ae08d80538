"""Every figure in media/, drawn from code.

Each figure is one small function returning a matplotlib Figure; FIGURES maps the media file name (which
cards already reference: never rename) to the figure's id in docs/diagrams.md and its function.
Run `python tools/diagrams.py` to rewrite media/, or `--out DIR` to write somewhere else.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
from pathlib import Path

from . import (
    activations,
    additions,
    cnn,
    generative,
    llm,
    metrics,
    nets,
    pipelines,
    plots,
    posttrain,
    rnn,
    surfaces,
    systems,
    transformer,
)
from .style import save

REPO = Path(__file__).resolve().parents[2]
MEDIA = REPO / "media"

PYPROJECT = REPO / "pyproject.toml"

FIGURES = {
    # file name                        id     function
    "dl-cnn-maxpool.svg": ("D01", cnn.maxpool),
    "dl-cnn-feature-hierarchy.svg": ("D02", cnn.feature_hierarchy),
    "dl-act-elu.svg": ("D03", activations.elu),
    "dl-nonlinear-separation.svg": ("D04", plots.nonlinear_separation),
    "dl-act-curves.svg": ("D05", activations.activation_curves),
    "dl-rnn-gradient-clipping-cliff.svg": ("D06", surfaces.clipping_cliff),
    "dl-opt-local-minima.svg": ("D07", plots.local_minima),
    "dl-opt-saddle.svg": ("D08", surfaces.saddle),
    "dl-rnn-io-patterns.svg": ("D09", rnn.io_patterns),
    "dl-rnn-unrolled.svg": ("D10", rnn.unrolled),
    "dl-loss-surface-ce-vs-mse.svg": ("D11", surfaces.ce_vs_mse),
    "dl-imbalance-boundary.svg": ("D12", plots.imbalance_boundary),
    "dl-reg-l1-l2.svg": ("R01", plots.l1_l2),
    "dl-prob-gauss-laplace.svg": ("R02", plots.gauss_laplace),
    "dl-bn-saturation.svg": ("R03", activations.bn_saturation),
    "dl-backprop-graph.svg": ("R04", nets.backprop_graph),
    "dl-cnn-receptive-field.svg": ("R05", cnn.receptive_field),
    "dl-cnn-bottleneck.svg": ("R06", cnn.bottleneck),
    "dl-cnn-sliding-window.svg": ("R07", cnn.sliding_window),
    "dl-fit-curves.svg": ("R08", plots.fit_curves),
    "dl-cnn-local-vs-shared.svg": ("R09", cnn.local_vs_shared),
    "dl-dropout.svg": ("R10", nets.dropout),
    "dl-cnn-kernel-volume.svg": ("R11", cnn.kernel_volume),
    "dl-gan.svg": ("R12", nets.gan),
    "dl-tf-graph.svg": ("R13", nets.tf_graph),
    "dl-rnn-lstm-cell.svg": ("R14", rnn.lstm_cell),
    "dl-rnn-gru-cell.svg": ("R15", rnn.gru_cell),
    "dl-act-zigzag.svg": ("R16", activations.zigzag),
    "dl-history-timeline.svg": ("R17", nets.history_timeline),
    "dl-cnn-residual-block.svg": ("R18", nets.residual_block),
    "dl-cnn-rcnn-family.svg": ("R19", pipelines.rcnn_family),
    "dl-cnn-style-transfer.svg": ("R20", pipelines.style_transfer),
    "dl-confusion-matrix.svg": ("E01", metrics.confusion_matrix),
    "dl-roc-vs-pr.svg": ("E02", metrics.roc_vs_pr),
    "dl-iou.svg": ("E03", metrics.iou),
    "dl-nms-steps.svg": ("E04", metrics.nms_steps),
    "dl-double-descent.svg": ("E05", metrics.double_descent),
    # 13 大模型微调与对齐
    "dl-lora.svg": ("P01", posttrain.lora),
    "dl-rlhf-pipeline.svg": ("P02", posttrain.rlhf_pipeline),
    "dl-ppo-clip.svg": ("P03", posttrain.ppo_clip),
    "dl-dpo-vs-ppo.svg": ("P04", posttrain.dpo_vs_ppo),
    "dl-grpo-group-advantage.svg": ("P05", posttrain.grpo_group_advantage),
    "dl-attn-scaled-dot-product.svg": ("T01", transformer.scaled_dot_product),
    "dl-attn-multihead.svg": ("T02", transformer.multihead),
    "dl-attn-masks.svg": ("T03", transformer.masks),
    "dl-transformer-pre-post-ln.svg": ("T04", transformer.pre_post_ln),
    "dl-pe-sinusoid-heatmap.svg": ("T05", transformer.sinusoid_heatmap),
    "dl-rope-rotation.svg": ("T06", transformer.rope_rotation),
    "dl-mha-mqa-gqa.svg": ("T07", transformer.mha_mqa_gqa),
    "dl-kv-cache.svg": ("T08", transformer.kv_cache),
    "dl-flashattention-tiling.svg": ("T09", transformer.flash_tiling),
    "dl-norm-axes.svg": ("T10", transformer.norm_axes),
    "dl-encoder-decoder-vs-decoder-only.svg": ("T11", transformer.architectures),
    # 12 预训练语言模型
    "dl-bpe-merges.svg": ("L01", llm.bpe_merges),
    "dl-bert-mlm-input.svg": ("L02", llm.bert_mlm_input),
    "dl-decoding-topk-topp.svg": ("L03", llm.decoding_topk_topp),
    "dl-moe-router.svg": ("L04", llm.moe_router),
    "dl-kl-forward-reverse.svg": ("L05", llm.kl_forward_reverse),
    # 09 生成模型 and 16 自监督与多模态
    "dl-vae-reparam.svg": ("G01", generative.vae_reparam),
    "dl-diffusion-forward-reverse.svg": ("G02", generative.diffusion_chain),
    "dl-latent-diffusion.svg": ("G03", generative.latent_diffusion),
    "dl-simclr.svg": ("G04", generative.simclr),
    "dl-clip-matrix.svg": ("G05", generative.clip_matrix),
    "dl-vit-patches.svg": ("G06", generative.vit_patches),
    "dl-mae-masking.svg": ("G07", generative.mae_masking),
    "dl-vlm-architecture.svg": ("G08", generative.vlm_architecture),
    # 14 大模型训练工程 and 15 推理加速与模型压缩
    "dl-float-formats.svg": ("S01", systems.float_formats),
    "dl-zero-stages.svg": ("S02", systems.zero_stages),
    "dl-tp-column-row.svg": ("S03", systems.tp_column_row),
    "dl-pp-bubble.svg": ("S04", systems.pp_bubble),
    "dl-ring-allreduce.svg": ("S05", systems.ring_allreduce),
    "dl-prefill-decode.svg": ("S06", systems.prefill_decode),
    "dl-paged-attention.svg": ("S07", systems.paged_attention),
    "dl-speculative-decoding.svg": ("S08", systems.speculative_decoding),
    "dl-quant-mapping.svg": ("S09", systems.quant_mapping),
    # 05/08/10 additions (2026)
    "dl-seq2seq-attention.svg": ("A01", additions.seq2seq_attention),
    "dl-seq2seq-teacher-forcing.svg": ("A02", additions.teacher_forcing),
    "dl-w2v-skipgram-cbow.svg": ("A03", additions.w2v_skipgram_cbow),
}


def _pinned() -> dict[str, str]:
    """The exact versions the `diagrams` extra in pyproject.toml pins: the ones media/ was drawn with."""
    try:
        import tomllib
    except ImportError:  # Python 3.10: no TOML reader in the standard library, so no version warning
        return {}
    extras = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    return dict(requirement.split("==", 1) for requirement in extras["diagrams"])


def _warn_if_unpinned() -> None:
    """Other versions draw the same figures, but not necessarily the same bytes."""
    for name, pinned in _pinned().items():
        version = importlib.metadata.version(name)
        if version != pinned:
            print(
                f"warning: {name} {version} is not the pinned {pinned}; the SVGs may differ from media/ byte for byte",
                file=sys.stderr,
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/diagrams.py", description="Write every figure of the deck as SVG.")
    parser.add_argument("--out", type=Path, default=MEDIA, help="folder to write into (default: media/)")
    parser.add_argument("names", nargs="*", help="only these files or ids (default: all)")
    args = parser.parse_args(argv)
    wanted = set(args.names)
    unknown = wanted - set(FIGURES) - {fid for fid, _ in FIGURES.values()}
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(sorted(unknown))}")
    _warn_if_unpinned()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (fid, draw) in FIGURES.items():
        if wanted and name not in wanted and fid not in wanted:
            continue
        size = save(draw(), args.out / name)
        print(f"{fid}  {name:38} {size / 1024:5.1f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
