"""OSTrack's inference loop (official ``lib/test/tracker/ostrack.py``), on vot-core geometry.

Per sequence: crop the template once (``template_factor`` x the box, ``template_size`` px), embed
its tokens once and build the CE template-centre mask once; the template is never updated. Per
frame: crop the search region around the previous state (``vot_core.geometry.crop_square``,
STARK's ``sample_target``), run the network's ``track_step`` (frozen: fused oneDNN kernels, see
``vot_core.nn_fast``), multiply the score map by a centred Hann window, decode the
box at the arg-max of the windowed map, scale it by ``search_size / resize_factor``, map it back
from the unrounded previous centre and clip it with a 10 px margin.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

import numpy as np
import torch

from vot_core import nn_fast
from vot_core.geometry import clip_box, crop_square, hann2d, imagenet_normalize, map_box_back
from vot_core.params import params_from
from vot_core.structures import Box, Prediction
from vot_core.tracker import BaseTracker

from .center_head import decode_center_box
from .ostrack import OSTrack, build_ostrack, template_center_mask


@dataclass(frozen=True)
class OSTrackParams:
    """Every OSTrack tracker setting, defaults = ``vitb_256_mae_ce_32x4_ep300``.

    The network fields (``embed_dim`` ... ``ce_keep_ratio``) must match the weights; the tiny
    values are for tests. ``fused_attn`` uses scaled-dot-product attention (outputs within
    ~1e-6 relative of the official explicit attention); ``False`` is bit-identical to it on
    plain PyTorch ops (``vot_core.nn_fast.reference_mode()``; the default inference path runs
    fused oneDNN kernels, within ~2e-6 relative of the official model).
    """

    template_factor: float = 2.0
    template_size: int = 128
    search_factor: float = 4.0
    search_size: int = 256
    patch_size: int = 16
    embed_dim: int = 768
    depth: int = 12
    num_heads: int = 12
    mlp_ratio: float = 4.0
    head_channels: int = 256
    ce_loc: Tuple[int, ...] = (3, 6, 9)
    ce_keep_ratio: Tuple[float, ...] = (0.7, 0.7, 0.7)
    ce_template_range: str = "CTR_POINT"
    clip_margin: float = 10.0
    fused_attn: bool = True

    def __post_init__(self):
        object.__setattr__(self, "ce_loc", tuple(int(v) for v in self.ce_loc))
        object.__setattr__(self, "ce_keep_ratio", tuple(float(v) for v in self.ce_keep_ratio))
        if len(self.ce_loc) != len(self.ce_keep_ratio):
            raise ValueError(f"ce_loc {self.ce_loc} and ce_keep_ratio {self.ce_keep_ratio} "
                             "must have the same length")
        for name in ("template_size", "search_size"):
            if getattr(self, name) % self.patch_size:
                raise ValueError(f"{name}={getattr(self, name)} is not a multiple of "
                                 f"patch_size={self.patch_size}")
        if self.template_factor <= 0 or self.search_factor <= 0:
            raise ValueError("template_factor and search_factor must be > 0")

    @classmethod
    def from_dict(cls, values: Dict[str, Any]) -> OSTrackParams:
        """Build from config keys; an unknown key is a ``TypeError`` naming it."""
        return params_from(cls, values, "OSTrack")

    def network_kwargs(self) -> Dict[str, Any]:
        return dict(template_size=self.template_size, search_size=self.search_size,
                    patch_size=self.patch_size, embed_dim=self.embed_dim, depth=self.depth,
                    num_heads=self.num_heads, mlp_ratio=self.mlp_ratio,
                    head_channels=self.head_channels, ce_loc=self.ce_loc,
                    ce_keep_ratio=self.ce_keep_ratio, fused_attn=self.fused_attn)


#: The released variants (official ``experiments/ostrack/*.yaml``): overrides of the defaults.
VARIANTS: Dict[str, Dict[str, Any]] = {
    "vitb_256_mae_ce_32x4_ep300": {},
    "vitb_256_mae_ce_32x4_got10k_ep100": {},
    "vitb_256_mae_32x4_ep300": dict(ce_loc=(), ce_keep_ratio=()),
    "vitb_384_mae_ce_32x4_ep300": dict(template_size=192, search_size=384, search_factor=5.0),
    "vitb_384_mae_ce_32x4_got10k_ep100": dict(template_size=192, search_size=384,
                                              search_factor=5.0),
    "vitb_384_mae_32x4_ep300": dict(template_size=192, search_size=384, search_factor=5.0,
                                    ce_loc=(), ce_keep_ratio=()),
}


def load_ostrack_weights(network: OSTrack, source: str) -> None:
    """Load an official checkpoint (``{'net': state_dict, ...}`` with pickled training objects,
    or a bare state_dict; path, URL or zoo name) strictly through ``vot_core.weights``. A
    checkpoint of another variant is reported with its keys and shapes and the input sizes its
    position embeddings imply."""
    from vot_core.weights import (
        WeightsError,
        extract_state_dict,
        load_checkpoint,
        load_state_dict_strict,
    )

    state_dict = extract_state_dict(load_checkpoint(source, map_location="cpu"))
    try:
        load_state_dict_strict(network, state_dict, source=f"weights '{source}'")
    except WeightsError as exc:
        hint = _variant_hint(network, state_dict)
        if not hint:
            raise
        raise WeightsError(f"{exc}\n  {hint}") from exc


def _variant_hint(network: OSTrack, state_dict: Dict[str, torch.Tensor]) -> str:
    bb = network.backbone
    parts = []
    for key, grid, what in (("backbone.pos_embed_z", bb.template_grid, "template_size"),
                            ("backbone.pos_embed_x", bb.search_grid, "search_size")):
        t = state_dict.get(key)
        if t is None or t.dim() != 3:
            continue
        side = int(round(t.shape[1] ** 0.5))
        if side != grid:
            parts.append(f"{key} {tuple(t.shape)} is for {what}={side * bb.patch_size}, the "
                         f"config builds {what}={grid * bb.patch_size}")
    if not parts:
        return ""
    return ("These weights belong to another OSTrack variant (e.g. 384 weights with a 256 "
            "config): " + "; ".join(parts) + ".")


def as_rgb(frame: np.ndarray) -> np.ndarray:
    """An RGB uint8 HxWx3 view of ``frame``: grayscale (HxW, HxWx1) is replicated to three
    channels (what ``cv2.imread`` gives the official tracker), RGBA drops its alpha."""
    frame = np.asarray(frame)
    if frame.dtype != np.uint8:
        raise TypeError(f"frames must be uint8, got {frame.dtype}")
    if frame.ndim == 2:
        frame = frame[:, :, None]
    if frame.ndim != 3 or frame.shape[2] not in (1, 3, 4):
        raise ValueError(f"frames must be HxW, HxWx1, HxWx3 (RGB) or HxWx4 (RGBA), "
                         f"got shape {frame.shape}")
    if frame.shape[2] == 1:
        return np.repeat(frame, 3, axis=2)
    return frame[:, :, :3] if frame.shape[2] == 4 else frame


class OSTrackTracker(BaseTracker):
    """OSTrack (ECCV 2022) tracker: one-stream ViT with candidate elimination + CENTER head.

    :param weights: official checkpoint path, URL or zoo name (loaded strictly); None keeps the
        random initialisation.
    :param device: torch device string.
    :param params: any :class:`OSTrackParams` field (an unknown name is a ``TypeError``).
    """

    def __init__(self, weights: Optional[str] = None, device: str = "cpu", **params: Any):
        self.params = OSTrackParams.from_dict(params)
        self.device = torch.device(device)
        p = self.params
        self.network = build_ostrack(**p.network_kwargs())
        if weights is not None:
            load_ostrack_weights(self.network, weights)
        self.network.to(self.device).eval()
        nn_fast.freeze(self.network)  # inference only: packed / folded weights may be cached
        self.feat_sz = p.search_size // p.patch_size
        self.output_window = hann2d(self.feat_sz, centered=True).to(self.device)
        # preallocated network inputs, refilled in place every frame
        self._template = torch.zeros(1, 3, p.template_size, p.template_size, device=self.device)
        self._search = torch.zeros(1, 3, p.search_size, p.search_size, device=self.device)
        self._mask = (template_center_mask(p.template_size // p.patch_size, 1,
                                           p.ce_template_range, self.device)
                      if p.ce_loc else None)
        self._template_tokens: Optional[torch.Tensor] = None
        self.state: Optional[Box] = None

    @classmethod
    def from_variant(cls, variant: str, weights: Optional[str] = None, device: str = "cpu",
                     **overrides: Any) -> OSTrackTracker:
        """Build one of :data:`VARIANTS` (e.g. ``"vitb_384_mae_ce_32x4_ep300"``)."""
        if variant not in VARIANTS:
            raise ValueError(f"unknown OSTrack variant '{variant}'; known: {sorted(VARIANTS)}")
        return cls(weights=weights, device=device, **{**VARIANTS[variant], **overrides})

    def initialize(self, frame: np.ndarray, box) -> None:
        frame = as_rgb(frame)
        box = Box.of(box).validate(frame.shape, what="init box")
        p = self.params
        crop = crop_square(frame, box.tolist(), p.template_factor, p.template_size)
        self._template.copy_(imagenet_normalize(crop.image))
        with torch.inference_mode():  # constant for the video: embedded once
            self._template_tokens = self.network.backbone.embed_template(self._template)
        self.state = box

    def track(self, frame: np.ndarray) -> Prediction:
        if self.state is None:
            raise RuntimeError("call initialize(frame, box) before track(frame)")
        frame = as_rgb(frame)
        H, W = frame.shape[:2]
        p = self.params
        crop = crop_square(frame, self.state.tolist(), p.search_factor, p.search_size)
        self._search.copy_(imagenet_normalize(crop.image))
        with torch.inference_mode():
            out = self.network.track_step(self._template_tokens, self._search,
                                          ce_template_mask=self._mask)
            response = self.output_window * out["score_map"]
            boxes, _, idx = decode_center_box(response, out["size_map"], out["offset_map"])
            score = float(out["score_map"].flatten()[int(idx)])
            pred = (boxes.view(-1, 4).mean(dim=0) * p.search_size / crop.resize_factor).tolist()
        box = map_box_back(pred, self.state.tolist(), crop.crop_extent)
        self.state = Box.of(clip_box(box, H, W, margin=p.clip_margin))
        return Prediction(self.state, score=score,
                          extras={"search_box": crop.crop_box, "resize_factor": crop.resize_factor})
