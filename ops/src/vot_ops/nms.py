"""Non-maximum suppression (torchvision's arguments) with the legacy conventions as options."""
from __future__ import annotations

import torch
from torch import Tensor

from . import reference
from ._extension import use_compiled


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float, *, offset: float = 0.0,
        strict: bool = True) -> Tensor:
    """Greedy NMS, a drop-in for ``torchvision.ops.nms``.

    Args:
        boxes: (N, 4) ``(x1, y1, x2, y2)``.
        scores: (N,).
        iou_threshold: IoU above which a lower-scored box is discarded.
        offset: 1 for the legacy pixel convention ``area = (x2 - x1 + 1) * (y2 - y1 + 1)``
            (mmdetection v1, GlobalTrack), 0 otherwise.
        strict: suppress when ``IoU > iou_threshold`` (torchvision, official CUDA kernels);
            ``False`` suppresses at ``IoU >= iou_threshold`` (mmdetection v1 CPU kernel).

    Returns:
        int64 indices of the kept boxes, in descending score order (ties: input order).
    """
    if use_compiled("nms", boxes.device):
        return torch.ops.vot_ops.nms(boxes, scores, float(iou_threshold), float(offset), bool(strict))
    return reference.nms(boxes, scores, iou_threshold, offset=offset, strict=strict)


def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float, *,
                offset: float = 0.0, strict: bool = True) -> Tensor:
    """Class-wise NMS, a drop-in for ``torchvision.ops.batched_nms``: a box only suppresses
    boxes with the same ``idxs`` value (done exactly, without the coordinate-offset trick).
    Options and return value as :func:`nms`."""
    if use_compiled("batched_nms", boxes.device):
        return torch.ops.vot_ops.batched_nms(boxes, scores, idxs, float(iou_threshold),
                                             float(offset), bool(strict))
    return reference.batched_nms(boxes, scores, idxs, iou_threshold, offset=offset, strict=strict)
