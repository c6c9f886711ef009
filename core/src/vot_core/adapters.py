"""Run any vot pipeline (or tracker) through the APIs of existing clients.

- :class:`Got10kTracker`: the got10k toolkit's ``Tracker`` interface (``name``, ``init(image,
  box)``, ``update(image) -> box``, ``track(img_files, box)``), so ``ExperimentGOT10k(...).run``
  and friends accept it. Images may be PIL images (the toolkit opens frames with PIL) or arrays.
- :class:`OpenCVTracker`: OpenCV's ``cv2.Tracker`` interface (``init(frame, bbox)``,
  ``update(frame) -> (ok, bbox)``), for code written against ``cv2.TrackerVit`` & co. OpenCV
  frames are BGR and are converted to RGB here.

Both accept a built pipeline/tracker or anything :func:`vot_core.pipeline.build_pipeline`
accepts (a config name such as ``'core/ncc'``, a path or a dict).
"""
from __future__ import annotations

import time
from typing import Any, Optional, Tuple
from typing import Sequence as Seq

import numpy as np

from .structures import Box


def _as_tracker(pipeline: Any, device: str = "cpu") -> Any:
    if hasattr(pipeline, "initialize") and hasattr(pipeline, "track"):
        return pipeline
    from .pipeline import build_pipeline
    return build_pipeline(pipeline, device=device)


def _rgb_from_image(image: Any) -> np.ndarray:
    """A PIL image (any mode) or an RGB / grayscale / RGBA array -> RGB uint8 array."""
    from .video import to_rgb

    if hasattr(image, "convert") and hasattr(image, "mode"):  # PIL.Image without importing PIL
        if image.mode != "RGB":
            image = image.convert("RGB")
        return np.asarray(image, dtype=np.uint8)
    return to_rgb(np.asarray(image), order="RGB")


class Got10kTracker:
    """A pipeline behind the got10k toolkit's tracker API (boxes are ``x, y, w, h``)."""

    def __init__(self, pipeline: Any, name: Optional[str] = None, is_deterministic: bool = True,
                 device: str = "cpu"):
        self.pipeline = _as_tracker(pipeline, device)
        self.name = name or (pipeline if isinstance(pipeline, str) else type(self.pipeline).__name__)
        self.name = str(self.name).replace("/", "_")
        self.is_deterministic = is_deterministic
        self.last_score: Optional[float] = None

    def init(self, image: Any, box: Seq[float]) -> None:
        self.pipeline.initialize(_rgb_from_image(image), Box.of(box))
        self.last_score = None

    def update(self, image: Any) -> np.ndarray:
        prediction = self.pipeline.track(_rgb_from_image(image))
        self.last_score = prediction.score
        return np.asarray(Box.of(prediction.box).tolist(), dtype=np.float64)

    def track(self, img_files: Seq[str], box: Seq[float], visualize: bool = False
              ) -> Tuple[np.ndarray, np.ndarray]:
        """The toolkit's loop: ``(boxes (N, 4) with boxes[0] = box, seconds per frame (N,))``.

        Frames are read with OpenCV (as RGB) instead of PIL; ``visualize`` is not supported.
        """
        from .video import read_image

        if visualize:
            raise NotImplementedError("visualize=True is not supported; use `vot track` for an "
                                      "annotated video")
        boxes = np.zeros((len(img_files), 4))
        boxes[0] = np.asarray(box, dtype=np.float64).reshape(4)
        times = np.zeros(len(img_files))
        for f, img_file in enumerate(img_files):
            image = read_image(img_file)
            start = time.perf_counter()
            if f == 0:
                self.init(image, box)
            else:
                boxes[f] = self.update(image)
            times[f] = time.perf_counter() - start
        return boxes, times


class OpenCVTracker:
    """A pipeline behind OpenCV's tracker API; frames are BGR (or grayscale / BGRA).

    ``update`` returns ``(ok, (x, y, w, h))`` with integer coordinates like ``cv2.Rect``;
    ``ok`` is False when the score is below ``score_threshold`` (never, by default, for
    trackers without a score). ``getTrackingScore()`` returns the last score (or -1).
    """

    def __init__(self, pipeline: Any, score_threshold: Optional[float] = None,
                 integer_boxes: bool = True, device: str = "cpu"):
        self.pipeline = _as_tracker(pipeline, device)
        self.score_threshold = score_threshold
        self.integer_boxes = integer_boxes
        self._score: Optional[float] = None

    @staticmethod
    def _rgb(frame: np.ndarray) -> np.ndarray:
        from .video import to_rgb
        return to_rgb(np.asarray(frame), order="BGR")

    def _out(self, box: Box):
        values = box.tolist()
        if not box.is_finite():
            return (0, 0, 0, 0) if self.integer_boxes else tuple(values)
        if self.integer_boxes:
            return tuple(int(round(v)) for v in values)
        return tuple(values)

    def init(self, image: np.ndarray, boundingBox: Seq[float]) -> None:
        self.pipeline.initialize(self._rgb(image), Box.of(boundingBox))
        self._score = None

    def update(self, image: np.ndarray) -> Tuple[bool, Tuple[float, float, float, float]]:
        prediction = self.pipeline.track(self._rgb(image))
        self._score = prediction.score
        box = Box.of(prediction.box)
        ok = box.is_finite() and box.w > 0 and box.h > 0
        if ok and self.score_threshold is not None and prediction.score is not None:
            ok = prediction.score >= self.score_threshold
        return bool(ok), self._out(box)

    def getTrackingScore(self) -> float:  # noqa: N802 - OpenCV's name
        return -1.0 if self._score is None else float(self._score)
