"""Corner head of Alpha-Refine (official ``Corner_Predictor``): two conv towers that score
every cell of the 16x16 fused map as the top-left / bottom-right corner, then a soft-argmax.

Official grid quirk: the expected coordinate uses ``16 * column`` and ``16 * row`` (0, 16, ...,
240) with no half-cell offset, so a predicted corner never exceeds 240 in the 256 crop.
"""
from __future__ import annotations

from typing import Tuple

import torch
from torch import nn


def conv3x3_bn_relu(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, kernel_size=3, padding=1), nn.BatchNorm2d(cout),
                         nn.ReLU())


def corner_grid(size: int = 16, stride: int = 16) -> Tuple[torch.Tensor, torch.Tensor]:
    """Flattened (row-major) x and y coordinates of the soft-argmax: ``stride * index``."""
    index = torch.arange(size, dtype=torch.float32) * stride
    coord_x = index.repeat(size)
    coord_y = index.repeat_interleave(size)
    return coord_x, coord_y


class CornerPredictor(nn.Module):
    """``(B,inplanes,16,16) -> (B,4)`` corners ``x1, y1, x2, y2`` in crop pixels."""

    def __init__(self, inplanes: int = 64, channel: int = 256, feat_size: int = 16,
                 stride: int = 16) -> None:
        super().__init__()
        widths = [inplanes, channel, channel // 2, channel // 4, channel // 8]
        for corner in ("tl", "br"):
            for i in range(4):
                setattr(self, f"conv{i + 1}_{corner}", conv3x3_bn_relu(widths[i], widths[i + 1]))
            setattr(self, f"conv5_{corner}", nn.Conv2d(widths[4], 1, kernel_size=1))
        self.feat_size, self.stride = feat_size, stride
        self.reset_grid()

    def reset_grid(self) -> None:
        """(Re)create the soft-argmax grid (not in the state_dict; needed after ``to_empty``)."""
        device = self.conv5_tl.weight.device
        if device.type == "meta":
            device = None
        coord_x, coord_y = corner_grid(self.feat_size, self.stride)
        self.register_buffer("coord_x", coord_x.to(device), persistent=False)
        self.register_buffer("coord_y", coord_y.to(device), persistent=False)

    def _tower(self, x: torch.Tensor, corner: str) -> torch.Tensor:
        for i in range(1, 5):
            x = getattr(self, f"conv{i}_{corner}")(x)
        return getattr(self, f"conv5_{corner}")(x)

    def score_maps(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Raw (B,1,16,16) score maps of the top-left and bottom-right corner."""
        return self._tower(x, "tl"), self._tower(x, "br")

    def soft_argmax(self, score_map: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Expected (x, y) under the softmax over all cells of ``score_map``."""
        n = self.feat_size * self.feat_size
        if score_map.shape[-2:] != (self.feat_size, self.feat_size):
            raise ValueError(f"corner head expects {self.feat_size}x{self.feat_size} maps, got "
                             f"{tuple(score_map.shape[-2:])} (is the crop 256x256?)")
        prob = torch.softmax(score_map.reshape(-1, n), dim=1)
        return (prob * self.coord_x).sum(1), (prob * self.coord_y).sum(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tl, br = self.score_maps(x)
        x1, y1 = self.soft_argmax(tl)
        x2, y2 = self.soft_argmax(br)
        return torch.stack((x1, y1, x2, y2), dim=1)
