"""SimTrack CPU speed at batch 1: frames per second of vot-simtrack, and the ratio to the
official network in the same run when it is importable.

    python bench/simtrack.py [--threads 2] [--frames 20] [--warmup 3]

Official comparison: set ``VOT_SIMTRACK_OFFICIAL`` to a Python file that defines
``build_official()`` returning the official ``SimTrack`` network (LPXTT/SimTrack built on CPU,
e.g. with CUDA calls made no-ops); both networks get the same random weights and inputs, and
the outputs are compared. Timings alternate between all variants (a reference matmul, our
forward on the fused oneDNN path, our per-frame step, our forward on plain PyTorch ops, the
official forward) so that load affects them alike.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import torch
from _official import official_builder


def _random_weights(model: torch.nn.Module, seed: int = 0) -> dict:
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for key, ref in model.state_dict().items():
        if not ref.is_floating_point():
            out[key] = ref.clone()
        elif key.endswith("running_var"):
            out[key] = 0.5 + torch.rand(ref.shape, generator=gen)
        elif ref.dim() >= 2 and "embedding" not in key:
            out[key] = torch.randn(ref.shape, generator=gen) / np.sqrt(ref[0].numel())
        else:
            out[key] = 0.02 * torch.randn(ref.shape, generator=gen) + (1.0 if key.endswith("weight") else 0.0)
    return out


def _load_official():
    build = official_builder("VOT_SIMTRACK_OFFICIAL")
    return None if build is None else build().eval()


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def forward_flops(arch) -> float:
    """FLOPs (2 x MACs) of the official forward: patch embeddings (template, search, the
    foveal conv over the whole template), 12 blocks on every token, bottleneck, corner head."""
    D, P = arch.width, arch.patch_size
    lt, ls = (arch.template_size // P) ** 2, (arch.search_size // P) ** 2
    lf = (arch.foveal_size // P) ** 2
    n = lt + 1 + ls + lf
    macs = (2 * lt + ls) * 3 * P * P * D
    macs += arch.layers * (n * 4 * D * D + 2 * n * n * D + n * 2 * D * 4 * D)
    macs += ls * D * arch.hidden_dim
    c = [arch.hidden_dim, arch.head_dim, arch.head_dim // 2, arch.head_dim // 4,
         arch.head_dim // 8]
    macs += 2 * (sum(c[i] * c[i + 1] * 9 for i in range(4)) + c[4]) * ls
    return 2.0 * macs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from vot_core import nn_fast
    from vot_core.datasets.synthetic import make_sequence
    from vot_simtrack.tracker import SimTrackTracker

    tracker = SimTrackTracker()  # its network is frozen (nn_fast: packed / folded weights)
    weights = _random_weights(tracker.network)
    tracker.network.load_state_dict(weights, strict=True)
    official = _load_official()
    if official is not None:
        official.load_state_dict(weights, strict=True)

    g = torch.Generator().manual_seed(1)
    template, search = torch.randn(1, 3, 112, 112, generator=g), torch.randn(1, 3, 224, 224, generator=g)
    box = torch.tensor([[0.25, 0.3, 0.5, 0.4]], dtype=torch.float64)
    net = tracker.network
    with torch.inference_mode():
        tokens = net.backbone.embed_template(template, box)
    flops = forward_flops(net.arch)
    a, b = torch.randn(1024, 768), torch.randn(768, 3072)

    def matmul():
        torch.mm(a, b)

    def ours_forward():
        with torch.inference_mode():
            return net(template, search, box)["pred_boxes"]

    def ours_step():  # what the tracker runs per frame: the template tokens are cached
        with torch.inference_mode():
            return net.track_step(*tokens, search)["pred_boxes"]

    def ours_plain():  # the same network on plain PyTorch ops (the 0.1.0 implementation)
        with torch.inference_mode(), nn_fast.reference_mode():
            return net(template, search, box)["pred_boxes"]

    def official_forward():
        with torch.no_grad():
            feat = official.forward_backbone([template, search, box[0]])
            return official.forward_head([feat])[0]["pred_boxes"]

    runs = {"fp32 matmul (MKL mm 1024x768x3072)": matmul, "ours: network forward": ours_forward,
            "ours: track_step (cached template)": ours_step,
            "ours: network forward, plain ops": ours_plain}
    error = None
    if official is not None:
        runs["official: network forward"] = official_forward
        ref = official_forward()
        error = max(float((fn() - ref).abs().max() / ref.abs().max())
                    for fn in (ours_forward, ours_step))
    seq = make_sequence(0, num_frames=args.frames + args.warmup + 1)
    frames = iter([seq.frame(i) for i in range(len(seq))])
    tracker.initialize(next(frames), seq.init_box)
    runs["ours: tracker.track (crop + step + map back)"] = lambda: tracker.track(next(frames))
    for fn in runs.values():
        for _ in range(args.warmup):
            fn()
    times = {name: [] for name in runs}
    for _ in range(args.frames):  # interleaved: load changes on a shared machine hit all alike
        for name, fn in runs.items():
            times[name].append(_time(fn))

    print(f"SimTrack Sim-B/16, batch 1, {args.threads} CPU threads, fp32, median of {args.frames} "
          f"interleaved runs after {args.warmup} warm-ups (load average {os.getloadavg()[0]:.1f})")
    medians = {name: statistics.median(t) for name, t in times.items()}
    rate = 2 * 1024 * 768 * 3072 / medians.pop("fp32 matmul (MKL mm 1024x768x3072)") / 1e9
    print(f"  fp32 matmul rate (MKL mm 1024x768x3072) {rate:8.1f} GFLOP/s; official forward "
          f"{flops / 1e9:.2f} GFLOP")
    for name, m in medians.items():
        print(f"  {name:46s} {1000 * m:8.1f} ms  {1 / m:6.2f} fps  "
              f"{flops / m / 1e9 / rate:6.1%} of matmul (official FLOPs)")
    if official is not None:
        ref = medians["official: network forward"]
        print(f"  speed-up vs official forward: network forward x{ref / medians['ours: network forward']:.2f}, "
              f"track_step x{ref / medians['ours: track_step (cached template)']:.2f}, "
              f"plain ops x{ref / medians['ours: network forward, plain ops']:.2f}")
        print(f"  max relative error of pred_boxes vs official: {error:.1e}")
    else:
        print("  (official code not importable: set VOT_SIMTRACK_OFFICIAL to compare)")


if __name__ == "__main__":
    main()
