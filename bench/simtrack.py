"""SimTrack CPU speed at batch 1: frames per second of vot-simtrack, and the ratio to the
official network in the same run when it is importable.

    python bench/simtrack.py [--threads 2] [--frames 20] [--warmup 3]

Official comparison: set ``VOT_SIMTRACK_OFFICIAL`` to a Python file that defines
``build_official()`` returning the official ``SimTrack`` network (LPXTT/SimTrack built on CPU,
e.g. with CUDA calls made no-ops); both networks get the same random weights and inputs, and
the outputs are compared. Timings alternate between the two so that load affects both alike.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import time

import numpy as np
import torch


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
    path = os.environ.get("VOT_SIMTRACK_OFFICIAL")
    if not path:
        return None
    spec = importlib.util.spec_from_file_location("simtrack_official", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_official().eval()


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from vot_core.datasets.synthetic import make_sequence
    from vot_simtrack.tracker import SimTrackTracker

    tracker = SimTrackTracker()
    weights = _random_weights(tracker.network)
    tracker.network.load_state_dict(weights, strict=True)
    official = _load_official()
    if official is not None:
        official.load_state_dict(weights, strict=True)

    g = torch.Generator().manual_seed(1)
    template, search = torch.randn(1, 3, 112, 112, generator=g), torch.randn(1, 3, 224, 224, generator=g)
    box = torch.tensor([[0.25, 0.3, 0.5, 0.4]], dtype=torch.float64)
    net = tracker.network
    tokens = net.backbone.embed_template(template, box)

    def ours_forward():
        with torch.inference_mode():
            return net(template, search, box)["pred_boxes"]

    def ours_step():  # what the tracker runs per frame: the template tokens are cached
        with torch.inference_mode():
            return net.track_step(*tokens, search)["pred_boxes"]

    def official_forward():
        with torch.no_grad():
            feat = official.forward_backbone([template, search, box[0]])
            return official.forward_head([feat])[0]["pred_boxes"]

    runs = {"ours: network forward": ours_forward, "ours: tracker step (cached template)": ours_step}
    if official is not None:
        runs["official: network forward"] = official_forward
        diff = (ours_step() - official_forward()).abs().max().item()
        print(f"max |pred_boxes ours - official| on the same weights: {diff:.3e}")
    for fn in runs.values():
        for _ in range(args.warmup):
            fn()
    times = {name: [] for name in runs}
    for _ in range(args.frames):
        for name, fn in runs.items():
            times[name].append(_time(fn))

    seq = make_sequence(0, num_frames=args.frames + args.warmup + 1)
    frames = [seq.frame(i) for i in range(len(seq))]
    tracker.initialize(frames[0], seq.init_box)
    for frame in frames[1:1 + args.warmup]:
        tracker.track(frame)
    times["ours: tracker.track (crop + forward + map back)"] = [
        _time(lambda f=f: tracker.track(f)) for f in frames[1 + args.warmup:]]

    print(f"SimTrack Sim-B/16, batch 1, {args.threads} CPU threads, median of {args.frames} after "
          f"{args.warmup} warm-ups (load average {os.getloadavg()[0]:.1f})")
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, m in medians.items():
        print(f"  {name:50s} {1000 * m:8.1f} ms  {1 / m:6.2f} fps")
    if official is not None:
        ref = medians["official: network forward"]
        print(f"  speed-up vs official forward: network forward x{ref / medians['ours: network forward']:.2f}, "
              f"tracker step x{ref / medians['ours: tracker step (cached template)']:.2f}")
    else:
        print("  (official code not importable: set VOT_SIMTRACK_OFFICIAL to compare)")


if __name__ == "__main__":
    main()
