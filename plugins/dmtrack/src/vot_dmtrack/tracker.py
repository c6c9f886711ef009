"""DMTrack-GlobalSearch inference (official ``trackers/dmtrack.py`` + neuron's
``BasicPairTransforms(scale=(736, 512), train=False)`` + ``RTCondFCOSHead.get_bboxes``).

Stateless global search: the first frame gives the dynamic weights once; every later frame is
searched whole (no crop, no window, no motion or scale penalty, no template update) and the
location with the highest ``sigmoid(cls_1) * sigmoid(centerness)`` is decoded.

Pre-processing, identical for the template and every search frame:
``s = min(736 / max(h, w), 512 / min(h, w))``, ``cv2.resize`` (bilinear, on uint8) to
``(int(w * s + 0.5), int(h * s + 0.5))``, ``(x - mean) / std`` on 0..255 values (float32 with
numpy's float64 arithmetic, as the official ``normalize_img``), zero padding (after
normalisation) at the bottom/right to multiples of 32.

Boxes follow the official LaSOT convention of neuron: an ``(x, y, w, h)`` box is the inclusive
``(x, y, x + w - 1, y + h - 1)``, and an output ``(x1, y1, x2, y2)`` becomes
``(x1, y1, x2 - x1 + 1, y2 - y1 + 1)`` (``inclusive_boxes=False`` drops the +-1).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Optional, Tuple

import cv2
import numpy as np
import torch

from vot_core.params import params_from
from vot_core.structures import Box, Prediction
from vot_core.tracker import BaseTracker

from .decode import best_detection
from .dmtrack import DMTrack, build_dmtrack, load_dmtrack_weights


@dataclass(frozen=True)
class DMTrackParams:
    """Every DMTrack-GS setting; defaults = the official ``dmtrackGS_dla34_fpn`` test settings.

    ``head_channels`` / ``mid_channels`` must match the weights (256 / 32 for the release);
    smaller values and a smaller ``test_scale`` are for tests.
    """

    test_scale: Tuple[int, int] = (736, 512)
    mean: Tuple[float, float, float] = (123.675, 116.28, 103.53)
    std: Tuple[float, float, float] = (58.395, 57.12, 57.375)
    pad_divisor: int = 32
    nms_pre: int = 1000
    score_thr: float = 0.0
    inclusive_boxes: bool = True
    head_channels: int = 256
    mid_channels: int = 32

    def __post_init__(self):
        object.__setattr__(self, "test_scale", tuple(int(v) for v in self.test_scale))
        object.__setattr__(self, "mean", tuple(float(v) for v in self.mean))
        object.__setattr__(self, "std", tuple(float(v) for v in self.std))
        if len(self.test_scale) != 2 or min(self.test_scale) <= 0:
            raise ValueError(f"test_scale must be two positive sides, got {self.test_scale}")
        if self.pad_divisor <= 0 or self.pad_divisor % 32:
            raise ValueError(f"pad_divisor={self.pad_divisor} must be a positive multiple of 32 "
                             "(the coarsest feature stride)")
        if len(self.mean) != 3 or len(self.std) != 3 or min(self.std) <= 0:
            raise ValueError("mean and std need three values, std > 0")

    @classmethod
    def from_dict(cls, values: Dict[str, Any]) -> DMTrackParams:
        """Build from config keys; an unknown key is a ``TypeError`` naming it."""
        return params_from(cls, values, "DMTrack")


@lru_cache(maxsize=4)
def normalize_table(mean: Tuple[float, ...], std: Tuple[float, ...]) -> np.ndarray:
    """(3, 256) float32: each byte value normalised exactly as neuron's ``normalize_img``
    (``img.astype(float32); img -= mean; img /= std`` with list mean/std)."""
    img = np.repeat(np.arange(256, dtype=np.float32)[:, None], 3, axis=1)
    img -= list(mean)
    img /= list(std)
    return np.ascontiguousarray(img.T)


def rescale_factor(height: int, width: int, scale: Tuple[int, int]) -> float:
    """neuron ``rescale_img``: fit the long side in ``max(scale)`` and the short in ``min(scale)``."""
    return min(max(scale) / max(height, width), min(scale) / min(height, width))


def as_rgb(frame: np.ndarray) -> np.ndarray:
    """RGB uint8 HxWx3: grayscale is replicated (PIL ``convert('RGB')``), RGBA drops alpha."""
    frame = np.asarray(frame)
    if frame.dtype != np.uint8:
        raise TypeError(f"frames must be uint8, got {frame.dtype}")
    if frame.ndim == 2:
        frame = frame[:, :, None]
    if frame.ndim != 3 or frame.shape[2] not in (1, 3, 4) or min(frame.shape[:2]) < 1:
        raise ValueError(f"frames must be HxW, HxWx1, HxWx3 (RGB) or HxWx4 (RGBA), got {frame.shape}")
    if frame.shape[2] == 1:
        return np.repeat(frame, 3, axis=2)
    return frame[:, :, :3] if frame.shape[2] == 4 else frame


@dataclass
class Preprocessed:
    image: torch.Tensor          # (1, 3, Hp, Wp) normalised, zero-padded
    scale: float                 # resize factor s
    resized_shape: Tuple[int, int]  # (h, w) of the resized, unpadded image
    padded_shape: Tuple[int, int]


class DMTrackTracker(BaseTracker):
    """DMTrack-GlobalSearch (CVPR 2021): one-shot global detection with dynamic convolutions.

    :param weights: official checkpoint (``dmtrackGS.pth``) path, URL or zoo name, loaded
        strictly (the unused DLA ImageNet classifier keys are dropped by name); None keeps the
        random initialisation.
    :param device: torch device string.
    :param params: any :class:`DMTrackParams` field (an unknown name is a ``TypeError``).
    """

    def __init__(self, weights: Optional[str] = None, device: str = "cpu", **params: Any):
        self.params = DMTrackParams.from_dict(params)
        self.device = torch.device(device)
        p = self.params
        self.network: DMTrack = build_dmtrack(p.head_channels, p.mid_channels)
        self.dropped_keys = load_dmtrack_weights(self.network, weights) if weights is not None else []
        self.network.to(self.device).eval()
        self._table = normalize_table(p.mean, p.std)
        self._buffers: Dict[Tuple[int, int], np.ndarray] = {}
        self._dynamic = None
        self.template_box: Optional[np.ndarray] = None
        self.state: Optional[Box] = None

    # -- pre-processing ---------------------------------------------------------------------
    def preprocess(self, frame: np.ndarray) -> Preprocessed:
        """Rescale, normalise and pad one RGB frame (official ``BasicPairTransforms``)."""
        p = self.params
        h, w = frame.shape[:2]
        s = rescale_factor(h, w, p.test_scale)
        out_w, out_h = int(w * s + 0.5), int(h * s + 0.5)
        if out_w < 1 or out_h < 1:
            raise ValueError(f"a {w}x{h} frame rescales to {out_w}x{out_h}: too thin to track")
        resized = cv2.resize(frame, (out_w, out_h), interpolation=cv2.INTER_LINEAR)
        if resized.ndim == 2:
            resized = resized[:, :, None]
        d = p.pad_divisor
        hp, wp = -(-out_h // d) * d, -(-out_w // d) * d
        buf = self._buffers.get((hp, wp))
        if buf is None:
            buf = self._buffers[(hp, wp)] = np.zeros((3, hp, wp), np.float32)
        else:
            buf.fill(0.0)
        offsets = (np.arange(3, dtype=np.intp) * 256).reshape(3, 1, 1)
        np.take(self._table.reshape(-1), resized.transpose(2, 0, 1) + offsets,
                out=buf[:, :out_h, :out_w])
        image = torch.from_numpy(buf).unsqueeze(0).to(self.device)
        return Preprocessed(image, s, (out_h, out_w), (hp, wp))

    def input_box(self, box: Box, pre: Preprocessed) -> np.ndarray:
        """The template box in network-input pixels: inclusive ltrb, times ``s`` (float32),
        clipped to the padded image and ``x2 >= x1`` (neuron ``BoundBoxes``)."""
        one = 1.0 if self.params.inclusive_boxes else 0.0
        ltrb = np.array([box.x, box.y, box.w, box.h], np.float32)
        ltrb[2:] = ltrb[:2] + ltrb[2:] - np.float32(one)
        ltrb = ltrb * pre.scale
        hp, wp = pre.padded_shape
        ltrb[0::2] = np.clip(ltrb[0::2], 0, wp - 1)
        ltrb[1::2] = np.clip(ltrb[1::2], 0, hp - 1)
        ltrb[2:] = np.maximum(ltrb[2:], ltrb[:2])
        return ltrb

    # -- tracking -----------------------------------------------------------------------------
    def initialize(self, frame: np.ndarray, box) -> None:
        frame = as_rgb(frame)
        box = Box.of(box).validate(frame.shape, what="init box")
        pre = self.preprocess(frame)
        self.template_box = self.input_box(box, pre)
        with torch.inference_mode():
            feats = self.network.extract_feat(pre.image)
            self._dynamic = self.network.dynamic_params(
                feats, torch.from_numpy(self.template_box)[None].to(self.device))
        self.state = box

    def track(self, frame: np.ndarray) -> Prediction:
        if self._dynamic is None:
            raise RuntimeError("call initialize(frame, box) before track(frame)")
        frame = as_rgb(frame)
        pre = self.preprocess(frame)
        p = self.params
        with torch.inference_mode():
            outs = self.network.head(self.network.extract_feat(pre.image), self._dynamic)
            det = best_detection(*outs, self.network.strides, pre.resized_shape,
                                 nms_pre=p.nms_pre, score_thr=p.score_thr)
            xyxy = (det.box_xyxy / det.box_xyxy.new_tensor(pre.scale)).tolist()
        one = 1.0 if p.inclusive_boxes else 0.0
        x1, y1, x2, y2 = xyxy
        self.state = Box(x1, y1, x2 - x1 + one, y2 - y1 + one)
        return Prediction(self.state, score=det.score,
                          extras={"xyxy": xyxy, "level": det.level, "location": det.index})

    def correct(self, box) -> None:
        """Adopt a refined box as ``state``. DMTrack-GS searches every frame globally against
        the first-frame template and keeps no temporal state, so this changes nothing in later
        predictions (the official tracker never updates its dynamic weights)."""
        self.state = Box.of(box)
