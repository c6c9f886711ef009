"""Proposal and detection post-processing of QG-RCNN at test time (mmdetection v1 semantics).

NMS is ``vot_ops.nms`` with the legacy "+1" areas and strict ``IoU > thr`` (the official CUDA
kernel); its kept indices are re-sorted ascending, because mmdetection v1's kernels return
them in index order, not score order (it matters for ties and for the final order).
"""
from __future__ import annotations

from typing import Sequence, Tuple

import torch
from torch import Tensor

from .bbox_coder import delta2bbox


def legacy_nms(boxes: Tensor, scores: Tensor, iou_thr: float) -> Tensor:
    """Kept indices in ascending index order (mmdetection v1 ``nms`` on CUDA)."""
    from vot_ops import nms

    if boxes.shape[0] == 0:
        return torch.empty(0, dtype=torch.long, device=boxes.device)
    return nms(boxes, scores, iou_thr, offset=1.0, strict=True).sort().values


def rpn_proposals(cls_scores: Sequence[Tensor], bbox_preds: Sequence[Tensor],
                  anchors: Sequence[Tensor], img_shape: Tuple[int, int], nms_pre: int = 1000,
                  nms_post: int = 1000, max_num: int = 1000, nms_thr: float = 0.7) -> Tensor:
    """(K, 5) ``[x1, y1, x2, y2, score]`` proposals of one image, sorted by score.

    Per level: sigmoid scores in (row, col, anchor) order, the top ``nms_pre`` when there are
    more, ``delta2bbox`` clamped to ``img_shape``, NMS at ``nms_thr``, the first ``nms_post``;
    then the global top ``max_num`` of all levels (``nms_across_levels=False``).
    """
    levels = []
    for cls, reg, anc in zip(cls_scores, bbox_preds, anchors):
        scores = cls.permute(1, 2, 0).reshape(-1).sigmoid()
        deltas = reg.permute(1, 2, 0).reshape(-1, 4)
        if 0 < nms_pre < scores.shape[0]:
            _, top = scores.topk(nms_pre)
            deltas, anc, scores = deltas[top], anc[top], scores[top]
        boxes = delta2bbox(anc, deltas, max_shape=img_shape)
        keep = legacy_nms(boxes, scores, nms_thr)[:nms_post]
        levels.append(torch.cat([boxes[keep], scores[keep, None]], dim=1))
    proposals = torch.cat(levels, 0)
    _, top = proposals[:, 4].topk(min(max_num, proposals.shape[0]))
    return proposals[top]


def rcnn_detections(proposals: Tensor, cls_score: Tensor, bbox_pred: Tensor,
                    img_shape: Tuple[int, int], scale_factor: float,
                    stds: Sequence[float] = (0.1, 0.1, 0.2, 0.2), score_thr: float = 0.0,
                    nms_thr: float = 0.5, max_per_img: int = 1000) -> Tensor:
    """(K, 5) detections of the object class in original-image pixels.

    Softmax over (background, object); class-specific deltas (columns 4:8) decoded with
    ``stds`` and clamped to ``img_shape``, divided by ``scale_factor``; rows with score strictly
    above ``score_thr`` go through NMS at ``nms_thr``; only when more than ``max_per_img`` remain
    are they sorted by score and truncated, otherwise they keep the proposals' order.
    """
    scores = torch.softmax(cls_score, dim=1)
    boxes = delta2bbox(proposals[:, :4], bbox_pred, stds=stds, max_shape=img_shape)
    boxes = boxes / scale_factor
    selected = scores[:, 1] > score_thr
    boxes, obj = boxes[selected, 4:8], scores[selected, 1]
    keep = legacy_nms(boxes, obj, nms_thr)
    dets = torch.cat([boxes[keep], obj[keep, None]], dim=1)
    if dets.shape[0] > max_per_img:
        order = dets[:, 4].sort(descending=True).indices[:max_per_img]
        dets = dets[order]
    return dets
