"""OSTrack CPU speed at batch 1: frames per second, ratio to the official model, matmul fraction.

    python bench/ostrack.py [--threads 2] [--variant vitb_256_mae_ce_32x4_ep300] [--iters 20]
    OSTRACK_OFFICIAL=/path/to/OSTrack python bench/ostrack.py   # also time the official model

Prints, all measured in this run: the fp32 matmul rate of this machine (GFLOP/s), the network
forward and the full tracker step (crop + normalise + forward + decode) of vot-ostrack, the
official model forward on the same weights and inputs (if its code is importable: it needs
``easydict`` and ``pyyaml``), their ratio, and the fraction of the matmul rate reached.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time

import torch


def median_seconds(fn, iters: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


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


def matmul_gflops(iters: int) -> float:
    """fp32 GEMM rate on a ViT-B-sized product (1024 x 768 @ 768 x 3072)."""
    a, b = torch.randn(1024, 768), torch.randn(768, 3072)
    t = median_seconds(lambda: torch.mm(a, b), iters, warmup=5)
    return 2 * 1024 * 768 * 3072 / t / 1e9


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variant", default="vitb_256_mae_ce_32x4_ep300")
    parser.add_argument("--iters", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from vot_core.datasets.synthetic import make_sequence
    from vot_ostrack.tracker import OSTrackTracker

    tracker = OSTrackTracker.from_variant(args.variant)
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

    gemm = matmul_gflops(args.iters)
    flops = forward_flops(p)

    def ours():
        with torch.inference_mode():
            net(z, x, ce_template_mask=mask, return_last_attn=False)

    t_ours = median_seconds(ours, args.iters)

    seq = make_sequence(0, num_frames=args.iters + 4, size=(480, 640))
    frames = [seq.frame(i) for i in range(len(seq))]
    tracker.initialize(frames[0], seq.ground_truth[0])
    it = iter(frames[1:])
    t_step = median_seconds(lambda: tracker.track(next(it)), args.iters)

    print(f"OSTrack {args.variant}, batch 1, {args.threads} CPU threads, fp32, "
          f"median of {args.iters}")
    print(f"  fp32 matmul rate            {gemm:8.1f} GFLOP/s")
    print(f"  forward FLOPs               {flops / 1e9:8.2f} GFLOP")
    print(f"  vot-ostrack forward         {t_ours * 1e3:8.1f} ms  {1 / t_ours:6.2f} fps  "
          f"{flops / t_ours / 1e9:6.1f} GFLOP/s = {flops / t_ours / 1e9 / gemm:5.1%} of matmul")
    print(f"  vot-ostrack tracker step    {t_step * 1e3:8.1f} ms  {1 / t_step:6.2f} fps "
          "(crop + normalise + forward + decode, 640x480 frames)")

    root = os.environ.get("OSTRACK_OFFICIAL")
    if root:
        try:
            off = official_model(root, args.variant, net.state_dict())
        except Exception as exc:  # noqa: BLE001 - report and keep our numbers
            print(f"  official model not importable from {root}: {type(exc).__name__}: {exc}")
            return
        from vot_ostrack.ostrack import template_center_mask

        omask = template_center_mask(p.template_size // p.patch_size) if p.ce_loc else None

        def official():
            with torch.no_grad():
                off(z.clone(), x.clone(), ce_template_mask=omask)

        # interleave the two models so that load changes on a shared machine hit both alike
        t_ours, t_off = interleaved_medians([ours, official], args.iters)
        print(f"  vot-ostrack forward (again) {t_ours * 1e3:8.1f} ms  {1 / t_ours:6.2f} fps "
              "(interleaved with the official model)")
        print(f"  official forward            {t_off * 1e3:8.1f} ms  {1 / t_off:6.2f} fps  "
              f"{flops / t_off / 1e9:6.1f} GFLOP/s = {flops / t_off / 1e9 / gemm:5.1%} of matmul")
        print(f"  speed-up vs official        {t_off / t_ours:8.2f}x (forward)")
    else:
        print("  official model: set OSTRACK_OFFICIAL=/path/to/OSTrack to compare")


if __name__ == "__main__":
    main()
