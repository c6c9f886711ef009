"""Does refinement help? A deliberately noisy base tracker (the true box jittered in position and
scale, :class:`vot_core.baseline.NoisyOracleTracker`) alone and refined by a refiner, on the
held-out synthetic-test suite; success AUC, precision (lasot protocol) and the refiner's added
milliseconds per frame, all measured in one run on 2 CPU threads.

    python bench/refine_helps.py [--refiner alpharefine/tiny_synthetic] [--noise 0.1 0.2 0.3]
"""
from __future__ import annotations

import argparse
import time

import torch

from vot_core.baseline import NoisyOracleTracker
from vot_core.datasets.synthetic import SUITES, make_sequence
from vot_core.evaluation.protocols import evaluate
from vot_core.evaluation.runner import track_sequence
from vot_core.pipeline import Pipeline, build_refiner


def score(boxes, sequences):
    items = [dict(pred=b, gt=s.ground_truth, absent=s.absent, name=s.name, dataset="synthetic")
             for b, s in zip(boxes, sequences)]
    report = evaluate("lasot", items)
    return 100 * report["auc"], 100 * report["precision"]


def run(refiner_name: str, noises, frames: int, sequences: int) -> None:
    torch.set_num_threads(2)
    spec = SUITES["synthetic-test"]
    seqs = [make_sequence(seed, num_frames=frames or spec.num_frames, size=spec.size,
                          difficulty=spec.difficulty) for seed in list(spec.seeds)[:sequences]]
    refiner = build_refiner(refiner_name)
    print(f"synthetic-test: {len(seqs)} sequences x {len(seqs[0])} frames; refiner {refiner_name}")
    print("| base tracker noise (position, scale) | noisy AUC | + refiner AUC | noisy P | "
          "+ refiner P | refiner ms/frame |\n|---|---|---|---|---|---|")
    for noise in noises:
        plain, refined, refine_time, refined_frames = [], [], 0.0, 0
        for k, seq in enumerate(seqs):
            oracle = NoisyOracleTracker(seq.ground_truth, noise, noise, seed=k)
            plain.append(track_sequence(oracle, seq)[0])
            oracle = NoisyOracleTracker(seq.ground_truth, noise, noise, seed=k)
            pipe = Pipeline(oracle, [refiner])
            t0 = time.perf_counter()
            refined.append(track_sequence(pipe, seq)[0])
            refine_time += time.perf_counter() - t0
            refined_frames += len(seq)
        a0, p0 = score(plain, seqs)
        a1, p1 = score(refined, seqs)
        print(f"| {noise:.2f}, {noise:.2f} | {a0:.1f} | {a1:.1f} | {p0:.1f} | {p1:.1f} | "
              f"{1000 * refine_time / refined_frames:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refiner", default="alpharefine/tiny_synthetic")
    parser.add_argument("--noise", type=float, nargs="+", default=[0.05, 0.1, 0.2, 0.3])
    parser.add_argument("--frames", type=int, default=0, help="frames per sequence (0: suite's)")
    parser.add_argument("--sequences", type=int, default=30)
    args = parser.parse_args()
    run(args.refiner, args.noise, args.frames, args.sequences)
