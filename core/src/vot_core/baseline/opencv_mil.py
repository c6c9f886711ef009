"""OpenCV's MIL tracker (``cv2.TrackerMIL``) behind the vot contract: a classical baseline for
benchmark tables next to the NCC tracker (no weights, no parameters to tune here).

OpenCV trackers take BGR frames and integer ``(x, y, w, h)`` rectangles; MIL keeps its own
state, so ``correct(box)`` re-initialises it on the current frame with the given box.
"""
from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

from ..structures import Box, Prediction
from ..tracker import BaseTracker


def _rect(box: Box) -> tuple:
    return tuple(int(round(v)) for v in (box.x, box.y, max(box.w, 1.0), max(box.h, 1.0)))


class OpenCVMILTracker(BaseTracker):
    """``cv2.TrackerMIL`` with RGB frames in and float boxes out; the score is None (MIL
    reports only success or failure, kept in ``extras['found']``)."""

    def __init__(self, weights: Optional[str] = None, device: str = "cpu"):
        if weights is not None:
            raise ValueError("OpenCVMILTracker has no weights; drop --weights")
        self.tracker = None
        self._last_bgr: Optional[np.ndarray] = None

    @staticmethod
    def _bgr(frame: np.ndarray) -> np.ndarray:
        frame = np.asarray(frame)
        if frame.ndim == 2:
            return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        return cv2.cvtColor(np.ascontiguousarray(frame[:, :, :3]), cv2.COLOR_RGB2BGR)

    def initialize(self, frame: np.ndarray, box: Box) -> None:
        super().initialize(frame, box)
        self._last_bgr = self._bgr(frame)
        self.tracker = cv2.TrackerMIL_create()
        self.tracker.init(self._last_bgr, _rect(self.state))

    def track(self, frame: np.ndarray) -> Prediction:
        self._last_bgr = self._bgr(frame)
        found, rect = self.tracker.update(self._last_bgr)
        if found:
            self.state = Box(*(float(v) for v in rect))
        return Prediction(self.state, score=None, extras={"found": bool(found)})

    def correct(self, box: Box) -> None:
        super().correct(box)
        if self._last_bgr is not None:
            self.tracker = cv2.TrackerMIL_create()
            self.tracker.init(self._last_bgr, _rect(self.state))
