"""Alpha-Refine CPU cost at batch 1: the milliseconds the refiner adds per frame (crop,
network, map-back), and the ratio to the official ``RefineModule`` in the same run when it is
importable.

    python bench/alpharefine.py [--threads 2] [--frames 20] [--warmup 3]

Official comparison: set ``VOT_ALPHAREFINE_OFFICIAL`` to a Python file that defines
``build_official(state_dict)`` returning the official ``RefineModule`` holding an
``SEcm_resnet34`` with those weights (MasterBin-IIAU/AlphaRefine on CPU, CUDA calls made
no-ops). Both get the same random weights, frames and base boxes; the boxes are compared and
the timings alternate between the two so that machine load affects both alike.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from _official import official_builder

from vot_alpharefine.refiner import AlphaRefine
from vot_alpharefine.secm import secm_resnet34
from vot_core.structures import Prediction


def random_weights(seed: int = 0) -> dict:
    """Fan-in scaled random weights with sane BN statistics (finite, non-saturated outputs)."""
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for key, ref in secm_resnet34(init=False).state_dict().items():
        if not ref.is_floating_point():
            out[key] = torch.zeros_like(ref)
        elif key.endswith("running_var"):
            out[key] = 0.75 + 0.5 * torch.rand(ref.shape, generator=gen)
        elif ref.dim() >= 2:
            scale = 1e-3 if ("conv5_" in key or "post2" in key) else 1.0
            out[key] = scale * torch.randn(ref.shape, generator=gen) * (2.0 / ref[0].numel()) ** 0.5
        else:
            out[key] = 0.1 * torch.randn(ref.shape, generator=gen)
    return out


def load_official(state):
    build = official_builder("VOT_ALPHAREFINE_OFFICIAL")
    return None if build is None else build(state)


def frames_and_boxes(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    H, W = 480, 640
    background = (rng.random((H, W, 3)) * 255).astype(np.uint8)
    out = []
    for t in range(n + 1):
        frame = background.copy()
        x, y = 200 + 5 * t, 150 + 3 * t
        frame[y:y + 80, x:x + 120] = (220, 60, 40)
        jitter = rng.normal(0, 4, 4)
        out.append((frame, np.array([x, y, 120.0, 80.0]) + jitter * (t > 0)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    state = random_weights()
    net = secm_resnet34(init=False)
    net.load_state_dict(state)
    ours = {"corner": AlphaRefine(network=net, clip=False, keep_base_if_invalid=False),
            "corner+mask": AlphaRefine(network=net, clip=False, keep_base_if_invalid=False,
                                       return_mask=True)}
    official = load_official(state)
    data = frames_and_boxes(args.frames + args.warmup)
    (frame0, box0), rest = data[0], data[1:]
    times = {name: [] for name in ours}
    times_official, max_rel = [], 0.0
    for refiner in ours.values():
        refiner.initialize(frame0, box0)
    if official is not None:
        official.initialize(frame0, box0.copy())
    init_ms = 1e3 * min(timeit(lambda: ours["corner"].initialize(frame0, box0)) for _ in range(3))
    for i, (frame, base) in enumerate(rest):
        for name, refiner in ours.items():
            dt = timeit(lambda r=refiner, f=frame, b=base: r.refine(f, Prediction(b)))
            if i >= args.warmup:
                times[name].append(dt)
        if official is not None:
            start = time.perf_counter()
            ref_box = official.refine(frame, base.copy())
            dt = time.perf_counter() - start
            if i >= args.warmup:
                times_official.append(dt)
            box = np.asarray(ours["corner"].refine(frame, Prediction(base)).extras["unclipped_box"])
            max_rel = max(max_rel, float(np.abs(box - ref_box).max() / np.abs(ref_box).max()))
    print(f"vot-alpharefine SEcm_r34, CPU, {args.threads} threads, batch 1, 640x480 frames, "
          f"{args.frames} frames")
    print(f"  initialize (template): {init_ms:.1f} ms")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  refine ({name}): {1e3 * median:.1f} ms/frame added (min {1e3 * min(values):.1f}; "
              f"{1 / median:.1f} frames/s for the refiner alone)")
    if official is not None:
        off = statistics.median(times_official)
        ratio = off / statistics.median(times["corner"])
        print(f"  official RefineModule (corner): {1e3 * off:.1f} ms/frame; speed ratio vot/official "
              f"{ratio:.2f}x; max relative box difference {max_rel:.2e}")


def timeit(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
