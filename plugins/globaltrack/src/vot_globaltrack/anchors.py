"""Anchors of the QG-RPN (mmdetection v1 ``AnchorGenerator``, legacy "+1" pixels).

Base anchors of a level with base size ``s`` (= its stride): centre ``(s - 1) / 2``, for each
ratio ``r`` (scale-major) ``w = s * 8 / sqrt(r)``, ``h = s * 8 * sqrt(r)``, corners
``centre -/+ 0.5 * (size - 1)`` rounded (half to even, as ``torch.round``). For stride 4 they
are ``[-21, -9, 24, 12], [-14, -14, 17, 17], [-9, -21, 12, 24]``. The grid shifts them by
``(col * stride, row * stride)`` in (row, col, anchor) order over the whole padded feature
map, with no validity filtering at test time.
"""
from __future__ import annotations

from typing import Dict, Sequence, Tuple

import torch
from torch import Tensor


def base_anchors(base_size: int, scales: Sequence[float] = (8.0,),
                 ratios: Sequence[float] = (0.5, 1.0, 2.0)) -> Tensor:
    """(len(ratios) * len(scales), 4) float32 ``[x1, y1, x2, y2]`` around the cell's centre."""
    scales_t = torch.tensor(scales, dtype=torch.float32, device="cpu")
    ratios_t = torch.tensor(ratios, dtype=torch.float32, device="cpu")
    ctr = 0.5 * (base_size - 1)
    h_ratios = torch.sqrt(ratios_t)
    w_ratios = 1 / h_ratios
    ws = (base_size * w_ratios[:, None] * scales_t[None, :]).reshape(-1)
    hs = (base_size * h_ratios[:, None] * scales_t[None, :]).reshape(-1)
    return torch.stack([ctr - 0.5 * (ws - 1), ctr - 0.5 * (hs - 1),
                        ctr + 0.5 * (ws - 1), ctr + 0.5 * (hs - 1)], dim=-1).round()


def grid_anchors(base: Tensor, feat_h: int, feat_w: int, stride: int) -> Tensor:
    """(feat_h * feat_w * A, 4) anchors, row-major over cells, the A anchors of a cell adjacent."""
    shift_x = torch.arange(0, feat_w, device=base.device) * stride
    shift_y = torch.arange(0, feat_h, device=base.device) * stride
    xx = shift_x.repeat(feat_h)
    yy = shift_y.view(-1, 1).repeat(1, feat_w).view(-1)
    shifts = torch.stack([xx, yy, xx, yy], dim=-1).to(base.dtype)
    return (base[None, :, :] + shifts[:, None, :]).view(-1, 4)


class AnchorGenerator:
    """Anchors of every level, cached per feature-map size (frames of one video share it)."""

    def __init__(self, strides: Sequence[int] = (4, 8, 16, 32, 64), scales: Sequence[float] = (8.0,),
                 ratios: Sequence[float] = (0.5, 1.0, 2.0)):
        self.strides = tuple(int(s) for s in strides)
        self.scales, self.ratios = tuple(scales), tuple(ratios)
        self.num_anchors = len(scales) * len(ratios)
        self._cache: Dict[Tuple, Tuple[Tensor, ...]] = {}

    def __call__(self, sizes: Sequence[Tuple[int, int]], device: torch.device) -> Tuple[Tensor, ...]:
        key = (tuple(tuple(int(v) for v in s) for s in sizes), str(device))
        if key not in self._cache:
            self._cache.clear()
            bases = [base_anchors(s, self.scales, self.ratios).to(device) for s in self.strides]
            self._cache[key] = tuple(grid_anchors(b, h, w, s)
                                     for b, (h, w), s in zip(bases, sizes, self.strides))
        return self._cache[key]
