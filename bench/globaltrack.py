"""GlobalTrack CPU speed at batch 1: frames per second of ``track`` at the official input size
(640x480 frames -> 1067x800, padded to 1088x800, 1,000 proposals) and where the time goes
(backbone + FPN, RPN: modulator + head + proposals, R-CNN: RoIAlign + modulator + box head +
NMS), plus the ratio to the official tracker in the same run when it is importable.

    python bench/globaltrack.py [--threads 2] [--frames 5] [--warmup 1] [--weights qg.pth]

Official comparison: set ``VOT_GLOBALTRACK_OFFICIAL`` to a Python file defining
``build_official(checkpoint_path)`` that returns the official ``trackers.global_track.GlobalTrack``
(huanglianghua/GlobalTrack on CPU; mmdetection v1's CUDA-only RoIAlign and NMS substituted by CPU
code, which then dominates its time). Both load the same checkpoint (variance-scaled random
weights in the mmcv container unless ``--weights``), see the same frames and are timed
alternately so that machine load affects both alike.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import numpy as np
import torch
from _official import official_builder

from vot_core.datasets.synthetic import make_sequence
from vot_globaltrack.random_init import variance_scaled_
from vot_globaltrack.tracker import GlobalTrackTracker


def load_official(checkpoint: str):
    build = official_builder("VOT_GLOBALTRACK_OFFICIAL")
    return None if build is None else build(checkpoint)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frames", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--size", default="480,640", help="frame height,width")
    parser.add_argument("--weights", default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    height, width = (int(v) for v in args.size.split(","))
    seq = make_sequence(7, num_frames=args.frames + args.warmup + 1, size=(height, width))
    frames = [seq.frame(i) for i in range(len(seq))]
    x, y, w, h = seq.ground_truth[0]

    weights = args.weights
    if weights is None:
        tracker = GlobalTrackTracker()
        variance_scaled_(tracker.network, tracker.preprocess(frames[0]).tensor)
        weights = os.path.join(tempfile.mkdtemp(), "qg_rcnn_random.pth")
        torch.save({"meta": {"mmdet_version": "1.0rc0"}, "state_dict": tracker.network.state_dict()},
                   weights, _use_new_zipfile_serialization=False)
    tracker = GlobalTrackTracker(weights=weights)
    official = load_official(weights)
    tracker.initialize(frames[0], (x, y, w, h))
    if official is not None:
        official.init(frames[0], np.array([x, y, x + w - 1, y + h - 1]))

    prep = tracker.preprocess(frames[1])
    print(f"frames {width}x{height} -> network input {prep.img_shape[1]}x{prep.img_shape[0]} "
          f"(padded {prep.pad_shape[1]}x{prep.pad_shape[0]}), {args.threads} threads")
    ours, theirs, stages = [], [], {}
    for i, frame in enumerate(frames[1:]):
        timings = {} if i >= args.warmup else None
        t0 = time.perf_counter()
        prepared = tracker.preprocess(frame)
        t1 = time.perf_counter()
        with torch.inference_mode():
            tracker.network.detect(tracker.query, prepared.tensor, prepared.img_shape,
                                   prepared.scale_factor, timings=timings)
        t2 = time.perf_counter()
        if timings is not None:
            ours.append(t2 - t0)
            timings["preprocess"] = t1 - t0
            for k, v in timings.items():
                stages.setdefault(k, []).append(v)
        if official is not None:
            t0 = time.perf_counter()
            official.update(frame)
            if i >= args.warmup:
                theirs.append(time.perf_counter() - t0)
    mean = statistics.mean(ours)
    print(f"vot-globaltrack: {1 / mean:.3f} fps ({mean * 1000:.0f} ms/frame over {len(ours)} frames)")
    for k in ("preprocess", "backbone", "rpn", "rcnn"):
        v = statistics.mean(stages[k])
        print(f"  {k:10s} {v * 1000:8.0f} ms  {100 * v / mean:5.1f} %")
    if theirs:
        m = statistics.mean(theirs)
        print(f"official:        {1 / m:.3f} fps ({m * 1000:.0f} ms/frame); ratio {m / mean:.2f}x")


if __name__ == "__main__":
    main()
