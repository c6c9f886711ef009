"""Feature pyramid of QG-RCNN (mmdetection v1 ``FPN``, ``num_outs=5``, no extra convs).

Lateral 1x1 and output 3x3 convolutions with bias, no norm, no activation; nearest x2
upsampling in the top-down path (the tracker pads the input to a multiple of 32, so sizes
match); P6 is ``max_pool2d(P5, kernel_size=1, stride=2)``, a strided subsample. Each conv sits
in a wrapper with a ``conv`` child so the keys are the official ``lateral_convs.0.conv.weight``.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import torch.nn.functional as F
from torch import Tensor, nn


class ConvWrapper(nn.Module):
    """A bare convolution under the name ``conv`` (mmcv ``ConvModule`` without norm/act)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, padding: int = 0):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=padding)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(x)


class FPN(nn.Module):
    """(C2..C5) -> (P2..P6), strides 4..64, ``out_channels`` each."""

    def __init__(self, in_channels: Sequence[int] = (256, 512, 1024, 2048),
                 out_channels: int = 256, num_outs: int = 5):
        super().__init__()
        self.num_outs = num_outs
        self.lateral_convs = nn.ModuleList(ConvWrapper(c, out_channels, 1) for c in in_channels)
        self.fpn_convs = nn.ModuleList(ConvWrapper(out_channels, out_channels, 3, padding=1)
                                       for _ in in_channels)

    def forward(self, inputs: Sequence[Tensor]) -> Tuple[Tensor, ...]:
        laterals: List[Tensor] = [conv(x) for conv, x in zip(self.lateral_convs, inputs)]
        for i in range(len(laterals) - 1, 0, -1):
            laterals[i - 1] = laterals[i - 1] + F.interpolate(laterals[i], scale_factor=2,
                                                              mode="nearest")
        outs = [conv(x) for conv, x in zip(self.fpn_convs, laterals)]
        while len(outs) < self.num_outs:
            outs.append(F.max_pool2d(outs[-1], 1, stride=2))
        return tuple(outs)
