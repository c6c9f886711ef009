"""QG-RCNN as an mmengine ``BaseModel`` for the core training engine: the cross-query loss.

For every image i of the batch and every query instance j of it (official
``QG_RCNN.forward_train``): modulate the search pyramid with query j, compute the RPN loss
with box j as the only ground truth, draw proposals (``rpn_proposal``: 2000 per level, NMS
0.7, top 2000), sample RoIs against box j, modulate their features with the query's RoI feature
and compute the R-CNN loss. Each loss term is averaged over all (i, j) instances.

Inputs are whole normalised, padded images and inclusive ``[x1, y1, x2, y2]`` boxes in input
pixels: the core engine's ``whole_frame`` pair sampling (neuron's ``extra_partial`` transforms:
photometric distortion, keep-ratio rescale into (1333, 800), flip, pad to 32; up to 8 queries
per COCO image, one per video frame, as the official ``PairWrapper``).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.model import BaseModel
from torch import Tensor

from .losses import TrainConfig, average, rcnn_loss, rcnn_targets, rpn_loss
from .postprocess import rpn_proposals
from .qg_rcnn import QGRCNN, roi_features

Boxes = Union[Tensor, Sequence[Tensor]]


class QGRCNNModel(BaseModel):
    """Training wrapper of :class:`QGRCNN` (frozen stem and layer1, BatchNorms in eval).

    The network's parts are registered under their official names (``backbone``, ``neck``,
    ``rpn_head``, ``bbox_head``, ``rpn_modulator``, ``rcnn_modulator``), so the checkpoints of
    ``vot train`` load into :class:`~vot_globaltrack.tracker.GlobalTrackTracker` strictly and
    the official ``load_from`` files (mmdetection's ``state_dict``) load into this model.

    :param train_cfg: :class:`~vot_globaltrack.losses.TrainConfig` fields (official defaults).
    :param init_weights: official initialisation of the neck, heads and modulators.
    :param seed: seeds the anchor / RoI samplers (None: torch's global generator).
    :param network: a prebuilt :class:`QGRCNN` to train (tests, fine-tuning).
    :param frozen_stages: ResNet stages kept frozen (official 1: stem and layer1).
    :param norm_eval: BatchNorms use their running statistics while training (official True;
        False trains them on batch statistics, for networks trained from scratch).
    :param depth, channels, fc_channels: the architecture (release: 50, 256, 1024).
    """

    def __init__(self, train_cfg: Optional[dict] = None, init_weights: bool = True,
                 seed: Optional[int] = None, network: Optional[QGRCNN] = None,
                 frozen_stages: int = 1, norm_eval: bool = True, depth: int = 50,
                 channels: int = 256, fc_channels: int = 1024):
        super().__init__()
        net = network if network is not None else QGRCNN(
            frozen_stages=frozen_stages, norm_eval=norm_eval, depth=depth, channels=channels,
            fc_channels=fc_channels)
        for name, module in net.named_children():
            self.add_module(name, module)
        self.anchors = net.anchors
        self.test_cfg = net.test_cfg
        if init_weights:
            QGRCNN.init_weights(self)
        self.train_cfg = TrainConfig(**(train_cfg or {}))
        self.generator = torch.Generator().manual_seed(seed) if seed is not None else None

    extract_feat = QGRCNN.extract_feat
    query_feature = QGRCNN.query_feature

    def init_weights(self) -> None:
        """No-op: the weights are set at construction (mmengine's Runner calls this before
        ``load_from`` / resume, and must not re-draw an initialisation given by the caller)."""

    def forward(self, template: Tensor, search: Tensor, template_box: Boxes, search_box: Boxes,
                template_shape: Optional[Tensor] = None, search_shape: Optional[Tensor] = None,
                template_scale: Optional[Tensor] = None, search_scale: Optional[Tensor] = None,
                mode: str = "loss"):
        """A batch of the core engine's whole-frame pairs (``whole_frame`` sampling):
        normalised, zero-padded images, inclusive ``[x1, y1, x2, y2]`` boxes in input pixels
        (B, 4), or per image one (K, 4) tensor of K queries matched row by row between
        template and search (the list the collate gives with ``whole_frame.max_instances``),
        and each image's size before padding (B, 2) ``(h, w)``. The scale factors are accepted
        and unused."""
        if mode != "loss":
            raise ValueError(f"QGRCNNModel supports mode='loss' only, got {mode!r}")
        shapes = None if search_shape is None else [
            (int(h), int(w)) for h, w in torch.as_tensor(search_shape).reshape(-1, 2).tolist()]
        return self.loss(template, search, template_box, search_box, shapes)

    def loss(self, template: Tensor, search: Tensor, template_box: Boxes, search_box: Boxes,
             img_shape: Optional[Sequence[Tuple[int, int]]] = None) -> Dict[str, Tensor]:
        net, cfg = self, self.train_cfg
        z = net.extract_feat(template)
        x = net.extract_feat(search)
        shapes = img_shape or [tuple(search.shape[-2:])] * search.shape[0]
        per_instance: List[dict] = []
        for i in range(search.shape[0]):
            zi = [f[i:i + 1] for f in z]
            xi = [f[i:i + 1] for f in x]
            zb, xb = _rows(template_box, i), _rows(search_box, i)
            for j in range(zb.shape[0]):
                query = net.query_feature(zi, zb[j])
                modulated = net.rpn_modulator(query, xi)
                cls, reg = net.rpn_head(modulated)
                anchors = net.anchors([c.shape[-2:] for c in cls], search.device)
                gt = xb[j:j + 1]
                loss_rpn_cls, loss_rpn_bbox = rpn_loss([c[0] for c in cls], [r[0] for r in reg],
                                                       anchors, gt, shapes[i], cfg, self.generator)
                with torch.no_grad():
                    proposals = rpn_proposals([c[0].detach() for c in cls],
                                              [r[0].detach() for r in reg], anchors, shapes[i],
                                              cfg.proposal_nms_pre, cfg.proposal_nms_post,
                                              cfg.proposal_max_num, cfg.proposal_nms_thr)
                rois, labels, deltas = rcnn_targets(proposals, gt, cfg, self.generator)
                rois5 = torch.cat([rois.new_zeros(rois.shape[0], 1), rois], dim=1)
                feats = net.rcnn_modulator(query, roi_features(xi, rois5))
                cls_score, bbox_pred = net.bbox_head(feats)
                loss_cls, loss_bbox = rcnn_loss(cls_score, bbox_pred, labels, deltas, cfg)
                per_instance.append(dict(loss_rpn_cls=loss_rpn_cls, loss_rpn_bbox=loss_rpn_bbox,
                                         loss_cls=loss_cls, loss_bbox=loss_bbox))
        return average(per_instance)


def _rows(boxes: Boxes, i: int) -> Tensor:
    b = boxes[i]
    return b.reshape(-1, 4).float()
