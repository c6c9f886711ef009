"""Conversion of RoI arguments to the (K, 5) ``(batch_index, x1, y1, x2, y2)`` form."""
from __future__ import annotations

from typing import List, Tuple, Union

import torch
from torch import Tensor

BoxesArg = Union[Tensor, List[Tensor], Tuple[Tensor, ...]]


def to_rois(boxes: BoxesArg, op: str) -> Tensor:
    """Accept a (K, 5) tensor or, as torchvision does, a list of per-image (L, 4) tensors."""
    if isinstance(boxes, (list, tuple)):
        for b in boxes:
            if b.dim() != 2 or b.size(1) != 4:
                raise ValueError(f"{op}: each per-image box tensor must be (L, 4), got {tuple(b.shape)}")
        if not boxes:
            raise ValueError(f"{op}: empty list of boxes (pass one (L, 4) tensor per image)")
        cat = torch.cat(list(boxes), dim=0)
        index = torch.cat([torch.full((b.shape[0], 1), i, dtype=cat.dtype, device=cat.device)
                           for i, b in enumerate(boxes)])
        return torch.cat([index, cat], dim=1)
    if not isinstance(boxes, Tensor) or boxes.dim() != 2 or boxes.size(1) != 5:
        shape = tuple(boxes.shape) if isinstance(boxes, Tensor) else type(boxes).__name__
        raise ValueError(f"{op}: boxes must be a (K, 5) tensor (batch_index, x1, y1, x2, y2) or a "
                         f"list of (L, 4) tensors, got {shape}")
    return boxes


def pair(size, name: str) -> Tuple[int, int]:
    if isinstance(size, int):
        size = (size, size)
    h, w = (int(s) for s in size)
    if h <= 0 or w <= 0:
        raise ValueError(f"{name} must be positive, got {size}")
    return h, w
