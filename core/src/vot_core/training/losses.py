"""Losses shared by the trackers' training recipes (OSTrack, SimTrack, STARK family).

- ``giou_loss``: mean ``1 - GIoU`` of ``xyxy`` boxes (no +1 pixel convention), with the IoU.
- ``centernet_focal_loss``: CenterNet's focal loss (alpha 2, beta 4, predictions clamped at
  1e-12, normalised by the number of cells exactly equal to 1).
- ``center_heatmap``: the Gaussian target heatmap of OSTrack (centre ``round((x + w/2) * n)``,
  CornerNet's radius formula in its widely used "bug" form with min overlap 0.7, truncated to
  int, sigma ``(2r + 1) / 6``, values below ``eps * max`` zeroed).
"""
from __future__ import annotations

import numpy as np
import torch


def generalized_box_iou(boxes1: torch.Tensor, boxes2: torch.Tensor):
    """Element-wise GIoU and IoU of ``(N, 4)`` ``xyxy`` boxes."""
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    lt = torch.max(boxes1[:, :2], boxes2[:, :2])
    rb = torch.min(boxes1[:, 2:], boxes2[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(1)
    union = area1 + area2 - inter
    iou = inter / union
    hull = (torch.max(boxes1[:, 2:], boxes2[:, 2:]) - torch.min(boxes1[:, :2], boxes2[:, :2]))
    hull_area = hull.clamp(min=0).prod(1)
    return iou - (hull_area - union) / hull_area, iou


def giou_loss(boxes1: torch.Tensor, boxes2: torch.Tensor):
    """``(mean(1 - GIoU), iou)`` of ``(N, 4)`` ``xyxy`` boxes."""
    giou, iou = generalized_box_iou(boxes1, boxes2)
    return (1 - giou).mean(), iou


def centernet_focal_loss(prediction: torch.Tensor, target: torch.Tensor, alpha: float = 2,
                         beta: float = 4) -> torch.Tensor:
    """CenterNet focal loss of a probability map against a Gaussian target map."""
    positive = target.eq(1).float()
    negative = target.lt(1).float()
    prediction = prediction.clamp(min=1e-12)
    pos_loss = (torch.log(prediction) * (1 - prediction) ** alpha * positive).sum()
    neg_loss = (torch.log(1 - prediction) * prediction ** alpha * (1 - target) ** beta
                * negative).sum()
    num_positive = positive.sum()
    if num_positive == 0:
        return -neg_loss
    return -(pos_loss + neg_loss) / num_positive


def gaussian_radius(width: torch.Tensor, height: torch.Tensor,
                    min_overlap: float = 0.7) -> torch.Tensor:
    """CornerNet's radius in the form OSTrack trains with (each root halved rather than divided
    by ``2a``), element-wise on float32 tensors as the official code computes it."""
    b1 = height + width
    c1 = width * height * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + torch.sqrt(b1 ** 2 - 4 * c1)) / 2
    b2 = 2 * (height + width)
    c2 = (1 - min_overlap) * width * height
    r2 = (b2 + torch.sqrt(b2 ** 2 - 16 * c2)) / 2
    a3 = 4 * min_overlap
    b3 = -2 * min_overlap * (height + width)
    c3 = (min_overlap - 1) * width * height
    r3 = (b3 + torch.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2
    return torch.min(r1, torch.min(r2, r3))


def _gaussian_patch(radius: int) -> np.ndarray:
    sigma = (2 * radius + 1) / 6
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)
    patch = np.exp(-(offsets[None, :] ** 2 + offsets[:, None] ** 2) / (2 * sigma * sigma))
    patch[patch < np.finfo(np.float64).eps * patch.max()] = 0
    return patch


def center_heatmap(boxes: torch.Tensor, size: int, min_overlap: float = 0.7) -> torch.Tensor:
    """``(B, 1, size, size)`` Gaussian target maps for ``(B, 4)`` normalised ``xywh`` boxes."""
    maps = torch.zeros(boxes.shape[0], 1, size, size)
    scaled = boxes.detach().float().cpu() * size
    centers = (scaled[:, :2] + scaled[:, 2:] / 2).round().to(torch.int64).tolist()
    radii = gaussian_radius(scaled[:, 2], scaled[:, 3], min_overlap).clamp_min(0).int().tolist()
    for i, ((cx, cy), radius) in enumerate(zip(centers, radii)):
        left, right = min(cx, radius), min(size - cx, radius + 1)
        top, bottom = min(cy, radius), min(size - cy, radius + 1)
        if min(right + left, bottom + top) <= 0 or cx < 0 or cy < 0:
            continue
        patch = torch.from_numpy(_gaussian_patch(radius)).float()
        window = maps[i, 0, cy - top:cy + bottom, cx - left:cx + right]
        piece = patch[radius - top:radius + bottom, radius - left:radius + right]
        if window.numel() and piece.numel():
            maps[i, 0, cy - top:cy + bottom, cx - left:cx + right] = torch.max(window, piece)
    return maps.to(boxes.device)


def xywh_to_xyxy(boxes: torch.Tensor) -> torch.Tensor:
    return torch.cat([boxes[..., :2], boxes[..., :2] + boxes[..., 2:]], -1)


def cxcywh_to_xyxy(boxes: torch.Tensor) -> torch.Tensor:
    half = boxes[..., 2:] / 2
    return torch.cat([boxes[..., :2] - half, boxes[..., :2] + half], -1)
