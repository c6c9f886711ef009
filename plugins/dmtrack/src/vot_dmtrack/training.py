"""DMTrack-GS training model for the core engine: the network plus the official losses.

Per pair (the core engine's ``whole_frame`` samples: whole normalised, zero-padded template
and search images, ``[x1, y1, x2, y2]`` boxes in input pixels, neuron's inclusive convention
``x2 = x + w - 1`` times the rescale factor), the dynamic weights come from the template box and
the FCOS head runs on the whole search image. Targets and losses follow mmdet's
``RTCondFCOSHead.loss`` as the official config sets it:

* FCOS assignment: a location is positive when it lies inside the centre region
  (``1.5 * stride`` around the box centre, clipped to the box) and ``max(l, t, r, b)`` lies in
  the level's regress range ``(-1, 64), (64, 128), (128, 1e8)``; the label is class 1.
* ``loss_cls``: sigmoid focal loss (alpha 0.25, gamma 2) over the 2 channels,
  ``sum / (num_pos + 1)``;
* ``loss_bbox``: IoU loss ``-ln(IoU.clamp(1e-6))`` on decoded positive boxes, weighted by the
  centerness target, ``/ sum(centerness targets)``;
* ``loss_centerness``: BCE with logits, mean over the positives.

Losses are averaged over all (image, query) instances of the batch, as the official
``forward_train``; a box tensor (B, 4) gives one query per image, a list of (K, 4) tensors K.
Submodules keep the network's names, so ``vot train`` checkpoints load into the tracker.
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import Tensor

from .decode import fcos_points
from .dmtrack import DMTrack, build_dmtrack

INF = 1e8
REGRESS_RANGES = ((-1.0, 64.0), (64.0, 128.0), (128.0, INF))


def fcos_targets(points: Sequence[Tensor], strides: Sequence[int], gt_xyxy: Tensor,
                 regress_ranges=REGRESS_RANGES, radius: float = 1.5) -> Tuple[Tensor, Tensor]:
    """Positive mask (P,) and ``(l, t, r, b)`` targets (P, 4) of one box over all levels."""
    pts = torch.cat(list(points))
    stride = torch.cat([p.new_full((len(p),), s * radius) for p, s in zip(points, strides)])
    ranges = torch.cat([p.new_tensor(r).expand(len(p), 2) for p, r in zip(points, regress_ranges)])
    x, y = pts[:, 0], pts[:, 1]
    x1, y1, x2, y2 = gt_xyxy.unbind(-1)
    targets = torch.stack((x - x1, y - y1, x2 - x, y2 - y), -1)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    inner = torch.stack((x - torch.maximum(cx - stride, x1), y - torch.maximum(cy - stride, y1),
                         torch.minimum(cx + stride, x2) - x, torch.minimum(cy + stride, y2) - y), -1)
    largest = targets.max(-1).values
    positive = (inner.min(-1).values > 0) & (largest >= ranges[:, 0]) & (largest <= ranges[:, 1])
    return positive, targets


def centerness_target(ltrb: Tensor) -> Tensor:
    lr, tb = ltrb[:, [0, 2]], ltrb[:, [1, 3]]
    return torch.sqrt((lr.min(-1).values / lr.max(-1).values) * (tb.min(-1).values / tb.max(-1).values))


def iou_loss(pred: Tensor, target: Tensor, weight: Tensor, eps: float = 1e-6) -> Tensor:
    """mmdet ``IoULoss``: ``sum(-ln(IoU.clamp(eps)) * weight)`` on aligned xyxy boxes."""
    lt = torch.maximum(pred[:, :2], target[:, :2])
    rb = torch.minimum(pred[:, 2:], target[:, 2:])
    overlap = (rb - lt).clamp(min=0).prod(-1)
    area_p = (pred[:, 2:] - pred[:, :2]).prod(-1)
    area_t = (target[:, 2:] - target[:, :2]).prod(-1)
    ious = (overlap / (area_p + area_t - overlap).clamp(min=eps)).clamp(min=eps)
    return (-ious.log() * weight).sum()


def fcos_losses(cls_scores: List[Tensor], bbox_preds: List[Tensor], centernesses: List[Tensor],
                strides: Sequence[int], gt_xyxy: Tensor, target_class: int = 1) -> Dict[str, Tensor]:
    """The three official losses of one search image (outputs of batch size 1)."""
    from torchvision.ops import sigmoid_focal_loss

    points = [fcos_points(c.shape[-2], c.shape[-1], s, c.dtype, c.device)
              for c, s in zip(cls_scores, strides)]
    positive, targets = fcos_targets(points, strides, gt_xyxy)
    cls = torch.cat([c[0].flatten(1).t() for c in cls_scores])
    reg = torch.cat([r[0].flatten(1).t() for r in bbox_preds])
    ctr = torch.cat([c[0].flatten() for c in centernesses])
    labels = torch.zeros_like(cls)
    labels[positive, target_class] = 1.0
    num_pos = int(positive.sum())
    loss_cls = sigmoid_focal_loss(cls, labels, alpha=0.25, gamma=2.0, reduction="sum") / (num_pos + 1)
    if num_pos == 0:
        zero = reg.sum() * 0 + ctr.sum() * 0
        return {"loss_cls": loss_cls, "loss_bbox": zero, "loss_centerness": zero}
    pts = torch.cat(points)[positive]
    pos_targets = targets[positive]
    weight = centerness_target(pos_targets)
    decode = lambda p, d: torch.stack((p[:, 0] - d[:, 0], p[:, 1] - d[:, 1],  # noqa: E731
                                       p[:, 0] + d[:, 2], p[:, 1] + d[:, 3]), -1)
    loss_bbox = iou_loss(decode(pts, reg[positive]), decode(pts, pos_targets), weight) / weight.sum()
    loss_ctr = F.binary_cross_entropy_with_logits(ctr[positive], weight)
    return {"loss_cls": loss_cls, "loss_bbox": loss_bbox, "loss_centerness": loss_ctr}


class DMTrackModel(BaseModel):
    """Trainable DMTrack-GS: ``forward(template, search, template_box, search_box, mode)``."""

    def __init__(self, head_channels: int = 256, mid_channels: int = 32,
                 imagenet_pretrained: str = ""):
        super().__init__()
        net = build_dmtrack(head_channels, mid_channels)
        self.backbone, self.neck, self.bbox_head = net.backbone, net.neck, net.bbox_head
        self.template, self.controller, self.cond_modulator = net.template, net.controller, net.cond_modulator
        self.strides = net.strides
        if imagenet_pretrained:
            self.load_imagenet(imagenet_pretrained)

    def load_imagenet(self, path: str) -> None:
        """DLA-34 ImageNet weights (``dla34-ba72cf86.pth``, official init) into ``backbone.base``."""
        from vot_core.weights import extract_state_dict, load_checkpoint

        state = extract_state_dict(load_checkpoint(path), keys=("state_dict", "model"))
        own = self.backbone.base.state_dict()
        usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
        if not usable:
            raise ValueError(f"{path}: no tensor matches DLA-34's names and shapes")
        self.backbone.base.load_state_dict(usable, strict=False)

    extract_feat = DMTrack.extract_feat
    dynamic_params = DMTrack.dynamic_params
    head = DMTrack.head

    def forward(self, template: Tensor, search: Tensor, template_box=None, search_box=None,
                template_shape=None, search_shape=None, template_scale=None, search_scale=None,
                mode: str = "loss"):
        """Whole-frame pairs -> the averaged losses (``mode='loss'``) or, per query, the head
        outputs. Image sizes and scale factors of the batch are accepted and unused (FCOS
        targets cover the whole padded map, as the official head's)."""
        zf, xf = self.extract_feat(template), self.extract_feat(search)
        instances = [(i, z_box, x_box) for i in range(template.shape[0])
                     for z_box, x_box in zip(_rows(template_box, i), _rows(search_box, i))]
        outputs, totals = [], {}
        for i, z_box, x_box in instances:
            params = self.dynamic_params([f[i:i + 1] for f in zf], z_box[None])
            outs = self.head([f[i:i + 1] for f in xf], params)
            if mode != "loss":
                outputs.append(outs)
                continue
            for k, v in fcos_losses(*outs, self.strides, x_box).items():
                totals[k] = totals.get(k, 0) + v / len(instances)
        return outputs if mode != "loss" else totals


def _rows(boxes, i: int) -> Tensor:
    """The (K, 4) float boxes of image ``i`` (a (B, 4) tensor or a list of (K, 4) tensors)."""
    return boxes[i].reshape(-1, 4).float()
