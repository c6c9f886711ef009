"""Training targets and losses of QG-RCNN (mmdetection v1 semantics, official
``configs/qg_rcnn_r50_fpn.py`` ``train_cfg``).

* Overlaps in "+1" pixels; ``MaxIoUAssigner`` (negatives below ``neg_iou``, positives from
  ``pos_iou``, and every anchor tied at a ground truth's best overlap when that is at least
  ``min_pos_iou``); ``RandomSampler`` (a fixed number, a positive fraction).
* RPN: anchors outside the image (``allowed_border=0``) are ignored; sigmoid cross-entropy and
  smooth-L1 (beta 1/9) over the sampled anchors, both divided by the number sampled.
* R-CNN: the ground truth is added to the proposals; softmax cross-entropy over the samples
  and smooth-L1 (beta 1) of the object class's deltas (stds 0.1, 0.1, 0.2, 0.2) divided by the
  number of samples.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .bbox_coder import bbox2delta


@dataclass(frozen=True)
class TrainConfig:
    rpn_pos_iou: float = 0.7
    rpn_neg_iou: float = 0.3
    rpn_min_pos_iou: float = 0.3
    rpn_num: int = 256
    rpn_pos_fraction: float = 0.5
    allowed_border: float = 0.0
    rpn_beta: float = 1.0 / 9.0
    proposal_nms_pre: int = 2000
    proposal_nms_post: int = 2000
    proposal_max_num: int = 2000
    proposal_nms_thr: float = 0.7
    rcnn_pos_iou: float = 0.5
    rcnn_neg_iou: float = 0.5
    rcnn_min_pos_iou: float = 0.5
    rcnn_num: int = 512
    rcnn_pos_fraction: float = 0.25
    rcnn_beta: float = 1.0
    rcnn_stds: Tuple[float, float, float, float] = (0.1, 0.1, 0.2, 0.2)


def bbox_overlaps(a: Tensor, b: Tensor) -> Tensor:
    """(N, M) IoU of inclusive-pixel boxes (``area = (x2 - x1 + 1) * (y2 - y1 + 1)``)."""
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:4], b[None, :, 2:4])
    wh = (rb - lt + 1).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    area_a = (a[:, 2] - a[:, 0] + 1) * (a[:, 3] - a[:, 1] + 1)
    area_b = (b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1)
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def max_iou_assign(overlaps: Tensor, pos_iou: float, neg_iou: float, min_pos_iou: float) -> Tensor:
    """``overlaps`` (G, N) -> (N,) ``-1`` ignored, ``0`` negative, ``g + 1`` assigned to gt g."""
    assigned = overlaps.new_full((overlaps.shape[1],), -1, dtype=torch.long)
    max_overlaps, argmax = overlaps.max(dim=0)
    assigned[(max_overlaps >= 0) & (max_overlaps < neg_iou)] = 0
    pos = max_overlaps >= pos_iou
    assigned[pos] = argmax[pos] + 1
    gt_max = overlaps.max(dim=1).values
    for g in range(overlaps.shape[0]):
        if gt_max[g] >= min_pos_iou:
            assigned[overlaps[g] == gt_max[g]] = g + 1
    return assigned


def random_sample(assigned: Tensor, num: int, pos_fraction: float,
                  generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
    """Indices of at most ``num * pos_fraction`` positives and the rest negatives."""
    def choose(index: Tensor, k: int) -> Tensor:
        if index.numel() <= k:
            return index
        return index[torch.randperm(index.numel(), generator=generator)[:k]]

    pos = choose(torch.nonzero(assigned > 0).flatten(), int(num * pos_fraction))
    neg = choose(torch.nonzero(assigned == 0).flatten(), num - pos.numel())
    return pos, neg


def smooth_l1(pred: Tensor, target: Tensor, beta: float) -> Tensor:
    diff = (pred - target).abs()
    return torch.where(diff < beta, 0.5 * diff * diff / beta, diff - 0.5 * beta)


def rpn_loss(cls_scores: Sequence[Tensor], bbox_preds: Sequence[Tensor],
             anchors: Sequence[Tensor], gt: Tensor, img_shape: Tuple[int, int], cfg: TrainConfig,
             generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
    """Summed over levels: (classification, regression) losses of one image and one query.
    ``cls_scores[l]`` is (A, H, W), ``bbox_preds[l]`` (4A, H, W), ``gt`` (1, 4)."""
    all_anchors = torch.cat(list(anchors))
    logits = torch.cat([c.permute(1, 2, 0).reshape(-1) for c in cls_scores])
    deltas = torch.cat([r.permute(1, 2, 0).reshape(-1, 4) for r in bbox_preds])
    h, w = img_shape
    border = cfg.allowed_border
    inside = ((all_anchors[:, 0] >= -border) & (all_anchors[:, 1] >= -border)
              & (all_anchors[:, 2] < w + border) & (all_anchors[:, 3] < h + border))
    index = torch.nonzero(inside).flatten()
    assigned = max_iou_assign(bbox_overlaps(gt, all_anchors[index]), cfg.rpn_pos_iou,
                              cfg.rpn_neg_iou, cfg.rpn_min_pos_iou)
    pos, neg = random_sample(assigned, cfg.rpn_num, cfg.rpn_pos_fraction, generator)
    num = max(pos.numel() + neg.numel(), 1)
    sampled = torch.cat([index[pos], index[neg]])
    labels = torch.cat([logits.new_ones(pos.numel()), logits.new_zeros(neg.numel())])
    loss_cls = F.binary_cross_entropy_with_logits(logits[sampled], labels, reduction="sum") / num
    target = bbox2delta(all_anchors[index[pos]], gt.expand(pos.numel(), 4))
    loss_bbox = smooth_l1(deltas[index[pos]], target, cfg.rpn_beta).sum() / num
    return loss_cls, loss_bbox


def rcnn_targets(proposals: Tensor, gt: Tensor, cfg: TrainConfig,
                 generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor, Tensor]:
    """Sampled RoIs (S, 4) (ground truth added first), labels (S,) and deltas (P, 4) of the
    P positives (the first P rows)."""
    assigned = max_iou_assign(bbox_overlaps(gt, proposals[:, :4]), cfg.rcnn_pos_iou,
                              cfg.rcnn_neg_iou, cfg.rcnn_min_pos_iou)
    # add_gt_as_proposals: the ground truth is prepended, assigned to itself
    boxes = torch.cat([gt, proposals[:, :4]])
    assigned = torch.cat([torch.arange(1, gt.shape[0] + 1, device=gt.device), assigned])
    pos, neg = random_sample(assigned, cfg.rcnn_num, cfg.rcnn_pos_fraction, generator)
    pos = pos.unique()
    rois = torch.cat([boxes[pos], boxes[neg]])
    labels = torch.cat([pos.new_ones(pos.numel()), pos.new_zeros(neg.numel())])
    deltas = bbox2delta(boxes[pos], gt[assigned[pos] - 1], stds=cfg.rcnn_stds)
    return rois, labels, deltas


def rcnn_loss(cls_score: Tensor, bbox_pred: Tensor, labels: Tensor, deltas: Tensor,
              cfg: TrainConfig) -> Tuple[Tensor, Tensor]:
    num = max(labels.numel(), 1)
    loss_cls = F.cross_entropy(cls_score, labels, reduction="sum") / num
    npos = deltas.shape[0]
    pred = bbox_pred[:npos].view(npos, -1, 4)[:, 1]
    loss_bbox = smooth_l1(pred, deltas, cfg.rcnn_beta).sum() / num
    return loss_cls, loss_bbox


def average(losses: List[dict]) -> dict:
    """The cross-query loss: every term averaged over all (image, query) instances."""
    out = {}
    for item in losses:
        for k, v in item.items():
            out[k] = out.get(k, 0) + v
    return {k: v / len(losses) for k, v in out.items()}
