"""OSTrack CPU speed at batch 1: frames per second, ratio to the official model, matmul fraction.

    python bench/ostrack.py [--threads 2] [--variant vitb_256_mae_ce_32x4_ep300] [--iters 20]
    OSTRACK_OFFICIAL=/path/to/OSTrack python bench/ostrack.py   # also time the official model

Prints, all timed interleaved in this run: the fp32 matmul rate of this machine (GFLOP/s), the
vot-ostrack network forward (fused oneDNN inference path), its per-frame ``track_step``
(template tokens cached), the same network on plain PyTorch ops (``nn_fast.reference_mode``),
the official model forward on the same weights and inputs (if its code is importable: it needs
``easydict`` and ``pyyaml``), the ratios, the fraction of the matmul rate each reaches, the
maximum relative output error vs the official model, then the full ``tracker.track`` step.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time

import torch


def interleaved_medians(fns, iters: int, warmup: int = 2):
    """Median seconds of each function, timed in alternation (A B A B ...)."""
    for fn in fns:
        for _ in range(warmup):
            fn()
    times = [[] for _ in fns]
    for _ in range(iters):
        for fn, bucket in zip(fns, times):
            t = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - t)
    return [statistics.median(b) for b in times]


def forward_flops(params) -> float:
    """FLOPs (2 x MACs) of one forward: patch embedding, every block with its token count
    (CE prunes after the attention of blocks 3, 6, 9), attention matmuls, head convolutions."""
    D, P = params.embed_dim, params.patch_size
    lz, lx = (params.template_size // P) ** 2, (params.search_size // P) ** 2
    keep = dict(zip(params.ce_loc, params.ce_keep_ratio))
    macs = (lz + lx) * 3 * P * P * D
    for i in range(params.depth):
        n = lz + lx
        macs += n * 4 * D * D + 2 * n * n * D  # qkv + proj, q k^T + attn v
        if i in keep:
            lx = math.ceil(keep[i] * lx)
        n = lz + lx
        macs += n * 2 * D * int(D * params.mlp_ratio)
    s = params.search_size // P
    c = [D, params.head_channels, params.head_channels // 2, params.head_channels // 4,
         params.head_channels // 8]
    per_branch = sum(c[i] * c[i + 1] * 9 for i in range(4)) * s * s
    macs += 3 * per_branch + s * s * c[4] * (1 + 2 + 2)
    return 2.0 * macs


def official_model(root: str, variant: str, state_dict):
    sys.path.insert(0, root)
    from lib.config.ostrack.config import cfg, update_config_from_file
    from lib.models.ostrack import build_ostrack

    update_config_from_file(os.path.join(root, "experiments", "ostrack", f"{variant}.yaml"))
    model = build_ostrack(cfg, training=False).eval()
    model.load_state_dict(state_dict, strict=True)
    return model


def relative_error(ours, official) -> float:
    """max |ours - official| / max |official| over the outputs both models return."""
    keys = ("score_map", "size_map", "offset_map", "pred_boxes", "backbone_feat")
    return max(float((ours[k] - official[k]).abs().max() / official[k].abs().max().clamp_min(1e-30))
               for k in keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variant", default="vitb_256_mae_ce_32x4_ep300")
    parser.add_argument("--iters", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from vot_core import nn_fast
    from vot_core.datasets.synthetic import make_sequence
    from vot_ostrack.tracker import OSTrackTracker

    tracker = OSTrackTracker.from_variant(args.variant)  # its network is frozen (nn_fast)
    p = tracker.params
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():  # variance-scaled random weights keep activations realistic
        for name, t in tracker.network.state_dict().items():
            if t.dtype == torch.float32 and t.dim() >= 2 and "pos_embed" not in name:
                t.copy_(torch.randn(t.shape, generator=g) / math.sqrt(t[0].numel()))
    net = tracker.network
    z = torch.randn(1, 3, p.template_size, p.template_size, generator=g)
    x = torch.randn(1, 3, p.search_size, p.search_size, generator=g)
    mask = tracker._mask
    flops = forward_flops(p)
    a, b = torch.randn(1024, 768), torch.randn(768, 3072)
    gemm_flops = 2 * 1024 * 768 * 3072

    def gemm():
        torch.mm(a, b)

    def ours():
        with torch.inference_mode():
            return net(z, x, ce_template_mask=mask, return_last_attn=False)

    with torch.inference_mode():
        z_tokens = net.backbone.embed_template(z)

    def ours_step():  # what the tracker runs per frame: template tokens cached
        with torch.inference_mode():
            return net.track_step(z_tokens, x, ce_template_mask=mask)

    def ours_plain():  # the same network on plain PyTorch ops (the 0.1.0 implementation)
        with torch.inference_mode(), nn_fast.reference_mode():
            return net(z, x, ce_template_mask=mask, return_last_attn=False)

    runs = {"vot-ostrack forward": ours, "vot-ostrack track_step (template cached)": ours_step,
            "vot-ostrack forward, plain ops": ours_plain}
    root = os.environ.get("OSTRACK_OFFICIAL")
    error = None
    if root:
        try:
            off = official_model(root, args.variant, net.state_dict())
        except Exception as exc:  # noqa: BLE001 - report and keep our numbers
            print(f"  official model not importable from {root}: {type(exc).__name__}: {exc}")
            off = None
        if off is not None:
            from vot_ostrack.ostrack import template_center_mask

            omask = template_center_mask(p.template_size // p.patch_size) if p.ce_loc else None

            def official():
                with torch.no_grad():
                    return off(z.clone(), x.clone(), ce_template_mask=omask)

            runs["official forward"] = official
            ref = official()
            error = relative_error(ours(), ref)
            same_tokens = all(torch.equal(r1, r2.long()) for r1, r2 in
                              zip(ours()["removed_indexes_s"], ref["removed_indexes_s"]))

    seq = make_sequence(0, num_frames=args.iters + 8, size=(480, 640))
    frames = iter([seq.frame(i) for i in range(len(seq))])
    tracker.initialize(next(frames), seq.ground_truth[0])

    def track():  # crop + normalise + track_step + decode, the next frame each call
        tracker.track(next(frames))

    # everything interleaved (gemm A B C ...) so that load changes on a shared machine hit all
    names = ["fp32 matmul", *runs, "tracker.track"]
    medians = dict(zip(names, interleaved_medians([gemm, *runs.values(), track], args.iters)))
    rate = gemm_flops / medians.pop("fp32 matmul") / 1e9
    t_track = medians.pop("tracker.track")

    print(f"OSTrack {args.variant}, batch 1, {args.threads} CPU threads, fp32, median of "
          f"{args.iters} interleaved runs, load average {os.getloadavg()[0]:.1f}")
    print(f"  fp32 matmul rate (MKL mm 1024x768x3072) {rate:8.1f} GFLOP/s")
    print(f"  forward FLOPs                           {flops / 1e9:8.2f} GFLOP")
    for name, t in medians.items():
        print(f"  {name:40s} {t * 1e3:8.1f} ms  {1 / t:6.2f} fps  "
              f"{flops / t / 1e9:6.1f} GFLOP/s = {flops / t / 1e9 / rate:6.1%} of matmul")
    print(f"  {'vot-ostrack tracker.track':40s} {t_track * 1e3:8.1f} ms  {1 / t_track:6.2f} fps "
          "(crop + normalise + track_step + decode, 640x480 frames)")
    if "official forward" in medians:
        t_off = medians["official forward"]
        print(f"  speed-up vs official: forward {t_off / medians['vot-ostrack forward']:.2f}x, "
              f"track_step {t_off / medians['vot-ostrack track_step (template cached)']:.2f}x, "
              f"plain ops {t_off / medians['vot-ostrack forward, plain ops']:.2f}x")
        print(f"  max relative error vs official {error:.1e} (score/size/offset maps, boxes, "
              f"features); same eliminated tokens: {same_tokens}")
    else:
        print("  official model: set OSTRACK_OFFICIAL=/path/to/OSTrack to compare")


if __name__ == "__main__":
    main()
