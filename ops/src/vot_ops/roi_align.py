"""RoIAlign (torchvision's arguments) and the FPN level assignment of mmdetection."""
from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor

from . import reference
from ._boxes import BoxesArg, pair, to_rois
from ._extension import use_compiled


def roi_align(input: Tensor, boxes: BoxesArg, output_size, spatial_scale: float = 1.0,
              sampling_ratio: int = -1, aligned: bool = False, *, legacy: bool = False) -> Tensor:
    """RoIAlign, a drop-in for ``torchvision.ops.roi_align`` with one more convention.

    Args:
        input: features (N, C, H, W), float32/float64/float16/bfloat16.
        boxes: (K, 5) ``(batch_index, x1, y1, x2, y2)`` in input-image pixels, or a list of
            per-image (L, 4) tensors.
        output_size: int or (h, w) of each pooled RoI.
        spatial_scale: feature cells per image pixel (1 / stride).
        sampling_ratio: sample points per bin and axis; <= 0 means ``ceil(roi_size / output)``.
        aligned: half-pixel shift (detectron2 / mmdet v2, as DMTrack uses).
        legacy: mmdetection v1.0rc0 geometry (GlobalTrack): box end at ``(x2 + 1) * scale``,
            RoI size clamped to >= 0 instead of >= 1; requires ``aligned=False``.

    Returns:
        (K, C, h, w) pooled features. Differentiable with respect to ``input``.
    """
    ph, pw = pair(output_size, "roi_align: output_size")
    if aligned and legacy:
        raise ValueError("roi_align: legacy=True (mmdetection v1) requires aligned=False")
    rois = to_rois(boxes, "roi_align")
    if use_compiled("roi_align", input.device):
        return torch.ops.vot_ops.roi_align(input, rois, float(spatial_scale), ph, pw,
                                           int(sampling_ratio), bool(aligned), bool(legacy))
    return reference.roi_align(input, rois, (ph, pw), spatial_scale, sampling_ratio, aligned,
                               legacy=legacy)


def map_roi_levels(rois: Tensor, num_levels: int, finest_scale: float = 56.0,
                   offset: float = 0.0) -> Tensor:
    """FPN level of each RoI as mmdetection's ``SingleRoIExtractor``.

    ``scale = sqrt((x2 - x1 + offset) * (y2 - y1 + offset))`` and
    ``level = clamp(floor(log2(scale / finest_scale + 1e-6)), 0, num_levels - 1)``, so with
    ``finest_scale=56``: scale < 112 -> 0, < 224 -> 1, < 448 -> 2, else 3.
    ``offset=1`` is mmdetection v1 (GlobalTrack), ``offset=0`` mmdetection v2 (DMTrack).
    """
    scale = torch.sqrt((rois[:, 3] - rois[:, 1] + offset) * (rois[:, 4] - rois[:, 2] + offset))
    levels = torch.floor(torch.log2(scale / finest_scale + 1e-6))
    return levels.clamp(min=0, max=num_levels - 1).long()


def multilevel_roi_align(features: Sequence[Tensor], rois: Tensor, output_size,
                         strides: Sequence[int], sampling_ratio: int = 2, aligned: bool = False,
                         *, legacy: bool = False, finest_scale: float = 56.0) -> Tensor:
    """RoIAlign of each RoI on its FPN level (mmdetection ``SingleRoIExtractor``).

    ``features[i]`` has stride ``strides[i]``; the level rule is :func:`map_roi_levels` with the
    +1 offset when ``legacy`` (mmdetection v1) and without it otherwise (mmdetection v2).
    Returns (K, C, h, w).
    """
    if len(features) != len(strides):
        raise ValueError(f"multilevel_roi_align: {len(features)} feature maps but {len(strides)} strides")
    ph, pw = pair(output_size, "multilevel_roi_align: output_size")
    rois = to_rois(rois, "multilevel_roi_align")
    out = features[0].new_zeros((rois.shape[0], features[0].shape[1], ph, pw))
    if len(features) == 1:
        return roi_align(features[0], rois, (ph, pw), 1.0 / strides[0], sampling_ratio, aligned,
                         legacy=legacy)
    levels = map_roi_levels(rois, len(features), finest_scale, 1.0 if legacy else 0.0)
    for i, (feat, stride) in enumerate(zip(features, strides)):
        index = torch.nonzero(levels == i).squeeze(1)
        if index.numel():
            out = out.index_copy(0, index, roi_align(feat, rois[index], (ph, pw), 1.0 / stride,
                                                     sampling_ratio, aligned, legacy=legacy))
    return out
