"""``vot demo [--output DIR]``: track a generated sequence end to end, no download needed.

Renders the first sequence of the ``synthetic-demo`` suite (:mod:`vot_core.datasets.synthetic`),
tracks it with the default pipeline, writes the results and an annotated video, and prints the
success AUC against the generated ground truth and the tracker's frames per second.
"""
from __future__ import annotations

import argparse
from pathlib import Path

#: Default pipelines of the demo, the first one installed wins: OSTrack-tiny (trained on the
#: synthetic-train suite, shipped inside vot-ostrack), else core's NCC baseline.
DEFAULT_PIPELINES = ("ostrack/tiny_synthetic", "core/ncc")
#: refiner added to the first default pipeline when its package is installed
DEFAULT_REFINER = "alpharefine/tiny_synthetic"


def default_pipeline() -> str:
    """The first of :data:`DEFAULT_PIPELINES` whose package is installed."""
    from ..config import ConfigError, resolve_config_path

    for name in DEFAULT_PIPELINES[:-1]:
        try:
            resolve_config_path(name)
            return name
        except ConfigError:
            continue
    return DEFAULT_PIPELINES[-1]


def default_refiners(pipeline: str) -> list:
    """``[DEFAULT_REFINER]`` for the trained default tracker when vot-alpharefine is installed
    (OSTrack-tiny + Alpha-Refine-tiny), else no refiner."""
    from ..config import ConfigError, resolve_config_path

    if pipeline != DEFAULT_PIPELINES[0]:
        return []
    try:
        resolve_config_path(DEFAULT_REFINER)
    except ConfigError:
        return []
    return [DEFAULT_REFINER]


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "demo", help="track a generated sequence and report its success AUC",
        description="Generate a synthetic sequence, track it, write boxes.txt, scores.txt, "
                    "groundtruth.txt and an annotated video.mp4, print success AUC and speed.")
    parser.add_argument("--output", "-o", default="vot-demo", metavar="DIR",
                        help="output folder (default: ./vot-demo)")
    parser.add_argument("--pipeline", "-p", default=None, metavar="NAME_OR_FILE",
                        help=f"pipeline to run (default: the first installed of "
                             f"{', '.join(DEFAULT_PIPELINES)})")
    parser.add_argument("--refiner", "-r", action="append", default=None, metavar="NAME_OR_FILE",
                        help=f"refiner to compose (repeatable; default: {DEFAULT_REFINER} with "
                             f"the default tracker, if installed)")
    parser.add_argument("--no-refiner", action="store_true",
                        help="run the tracker alone (no default refiner)")
    parser.add_argument("--frames", type=int, default=None,
                        help="number of frames (default: the synthetic-demo suite's length)")
    parser.add_argument("--seed", type=int, default=None,
                        help="sequence seed (default: the first synthetic-demo sequence)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--no-video", action="store_true", help="do not write video.mp4")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    return parser


def success_auc(predicted, ground_truth, thresholds: int = 21) -> float:
    """Mean of the success curve (fraction of frames with IoU > t, t in linspace(0, 1, 21)).

    Frames whose target is hidden (ground truth ``0,0,0,0``) have IoU 0 (LaSOT's convention:
    they count as misses).
    """
    import numpy as np

    from ..geometry import iou

    overlaps = np.nan_to_num(iou(predicted, ground_truth), nan=0.0)
    curve = [(overlaps > t).mean() for t in np.linspace(0.0, 1.0, thresholds)]
    return float(np.mean(curve))


def run(args) -> int:
    from ..datasets.synthetic import SUITES, make_sequence
    from ..pipeline import build_pipeline
    from ..runner import track_source

    spec = SUITES["synthetic-demo"]
    seed = args.seed if args.seed is not None else spec.seeds[0]
    frames = args.frames if args.frames is not None else spec.num_frames
    if frames < 2:
        raise ValueError(f"--frames must be at least 2, got {frames}")
    refiners = list(args.refiner or [])
    if args.pipeline is None:
        args.pipeline = default_pipeline()
        if not (refiners or args.no_refiner):
            refiners = default_refiners(args.pipeline)
        if args.pipeline == DEFAULT_PIPELINES[0]:
            print(f"default pipeline: {args.pipeline} (OSTrack-tiny, trained on synthetic-train)"
                  + (f" + {refiners[0]} (Alpha-Refine-tiny)" if refiners else ""))
        else:
            print(f"default pipeline: {args.pipeline} (the NCC template-matching baseline; "
                  "install vot-ostrack for the trained tiny model)")
    if args.no_refiner:
        refiners = []
    sequence = make_sequence(seed, num_frames=frames, size=spec.size, difficulty=spec.difficulty)
    print(f"sequence: {sequence.name}, {len(sequence)} frames of {spec.size[1]}x{spec.size[0]}, "
          f"effects: {', '.join(sequence.attributes.get('tags', ())) or 'none'}")
    pipeline = build_pipeline(args.pipeline, refiners=refiners, device=args.device)
    output = Path(args.output)

    def frames_iter():
        for i in range(len(sequence)):
            yield sequence.frame(i)

    result = track_source(pipeline, frames_iter(), sequence.ground_truth[0], output=output,
                          video=not args.no_video, fps=30.0, total=len(sequence),
                          progress=not args.quiet, label=" + ".join([str(args.pipeline), *refiners]),
                          description="vot demo",
                          extra_boxes={"groundtruth.txt": sequence.ground_truth})
    auc = success_auc(result.boxes, sequence.ground_truth)
    print(f"success AUC: {100 * auc:.1f}% over {len(result)} frames (21 IoU thresholds, "
          f"hidden frames count as misses)")
    print(f"speed: {result.fps:.1f} frames/s ({pipeline!r}, {args.device})")
    print(f"wrote {result.output}/ (boxes.txt, scores.txt, times.txt, groundtruth.txt"
          f"{'' if args.no_video else ', video.mp4'})")
    return 0
