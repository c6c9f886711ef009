"""PrRoIPool correlation neck of the ResNet-18 Alpha-Refine (AR18c+m; official ``CorrNL`` in
``ltr/models/neck/PtCorrNL_PrRoI.py``).

Unlike the released ResNet-34 model, the template kernel is *pooled* from the template's
``layer3`` map over the template box (Precise RoI Pooling, 8x8 bins, scale 1/16; the box in crop
pixels as ``(x1, y1, x2, y2)``). Correlation, post-correlation convs and SE are those of
:mod:`.corr_neck`; a spatial stage follows: an embedded-Gaussian non-local block
(``use_NL=True``), a residual stack of three 1x1 conv-BN layers (``use_NL=False``) or nothing.
"""
from __future__ import annotations

import torch
from torch import nn

from .corr_neck import SEModule, conv1x1_bn_relu, pixelwise_correlation

SPATIAL_ATTENTIONS = ("nonlocal", "convs", "none")


class NonLocalBlock2D(nn.Module):
    """Embedded-Gaussian non-local block with 2x2 max-pooled keys/values and a BN output
    projection added to the input (Wang et al., CVPR 2018; the official ``NONLocalBlock2D``)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        inter = max(channels // 2, 1)
        self.inter = inter
        self.g = nn.Sequential(nn.Conv2d(channels, inter, 1), nn.MaxPool2d(2))
        self.W = nn.Sequential(nn.Conv2d(inter, channels, 1), nn.BatchNorm2d(channels))
        self.theta = nn.Conv2d(channels, inter, 1)
        self.phi = nn.Sequential(nn.Conv2d(channels, inter, 1), nn.MaxPool2d(2))
        nn.init.zeros_(self.W[1].weight)
        nn.init.zeros_(self.W[1].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        value = self.g(x).reshape(b, self.inter, -1).transpose(1, 2)
        query = self.theta(x).reshape(b, self.inter, -1).transpose(1, 2)
        key = self.phi(x).reshape(b, self.inter, -1)
        attention = torch.softmax(torch.matmul(query, key), dim=-1)
        y = torch.matmul(attention, value).transpose(1, 2).reshape(b, self.inter, h, w)
        return self.W(y) + x


def residual_convs(channels: int) -> nn.Sequential:
    """``use_NL=False``: conv-BN-ReLU, conv-BN-ReLU, conv-BN (added to the input)."""
    return nn.Sequential(*conv1x1_bn_relu(channels, channels), *conv1x1_bn_relu(channels, channels),
                         nn.Conv2d(channels, channels, 1), nn.BatchNorm2d(channels))


class CorrNLNeck(nn.Module):
    """PrRoIPool kernel, pixel-wise correlation, post-correlation convs, SE, spatial stage."""

    def __init__(self, pool_size: int = 8, spatial_attention: str = "nonlocal",
                 feature_stride: int = 16) -> None:
        super().__init__()
        if spatial_attention not in SPATIAL_ATTENTIONS:
            raise ValueError(f"spatial_attention must be one of {SPATIAL_ATTENTIONS}, got "
                             f"'{spatial_attention}'")
        channels = pool_size * pool_size
        self.pool_size, self.feature_stride = pool_size, feature_stride
        self.post_corr = nn.Sequential(*conv1x1_bn_relu(channels, 128), *conv1x1_bn_relu(128, 128),
                                       *conv1x1_bn_relu(128, channels))
        self.channel_attention = SEModule(channels, reduction=4)
        self.mode = spatial_attention
        if spatial_attention == "nonlocal":
            self.spatial_attention = NonLocalBlock2D(channels)
        elif spatial_attention == "convs":
            self.spatial_attention = residual_convs(channels)

    def template_kernel(self, template_feat: torch.Tensor, box_xyxy: torch.Tensor) -> torch.Tensor:
        """Pool ``(B,C,H,W)`` over ``box_xyxy`` ``(B,4)`` (crop pixels) to ``(B,C,8,8)``."""
        from vot_ops import prroi_pool

        index = torch.arange(box_xyxy.shape[0], dtype=box_xyxy.dtype, device=box_xyxy.device)
        rois = torch.cat([index[:, None], box_xyxy], dim=1)
        return prroi_pool(template_feat.float(), rois, self.pool_size, 1.0 / self.feature_stride)

    def forward(self, kernel: torch.Tensor, search_feat: torch.Tensor) -> torch.Tensor:
        fused = self.channel_attention(self.post_corr(pixelwise_correlation(kernel, search_feat)))
        if self.mode == "nonlocal":
            return self.spatial_attention(fused)
        if self.mode == "convs":
            return fused + self.spatial_attention(fused)
        return fused
