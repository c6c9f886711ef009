"""Feature pyramid (Lin et al., CVPR 2017) as mmdetection 2.0's ``FPN`` with DMTrack's settings.

Three inputs (128/256/512 channels at strides 8/16/32), 256 output channels, three outputs, no
extra levels, no norm or activation. Top-down: ``lateral[i-1] += nearest(lateral[i], size of
lateral[i-1])``; then a 3x3 conv per level. Names follow ``neck.lateral_convs.N.conv`` and
``neck.fpn_convs.N.conv`` of the checkpoint.
"""
from __future__ import annotations

from typing import List, Sequence

import torch.nn.functional as F
from torch import Tensor, nn


class ConvOnly(nn.Module):
    """A conv with bias under the attribute name ``conv`` (mmcv ``ConvModule`` without norm/act)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, 1, kernel_size // 2)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(x)


class FPN(nn.Module):
    """Lateral 1x1 convs, nearest top-down additions, 3x3 output convs."""

    def __init__(self, in_channels: Sequence[int] = (128, 256, 512), out_channels: int = 256):
        super().__init__()
        self.lateral_convs = nn.ModuleList(ConvOnly(c, out_channels, 1) for c in in_channels)
        self.fpn_convs = nn.ModuleList(ConvOnly(out_channels, out_channels, 3) for _ in in_channels)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, inputs: Sequence[Tensor]) -> List[Tensor]:
        if len(inputs) != len(self.lateral_convs):
            raise ValueError(f"FPN expects {len(self.lateral_convs)} inputs, got {len(inputs)}")
        laterals = [conv(x) for conv, x in zip(self.lateral_convs, inputs)]
        for i in range(len(laterals) - 1, 0, -1):
            laterals[i - 1] = laterals[i - 1] + F.interpolate(
                laterals[i], size=laterals[i - 1].shape[2:], mode="nearest")
        return [conv(x) for conv, x in zip(self.fpn_convs, laterals)]
