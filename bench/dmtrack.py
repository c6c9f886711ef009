"""DMTrack-GS CPU speed at batch 1: frames per second of ``track`` (whole-frame search at the
official test scale, 1280x720 frames -> 736x414 input padded to 736x416), and the ratio to the
official tracker in the same run when it is importable.

    python bench/dmtrack.py [--threads 2] [--frames 10] [--warmup 2] [--weights dmtrackGS.pth]

Official comparison: set ``VOT_DMTRACK_OFFICIAL`` to a Python file defining
``build_official(checkpoint_path)`` that returns the official ``trackers.dmtrack.DMTrack``
(hqucv/dmtrack on CPU: DCNv2 and RoIAlign substituted by CPU kernels). Both load the same
checkpoint (variance-scaled random weights written here in the mmcv container unless
``--weights``), see the
same frames, and are timed alternately so that machine load affects both alike.
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

from vot_core.structures import Box
from vot_dmtrack.random_init import variance_scaled_init_
from vot_dmtrack.tracker import DMTrackTracker


def frames(n: int, seed: int = 0, size=(720, 1280)):
    """A textured background with a bright square moving across it."""
    rng = np.random.default_rng(seed)
    background = (rng.random((*size, 3)) * 255).astype(np.uint8)
    patch = rng.integers(0, 255, (90, 120, 3), dtype=np.uint8)
    out = []
    for i in range(n):
        frame = background.copy()
        x, y = 300 + 7 * i, 200 + 3 * i
        frame[y:y + 90, x:x + 120] = patch
        out.append(frame)
    return out, Box(300, 200, 120, 90)


def load_official(checkpoint: str):
    build = official_builder("VOT_DMTRACK_OFFICIAL")
    return None if build is None else build(checkpoint)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frames", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--weights", default=None, help="dmtrackGS.pth (default: random weights)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    tmp = None
    weights = args.weights
    if weights is None:
        tmp = tempfile.NamedTemporaryFile(suffix=".pth", delete=False)
        net = variance_scaled_init_(DMTrackTracker().network, seed=0)
        torch.save({"meta": {}, "state_dict": net.state_dict()}, tmp.name)
        weights = tmp.name
    ours = DMTrackTracker(weights=weights)
    official = load_official(weights)
    video, init = frames(1 + args.warmup + args.frames)
    ours.initialize(video[0], init)
    if official is not None:
        official.init(video[0], np.float32([init.x, init.y, init.x + init.w - 1, init.y + init.h - 1]))

    times_ours, cpu_ours, times_official, max_diff = [], [], [], 0.0
    for i, frame in enumerate(video[1:]):
        start, cpu = time.perf_counter(), time.process_time()
        pred = ours.track(frame)
        elapsed = time.perf_counter() - start
        if i >= args.warmup:
            times_ours.append(elapsed)
            cpu_ours.append(time.process_time() - cpu)
        if official is not None:
            start = time.perf_counter()
            ltrb = official.update(frame, return_all=False)
            elapsed = time.perf_counter() - start
            if i >= args.warmup:
                times_official.append(elapsed)
            b = pred.box
            max_diff = max(max_diff, float(np.abs(np.asarray(ltrb, np.float64) - [
                b.x, b.y, b.x + b.w - 1, b.y + b.h - 1]).max()))
    if tmp is not None:
        os.unlink(tmp.name)

    per_frame = statistics.median(times_ours)
    print(f"vot_dmtrack DMTrack-GS, 1280x720 -> 736x416, {args.threads} threads: "
          f"{1.0 / per_frame:.2f} FPS ({per_frame * 1000:.0f} ms/frame, median of {len(times_ours)})")
    cpu = statistics.median(cpu_ours)
    print(f"  CPU time {cpu * 1000:.0f} ms/frame: {args.threads / cpu:.2f} FPS if the {args.threads} "
          "threads ran undisturbed (a shared machine inflates the wall-clock figure)")
    if times_official:
        off = statistics.median(times_official)
        print(f"official tracker: {1.0 / off:.2f} FPS ({off * 1000:.0f} ms/frame); "
              f"speed ratio vot/official {off / per_frame:.2f}x; max box difference {max_diff:.2e} px")


if __name__ == "__main__":
    main()
