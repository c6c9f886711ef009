"""STARK's corner head (``Corner_Predictor``), as SimTrack uses it.

Paper: STARK, "Learning Spatio-Temporal Transformer for Visual Tracking" (Yan et al., ICCV 2021);
SimTrack reuses it unchanged (https://github.com/LPXTT/SimTrack, ``lib/models/stark/head.py``).

Two conv towers (top-left, bottom-right corner), each 4 x [Conv3x3 -> BatchNorm -> ReLU] with
channels C -> C/2 -> C/4 -> C/8, then a 1x1 conv to one score map. A soft-argmax over the
cells gives each corner; cell k's coordinate is ``(k mod n) * stride`` (no half-cell offset, so
the reachable range is [0, (n-1) * stride] px) and the result is divided by ``n * stride``.
"""
from __future__ import annotations

from typing import Tuple

import torch
from torch import nn

from vot_core import nn_fast


def conv_bn_relu(in_planes: int, out_planes: int) -> nn.Sequential:
    """Conv3x3 (bias) -> BatchNorm2d -> ReLU; keys ``0.*`` (conv) and ``1.*`` (BN)."""
    return nn.Sequential(nn.Conv2d(in_planes, out_planes, kernel_size=3, padding=1, bias=True),
                         nn.BatchNorm2d(out_planes), nn.ReLU(inplace=True))


def soft_argmax(score_map: torch.Tensor, coord_x: torch.Tensor,
                coord_y: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Expected (x, y) under the softmax of the flattened (B, 1, n, n) ``score_map``."""
    prob = torch.softmax(score_map.flatten(1), dim=1)
    return (coord_x * prob).sum(1), (coord_y * prob).sum(1)


class CornerPredictor(nn.Module):
    """Predicts a box (B, 4) as normalized x1, y1, x2, y2 from a (B, C, n, n) feature map."""

    def __init__(self, inplanes: int = 256, channel: int = 256, feat_size: int = 14,
                 stride: int = 16):
        super().__init__()
        self.feat_size = feat_size
        self.stride = stride
        self.img_size = feat_size * stride
        self.channel = channel
        widths = [inplanes, channel, channel // 2, channel // 4, channel // 8]
        for corner in ("tl", "br"):
            for i in range(4):
                setattr(self, f"conv{i + 1}_{corner}", conv_bn_relu(widths[i], widths[i + 1]))
            setattr(self, f"conv5_{corner}", nn.Conv2d(widths[4], 1, kernel_size=1))
        cells = torch.arange(feat_size * feat_size)
        self.register_buffer("coord_x", ((cells % feat_size) * stride).float(), persistent=False)
        self.register_buffer("coord_y", ((cells // feat_size) * stride).float(), persistent=False)

    def score_maps(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Corner logits (B, 1, n, n) for the top-left and the bottom-right corner."""
        if nn_fast.can_fuse_eval(self, x):  # frozen inference: BN folded, towers stacked
            towers = [[getattr(self, f"conv{i}_{corner}") for i in range(1, 6)]
                      for corner in ("tl", "br")]
            return nn_fast.conv_branches(self, towers, x)
        maps = []
        for corner in ("tl", "br"):
            y = x
            for i in range(1, 6):
                y = getattr(self, f"conv{i}_{corner}")(y)
            maps.append(y)
        return maps[0], maps[1]

    def decode(self, score_tl: torch.Tensor, score_br: torch.Tensor) -> torch.Tensor:
        """Soft-argmax both maps -> (B, 4) normalized x1, y1, x2, y2 (x2 > x1 not enforced)."""
        x1, y1 = soft_argmax(score_tl, self.coord_x, self.coord_y)
        x2, y2 = soft_argmax(score_br, self.coord_x, self.coord_y)
        return torch.stack((x1, y1, x2, y2), dim=1) / self.img_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(*self.score_maps(x))
