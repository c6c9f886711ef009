"""CPU benchmark of the vot-ops kernels against torchvision.ops and the pure-PyTorch references.

Realistic sizes: the FPN levels P2-P5 of an 800x1333 frame (padded to 800x1344) with 1,000
proposals (RoIAlign 7x7, sampling_ratio=2, as GlobalTrack / DMTrack); NMS of 1,000 RPN
proposals; the DCNv2 blocks of DMTrack's DLA-up on an 800x1333 frame; PrRoIPool of IoU-Net
style box refinement. All ratios come from the same run. Usage: python bench/ops.py
"""
from __future__ import annotations

import argparse
import statistics
import time
import warnings

import torch
import torchvision.ops as tvops

import vot_ops
from vot_ops import reference


def timeit(fn, repeat: int, warmup: int = 1) -> float:
    """Median wall time in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def proposals(n: int, height: int, width: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    side = torch.exp(torch.empty(n).uniform_(2.5, 6.3, generator=g))  # 12 .. 545 px
    aspect = torch.exp(torch.empty(n).uniform_(-0.7, 0.7, generator=g))
    w, h = side * aspect.sqrt(), side / aspect.sqrt()
    cx = torch.rand(n, generator=g) * width
    cy = torch.rand(n, generator=g) * height
    boxes = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)
    boxes[:, 0::2] = boxes[:, 0::2].clamp(0, width - 1)
    boxes[:, 1::2] = boxes[:, 1::2].clamp(0, height - 1)
    return boxes


def bench_roi_align(repeat: int):
    strides = [4, 8, 16, 32]
    feats = [torch.randn(1, 256, 800 // s, 1344 // s) for s in strides]
    boxes = proposals(1000, 800, 1333, seed=0)
    rois = torch.cat([torch.zeros(1000, 1), boxes], 1)
    levels = vot_ops.map_roi_levels(rois, 4)
    per_level = [rois[levels == i] for i in range(4)]

    def run(op, **kw):
        return lambda: [op(f, r, 7, 1.0 / s, 2, True, **kw) for f, s, r in zip(feats, strides, per_level)]

    return {
        "vot_ops": timeit(run(vot_ops.roi_align), repeat),
        "torchvision": timeit(run(tvops.roi_align), repeat),
        "reference": timeit(run(reference.roi_align), max(1, repeat // 3)),
    }


def bench_roi_align_backward(repeat: int):
    feat = torch.randn(1, 256, 200, 336, requires_grad=True)
    boxes = proposals(500, 800, 1333, seed=1) / 4 * 4
    rois = torch.cat([torch.zeros(500, 1), boxes], 1)
    grad = torch.randn(500, 256, 7, 7)

    def run(op):
        return lambda: torch.autograd.grad(op(feat, rois, 7, 0.25, 2, True), feat, grad)

    return {"vot_ops": timeit(run(vot_ops.roi_align), repeat),
            "torchvision": timeit(run(tvops.roi_align), repeat),
            "reference": timeit(run(reference.roi_align), max(1, repeat // 3))}


def bench_nms(repeat: int):
    boxes = proposals(1000, 800, 1333, seed=2)
    scores = torch.rand(1000)
    return {"vot_ops": timeit(lambda: vot_ops.nms(boxes, scores, 0.7), repeat * 5),
            "torchvision": timeit(lambda: tvops.nms(boxes, scores, 0.7), repeat * 5),
            "reference": timeit(lambda: reference.nms(boxes, scores, 0.7), repeat)}


def bench_batched_nms(repeat: int):
    boxes = proposals(1000, 800, 1333, seed=3)
    scores = torch.rand(1000)
    idxs = torch.randint(0, 5, (1000,))
    return {"vot_ops": timeit(lambda: vot_ops.batched_nms(boxes, scores, idxs, 0.5), repeat * 5),
            "torchvision": timeit(lambda: tvops.batched_nms(boxes, scores, idxs, 0.5), repeat * 5),
            "reference": timeit(lambda: reference.batched_nms(boxes, scores, idxs, 0.5), repeat)}


def dcn_inputs(channels: int, height: int, width: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1, channels, height, width, generator=g)
    weight = torch.randn(channels, channels, 3, 3, generator=g) * 0.05
    bias = torch.randn(channels, generator=g)
    offset = torch.randn(1, 18, height, width, generator=g) * 2
    mask = torch.rand(1, 9, height, width, generator=g)
    return x, offset, weight, bias, mask


def bench_dcn(channels: int, height: int, width: int, repeat: int):
    x, offset, weight, bias, mask = dcn_inputs(channels, height, width, seed=channels)

    def run(op):
        return lambda: op(x, offset, weight, bias, 1, 1, 1, mask)

    return {"vot_ops": timeit(run(vot_ops.modulated_deform_conv2d), repeat),
            "torchvision": timeit(run(tvops.deform_conv2d), repeat),
            "reference": timeit(run(reference.modulated_deform_conv2d), max(1, repeat // 3))}


def bench_dcn_backward(channels: int, height: int, width: int, repeat: int):
    x, offset, weight, bias, mask = dcn_inputs(channels, height, width, seed=channels + 1)
    ins = [t.requires_grad_() for t in (x, offset, weight, bias, mask)]
    grad = torch.randn(1, channels, height, width)

    def run(op):
        return lambda: torch.autograd.grad(op(x, offset, weight, bias, 1, 1, 1, mask), ins, grad)

    return {"vot_ops": timeit(run(vot_ops.modulated_deform_conv2d), repeat),
            "torchvision": timeit(run(tvops.deform_conv2d), repeat),
            "reference": timeit(run(reference.modulated_deform_conv2d), max(1, repeat // 3))}


def bench_prroi(repeat: int, backward: bool):
    # IoU-Net refinement: 288x288 crop, stride-8 (36x36) and stride-16 (18x18) features,
    # 64 candidate boxes, 5x5 / 3x3 outputs; backward gives the box gradients it ascends.
    g = torch.Generator().manual_seed(4)
    f8 = torch.randn(1, 256, 36, 36, generator=g, requires_grad=backward)
    f16 = torch.randn(1, 256, 18, 18, generator=g, requires_grad=backward)
    xy = torch.rand(64, 2, generator=g) * 150
    wh = torch.rand(64, 2, generator=g) * 120 + 16
    rois = torch.cat([torch.zeros(64, 1), xy, xy + wh], 1).requires_grad_(backward)

    def run(op):
        def step():
            out = op(f8, rois, 5, 1 / 8).sum() + op(f16, rois, 3, 1 / 16).sum()
            if backward:
                torch.autograd.grad(out, (f8, f16, rois))
        return step

    return {"vot_ops": timeit(run(vot_ops.prroi_pool), repeat * 5),
            "reference": timeit(run(reference.prroi_pool), repeat)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    warnings.simplefilter("default")
    if not vot_ops.extension_loaded():
        print("WARNING: the compiled extension is not loaded; vot_ops runs the reference kernels")
    r = args.repeat
    rows = [
        ("roi_align fwd, P2-P5 of 800x1333, 1000 RoIs, 256 ch, 7x7, sr=2, aligned", bench_roi_align(r)),
        ("roi_align fwd+bwd, P2 200x336, 500 RoIs, 256 ch", bench_roi_align_backward(r)),
        ("nms, 1000 RPN proposals, IoU 0.7", bench_nms(r)),
        ("batched_nms, 1000 boxes, 5 classes, IoU 0.5", bench_batched_nms(r)),
        ("DCNv2 fwd 3x3, 256 ch, 50x84 (DLA-up s16)", bench_dcn(256, 50, 84, r)),
        ("DCNv2 fwd 3x3, 128 ch, 100x168 (DLA-up s8)", bench_dcn(128, 100, 168, r)),
        ("DCNv2 fwd+bwd 3x3, 128 ch, 100x168", bench_dcn_backward(128, 100, 168, max(1, r // 2))),
        ("prroi_pool fwd, 64 boxes, 256 ch, 36x36 + 18x18", bench_prroi(r, backward=False)),
        ("prroi_pool fwd+bwd (features and boxes)", bench_prroi(r, backward=True)),
    ]
    print(f"torch {torch.__version__}, torchvision {__import__('torchvision').__version__}, "
          f"{torch.get_num_threads()} threads, median of {r} runs (ms)\n")
    print("| kernel | vot_ops ms | torchvision ms | reference ms | vs torchvision | vs reference |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, t in rows:
        tv = t.get("torchvision")
        tv_s = f"{tv:.2f}" if tv is not None else "-"
        tv_ratio = f"{tv / t['vot_ops']:.2f}x" if tv is not None else "-"
        print(f"| {name} | {t['vot_ops']:.2f} | {tv_s} | {t['reference']:.2f} | {tv_ratio} | "
              f"{t['reference'] / t['vot_ops']:.1f}x |")


if __name__ == "__main__":
    main()
