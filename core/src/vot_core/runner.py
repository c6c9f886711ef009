"""Run a pipeline over a frame source and write its results atomically.

``track_source(pipeline, frames, init_box, output=...)`` tracks every frame (the first one is
the init frame), shows a progress bar with frames per second, and writes into ``output``:

- ``boxes.txt``: one ``x,y,w,h`` line per frame, the init box first;
- ``scores.txt``: one score per frame (``nan`` for the init frame and for trackers without one);
- ``times.txt``: seconds per frame spent in the pipeline (init frame included);
- ``video.mp4``: the frames with the box and score drawn (``mp4v``), unless ``video=False``.

Everything is written into a temporary folder next to ``output`` and moved in only when tracking
finished, so an error (bad init box, unreadable frame, a crashing tracker) leaves nothing
half-written behind.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional, Union
from typing import Sequence as Seq

import cv2
import numpy as np

from .structures import Box, Prediction

RESULT_FILES = ("boxes.txt", "scores.txt", "times.txt", "video.mp4")


@dataclass
class TrackResult:
    """Per-frame results of one run (row 0 is the init frame)."""

    boxes: np.ndarray  # (N, 4) float64 x, y, w, h
    scores: np.ndarray  # (N,) float64, NaN where there is no score
    times: np.ndarray  # (N,) seconds spent in the pipeline per frame
    output: Optional[Path] = None

    def __len__(self) -> int:
        return len(self.boxes)

    @property
    def fps(self) -> float:
        """Frames per second of the tracking frames (the init frame excluded)."""
        total = float(np.sum(self.times[1:]))
        return (len(self.times) - 1) / total if total > 0 else float("nan")


def format_number(value: float) -> str:
    """Compact fixed-point text: up to 4 decimals, trailing zeros dropped (``nan`` kept)."""
    if not np.isfinite(value):
        return "nan"
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def write_boxes(path: Union[str, os.PathLike], boxes: np.ndarray) -> None:
    """One ``x,y,w,h`` line per box (comma separated, the LaSOT/GOT-10k result format)."""
    lines = [",".join(format_number(v) for v in row) for row in np.asarray(boxes).reshape(-1, 4)]
    Path(path).write_text("\n".join(lines) + "\n")


def write_values(path: Union[str, os.PathLike], values: np.ndarray) -> None:
    Path(path).write_text("\n".join(format_number(v) for v in np.asarray(values).reshape(-1)) + "\n")


def read_boxes(path: Union[str, os.PathLike]) -> np.ndarray:
    """Read a box file written by :func:`write_boxes` (comma, tab or space separated)."""
    rows = []
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line:
            rows.append([float(v) for v in line.replace("\t", ",").replace(" ", ",").split(",") if v])
    return np.asarray(rows, dtype=np.float64).reshape(-1, 4)


class _Staging:
    """A temporary folder next to ``output``; ``commit()`` moves its files into ``output``."""

    def __init__(self, output: Path):
        self.output = Path(output)
        if self.output.exists() and not self.output.is_dir():
            raise NotADirectoryError(f"output {self.output} exists and is not a folder")
        parent = self.output.parent
        self._created = []  # parent folders made here, removed again by discard()
        for folder in reversed([parent, *parent.parents]):
            if not folder.exists():
                folder.mkdir()
                self._created.append(folder)
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.output.name}.tmp-", dir=parent))
        from .video import default_mode
        os.chmod(self.path, default_mode(directory=True))

    def commit(self) -> Path:
        if not self.output.exists():
            os.replace(self.path, self.output)
            return self.output
        for item in self.path.iterdir():
            os.replace(item, self.output / item.name)
        self.path.rmdir()
        return self.output

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        for folder in reversed(self._created):
            try:
                folder.rmdir()
            except OSError:
                break


def track_source(pipeline, frames: Iterable[np.ndarray], init_box: Union[Box, Seq[float]], *,
                 output: Optional[Union[str, os.PathLike]] = None, video: bool = True,
                 fps: Optional[float] = None, progress: bool = True, label: Optional[str] = None,
                 total: Optional[int] = None, description: str = "tracking",
                 extra_boxes: Optional[Mapping[str, np.ndarray]] = None,
                 stop_on_interrupt: bool = False,
                 on_frame: Optional[Callable[[int, np.ndarray, Prediction], None]] = None
                 ) -> TrackResult:
    """Track ``frames`` (RGB uint8, the first is the init frame) from ``init_box``.

    ``pipeline`` is anything with ``initialize(frame, box)`` and ``track(frame) -> Prediction``.
    With ``output`` the result files (module docstring) are written atomically; ``fps`` is the
    annotated video's frame rate (default: ``frames.fps`` if the source has one, else 30).
    ``extra_boxes`` (file name -> (N, 4) array, e.g. ``groundtruth.txt``) are written alongside.
    With ``stop_on_interrupt`` (a camera: Ctrl+C is how it ends) an interrupt ends the run and
    the frames so far are written; otherwise it discards everything like any error.
    Raises ``ValueError`` for an invalid init box (before anything is written) and whatever the
    source raises for an unreadable frame (then nothing is written).
    """
    from tqdm import tqdm

    if total is None:
        try:
            total = len(frames)  # type: ignore[arg-type]
        except TypeError:
            total = None
    if fps is None:
        fps = float(getattr(frames, "fps", 0) or 30.0)
    iterator = iter(frames)
    try:
        first = next(iterator)
    except StopIteration:
        raise ValueError(f"no frames to track in {getattr(frames, 'name', 'the source')}") from None
    init = Box.of(init_box).validate(np.shape(first), what="init box")

    staging = _Staging(Path(output)) if output is not None else None
    writer = None
    cv_threads = cv2.getNumThreads()
    if video and output is not None:
        # OpenCV's worker threads (drawing, colour conversion) spin on the cores the tracker's
        # torch threads need; the per-frame drawing gains nothing from them
        cv2.setNumThreads(1)
    boxes, scores, times = [], [], []
    bar = tqdm(total=total, desc=description, unit="frame", disable=not progress, leave=True,
               dynamic_ncols=True)
    try:
        if staging is not None and video:
            from .video import VideoWriter, draw_prediction
            writer = VideoWriter(staging.path / "video.mp4", fps=fps)
        t0 = time.perf_counter()
        pipeline.initialize(first, init)
        times.append(time.perf_counter() - t0)
        boxes.append(init.tolist())
        scores.append(float("nan"))
        if writer is not None:
            writer.write(draw_prediction(first, init, None, label or "init"))
        if on_frame is not None:
            on_frame(0, first, Prediction(init))
        bar.update(1)
        tracked_time = 0.0
        try:
            for index, frame in enumerate(iterator, start=1):
                t0 = time.perf_counter()
                prediction = pipeline.track(frame)
                dt = time.perf_counter() - t0
                tracked_time += dt
                box = Box.of(prediction.box).tolist()
                score = float("nan") if prediction.score is None else float(prediction.score)
                if writer is not None:
                    fps_now = index / tracked_time if tracked_time > 0 else None
                    writer.write(draw_prediction(frame, box, prediction.score, label, fps=fps_now))
                boxes.append(box)  # the three lists grow together (an interrupt keeps them even)
                scores.append(score)
                times.append(dt)
                if on_frame is not None:
                    on_frame(index, frame, prediction)
                bar.update(1)
                if index % 10 == 0 and tracked_time > 0:
                    bar.set_postfix(tracker_fps=f"{index / tracked_time:.1f}", refresh=False)
        except KeyboardInterrupt:
            if not stop_on_interrupt:
                raise
            n = min(len(boxes), len(scores), len(times))
            del boxes[n:], scores[n:], times[n:]
        result = TrackResult(np.asarray(boxes, dtype=np.float64).reshape(-1, 4),
                             np.asarray(scores, dtype=np.float64), np.asarray(times, dtype=np.float64))
        if staging is not None:
            write_boxes(staging.path / "boxes.txt", result.boxes)
            write_values(staging.path / "scores.txt", result.scores)
            write_values(staging.path / "times.txt", result.times)
            for name, values in (extra_boxes or {}).items():
                write_boxes(staging.path / name, values)
            if writer is not None:
                writer.close()
                writer = None
            result.output = staging.commit()
            staging = None
        return result
    finally:
        bar.close()
        cv2.setNumThreads(cv_threads)
        if writer is not None:
            writer.abort()
        if staging is not None:
            staging.discard()
