"""Reference greedy non-maximum suppression.

Boxes are visited in descending score order (stable: ties keep the input order). A box
suppresses the later boxes whose IoU with it is ``> iou_threshold`` (``strict=True``:
torchvision and the official CUDA kernels) or ``>= iou_threshold`` (``strict=False``: the
mmdetection v1 CPU kernel). ``offset=1`` is the legacy pixel convention
(``area = (x2 - x1 + 1) * (y2 - y1 + 1)``, same for the intersection). Returns the kept indices
in descending score order.
"""
from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor


def _check(boxes: Tensor, scores: Tensor) -> None:
    if boxes.dim() != 2 or boxes.size(1) != 4:
        raise ValueError(f"nms: boxes must have shape (N, 4) = (x1, y1, x2, y2), got {tuple(boxes.shape)}")
    if scores.dim() != 1 or scores.size(0) != boxes.size(0):
        raise ValueError(f"nms: scores must have shape (N,) matching boxes, got {tuple(scores.shape)}")


def _greedy(boxes: Tensor, scores: Tensor, classes: Optional[Tensor], iou_threshold: float,
            offset: float, strict: bool) -> Tensor:
    _check(boxes, scores)
    if boxes.shape[0] == 0:
        return torch.empty(0, dtype=torch.long, device=boxes.device)
    work = torch.float32 if boxes.dtype in (torch.float16, torch.bfloat16) else boxes.dtype
    swork = torch.float32 if scores.dtype in (torch.float16, torch.bfloat16) else scores.dtype
    order = torch.sort(scores.detach().to(swork), descending=True, stable=True).indices
    b = boxes.detach().to(work)[order]
    cls = classes[order] if classes is not None else None
    x1, y1, x2, y2 = b.unbind(1)
    area = (x2 - x1 + offset) * (y2 - y1 + offset)
    thr = torch.tensor(iou_threshold, dtype=work)
    suppressed = torch.zeros(b.shape[0], dtype=torch.bool, device=b.device)
    keep = []
    for i in range(b.shape[0]):
        if suppressed[i]:
            continue
        keep.append(i)
        w = (torch.minimum(x2[i], x2[i + 1:]) - torch.maximum(x1[i], x1[i + 1:]) + offset).clamp(min=0)
        h = (torch.minimum(y2[i], y2[i + 1:]) - torch.maximum(y1[i], y1[i + 1:]) + offset).clamp(min=0)
        inter = w * h
        iou = inter / (area[i] + area[i + 1:] - inter)
        hit = iou > thr if strict else iou >= thr
        if cls is not None:
            hit &= cls[i + 1:] == cls[i]
        suppressed[i + 1:] |= hit
    return order[torch.tensor(keep, dtype=torch.long, device=b.device)]


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float, *, offset: float = 0.0,
        strict: bool = True) -> Tensor:
    """Reference NMS over (N, 4) ``(x1, y1, x2, y2)`` boxes; int64 kept indices, score order."""
    return _greedy(boxes, scores, None, iou_threshold, offset, strict)


def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float, *,
                offset: float = 0.0, strict: bool = True) -> Tensor:
    """Reference class-wise NMS: boxes suppress only boxes with the same ``idxs`` value."""
    if idxs.dim() != 1 or idxs.size(0) != boxes.size(0):
        raise ValueError(f"batched_nms: idxs must have shape (N,), got {tuple(idxs.shape)}")
    return _greedy(boxes, scores, idxs.long(), iou_threshold, offset, strict)
