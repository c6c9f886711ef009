"""Reference RoIAlign in the three conventions in use.

* ``aligned=True``: detectron2 / mmdet v2 (DMTrack): coordinates shifted by -0.5 after scaling,
  no minimum RoI size.
* ``aligned=False``: torchvision / Caffe2: no shift, RoI size clamped to >= 1 cell.
* ``legacy=True`` (with ``aligned=False``): mmdetection v1.0rc0 ``roi_align_kernel.cu``
  (GlobalTrack): the box end is ``(x2 + 1) * scale``, RoI size clamped to >= 0.

Sampling (all conventions): ``grid = sampling_ratio`` (or ``ceil(roi_size / output_size)`` when
``sampling_ratio <= 0``) points per bin and axis at ``start + p * bin + (i + 0.5) * bin / grid``,
averaged; bilinear with zero outside ``[-1, H] x [-1, W]``, negative coordinates clamped to 0 and
the last row/column replicated.
"""
from __future__ import annotations

import math
from typing import Tuple

import torch
from torch import Tensor

from ._separable import check_rois, separable_pool


def _axis_samples(start: Tensor, bin_size: Tensor, grid: Tensor, pooled: int, size: int,
                  max_grid: int) -> Tuple[Tensor, Tensor]:
    """Row (or column) indices and bilinear weights (R, pooled, 2 * max_grid) of the samples."""
    dtype = start.dtype
    p = torch.arange(pooled, dtype=dtype, device=start.device)
    i = torch.arange(max(max_grid, 1), dtype=dtype, device=start.device)
    g = grid.clamp(min=1).to(dtype)
    # same operation order as the compiled kernels
    pos = (start[:, None, None] + p[None, :, None] * bin_size[:, None, None]) + (
        (i[None, None, :] + 0.5) * bin_size[:, None, None] / g[:, None, None])
    in_grid = i[None, None, :] < grid[:, None, None].to(dtype)
    valid = in_grid & (pos >= -1.0) & (pos <= size)
    pos = pos.clamp(min=0)
    low = pos.floor().long().clamp(max=size - 1)
    at_end = low >= size - 1
    high = torch.where(at_end, low, low + 1)
    pos = torch.where(at_end, low.to(dtype), pos)
    frac = pos - low.to(dtype)
    zero = torch.zeros_like(frac)
    w_low = torch.where(valid, 1.0 - frac, zero)
    w_high = torch.where(valid, frac, zero)
    return torch.cat([low, high], -1), torch.cat([w_low, w_high], -1)


def roi_align(input: Tensor, rois: Tensor, output_size, spatial_scale: float = 1.0,
              sampling_ratio: int = -1, aligned: bool = False, *, legacy: bool = False) -> Tensor:
    """Reference RoIAlign; ``rois`` is (K, 5) ``(batch_index, x1, y1, x2, y2)``."""
    if aligned and legacy:
        raise ValueError("roi_align: legacy=True (mmdetection v1) requires aligned=False")
    ph, pw = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    if input.dim() != 4:
        raise ValueError(f"roi_align: input must be (N, C, H, W), got {tuple(input.shape)}")
    check_rois(rois, input.shape[0], "roi_align")
    out_dtype = input.dtype
    work = torch.float32 if input.dtype in (torch.float16, torch.bfloat16) else input.dtype
    feats = input.to(work)
    r = rois.to(work)
    height, width = input.shape[-2:]
    if r.shape[0] == 0:  # stays connected to the graph (zero gradient), like the kernels
        return input.new_zeros((0, input.shape[1], ph, pw)) + 0 * input.sum()
    offset = 0.5 if aligned else 0.0
    end_pad = 1.0 if legacy else 0.0
    start_w = r[:, 1] * spatial_scale - offset
    start_h = r[:, 2] * spatial_scale - offset
    roi_w = ((r[:, 3] + end_pad) * spatial_scale - offset) - start_w
    roi_h = ((r[:, 4] + end_pad) * spatial_scale - offset) - start_h
    if legacy:
        roi_w, roi_h = roi_w.clamp(min=0), roi_h.clamp(min=0)
    elif not aligned:
        roi_w, roi_h = roi_w.clamp(min=1), roi_h.clamp(min=1)
    bin_h, bin_w = roi_h / ph, roi_w / pw
    if sampling_ratio > 0:
        grid_h = torch.full_like(roi_h, sampling_ratio, dtype=torch.long)
        grid_w = grid_h
    else:
        grid_h = torch.ceil(roi_h / ph).long().clamp(min=0)
        grid_w = torch.ceil(roi_w / pw).long().clamp(min=0)
    max_h = int(grid_h.max()) if sampling_ratio <= 0 else sampling_ratio
    max_w = int(grid_w.max()) if sampling_ratio <= 0 else sampling_ratio
    if max(max_h, max_w) > 4096 or not math.isfinite(float(max_h + max_w)):
        raise ValueError("roi_align: adaptive sampling grid too large (huge RoI?)")
    yi, wy = _axis_samples(start_h, bin_h, grid_h, ph, height, max_h)
    xi, wx = _axis_samples(start_w, bin_w, grid_w, pw, width, max_w)
    count = (grid_h * grid_w).clamp(min=1).to(work)
    out = separable_pool(feats, r[:, 0].long(), yi, wy, xi, wx) / count[:, None, None, None]
    return out.to(out_dtype)
