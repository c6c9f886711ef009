"""Reference Precise RoI Pooling (vacancy/PreciseRoIPooling, as vendored by pytracking and
Alpha-Refine).

RoIs ``(batch_index, x1, y1, x2, y2)`` are multiplied by ``spatial_scale`` as they are (no
half-pixel shift, no +1). Bin ``(ph, pw)`` covers ``[y1 + ph * bh, y1 + (ph + 1) * bh] x [...]``
with ``bh = max(y2 - y1, 0) / PH``. The output is the exact integral over the bin of the bilinear
field ``f(y, x) = sum_ij F[i, j] tri(y - i) tri(x - j)`` (zero outside the map), divided by the
bin area, and 0 for an empty bin. The field is separable, so the row weights are
``G(yb - i) - G(ya - i)`` with ``G`` the primitive of the tent; autograd through this closed
form gives the gradients for the features and for the box coordinates.
"""
from __future__ import annotations

import torch
from torch import Tensor

from ._separable import check_rois, separable_pool


def _primitive(u: Tensor) -> Tensor:
    """Primitive of tri(u) = max(0, 1 - |u|), 0 below -1 and 1 above 1."""
    left = 0.5 * (u + 1) ** 2
    right = 0.5 + u - 0.5 * u * u
    out = torch.where(u <= 0, left, right)
    out = torch.where(u <= -1, torch.zeros_like(u), out)
    return torch.where(u > 1, torch.ones_like(u), out)


def _axis_weights(a0: Tensor, a1: Tensor, pooled: int, size: int):
    """Indices and weights (R, pooled, A) of the rows (or columns) each bin covers."""
    length = (a1 - a0).clamp(min=0)
    bin_size = length / pooled
    p = torch.arange(pooled, dtype=a0.dtype, device=a0.device)
    start = a0[:, None] + p[None, :] * bin_size[:, None]
    end = start + bin_size[:, None]
    # rows with a non-zero weight: floor(start) .. ceil(end), inside the map
    lo = start.detach().floor().clamp(0, size - 1).long()
    hi = end.detach().ceil().clamp(0, size - 1).long()
    span = int((hi - lo).max()) + 1 if lo.numel() else 1
    index = lo[:, :, None] + torch.arange(max(span, 1), device=a0.device)
    inside = index <= hi[:, :, None]
    index = index.clamp(max=size - 1)
    i = index.to(a0.dtype)
    weights = _primitive(end[:, :, None] - i) - _primitive(start[:, :, None] - i)
    weights = torch.where(inside, weights, torch.zeros_like(weights))
    return index, weights, bin_size


def prroi_pool(input: Tensor, rois: Tensor, output_size, spatial_scale: float = 1.0) -> Tensor:
    """Reference PrRoIPool; ``rois`` is (K, 5) ``(batch_index, x1, y1, x2, y2)``."""
    ph, pw = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    if input.dim() != 4:
        raise ValueError(f"prroi_pool: input must be (N, C, H, W), got {tuple(input.shape)}")
    check_rois(rois, input.shape[0], "prroi_pool")
    out_dtype = input.dtype
    work = torch.float32 if input.dtype in (torch.float16, torch.bfloat16) else input.dtype
    feats, r = input.to(work), rois.to(work)
    height, width = input.shape[-2:]
    xi, wx, bin_w = _axis_weights(r[:, 1] * spatial_scale, r[:, 3] * spatial_scale, pw, width)
    yi, wy, bin_h = _axis_weights(r[:, 2] * spatial_scale, r[:, 4] * spatial_scale, ph, height)
    area = bin_w * bin_h
    empty = area <= 0
    safe_area = torch.where(empty, torch.ones_like(area), area)
    out = separable_pool(feats, r[:, 0].long(), yi, wy, xi, wx) / safe_area[:, None, None, None]
    out = torch.where(empty[:, None, None, None], torch.zeros_like(out), out)
    return out.to(out_dtype)
