"""GlobalTrack's inference loop (official ``trackers/global_track.py`` with neuron's transforms).

The first frame is the only query: its box (``x2 = x + w - 1``, inclusive pixels) is rescaled,
clipped and turned into the modulators' query terms once. Every later frame is searched
whole (no window, no motion model, no template update); the output is the detection with the
highest score, ``[x1, y1, x2, y2]`` inclusive, reported as ``(x1, y1, x2 - x1 + 1, y2 - y1 + 1)``
together with that score, so long-term users see when the target is lost.

When no detection survives (every object score is exactly 0, where the official tracker's
``argmax`` raises) the previous output is repeated with score 0. :meth:`correct` only replaces
that previous output: GlobalTrack keeps no motion state and never updates its query.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

import numpy as np
import torch

from vot_core.params import params_from
from vot_core.structures import Box, Prediction
from vot_core.tracker import BaseTracker
from vot_core.video import to_rgb

from .preprocess import MEAN, STD, Preprocessor, scale_query_box
from .qg_rcnn import QGRCNN, Query, TestConfig, build_qg_rcnn


@dataclass(frozen=True)
class GlobalTrackParams:
    """Every GlobalTrack setting; the defaults are the official ``qg_rcnn_r50_fpn`` test
    settings. ``input_scale`` (long, short side) can be lowered to trade accuracy for speed.
    ``depth`` / ``channels`` / ``fc_channels`` must match the weights (50 / 256 / 1024 for the
    release; smaller networks are trained by the ``tiny_synthetic`` smoke recipe)."""

    input_scale: Tuple[int, int] = (1333, 800)
    pad_divisor: int = 32
    mean: Tuple[float, float, float] = MEAN
    std: Tuple[float, float, float] = STD
    # the official test_cfg (defaults kept once, in TestConfig)
    rpn_nms_pre: int = TestConfig.rpn_nms_pre
    rpn_nms_post: int = TestConfig.rpn_nms_post
    rpn_max_num: int = TestConfig.rpn_max_num
    rpn_nms_thr: float = TestConfig.rpn_nms_thr
    rcnn_score_thr: float = TestConfig.rcnn_score_thr
    rcnn_nms_thr: float = TestConfig.rcnn_nms_thr
    rcnn_max_per_img: int = TestConfig.rcnn_max_per_img
    depth: int = 50
    channels: int = 256
    fc_channels: int = 1024

    def __post_init__(self):
        for name in ("input_scale", "mean", "std"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if len(self.input_scale) != 2 or min(self.input_scale) <= 0:
            raise ValueError(f"input_scale must be two positive sides, got {self.input_scale}")
        if self.pad_divisor % 32:
            raise ValueError(f"pad_divisor must be a multiple of 32 (FPN strides), got {self.pad_divisor}")

    @classmethod
    def from_dict(cls, values: Dict[str, Any]) -> GlobalTrackParams:
        """Build from config keys; an unknown key is a ``TypeError`` naming it."""
        return params_from(cls, values, "GlobalTrack")

    def test_cfg(self) -> TestConfig:
        return TestConfig(self.rpn_nms_pre, self.rpn_nms_post, self.rpn_max_num, self.rpn_nms_thr,
                          self.rcnn_score_thr, self.rcnn_nms_thr, self.rcnn_max_per_img)


def load_globaltrack_weights(network: QGRCNN, source: str) -> Dict[str, Any]:
    """Load an official checkpoint (mmcv's ``{'meta', 'state_dict', 'optimizer'}`` container,
    legacy serialization, or a bare state_dict) strictly through ``vot_core.weights``."""
    from vot_core.weights import extract_state_dict, load_checkpoint, load_state_dict_strict

    ckpt = load_checkpoint(source, map_location="cpu")
    load_state_dict_strict(network, extract_state_dict(ckpt, keys=("state_dict",)),
                           source=str(source))
    return ckpt


def ltrb_inclusive(box: Box) -> np.ndarray:
    """(x, y, w, h) -> ``[x, y, x + w - 1, y + h - 1]`` as neuron's datasets convert it."""
    return np.array([box.x, box.y, box.x + box.w - 1, box.y + box.h - 1], dtype=np.float64)


def xywh_inclusive(row) -> Box:
    """``[x1, y1, x2, y2]`` inclusive -> (x1, y1, x2 - x1 + 1, y2 - y1 + 1)."""
    x1, y1, x2, y2 = (float(v) for v in row[:4])
    return Box(x1, y1, x2 - x1 + 1, y2 - y1 + 1)


class GlobalTrackTracker(BaseTracker):
    """GlobalTrack (AAAI 2020): a global, query-guided R-CNN tracker for long-term tracking.

    :param weights: official checkpoint (path, URL or zoo name), loaded strictly; None keeps
        the random initialisation.
    :param device: torch device string.
    :param params: any :class:`GlobalTrackParams` field (an unknown name is a ``TypeError``).
    """

    def __init__(self, weights: Optional[str] = None, device: str = "cpu", **params: Any):
        self.params = GlobalTrackParams.from_dict(params)
        self.device = torch.device(device)
        p = self.params
        self.network = build_qg_rcnn(p.test_cfg(), initialize=weights is None, depth=p.depth,
                                     channels=p.channels, fc_channels=p.fc_channels)
        if weights is not None:
            load_globaltrack_weights(self.network, weights)
        self.network.to(self.device).eval()
        self.preprocess = Preprocessor(p.input_scale, p.mean, p.std, p.pad_divisor, device)
        self.query: Optional[Query] = None
        self.state: Optional[Box] = None
        self.last_detections: Optional[np.ndarray] = None

    def initialize(self, frame: np.ndarray, box) -> None:
        frame = to_rgb(frame)
        box = Box.of(box).validate(frame.shape, what="init box")
        prepared = self.preprocess(frame)
        query_box = torch.from_numpy(scale_query_box(ltrb_inclusive(box), prepared))
        with torch.inference_mode():
            self.query = self.network.learn_query(prepared.tensor, query_box.to(self.device))
        self.state = box

    def track(self, frame: np.ndarray) -> Prediction:
        if self.query is None:
            raise RuntimeError("call initialize(frame, box) before track(frame)")
        frame = to_rgb(frame)
        prepared = self.preprocess(frame)
        with torch.inference_mode():
            out = self.network.detect(self.query, prepared.tensor, prepared.img_shape,
                                      prepared.scale_factor)
        dets = out.detections.cpu().numpy()
        self.last_detections = dets
        if dets.shape[0] == 0:
            return Prediction(self.state, score=0.0, extras={"num_detections": 0})
        best = int(np.argmax(dets[:, 4]))
        self.state = xywh_inclusive(dets[best])
        return Prediction(self.state, score=float(dets[best, 4]),
                          extras={"num_detections": int(dets.shape[0])})

    def correct(self, box) -> None:
        """Adopt a refined box as the previous output. GlobalTrack searches every frame whole
        from its first-frame query, so this changes only what is repeated when a frame yields
        no detection; the query is never updated."""
        self.state = Box.of(box)
