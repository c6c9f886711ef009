"""A ground-truth tracker with controlled noise: the base tracker for testing refiners.

Alpha-Refine-style refiners claim to sharpen any base tracker's box. To measure that claim
without a trained tracker, :class:`NoisyOracleTracker` returns every frame's true box jittered
in position and scale (the errors of a tracker that stays on the target but boxes it loosely),
deterministically by seed. A refiner composed onto it must raise the success AUC.

The noise of frame ``i``: centre moved by ``N(0, position_noise) * sqrt(w * h)`` per axis,
width and height multiplied by ``exp(N(0, scale_noise))`` each. Frames whose target is hidden
(a ground-truth box that is not a positive, finite size) repeat the last returned box.
``correct()`` is ignored: the oracle's errors do not depend on feedback, so a refiner's gain is
measured frame by frame.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from ..structures import Box, Prediction


class NoisyOracleTracker:
    """``NoisyOracleTracker(ground_truth, position_noise=0.15, scale_noise=0.15, seed=0)``."""

    def __init__(self, ground_truth, position_noise: float = 0.15, scale_noise: float = 0.15,
                 seed: int = 0) -> None:
        truth = np.asarray(ground_truth, dtype=np.float64)
        if truth.ndim != 2 or truth.shape[1] != 4 or len(truth) == 0:
            raise ValueError(f"NoisyOracleTracker: ground_truth must be (N, 4) xywh rows, got "
                             f"shape {truth.shape}")
        if position_noise < 0 or scale_noise < 0:
            raise ValueError("NoisyOracleTracker: the noise levels must be >= 0")
        self.ground_truth = truth
        self.position_noise, self.scale_noise = float(position_noise), float(scale_noise)
        self.seed = int(seed)
        self.frame_index = 0
        self.last: Optional[Box] = None
        self.rng = np.random.default_rng(self.seed)

    def initialize(self, frame: np.ndarray, box) -> None:
        self.frame_index = 0
        self.last = Box.of(box)
        self.rng = np.random.default_rng(self.seed)

    def track(self, frame: np.ndarray) -> Prediction:
        if self.last is None:
            raise RuntimeError("NoisyOracleTracker.track() called before initialize()")
        self.frame_index += 1
        if self.frame_index >= len(self.ground_truth):
            raise IndexError(f"NoisyOracleTracker: frame {self.frame_index} is past the "
                             f"{len(self.ground_truth)} ground-truth rows")
        x, y, w, h = self.ground_truth[self.frame_index]
        shift, scale = self.rng.standard_normal(2), self.rng.standard_normal(2)
        if not (math.isfinite(w) and math.isfinite(h) and w > 0 and h > 0):
            return Prediction(self.last, 1.0)
        size = math.sqrt(w * h)
        cx = x + w / 2 + shift[0] * self.position_noise * size
        cy = y + h / 2 + shift[1] * self.position_noise * size
        nw, nh = w * math.exp(scale[0] * self.scale_noise), h * math.exp(scale[1] * self.scale_noise)
        self.last = Box(cx - nw / 2, cy - nh / 2, nw, nh)
        return Prediction(self.last, 1.0)

    def correct(self, box) -> None:
        """Ignored (see the module docstring)."""
