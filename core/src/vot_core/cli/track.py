"""``vot track SOURCE --pipeline NAME_OR_FILE (--init-box x,y,w,h | --select)``.

Tracks one target through a video file, an image folder or a camera and writes ``boxes.txt``
(init box first), ``scores.txt``, ``times.txt`` and an annotated ``video.mp4`` atomically into
``--output`` (see :mod:`vot_core.runner`).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import List


class SelectError(ValueError):
    """The interactive box selection could not run or was cancelled."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "track", help="track one target through a video, image folder or camera",
        description="Track the target given by --init-box (or selected with --select) and write "
                    "boxes.txt (one x,y,w,h line per frame, the init box first), scores.txt, "
                    "times.txt and an annotated video.mp4 into --output.",
        epilog="A box with a negative coordinate needs '=': --init-box=-4,10,50,40")
    parser.add_argument("source", help="video file, image folder, or camera index (0, 1, ...; "
                                       "Ctrl+C ends a camera run and keeps its results)")
    parser.add_argument("--pipeline", "-p", required=True, metavar="NAME_OR_FILE",
                        help="named config (e.g. core/ncc, ostrack/vitb_256_mae_ce_32x4_ep300) "
                             "or a .py config file defining pipeline=dict(tracker=..., ...)")
    parser.add_argument("--weights", metavar="PATH",
                        help="tracker checkpoint (official format, loaded strictly) or zoo name")
    parser.add_argument("--refiner", action="append", default=[], metavar="NAME_OR_FILE",
                        help="append a refiner (named config or file); repeatable")
    parser.add_argument("--refiner-weights", action="append", default=[], metavar="PATH",
                        help="checkpoint of the matching --refiner; repeatable")
    box = parser.add_mutually_exclusive_group(required=True)
    box.add_argument("--init-box", metavar="x,y,w,h",
                     help="target box in the first frame (0-based pixels, top-left corner)")
    box.add_argument("--select", action="store_true",
                     help="draw the box on the first frame in a window (needs a display)")
    parser.add_argument("--output", "-o", metavar="DIR",
                        help="output folder (default: runs/track/<source name>)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--cfg-options", nargs="+", default=[], metavar="KEY=VALUE",
                        help="override config keys, e.g. pipeline.tracker.search_factor=3")
    parser.add_argument("--fps", type=float, help="frame rate of an image folder (default 30)")
    parser.add_argument("--allow-gaps", action="store_true",
                        help="track an image folder even if numbered frames are missing")
    parser.add_argument("--no-video", action="store_true", help="do not write video.mp4")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    return parser


def parse_box(text: str, what: str = "--init-box") -> List[float]:
    """``"x,y,w,h"`` -> 4 floats; a clear error for anything else (NaN is rejected later)."""
    parts = [p for p in text.replace(" ", ",").split(",") if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4:
        raise ValueError(f"{what} '{text}' is not four numbers x,y,w,h")
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{what} {text} has a NaN or infinite value")
    if values[2] <= 0 or values[3] <= 0:
        raise ValueError(f"{what} {text} is empty or negative: width and height must be > 0")
    return values


def has_display() -> bool:
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def select_box(frame) -> List[float]:
    """Let the user draw the box on ``frame`` (RGB) with OpenCV's ROI selector."""
    if not has_display():
        raise SelectError("--select needs a display (DISPLAY is not set); "
                          "pass --init-box x,y,w,h instead")
    import cv2

    window = "vot: drag the target box, then ENTER (c cancels)"
    try:
        x, y, w, h = cv2.selectROI(window, cv2.cvtColor(frame, cv2.COLOR_RGB2BGR),
                                   showCrosshair=True, fromCenter=False)
        cv2.destroyWindow(window)
    except cv2.error as exc:
        raise SelectError(f"--select could not open a window ({str(exc).strip().splitlines()[-1]}); "
                          "pass --init-box x,y,w,h instead") from exc
    if w <= 0 or h <= 0:
        raise SelectError("no box was selected (selection cancelled)")
    return [float(x), float(y), float(w), float(h)]


def default_output(source) -> Path:
    return Path("runs") / "track" / (source.name or "source")


def run(args) -> int:
    import itertools

    from ..pipeline import build_pipeline
    from ..runner import track_source
    from ..structures import Box
    from ..video import VideoSource

    init_box = parse_box(args.init_box) if args.init_box is not None else None
    if len(args.refiner_weights) > len(args.refiner):
        raise ValueError(f"{len(args.refiner_weights)} --refiner-weights given for "
                         f"{len(args.refiner)} --refiner")
    source = VideoSource(args.source, fps=args.fps, allow_gaps=args.allow_gaps)
    pipeline = build_pipeline(args.pipeline, weights=args.weights, refiners=args.refiner,
                              refiner_weights=args.refiner_weights, device=args.device,
                              overrides=args.cfg_options or None)
    frames = iter(source)
    first = next(frames, None)
    if first is None:
        raise ValueError(f"video source {args.source} yielded no frames")
    if init_box is None:
        init_box = select_box(first)
    Box.of(init_box).validate(first.shape, what=f"init box of {args.source} (first frame)")
    output = Path(args.output) if args.output else default_output(source)
    label = Path(str(args.pipeline)).stem if str(args.pipeline).endswith(".py") else str(args.pipeline)
    result = track_source(pipeline, itertools.chain([first], frames), init_box, output=output,
                          video=not args.no_video, fps=source.fps, total=source.num_frames,
                          progress=not args.quiet, label=label, description=f"vot track {source.name}",
                          stop_on_interrupt=source.kind == "camera")
    written = ", ".join(f.name for f in sorted(result.output.iterdir())
                        if f.name in ("boxes.txt", "scores.txt", "times.txt", "video.mp4"))
    print(f"tracked {len(result)} frames of {args.source} with {pipeline!r}: "
          f"{result.fps:.1f} frames/s")
    print(f"wrote {result.output}/ ({written})")
    return 0
