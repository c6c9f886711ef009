"""The Alpha-Refine refiner: refines any base tracker's box every frame.

Inference as the official ``RefineModule`` (``pytracking/refine_modules/refine_module.py``):

* ``initialize``: crop ``ceil(2w) x ceil(2h)`` around the first box (Alpha-Refine's non-square
  crop, black padding, the right/bottom off-by-one), resize to 256x256, normalise (numpy
  float64, then float32) and keep the template kernel. The template is never updated.
* ``refine``: the same crop around the *base tracker's* box, the corner branch (and the mask
  branch if configured), corners -> ``xywh`` in float32, mapped back with the official origin
  ``x_o - (sr - 1)/2 * w_o`` (which ignores the crop rounding, as official).
* ``box_from='mask'``: the mask is pasted back into the frame and the box is the bounding
  rectangle of its largest contour (area > 100), else the corner box.
* ``clip`` applies the scripts' ``bbox_clip`` (corners inside the frame, min size 10) to the
  returned box, which the pipeline feeds back to the base tracker through ``correct()``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional, Tuple

import numpy as np
import torch

from vot_core.geometry import (
    ALPHAREFINE_CROP,
    box_to_crop,
    clip_box_alpharefine,
    crop_alpharefine,
    imagenet_normalize,
    map_box_back_alpharefine,
    map_mask_back,
)
from vot_core.params import params_from
from vot_core.structures import Box, Prediction
from vot_core.video import to_rgb

from .mask_box import mask_to_box
from .secm import SEcmNet, secm_compact, secm_resnet18, secm_resnet34

BOX_SOURCES = ("corner", "mask")
VARIANTS = ("secm_r34", "secm_r18", "secm_compact")


@dataclass(frozen=True)
class AlphaRefineParams:
    """Every parameter of :class:`AlphaRefine`, with the official defaults."""

    #: ``'secm_r34'`` (AR34c+m, released), ``'secm_r18'`` (AR18c+m, PrRoIPool neck) or
    #: ``'secm_compact'`` (a small SEcm described by the ``compact_*`` fields, e.g. AR-tiny)
    variant: str = "secm_r34"
    #: AR18 only: ``'auto'`` (from the checkpoint's keys; non-local without weights),
    #: ``'nonlocal'``, ``'convs'`` or ``'none'``
    spatial_attention: str = "auto"
    #: crop side relative to the box side, per axis (official ``search_factor``)
    search_factor: float = 2.0
    #: network input side (official ``input_sz = 128 * search_factor``; 256 for the released
    #: models, any multiple of 32 for ``secm_compact``)
    input_size: int = 256
    #: ``secm_compact`` only: residual blocks and widths of its three ResNet stages, the neck
    #: and corner-tower widths, and whether it has a mask branch
    compact_blocks: Tuple[int, ...] = (1, 1, 1)
    compact_widths: Tuple[int, ...] = (32, 64, 128)
    compact_neck_channels: int = 64
    compact_head_channels: int = 64
    compact_mask: bool = False
    #: which branch gives the returned box: ``'corner'`` (published results) or ``'mask'``
    box_from: str = "corner"
    #: also run the mask branch and return the frame-sized mask (implied by ``box_from='mask'``)
    return_mask: bool = False
    #: mask probability threshold of the mask -> box step
    mask_threshold: float = 0.5
    #: the largest contour must exceed this area (pixels) to replace the corner box
    min_contour_area: float = 100.0
    #: clip the returned box as the official scripts' ``bbox_clip`` (before feeding it back)
    clip: bool = True
    #: minimum box side of ``bbox_clip``
    clip_min_size: float = 10.0
    #: return the base box when the refined one is empty or not finite (the official code
    #: passes such a box on; ``False`` reproduces that)
    keep_base_if_invalid: bool = True

    def __post_init__(self):
        if self.variant not in VARIANTS:
            raise ValueError(f"AlphaRefine: variant must be one of {VARIANTS}, got '{self.variant}'")
        if self.spatial_attention not in ("auto", "nonlocal", "convs", "none"):
            raise ValueError("AlphaRefine: spatial_attention must be auto, nonlocal, convs or none")
        if self.box_from not in BOX_SOURCES:
            raise ValueError(f"AlphaRefine: box_from must be one of {BOX_SOURCES}, got "
                             f"'{self.box_from}'")
        if self.search_factor <= 1.0:
            raise ValueError("AlphaRefine: search_factor must be > 1")
        if self.variant != "secm_compact" and self.input_size != 256:
            raise ValueError("AlphaRefine: the released networks need input_size=256 "
                             "(16x16 layer3 maps and the corner grid are fixed)")
        if self.input_size % 32 or self.input_size < 64:
            raise ValueError(f"AlphaRefine: input_size must be a multiple of 32 and >= 64, got "
                             f"{self.input_size}")
        object.__setattr__(self, "compact_blocks", tuple(int(v) for v in self.compact_blocks))
        object.__setattr__(self, "compact_widths", tuple(int(v) for v in self.compact_widths))
        if self.box_from == "mask" or self.return_mask:
            if self.variant == "secm_compact" and not self.compact_mask:
                raise ValueError("AlphaRefine: box_from='mask' / return_mask need a mask "
                                 "branch (compact_mask=True)")

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> AlphaRefineParams:
        """Build from keyword arguments; an unknown key raises ``TypeError`` naming it."""
        return params_from(cls, kwargs, "AlphaRefine")


def spatial_attention_of(state: dict) -> str:
    """Which spatial stage an AR18 checkpoint holds, from its keys (``use_NL`` True / False /
    absent give different state_dict layouts)."""
    if "neck.spatial_attention.theta.weight" in state:
        return "nonlocal"
    if "neck.spatial_attention.0.weight" in state:
        return "convs"
    return "none"


def read_state_dict(weights: str) -> dict:
    """The state_dict of a checkpoint (a path, URL or zoo name such as ``alpharefine/secm_r34``):
    the released files are legacy (pre-1.6) pickles with the tensors under ``'net'``, read by
    core's restricted unpickler (the pickled ``NetConstructor`` and settings never run)."""
    from vot_core.weights import extract_state_dict, load_checkpoint

    return extract_state_dict(load_checkpoint(weights, map_location="cpu"),
                              keys=("net", "state_dict", "model"))


def build_network(params: AlphaRefineParams, state: Optional[dict]) -> SEcmNet:
    """The configured network, uninitialised when ``state`` will overwrite it."""
    if params.variant == "secm_r34":
        return secm_resnet34(init=state is None)
    if params.variant == "secm_compact":
        return secm_compact(params.input_size, params.compact_blocks, params.compact_widths,
                            params.compact_neck_channels, params.compact_head_channels,
                            params.compact_mask, init=state is None)
    mode = params.spatial_attention
    if mode == "auto":
        mode = spatial_attention_of(state) if state is not None else "nonlocal"
    return secm_resnet18(spatial_attention=mode, init=state is None)


def load_secm_weights(net: torch.nn.Module, weights: str) -> None:
    """Load ``weights`` into ``net`` strictly (a mismatch names the keys and shapes)."""
    from vot_core.weights import load_state_dict_strict

    load_state_dict_strict(net, read_state_dict(weights), source=f"weights '{weights}'")


class AlphaRefine:
    """Alpha-Refine (CVPR 2021) refiner: ``AlphaRefine(weights='SEcmnet_ep0040-c.pth.tar')``.

    Keywords are the fields of :class:`AlphaRefineParams`; ``network`` injects a prebuilt
    :class:`SEcmNet` (tests, training); without ``weights`` the network is randomly initialised.
    """

    def __init__(self, weights: Optional[str] = None, device: str = "cpu",
                 network: Optional[SEcmNet] = None, **params: Any) -> None:
        self.params = AlphaRefineParams.from_kwargs(**params)
        self.device = torch.device(device)
        state = read_state_dict(weights) if weights is not None else None
        if network is None:
            network = build_network(self.params, state)
        self.net = network
        if state is not None:
            from vot_core.weights import load_state_dict_strict

            load_state_dict_strict(self.net, state, source=f"weights '{weights}'")
        self.net.to(self.device).eval()
        self.kernel: Optional[torch.Tensor] = None

    # ------------------------------------------------------------------ helpers
    def preprocess(self, frame: np.ndarray, box) -> tuple:
        """Crop around ``box`` as official and normalise: ``(tensor (1,3,S,S), CropResult)``."""
        p = self.params
        result = crop_alpharefine(frame, box, p.search_factor, p.input_size, ALPHAREFINE_CROP)
        tensor = imagenet_normalize(result.image, precision="float64", device=str(self.device))
        return tensor, result

    # ------------------------------------------------------------------ contract
    @torch.inference_mode()
    def initialize(self, frame: np.ndarray, box) -> None:
        """Build the template kernel from the first frame and its box (kept for the video)."""
        frame = to_rgb(frame)
        box = Box.of(box).validate(frame.shape, what="AlphaRefine init box")
        template, crop = self.preprocess(frame, box.tolist())
        box_in_crop = None
        if self.net.uses_template_box:  # PrRoIPool neck: the box in the crop, clamped to it
            xywh = box_to_crop(torch.tensor(box.tolist(), dtype=torch.float32),
                               torch.tensor(box.tolist(), dtype=torch.float32),
                               crop.resize_factor_xy, self.params.input_size, clamp=True)
            box_in_crop = torch.cat([xywh[:2], xywh[:2] + xywh[2:]])[None].to(self.device)
        self.kernel = self.net.template_kernel(template, box_in_crop)

    @torch.inference_mode()
    def refine(self, frame: np.ndarray, prediction: Prediction) -> Prediction:
        """Refine ``prediction.box``; the score and the base tracker's extras are kept."""
        if self.kernel is None:
            raise RuntimeError("AlphaRefine.refine() called before initialize()")
        p = self.params
        frame = to_rgb(frame)
        base = prediction.box.tolist()
        extras = dict(prediction.extras)
        extras["base_box"] = base
        if not (all(math.isfinite(v) for v in base) and base[2] > 0 and base[3] > 0):
            # nothing to crop around (the official code raises 'Too small bounding box')
            extras["refined"] = False
            return Prediction(prediction.box, prediction.score, prediction.mask, extras)
        search, crop = self.preprocess(frame, base)
        want_mask = p.return_mask or p.box_from == "mask"
        out = self.net.forward_test(search, self.kernel,
                                    branches=("corner", "mask") if want_mask else ("corner",))
        corners = out["corner"][0].float().cpu().numpy()  # float32 x1, y1, x2, y2
        corner_xywh = np.concatenate([corners[:2], corners[2:] - corners[:2]])  # float32 as official
        box = map_box_back_alpharefine(corner_xywh.tolist(), base, p.search_factor,
                                       crop.resize_factor_xy)
        extras["corner_box"] = box.tolist()
        mask = None
        if want_mask:
            crop_mask = out["mask"][0, 0].float().cpu().numpy()
            mask = map_mask_back(crop_mask, frame.shape, base, p.search_factor, ALPHAREFINE_CROP)
            mask_box = mask_to_box(mask, box, p.mask_threshold, p.min_contour_area)
            extras["mask_box"] = mask_box.tolist()
            if p.box_from == "mask":
                box = mask_box
        extras["unclipped_box"] = [float(v) for v in box]
        if p.clip:
            box = clip_box_alpharefine(box, frame.shape[0], frame.shape[1], p.clip_min_size)
        box = [float(v) for v in box]
        if p.keep_base_if_invalid and not (all(math.isfinite(v) for v in box)
                                           and box[2] > 0 and box[3] > 0):
            extras["refined"] = False
            return Prediction(prediction.box, prediction.score,
                              mask if mask is not None else prediction.mask, extras)
        extras["refined"] = True
        return Prediction(Box.of(box), prediction.score, mask if mask is not None else prediction.mask,
                          extras)
