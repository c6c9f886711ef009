"""SimTrack's online tracker, as the official ``lib/test/tracker/simtrack.py`` runs it.

Per sequence: crop the template (factor 2 -> 112 px) once and its target box; the template
goes through the joint backbone with every search crop (its patch tokens are computed once).
Per frame: crop the search region (factor 4 -> 224 px) around the previous box, predict
(cx, cy, w, h) with the corner head, map it back around the previous centre, clip it with a
10-px margin. No window, no score, no template update, nothing smoothed.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import torch

from vot_core import nn_fast
from vot_core.geometry import SIMTRACK_CROP, clip_box, crop_square, imagenet_normalize, map_box_back
from vot_core.params import params_from
from vot_core.structures import Box, Prediction
from vot_core.tracker import BaseTracker
from vot_core.video import to_rgb

from .simtrack import SimTrack, SimTrackArch, build_simtrack

logger = logging.getLogger(__name__)

#: Architectures of the named variants (``variant=`` in a config). ``micro`` is a small
#: model with Sim-B/16's token layout at half the resolution (patch 8), for tests and demos
#: trained on synthetic data; it has no released weights.
VARIANTS = {
    "sim_b16": SimTrackArch(),
    "micro": SimTrackArch(width=32, layers=2, heads=2, patch_size=8, output_dim=16,
                          hidden_dim=16, head_dim=16),
}


@dataclass(frozen=True)
class SimTrackParams:
    """Every tracker setting, with the official test values (``experiments/simtrack/baseline``)."""

    variant: str = "sim_b16"
    template_factor: float = 2.0
    template_size: int = 112
    search_factor: float = 4.0
    search_size: int = 224
    foveal_size: int = 64
    clip_margin: float = 10.0

    def __post_init__(self):
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown SimTrack variant '{self.variant}'; known: {sorted(VARIANTS)}")

    def arch(self) -> SimTrackArch:
        return dataclasses.replace(VARIANTS[self.variant], template_size=self.template_size,
                                   search_size=self.search_size, foveal_size=self.foveal_size)

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> SimTrackParams:
        """Build from keyword arguments; an unknown key raises ``TypeError`` naming it."""
        return params_from(cls, kwargs, "SimTrack")


def template_box(box: Box, resize_factor: float, template_size: int) -> torch.Tensor:
    """The target box in the template crop, normalized x, y, w, h (the input of ``pos_fc``).

    Official rule: size ``(w, h) * resize_factor``, corner ``int(size_t / 2 - size / 2)``
    (truncation; the centre is 56, not 55.5), divided by ``template_size``. Computed in float64
    like the official evaluation, whose ground truth is float64 (the backbone then casts the
    patch-coverage features to float32).
    """
    size = torch.tensor([box.w, box.h], dtype=torch.float64) * resize_factor
    corner = [int(template_size / 2 - s / 2) for s in size]
    anno = torch.tensor([corner[0], corner[1], size[0], size[1]], dtype=torch.float64)
    return (anno / template_size).unsqueeze(0)


class SimTrackTracker(BaseTracker):
    """SimTrack (ECCV 2022) with the official inference; see the module docstring.

    :param weights: a checkpoint path, URL or zoo name, loaded strictly (see ``loading``).
    :param device: torch device for the network.
    :param params: fields of :class:`SimTrackParams`; an unknown key is a ``TypeError``.
    """

    def __init__(self, weights: Optional[str] = None, device: str = "cpu", **params: Any):
        self.params = SimTrackParams.from_kwargs(**params)
        self.device = torch.device(device)
        self.network: SimTrack = build_simtrack(self.params.arch()).eval()
        self.load_report = None
        if weights is not None:
            from .loading import load_simtrack_weights
            self.load_report = load_simtrack_weights(self.network, weights)
            log = logger.info if self.load_report.unchanged else logger.warning
            log("SimTrack weights %s: %s", weights, self.load_report)
        self.network.to(self.device)
        nn_fast.freeze(self.network)  # inference only: packed / folded weights may be cached
        self._template_tokens: Optional[torch.Tensor] = None
        self._foveal_tokens: Optional[torch.Tensor] = None

    @classmethod
    def from_network(cls, network: SimTrack, device: str = "cpu", **params: Any) -> SimTrackTracker:
        """A tracker around an existing network (e.g. one just trained); ``params`` as above."""
        tracker = cls.__new__(cls)
        tracker.params = SimTrackParams.from_kwargs(**params)
        tracker.device = torch.device(device)
        tracker.network = nn_fast.freeze(network.eval().to(tracker.device))
        tracker.load_report = None
        tracker._template_tokens = tracker._foveal_tokens = None
        return tracker

    def _input(self, crop: np.ndarray) -> torch.Tensor:
        return imagenet_normalize(crop, device=str(self.device))

    @torch.inference_mode()
    def initialize(self, frame: np.ndarray, box: Box) -> None:
        frame = to_rgb(frame)
        super().initialize(frame, box)
        p = self.params
        crop = crop_square(frame, self.state.tolist(), p.template_factor, p.template_size,
                           SIMTRACK_CROP)
        anno = template_box(self.state, crop.resize_factor, p.template_size).to(self.device)
        self._template_tokens, self._foveal_tokens = self.network.backbone.embed_template(
            self._input(crop.image), anno)

    @torch.inference_mode()
    def track(self, frame: np.ndarray) -> Prediction:
        if self._template_tokens is None:
            raise RuntimeError("SimTrackTracker.track called before initialize")
        frame = to_rgb(frame)
        H, W = frame.shape[:2]
        p = self.params
        crop = crop_square(frame, self.state.tolist(), p.search_factor, p.search_size,
                           SIMTRACK_CROP)
        out = self.network.track_step(self._template_tokens, self._foveal_tokens,
                                      self._input(crop.image))
        # official: mean over queries (one), * search_size / resize_factor, all in float32
        pred = (out["pred_boxes"].view(-1, 4).mean(dim=0) * p.search_size
                / crop.resize_factor).tolist()
        box = map_box_back(pred, self.state.tolist(), crop.crop_extent)
        self.state = Box.of(clip_box(box, H, W, margin=p.clip_margin))
        return Prediction(self.state)
