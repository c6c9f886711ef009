"""The shared training transforms: jitter, crop (the plugin's crop style), flip, colour.

Per pair (OSTrack/STARK processing): a joint grayscale and a joint horizontal flip of both full
frames; per role a jittered box (``size * exp(N(0,1) * scale_jitter)``, centre moved by
``(U(0,1) - 0.5) * sqrt(w'h') * center_jitter``), the crop around it, the ground truth mapped
into the crop (``(size - 1)/2`` centre convention, normalised by the crop size); per crop a
brightness factor, an optional flip and blur; then ImageNet normalisation.

Target masks (``PairSamplingConfig.masks``): the search frame's mask is flipped with its frame
and cut with the very same crop (window, padding and ``cv2.resize`` of the crop style, on the
uint8 0/1 mask with zero padding, as Alpha-Refine's ``SEMaskProcessing``), giving
``search_mask`` (1, H, W) float32 and ``mask_flag`` (1: a real mask, 0: an all-zero stand-in).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Dict, List, Optional
from typing import Sequence as Seq

import cv2
import numpy as np
import torch

from ..geometry import ALPHAREFINE_CROP, OSTRACK_CROP, SIMTRACK_CROP, box_to_crop, crop
from ..geometry.crop import with_options
from ..params import params_from

CROP_STYLES = {"ostrack": OSTRACK_CROP, "simtrack": SIMTRACK_CROP, "alpharefine": ALPHAREFINE_CROP}
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


@dataclass(frozen=True)
class CropConfig:
    """One role's crop (template or search): context factor, output size and jitter."""

    factor: float = 2.0
    size: int = 128
    center_jitter: float = 0.0
    scale_jitter: float = 0.0

    @classmethod
    def from_dict(cls, cfg: Dict[str, Any]) -> CropConfig:
        return params_from(cls, cfg, "crop config", error=ValueError)


def jitter_box(box: np.ndarray, cfg: CropConfig, rng: np.random.Generator) -> np.ndarray:
    """STARK's ``_get_jittered_box`` on an ``xywh`` box."""
    x, y, w, h = (float(v) for v in box)
    size = np.array([w, h]) * np.exp(rng.standard_normal(2) * cfg.scale_jitter)
    max_offset = math.sqrt(size.prod()) * cfg.center_jitter
    center = np.array([x + w / 2, y + h / 2]) + max_offset * (rng.random(2) - 0.5)
    return np.array([center[0] - size[0] / 2, center[1] - size[1] / 2, size[0], size[1]])


def to_tensor(image: np.ndarray) -> torch.Tensor:
    """uint8 HxWx3 -> float32 3xHxW, ImageNet-normalised."""
    return torch.from_numpy(((image.astype(np.float32) / 255.0 - MEAN) / STD).transpose(2, 0, 1))


class PairTransform:
    """Frames + ground-truth boxes of a pair -> the network inputs and normalised targets."""

    def __init__(self, config):
        self.config = config
        if config.crop_style not in CROP_STYLES:
            raise ValueError(f"unknown crop style '{config.crop_style}'; known: "
                             f"{sorted(CROP_STYLES)}")
        self.style = CROP_STYLES[config.crop_style]
        # masks: the image's crop geometry and resize, padded with zeros (never "mean")
        self.mask_style = with_options(self.style, padding="constant", pad_value=0.0)

    def _crop_role(self, frame, gt, role: CropConfig, rng,
                   mask: Optional[np.ndarray] = None) -> Optional[Dict[str, Any]]:
        cfg = self.config
        jittered = jitter_box(gt, role, rng)
        if not np.isfinite(jittered).all() or jittered[2] <= 0 or jittered[3] <= 0:
            return None
        result = crop(frame, jittered, role.factor, role.size, self.style)
        box = np.asarray(box_to_crop(gt, jittered, result.resize_factor_xy, role.size),
                         dtype=np.float64) / role.size
        image = result.image
        if mask is not None:
            mask = crop(mask, jittered, role.factor, role.size, self.mask_style).image
        if cfg.brightness > 0:
            factor = rng.uniform(1 - cfg.brightness, 1 + cfg.brightness)
            image = np.clip(image.astype(np.float32) * factor, 0, 255).astype(np.uint8)
        if cfg.crop_flip_prob > 0 and rng.random() < cfg.crop_flip_prob:
            image = image[:, ::-1]
            box[0] = 1.0 - box[0] - box[2]
            if mask is not None:
                mask = mask[:, ::-1]
        if cfg.blur_prob > 0 and rng.random() < cfg.blur_prob:
            sigma = rng.uniform(0.2, 1.5)
            image = cv2.GaussianBlur(np.ascontiguousarray(image), (0, 0), sigma)
        if box[2] * role.size < 1 or box[3] * role.size < 1:
            return None  # the target vanished in the crop: draw again
        out = {"image": to_tensor(np.ascontiguousarray(image)),
               "box": torch.from_numpy(box.astype(np.float32))}
        if mask is not None:
            out["mask"] = torch.from_numpy(np.ascontiguousarray(mask, dtype=np.float32))[None]
        return out

    def __call__(self, frames: Seq[np.ndarray], boxes: Seq[np.ndarray],
                 rng: np.random.Generator,
                 masks: Optional[Seq[Optional[np.ndarray]]] = None
                 ) -> Optional[Dict[str, torch.Tensor]]:
        """``masks`` (one ``(H, W)`` array or ``None`` per frame) is used only when the config
        asks for masks; the random draws are the same with and without them."""
        cfg = self.config
        want_masks = bool(getattr(cfg, "masks", False))
        masks = list(masks) if masks is not None and want_masks else [None] * len(frames)
        frames = [np.asarray(f) for f in frames]
        boxes = [np.asarray(b, dtype=np.float64).copy() for b in boxes]
        if any(not np.isfinite(b).all() or b[2] <= 0 or b[3] <= 0 for b in boxes):
            return None
        if cfg.grayscale_prob > 0 and rng.random() < cfg.grayscale_prob:
            frames = [np.repeat(cv2.cvtColor(f, cv2.COLOR_RGB2GRAY)[:, :, None], 3, 2)
                      for f in frames]
        if cfg.flip_prob > 0 and rng.random() < cfg.flip_prob:
            flipped: List[np.ndarray] = []
            for i, f in enumerate(frames):
                flipped.append(f[:, ::-1])
                boxes[i][0] = f.shape[1] - boxes[i][0] - boxes[i][2]
                if masks[i] is not None:
                    masks[i] = masks[i][:, ::-1]
            frames = flipped
        template = self._crop_role(frames[0], boxes[0], cfg.template, rng)
        search_mask = masks[1]
        if search_mask is not None:
            search_mask = np.ascontiguousarray(search_mask, dtype=np.uint8)
        search = self._crop_role(frames[1], boxes[1], cfg.search, rng, search_mask)
        if template is None or search is None:
            return None
        sample = {"template": template["image"], "search": search["image"],
                  "template_box": template["box"], "search_box": search["box"]}
        if want_masks:
            size = cfg.search.size
            sample["search_mask"] = search.get("mask", torch.zeros(1, size, size))
            sample["mask_flag"] = torch.tensor(1.0 if "mask" in search else 0.0)
        return sample
