"""Mask head of Alpha-Refine (official ``Mask_Predictor_fine``, SiamMask-style refinement).

The 16x16 fused map is upsampled three times (to 32, 64, 128; bilinear, align_corners=False)
and summed with adjusted low-level features (layer2, layer1, conv1 through ``feat_adjust``);
a last bilinear upsampling to 256 and a sigmoid give per-pixel probabilities. No batch norm.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn


def two_convs(cin: int, mid: int, cout: int) -> nn.Sequential:
    """conv3x3-ReLU-conv3x3-ReLU (Sequential indices 0 and 2 carry weights)."""
    return nn.Sequential(nn.Conv2d(cin, mid, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(mid, cout, 3, padding=1), nn.ReLU())


def up(x: torch.Tensor, size: int) -> torch.Tensor:
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)


class MaskPredictorFine(nn.Module):
    """``fused (B,64,16,16)`` + adjusted ``[conv1, layer1, layer2]`` -> ``(B,1,256,256)``;
    ``inplanes`` = channels of the fused map (64 released)."""

    def __init__(self, inplanes: int = 64) -> None:
        super().__init__()
        self.v0 = two_convs(64, 16, 4)
        self.v1 = two_convs(256, 64, 16)
        self.v2 = two_convs(512, 128, 32)
        self.h2 = two_convs(inplanes, 32, 32)
        self.h1 = two_convs(16, 16, 16)
        self.h0 = two_convs(4, 4, 4)
        self.post0 = nn.Conv2d(32, 16, 3, padding=1)
        self.post1 = nn.Conv2d(16, 4, 3, padding=1)
        self.post2 = nn.Conv2d(4, 1, 3, padding=1)

    def forward(self, fused: torch.Tensor, low_level: Sequence[torch.Tensor]) -> torch.Tensor:
        a0, a1, a2 = low_level
        out = self.post0(up(self.h2(fused), a2.shape[-1]) + self.v2(a2))
        out = self.post1(up(self.h1(out), a1.shape[-1]) + self.v1(a1))
        out = self.post2(up(self.h0(out), a0.shape[-1]) + self.v0(a0))
        return torch.sigmoid(up(out, 2 * a0.shape[-1]))
