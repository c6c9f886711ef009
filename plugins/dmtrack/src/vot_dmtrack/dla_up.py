"""DLA-up (iterative deep aggregation with DCNv2 nodes), as FairMOT/CenterNet and DMTrack use it.

``DLAUpBackbone`` = DLA-34 base + ``DLAUp(startp=3, channels=[128, 256, 512], scales=[1, 2, 4])``
at ``down_ratio=8``. It returns ``[z (128, stride 8), y (256, stride 16), x5 (512, stride 32)]``:
``y = node(up(proj(x5)) + x4)``, then ``z4 = node(up(proj(x4)) + x3)`` and
``z = node(up(proj(y)) + z4)``. The last map is the *raw* level-5 output.

Every ``proj``/``node`` is a modulated deformable 3x3 conv (DCNv2, ``vot_ops``) + BN + ReLU;
the offsets/masks come from ``conv.conv_offset`` (27 channels: dy/dx interleaved per tap, then
the mask logits). Each ``up`` is a depthwise transposed conv (weights trained, so loaded).
The official model also builds a final ``IDAUp`` (``ida_up``) that its forward never calls: it
is kept, unused, so the released checkpoint loads with ``strict=True``.
"""
from __future__ import annotations

import math
from typing import List, Sequence

import torch
from torch import Tensor, nn

from .dla34 import DLABase


class ModulatedDeformConv(nn.Module):
    """DCNv2 3x3 conv (stride 1, pad 1, one deformable group) predicting its own offsets."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3):
        super().__init__()
        self.padding = kernel_size // 2
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.conv_offset = nn.Conv2d(in_channels, 3 * kernel_size * kernel_size, kernel_size, 1,
                                     self.padding, bias=True)
        nn.init.uniform_(self.weight, -1.0 / math.sqrt(in_channels * kernel_size ** 2),
                         1.0 / math.sqrt(in_channels * kernel_size ** 2))
        nn.init.zeros_(self.conv_offset.weight)
        nn.init.zeros_(self.conv_offset.bias)

    def forward(self, x: Tensor) -> Tensor:
        from vot_ops import modulated_deform_conv2d, split_offset_mask

        offset, mask = split_offset_mask(self.conv_offset(x))
        return modulated_deform_conv2d(x, offset, self.weight, self.bias, 1, self.padding, 1, mask)


class DeformConvBlock(nn.Module):
    """DCNv2 conv, then BN + ReLU (``actf``)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.actf = nn.Sequential(nn.BatchNorm2d(out_channels, momentum=0.1), nn.ReLU(inplace=True))
        self.conv = ModulatedDeformConv(in_channels, out_channels)

    def forward(self, x: Tensor) -> Tensor:
        return self.actf(self.conv(x))


def bilinear_up_weights(up: nn.ConvTranspose2d) -> None:
    """The bilinear initialisation of a depthwise up-sampling kernel (CenterNet)."""
    k = up.weight.shape[2]
    f = math.ceil(k / 2)
    c = (2 * f - 1 - f % 2) / (2.0 * f)
    ramp = torch.tensor([1 - abs(i / f - c) for i in range(k)])
    with torch.no_grad():
        up.weight.copy_((ramp[:, None] * ramp[None, :]).expand_as(up.weight))


class IDAUp(nn.Module):
    """Iterative deep aggregation: inputs ``1..n-1`` are projected to ``out_channels``,
    up-sampled by ``factors[i]`` and merged into their finer neighbour (``proj_i``/``up_i``/``node_i``)."""

    def __init__(self, out_channels: int, channels: Sequence[int], factors: Sequence[int]):
        super().__init__()
        self.count = len(channels)
        for i in range(1, len(channels)):
            f = int(factors[i])
            up = nn.ConvTranspose2d(out_channels, out_channels, f * 2, stride=f, padding=f // 2,
                                    groups=out_channels, bias=False)
            bilinear_up_weights(up)
            setattr(self, f"proj_{i}", DeformConvBlock(channels[i], out_channels))
            setattr(self, f"up_{i}", up)
            setattr(self, f"node_{i}", DeformConvBlock(out_channels, out_channels))

    def forward(self, layers: List[Tensor], start: int) -> None:
        """Aggregate ``layers[start:]`` in place (``layers[j]`` becomes the merged map)."""
        for j in range(start + 1, start + self.count):
            i = j - start
            up = getattr(self, f"up_{i}")(getattr(self, f"proj_{i}")(layers[j]))
            layers[j] = getattr(self, f"node_{i}")(up + layers[j - 1])


class DLAUp(nn.Module):
    """``ida_0`` merges the two coarsest maps, ``ida_1`` the three finest, and so on."""

    def __init__(self, channels: Sequence[int], scales: Sequence[int]):
        super().__init__()
        channels = list(channels)
        in_channels = list(channels)
        scales = [int(s) for s in scales]
        for i in range(len(channels) - 1):
            j = len(channels) - i - 2
            setattr(self, f"ida_{i}", IDAUp(channels[j], in_channels[j:],
                                            [s // scales[j] for s in scales[j:]]))
            scales[j + 1:] = [scales[j]] * (len(scales) - j - 1)
            in_channels[j + 1:] = [channels[j]] * (len(channels) - j - 1)
        self.count = len(channels)

    def forward(self, layers: List[Tensor]) -> List[Tensor]:
        layers = list(layers)
        out = [layers[-1]]
        for i in range(self.count - 1):
            getattr(self, f"ida_{i}")(layers, len(layers) - i - 2)
            out.insert(0, layers[-1])
        return out


class DLAUpBackbone(nn.Module):
    """DLA-34 + DLA-up at stride 8 (``backbone.*`` of the checkpoint).

    Returns ``[128 ch stride 8, 256 ch stride 16, 512 ch stride 32]``.
    """

    def __init__(self, down_ratio: int = 8, last_level: int = 5):
        super().__init__()
        self.first_level = int(math.log2(down_ratio))
        self.base = DLABase()
        channels = list(self.base.channels[self.first_level:])
        scales = [2 ** i for i in range(len(channels))]
        self.dla_up = DLAUp(channels, scales)
        # built (and stored in the checkpoint) by the official model, never used in its forward
        self.ida_up = IDAUp(channels[0], self.base.channels[self.first_level:last_level + 1],
                            [2 ** i for i in range(last_level - self.first_level + 1)])

    def forward(self, x: Tensor) -> List[Tensor]:
        levels = self.base(x)
        return self.dla_up(levels[self.first_level:])
