"""QG-RCNN, the query-guided two-stage detector of GlobalTrack.

Huang, Zhao, Huang: "GlobalTrack: A Simple and Strong Baseline for Long-term Tracking",
AAAI 2020; official code https://github.com/huanglianghua/GlobalTrack (``modules/qg_rcnn.py``
on its vendored mmdetection v1.0rc0). ResNet-50 + FPN (P2..P6) -> QG-RPN modulator -> RPN
head -> proposals -> QG-RCNN modulator on RoI features -> two-FC box head -> class-specific
decoding, score > 0, NMS 0.5. The state_dict keys are the official ones (374 entries).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

from .anchors import AnchorGenerator
from .bbox_head import SharedFCBBoxHead
from .fpn import FPN
from .modulators import RCNNModulator, RPNModulator
from .postprocess import rcnn_detections, rpn_proposals
from .resnet import ResNet
from .rpn_head import RPNHead

ROI_STRIDES = (4, 8, 16, 32)
ANCHOR_STRIDES = (4, 8, 16, 32, 64)


@dataclass(frozen=True)
class TestConfig:
    """``test_cfg`` of ``configs/qg_rcnn_r50_fpn.py`` (``score_thr`` 0 instead of mmdet's 0.05)."""

    rpn_nms_pre: int = 1000
    rpn_nms_post: int = 1000
    rpn_max_num: int = 1000
    rpn_nms_thr: float = 0.7
    rcnn_score_thr: float = 0.0
    rcnn_nms_thr: float = 0.5
    rcnn_max_per_img: int = 1000


@dataclass
class Query:
    """What a sequence keeps of its first frame: the modulators' query terms."""

    rpn: List[Tensor]
    rcnn: Tensor


@dataclass
class Detections:
    """Outputs of one search image (all on the network's device)."""

    rpn_cls: List[Tensor]      # per level (1, A, H, W) logits
    rpn_reg: List[Tensor]      # per level (1, 4A, H, W) deltas
    proposals: Tensor          # (P, 5) resized-image pixels, sorted by score
    cls_score: Tensor          # (P, 2) logits
    bbox_pred: Tensor          # (P, 8) deltas
    detections: Tensor        # (K, 5) original-image pixels, inclusive x2/y2


class _Clock:
    """Adds the seconds since the previous call to ``timings[stage]`` (no-op without a dict)."""

    def __init__(self, timings: Optional[Dict[str, float]]):
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
            self.last = now


def roi_features(feats: Sequence[Tensor], rois: Tensor, out_size: int = 7) -> Tensor:
    """RoIAlign of ``rois`` (K, 5) on P2..P5, each on its level (mmdetection v1
    ``SingleRoIExtractor``: ``floor(log2(sqrt((w+1)(h+1)) / 56))`` clamped to 0..3, legacy
    ``aligned=False`` geometry with the box end at ``x2 + 1``, 2x2 samples per bin)."""
    from vot_ops import multilevel_roi_align

    return multilevel_roi_align(list(feats[:len(ROI_STRIDES)]), rois, out_size, ROI_STRIDES,
                                sampling_ratio=2, aligned=False, legacy=True, finest_scale=56.0)


class QGRCNN(nn.Module):
    """Query-guided Faster R-CNN (R50-FPN) with the official parameter names.

    ``depth``, ``channels`` (FPN, heads, modulators) and ``fc_channels`` (box head) are the
    release's 50 / 256 / 1024; smaller values make networks for tests and CPU smoke training.
    ``frozen_stages`` / ``norm_eval``: official training freezes the stem and layer1 and keeps
    every BatchNorm in eval mode."""

    def __init__(self, test_cfg: Optional[TestConfig] = None, frozen_stages: int = 1,
                 norm_eval: bool = True, depth: int = 50, channels: int = 256,
                 fc_channels: int = 1024):
        super().__init__()
        self.backbone = ResNet(depth, frozen_stages=frozen_stages, norm_eval=norm_eval)
        self.neck = FPN(self.backbone.out_channels, channels, num_outs=5)
        self.rpn_head = RPNHead(channels, channels, num_anchors=3)
        self.bbox_head = SharedFCBBoxHead(channels, 7, fc_channels, num_fcs=2, num_classes=2)
        self.rpn_modulator = RPNModulator(channels, 7, featmap_num=5)
        self.rcnn_modulator = RCNNModulator(channels)
        self.test_cfg = test_cfg or TestConfig()
        self.anchors = AnchorGenerator(ANCHOR_STRIDES, scales=(8.0,), ratios=(0.5, 1.0, 2.0))

    def extract_feat(self, img: Tensor) -> Tuple[Tensor, ...]:
        """(1, 3, H, W) normalised, padded image -> (P2, ..., P6)."""
        return self.neck(self.backbone(img))

    def query_feature(self, feats: Sequence[Tensor], box: Tensor) -> Tensor:
        """(1, 256, 7, 7) RoI feature of ``box`` (4,) ``[x1, y1, x2, y2]`` in input pixels."""
        rois = torch.cat([box.new_zeros(1), box.reshape(4)]).reshape(1, 5)
        return roi_features(feats, rois)

    def learn_query(self, img: Tensor, box: Tensor) -> Query:
        z = self.query_feature(self.extract_feat(img), box)
        return Query(rpn=self.rpn_modulator.learn(z), rcnn=self.rcnn_modulator.learn(z))

    def detect(self, query: Query, img: Tensor, img_shape: Tuple[int, int],
               scale_factor: float, timings: Optional[Dict[str, float]] = None) -> Detections:
        """Search ``img`` (1, 3, Hp, Wp) for the query; ``img_shape`` is (H, W) before padding.
        ``timings``, when given, receives the seconds spent in backbone+FPN, RPN and R-CNN."""
        cfg = self.test_cfg
        clock = _Clock(timings)
        x = self.extract_feat(img)
        clock("backbone")
        rpn_cls, rpn_reg = self.rpn_head(self.rpn_modulator.inference(x, query.rpn))
        anchors = self.anchors([c.shape[-2:] for c in rpn_cls], img.device)
        proposals = rpn_proposals([c[0] for c in rpn_cls], [r[0] for r in rpn_reg], anchors,
                                  img_shape, cfg.rpn_nms_pre, cfg.rpn_nms_post, cfg.rpn_max_num,
                                  cfg.rpn_nms_thr)
        clock("rpn")
        rois = torch.cat([proposals.new_zeros(proposals.shape[0], 1), proposals[:, :4]], dim=1)
        roi_feats = self.rcnn_modulator.inference(roi_features(x, rois), query.rcnn)
        cls_score, bbox_pred = self.bbox_head(roi_feats)
        dets = rcnn_detections(proposals, cls_score, bbox_pred, img_shape, scale_factor,
                               score_thr=cfg.rcnn_score_thr, nms_thr=cfg.rcnn_nms_thr,
                               max_per_img=cfg.rcnn_max_per_img)
        clock("rcnn")
        return Detections(rpn_cls, rpn_reg, proposals, cls_score, bbox_pred, dets)

    def init_weights(self) -> None:
        """Training initialisation of the heads and modulators (official ``init_weights``)."""
        self.rpn_head.init_weights()
        self.bbox_head.init_weights()
        self.rpn_modulator.init_weights()
        self.rcnn_modulator.init_weights()
        for conv in self.neck.modules():
            if isinstance(conv, nn.Conv2d):
                nn.init.xavier_uniform_(conv.weight)
                nn.init.zeros_(conv.bias)


def build_qg_rcnn(test_cfg: Optional[TestConfig] = None, initialize: bool = True,
                  **architecture) -> QGRCNN:
    """A QG-RCNN on the CPU (``architecture``: ``depth``, ``channels``, ``fc_channels``).
    ``initialize=False`` skips the random initialisation (the tensors are allocated, not
    filled): for networks whose weights are loaded right after."""
    if initialize:
        return QGRCNN(test_cfg, **architecture)
    with torch.device("meta"):
        net = QGRCNN(test_cfg, **architecture)
    return net.to_empty(device="cpu")
