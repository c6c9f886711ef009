"""FCOS decoding of DMTrack-GS: the single best class-1 detection.

The official test path is ``RTCondFCOSHead._get_bboxes_single`` + ``multiclass_nms`` +
``bbox2result`` and the tracker returns the arg-max-score class-1 box. NMS never removes the
highest-scoring box, so this equals: per level keep the ``nms_pre`` (1000) locations with the
largest ``max over classes of sigmoid(cls) * sigmoid(ctr)`` (only when the level has more),
drop class-1 scores not above ``score_thr`` (0), and take the arg-max of
``sigmoid(cls_1) * sigmoid(ctr)`` over what is left. The box is ``(x - l, y - t, x + r, y + b)``
at location ``(j * s + s // 2, i * s + s // 2)``, clamped to the resized (unpadded) image.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Tuple

import torch
from torch import Tensor


def fcos_points(height: int, width: int, stride: int, dtype=torch.float32,
                device=None) -> Tensor:
    """(H*W, 2) location centres ``(x, y)`` of a stride-``stride`` map, row-major."""
    xs = torch.arange(0, width * stride, stride, dtype=dtype, device=device)
    ys = torch.arange(0, height * stride, stride, dtype=dtype, device=device)
    y, x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack((x.reshape(-1), y.reshape(-1)), -1) + stride // 2


def distance2bbox(points: Tensor, distance: Tensor, max_shape: Tuple[int, int]) -> Tensor:
    """``(x - l, y - t, x + r, y + b)`` clamped to ``[0, w] x [0, h]`` (``max_shape = (h, w)``)."""
    h, w = max_shape
    x1 = (points[:, 0] - distance[:, 0]).clamp(0, w)
    y1 = (points[:, 1] - distance[:, 1]).clamp(0, h)
    x2 = (points[:, 0] + distance[:, 2]).clamp(0, w)
    y2 = (points[:, 1] + distance[:, 3]).clamp(0, h)
    return torch.stack([x1, y1, x2, y2], -1)


@dataclass
class Detection:
    """The best detection in input-image pixels (resized frame, before undoing the scale)."""

    box_xyxy: Tensor  # (4,)
    score: float      # sigmoid(cls_1) * sigmoid(ctr)
    level: int
    index: int        # row-major location index on that level


def best_detection(cls_scores: Sequence[Tensor], bbox_preds: Sequence[Tensor],
                   centernesses: Sequence[Tensor], strides: Sequence[int],
                   img_shape: Tuple[int, int], nms_pre: int = 1000, score_thr: float = 0.0,
                   target_class: int = 1) -> Detection:
    """Decode image 0 of the head outputs (lists over levels) to its best ``target_class`` box."""
    best = None
    for level, (cls, ctr, stride) in enumerate(zip(cls_scores, centernesses, strides)):
        h, w = cls.shape[-2:]
        scores = cls[0].flatten(1).t().sigmoid()       # (HW, classes)
        center = ctr[0].flatten().sigmoid()            # (HW,)
        index = torch.arange(scores.shape[0], device=scores.device)
        if 0 < nms_pre < scores.shape[0]:
            _, index = (scores * center[:, None]).max(dim=1)[0].topk(nms_pre)
        target = scores[index, target_class]
        product = target * center[index]
        product = torch.where(target > score_thr, product, product.new_tensor(-1.0))
        value, pos = product.max(0)
        if best is None or float(value) > best[0]:
            best = (float(value), level, int(index[pos]), stride, (h, w))
    if best is None or best[0] < 0:
        raise RuntimeError("no location scored above score_thr: the network output is degenerate")
    score, level, idx, stride, (h, w) = best
    reg = bbox_preds[level][0].flatten(1)[:, idx]
    point = fcos_points(h, w, stride, reg.dtype, reg.device)[idx:idx + 1]
    box = distance2bbox(point, reg[None], img_shape)[0]
    return Detection(box, score, level, idx)
