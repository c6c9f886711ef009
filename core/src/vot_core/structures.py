"""Runtime data types shared by every package: Box, Prediction, Sequence.

Conventions (DESIGN.md): frames are ``numpy`` uint8 arrays H x W x 3 in RGB order; boxes are
``(x, y, w, h)`` floats in 0-based pixel coordinates, top-left corner (LaSOT convention).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union
from typing import Sequence as Seq

import numpy as np


@dataclass(frozen=True)
class Box:
    """An axis-aligned box ``(x, y, w, h)``; ``x, y`` is the top-left corner."""

    x: float
    y: float
    w: float
    h: float

    @classmethod
    def of(cls, value: Union[Box, Seq[float], np.ndarray]) -> Box:
        """Build from a Box or any 4-sequence ``(x, y, w, h)``."""
        if isinstance(value, Box):
            return value
        vals = [float(v) for v in np.asarray(value, dtype=np.float64).reshape(-1)]
        if len(vals) != 4:
            raise ValueError(f"a box needs 4 numbers (x, y, w, h), got {len(vals)}: {value!r}")
        return cls(*vals)

    @classmethod
    def from_xyxy(cls, x1: float, y1: float, x2: float, y2: float) -> Box:
        return cls(float(x1), float(y1), float(x2 - x1), float(y2 - y1))

    @classmethod
    def from_center(cls, cx: float, cy: float, w: float, h: float) -> Box:
        return cls(float(cx - w / 2), float(cy - h / 2), float(w), float(h))

    @property
    def center(self) -> Tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)

    @property
    def area(self) -> float:
        return max(self.w, 0.0) * max(self.h, 0.0)

    def xyxy(self) -> Tuple[float, float, float, float]:
        return (self.x, self.y, self.x + self.w, self.y + self.h)

    def tolist(self) -> List[float]:
        return [self.x, self.y, self.w, self.h]

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.tolist(), dtype=dtype or np.float64)

    def is_finite(self) -> bool:
        return all(math.isfinite(v) for v in self.tolist())

    def validate(self, frame_shape: Optional[Tuple[int, ...]] = None, what: str = "box") -> Box:
        """Raise ``ValueError`` naming the problem for an empty, NaN, negative-size box, or one
        that lies wholly outside a frame of ``frame_shape`` (H, W, ...)."""
        if not self.is_finite():
            raise ValueError(f"{what} {self.tolist()} has a NaN or infinite value")
        if self.w <= 0 or self.h <= 0:
            raise ValueError(f"{what} {self.tolist()} is empty: width and height must be > 0")
        if frame_shape is not None:
            H, W = frame_shape[:2]
            if self.x >= W or self.y >= H or self.x + self.w <= 0 or self.y + self.h <= 0:
                raise ValueError(f"{what} {self.tolist()} lies outside the {W}x{H} frame")
        return self


@dataclass
class Prediction:
    """What a tracker or refiner returns for one frame."""

    box: Box
    score: Optional[float] = None
    mask: Optional[np.ndarray] = None
    extras: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        self.box = Box.of(self.box)
        if self.score is not None:
            self.score = float(self.score)


FrameSource = Union[List[str], Callable[[int], np.ndarray]]
#: per-frame target masks: a callable ``index -> (H, W) array`` (nonzero = target; ``None``
#: for a frame without a mask) or a list of binary mask image paths (nonzero = target)
MaskSource = Union[List[str], Callable[[int], Optional[np.ndarray]]]


@dataclass
class Sequence:
    """One video of a dataset: lazily read frames, ground truth and per-frame flags.

    ``frames`` is a list of image paths (read with OpenCV, returned as RGB) or a callable
    ``index -> frame``. ``ground_truth`` is (N, 4) float64 ``x, y, w, h`` (NaN rows where the
    dataset has no annotation); ``absent`` marks frames where the target is not visible.
    ``masks`` (optional) gives each frame's target mask (:meth:`mask`) for datasets with
    segmentation (YouTube-VOS, saliency, the synthetic generator).
    """

    name: str
    frames: FrameSource
    ground_truth: np.ndarray
    absent: Optional[np.ndarray] = None
    attributes: Dict[str, Any] = field(default_factory=dict)
    language: Optional[str] = None
    dataset: str = ""
    num_frames: Optional[int] = None
    masks: Optional[MaskSource] = None

    def __post_init__(self):
        self.ground_truth = np.asarray(self.ground_truth, dtype=np.float64).reshape(-1, 4)
        if self.absent is not None:
            self.absent = np.asarray(self.absent, dtype=bool).reshape(-1)
        if self.num_frames is None:
            self.num_frames = len(self.frames) if isinstance(self.frames, list) else len(self.ground_truth)

    def __len__(self) -> int:
        return int(self.num_frames)

    @property
    def init_box(self) -> Box:
        return Box.of(self.ground_truth[0])

    @property
    def visible(self) -> np.ndarray:
        if self.absent is None:
            return np.isfinite(self.ground_truth).all(1) & (self.ground_truth[:, 2:] > 0).all(1)
        return ~self.absent

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` as an RGB uint8 array; a missing or unreadable file names itself."""
        if not 0 <= index < len(self):
            raise IndexError(f"sequence '{self.name}' has {len(self)} frames, asked for {index}")
        if callable(self.frames):
            return self.frames(index)
        from .video import read_image
        return read_image(self.frames[index])

    @property
    def has_masks(self) -> bool:
        return self.masks is not None

    def mask(self, index: int) -> Optional[np.ndarray]:
        """Frame ``index``'s target mask as a uint8 ``(H, W)`` array of 0/1, or ``None`` when
        the sequence (or this frame) has no mask."""
        if not 0 <= index < len(self):
            raise IndexError(f"sequence '{self.name}' has {len(self)} frames, asked for {index}")
        if self.masks is None:
            return None
        if callable(self.masks):
            mask = self.masks(index)
        else:
            import cv2

            path = self.masks[index]
            mask = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
            if mask is None:
                raise OSError(f"sequence '{self.name}': cannot read mask {path}")
        if mask is None:
            return None
        mask = np.asarray(mask)
        if mask.ndim == 3 and mask.shape[2] == 1:
            mask = mask[:, :, 0]
        if mask.ndim != 2:
            raise ValueError(f"sequence '{self.name}': mask {index} must be HxW, got shape "
                             f"{mask.shape}")
        return (mask != 0).astype(np.uint8)

    def __iter__(self) -> Iterator[np.ndarray]:
        for i in range(len(self)):
            yield self.frame(i)
