"""DMTrack's template branch, dynamic-parameter controller and conditional FCOS head.

Data flow (official ``modules/*.py`` + mmdet ``RTCondFCOSHead``):

* **Template** (``template.*``): RoIAlign (7x7, ``aligned=True``, 2 samples per bin) of the
  first-frame box on ONE FPN level, chosen by box size as mmdetection 2.0 does
  (``floor(log2(sqrt(w*h)/56 + 1e-6))`` clamped to the levels: < 112 px -> P3, < 224 -> P4,
  else P5); then a separate 1x1 conv per search level (``fpn_modulator.k``) gives query ``q_k``.
* **Controller** (``controller.*``): four 1x1 convs (256 -> 256*256, 256 -> 32*32, twice)
  declared with ``padding=1`` and followed by global average pooling. On the 7x7 query the
  output is 9x9 and the 32 border cells are bias only, so
  ``theta = W @ (sum of the 49 query cells) / 81 + b``: the /81 (not /49) is reproduced.
* **Head** per level ``k`` with ``theta_k``: ``c = relu(theta_cls1 * P_k)`` and
  ``r = relu(theta_reg1 * P_k)`` (dynamic 1x1, no bias), the shared 4-layer GN towers,
  ``c = relu(theta_cls2 * downsampler_cls(c))``, ``r = relu(theta_reg2 * downsampler_reg(r))``
  (``cond_modulator.*``), then ``fcos_cls(c)`` (2 logits, channel 1 is the target),
  ``fcos_centerness(r)`` (on the regression branch) and ``relu(scale_k * fcos_reg(r))``
  (l, t, r, b distances in input pixels; no exp, no stride).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

#: mmdetection 2.0 ``SingleRoIExtractor`` defaults used by DMTrack's template branch.
ROI_OUTPUT_SIZE = 7
ROI_SAMPLING_RATIO = 2
FINEST_SCALE = 56.0


def template_level(box_xyxy: Tensor, num_levels: int = 3) -> Tensor:
    """FPN level of each ``(x1, y1, x2, y2)`` box (input pixels, no +1 on the sides)."""
    from vot_ops import map_roi_levels

    rois = torch.cat([box_xyxy.new_zeros(box_xyxy.shape[0], 1), box_xyxy], 1)
    return map_roi_levels(rois, num_levels, FINEST_SCALE, 0.0)


class TemplateQuery(nn.Module):
    """RoI features of the template box and one 1x1 query conv per search level."""

    def __init__(self, channels: int = 256, num_levels: int = 3,
                 strides: Sequence[int] = (8, 16, 32)):
        super().__init__()
        self.strides = tuple(strides)
        self.fpn_modulator = nn.ModuleList(nn.Conv2d(channels, channels, 1)
                                           for _ in range(num_levels))
        for conv in self.fpn_modulator:
            nn.init.normal_(conv.weight, std=0.01)
            nn.init.zeros_(conv.bias)

    def roi_features(self, feats: Sequence[Tensor], box_xyxy: Tensor) -> Tensor:
        """(K, C, 7, 7) RoIAlign of ``box_xyxy`` (K, 4) from image 0 on its level."""
        from vot_ops import multilevel_roi_align

        rois = torch.cat([box_xyxy.new_zeros(box_xyxy.shape[0], 1), box_xyxy], 1)
        return multilevel_roi_align(list(feats[:len(self.strides)]), rois, ROI_OUTPUT_SIZE,
                                    self.strides, sampling_ratio=ROI_SAMPLING_RATIO, aligned=True,
                                    finest_scale=FINEST_SCALE)

    def forward(self, feats: Sequence[Tensor], box_xyxy: Tensor) -> List[Tensor]:
        roi = self.roi_features(feats, box_xyxy)
        return [conv(roi) for conv in self.fpn_modulator]


def padded_pool_linear(query: Tensor, conv: nn.Conv2d) -> Tensor:
    """``AdaptiveAvgPool2d(1)(conv(query))`` for a 1x1 ``conv`` declared with ``padding=1``.

    The padded ring contributes only the bias, so the pooled value is
    ``W @ sum(query) / ((h + 2) * (w + 2)) + b`` (``/81`` on a 7x7 query). Returns (N, O).
    """
    h, w = query.shape[-2:]
    pooled = query.sum(dim=(2, 3)) / float((h + 2) * (w + 2))
    return F.linear(pooled, conv.weight.flatten(1), conv.bias)


@dataclass
class DynamicParams:
    """Per-level dynamic 1x1 conv weights generated from the template (no biases)."""

    cls1: Tensor  # (C, C, 1, 1): before the classification tower
    cls2: Tensor  # (M, M, 1, 1): after the 256 -> M down-sampler
    reg1: Tensor
    reg2: Tensor


class Controller(nn.Module):
    """Generates the dynamic weights from a query (``controller.controller_{cls,reg}{1,2}``)."""

    def __init__(self, channels: int = 256, mid_channels: int = 32):
        super().__init__()
        self.channels = channels
        self.mid_channels = mid_channels
        big, small = channels * channels, mid_channels * mid_channels
        self.controller_cls1 = nn.Conv2d(channels, big, 1, padding=1)
        self.controller_cls2 = nn.Conv2d(channels, small, 1, padding=1)
        self.controller_reg1 = nn.Conv2d(channels, big, 1, padding=1)
        self.controller_reg2 = nn.Conv2d(channels, small, 1, padding=1)
        for conv in (self.controller_cls1, self.controller_cls2, self.controller_reg1,
                     self.controller_reg2):
            nn.init.normal_(conv.weight, std=0.01)
            nn.init.zeros_(conv.bias)

    def forward(self, query: Tensor) -> DynamicParams:
        """``query`` (1, C, h, w) -> the four dynamic weights of one level."""
        if query.shape[0] != 1:
            raise ValueError(f"the controller takes one query at a time, got {query.shape[0]}")
        c, m = self.channels, self.mid_channels
        return DynamicParams(
            cls1=padded_pool_linear(query, self.controller_cls1).view(c, c, 1, 1),
            cls2=padded_pool_linear(query, self.controller_cls2).view(m, m, 1, 1),
            reg1=padded_pool_linear(query, self.controller_reg1).view(c, c, 1, 1),
            reg2=padded_pool_linear(query, self.controller_reg2).view(m, m, 1, 1))


class CondModulator(nn.Module):
    """The "encoder": 1x1 down-samplers (C -> M) applied after the towers."""

    def __init__(self, channels: int = 256, mid_channels: int = 32):
        super().__init__()
        self.downsampler_cls = nn.Conv2d(channels, mid_channels, 1)
        self.downsampler_reg = nn.Conv2d(channels, mid_channels, 1)
        for conv in (self.downsampler_cls, self.downsampler_reg):
            nn.init.normal_(conv.weight, std=0.01)
            nn.init.zeros_(conv.bias)

    def forward(self, cls_feat: Tensor, reg_feat: Tensor, params: DynamicParams
                ) -> Tuple[Tensor, Tensor]:
        cls_feat = F.conv2d(self.downsampler_cls(cls_feat), params.cls2).relu_()
        reg_feat = F.conv2d(self.downsampler_reg(reg_feat), params.reg2).relu_()
        return cls_feat, reg_feat


class ConvGNReLU(nn.Module):
    """3x3 conv without bias, GroupNorm(32), ReLU (``.conv`` / ``.gn``)."""

    def __init__(self, in_channels: int, out_channels: int, groups: int = 32):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, 1, 1, bias=False)
        self.gn = nn.GroupNorm(groups, out_channels)
        nn.init.normal_(self.conv.weight, std=0.01)

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(self.gn(self.conv(x)), inplace=True)


class Scale(nn.Module):
    """A learnable scalar multiplier (``scale``, a 0-dim parameter)."""

    def __init__(self, value: float = 1.0):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(float(value)))

    def forward(self, x: Tensor) -> Tensor:
        return x * self.scale


class DynamicFCOSHead(nn.Module):
    """FCOS head whose towers are wrapped by template-conditioned dynamic 1x1 convs."""

    def __init__(self, channels: int = 256, mid_channels: int = 32, num_classes: int = 2,
                 stacked_convs: int = 4, strides: Sequence[int] = (8, 16, 32)):
        super().__init__()
        self.strides = tuple(strides)
        self.num_classes = num_classes
        self.cls_convs = nn.ModuleList(ConvGNReLU(channels, channels) for _ in range(stacked_convs))
        self.reg_convs = nn.ModuleList(ConvGNReLU(channels, channels) for _ in range(stacked_convs))
        self.fcos_cls = nn.Conv2d(mid_channels, num_classes, 3, padding=1)
        self.fcos_reg = nn.Conv2d(mid_channels, 4, 3, padding=1)
        self.fcos_centerness = nn.Conv2d(mid_channels, 1, 3, padding=1)
        self.scales = nn.ModuleList(Scale(1.0) for _ in self.strides)
        for conv in (self.fcos_cls, self.fcos_reg, self.fcos_centerness):
            nn.init.normal_(conv.weight, std=0.01)
            nn.init.zeros_(conv.bias)
        nn.init.constant_(self.fcos_cls.bias, -math.log((1 - 0.01) / 0.01))

    def forward_level(self, feat: Tensor, params: DynamicParams, level: int,
                      modulator: CondModulator) -> Tuple[Tensor, Tensor, Tensor]:
        """One FPN level -> (cls logits (N, 2, H, W), ltrb (N, 4, H, W), centerness (N, 1, H, W))."""
        cls_feat = F.conv2d(feat, params.cls1).relu_()
        reg_feat = F.conv2d(feat, params.reg1).relu_()
        for layer in self.cls_convs:
            cls_feat = layer(cls_feat)
        for layer in self.reg_convs:
            reg_feat = layer(reg_feat)
        cls_feat, reg_feat = modulator(cls_feat, reg_feat, params)
        cls_score = self.fcos_cls(cls_feat)
        bbox_pred = F.relu(self.scales[level](self.fcos_reg(reg_feat)).float())
        centerness = self.fcos_centerness(reg_feat)
        return cls_score, bbox_pred, centerness

    def forward(self, feats: Sequence[Tensor], params: Sequence[DynamicParams],
                modulator: CondModulator) -> Tuple[List[Tensor], List[Tensor], List[Tensor]]:
        if len(feats) != len(params):
            raise ValueError(f"{len(feats)} feature levels but {len(params)} parameter sets")
        outs = [self.forward_level(f, p, k, modulator) for k, (f, p) in enumerate(zip(feats, params))]
        cls_scores, bbox_preds, centernesses = (list(t) for t in zip(*outs))
        return cls_scores, bbox_preds, centernesses
