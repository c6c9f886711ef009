"""Precise RoI Pooling (Jiang et al., ECCV 2018; vacancy/PreciseRoIPooling)."""
from __future__ import annotations

import torch
from torch import Tensor

from . import reference
from ._boxes import BoxesArg, pair, to_rois
from ._extension import use_compiled


def prroi_pool(input: Tensor, boxes: BoxesArg, output_size, spatial_scale: float = 1.0) -> Tensor:
    """PrRoIPool: each bin is the exact integral of the bilinear field over the bin divided by
    its area (0 for an empty bin), as ``PrRoIPool2D(ph, pw, spatial_scale)`` of the official code.

    Args:
        input: features (N, C, H, W).
        boxes: (K, 5) ``(batch_index, x1, y1, x2, y2)`` in image pixels (scaled as they are:
            no half-pixel shift, no +1), or a list of per-image (L, 4) tensors.
        output_size: int or (h, w).
        spatial_scale: 1 / stride.

    Returns:
        (K, C, h, w). Differentiable with respect to ``input`` and to the box coordinates.
    """
    ph, pw = pair(output_size, "prroi_pool: output_size")
    rois = to_rois(boxes, "prroi_pool")
    if use_compiled("prroi_pool", input.device):
        return torch.ops.vot_ops.prroi_pool(input, rois, float(spatial_scale), ph, pw)
    return reference.prroi_pool(input, rois, (ph, pw), spatial_scale)
