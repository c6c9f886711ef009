"""The runtime contract: what a tracker and a refiner must provide.

A tracker is not an ``nn.Module``: it holds a network, the pre/post-processing and the
per-sequence state. ``correct(box)`` lets a refiner (e.g. Alpha-Refine) steer its state.
"""
from __future__ import annotations

from typing import Optional, Protocol, runtime_checkable

import numpy as np

from .structures import Box, Prediction


@runtime_checkable
class Tracker(Protocol):
    """Single-object tracker: ``initialize`` once per sequence, then ``track`` every frame."""

    def initialize(self, frame: np.ndarray, box: Box) -> None: ...

    def track(self, frame: np.ndarray) -> Prediction: ...

    def correct(self, box: Box) -> None: ...


@runtime_checkable
class Refiner(Protocol):
    """Refines the box a base tracker predicted (it never tracks on its own)."""

    def initialize(self, frame: np.ndarray, box: Box) -> None: ...

    def refine(self, frame: np.ndarray, prediction: Prediction) -> Prediction: ...


class BaseTracker:
    """Convenience base: keeps ``state`` (the last box) and implements ``correct``.

    Subclasses implement ``initialize`` (call ``super().initialize``) and ``track``.
    """

    state: Optional[Box] = None

    def initialize(self, frame: np.ndarray, box: Box) -> None:
        self.state = Box.of(box).validate(frame.shape, what="init box")

    def track(self, frame: np.ndarray) -> Prediction:  # pragma: no cover - abstract
        raise NotImplementedError

    def correct(self, box: Box) -> None:
        """Adopt an externally refined box as the current state."""
        self.state = Box.of(box)
