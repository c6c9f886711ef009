"""DLA-34 base network (Yu et al., "Deep Layer Aggregation", CVPR 2018) as DMTrack builds it.

The plain ucbdrive/CenterNet DLA-34 (no deformable convs in the base): levels ``[1,1,1,2,2,1]``,
channels ``[16,32,64,128,256,512]``, BasicBlocks, BatchNorm (eps 1e-5). Module names follow the
official checkpoint (``base_layer``, ``level0``..``level5``, ``treeN``, ``root``, ``project``), so
``backbone.base.*`` loads unchanged. The ImageNet classifier (``fc``) is not built: DMTrack
never uses it, and the loader drops those keys by name.

Quirk kept for strict loading: the outer ``project`` of the two-level trees (``level3``,
``level4``) holds weights but its output is never used (the inner tree recomputes its own
residual), so it is not evaluated here.
"""
from __future__ import annotations

from typing import List, Optional, Sequence

import torch
from torch import Tensor, nn

#: DLA-34 layout: number of aggregation levels and channels per stage.
DLA34_LEVELS = (1, 1, 1, 2, 2, 1)
DLA34_CHANNELS = (16, 32, 64, 128, 256, 512)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, momentum=0.1)


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers with a residual added before the last ReLU."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = _bn(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = _bn(out_channels)

    def forward(self, x: Tensor, residual: Optional[Tensor] = None) -> Tensor:
        residual = x if residual is None else residual
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + residual)


class Root(nn.Module):
    """Aggregation node: 1x1 conv over the concatenated children, BN, ReLU (no residual)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 1, 1, 0, bias=False)
        self.bn = _bn(out_channels)

    def forward(self, *children: Tensor) -> Tensor:
        return torch.relu(self.bn(self.conv(torch.cat(children, 1))))


class Tree(nn.Module):
    """Hierarchical deep aggregation tree of ``levels`` levels of BasicBlocks."""

    def __init__(self, levels: int, in_channels: int, out_channels: int, stride: int = 1,
                 level_root: bool = False, root_dim: int = 0):
        super().__init__()
        root_dim = root_dim or 2 * out_channels
        if level_root:
            root_dim += in_channels
        self.levels = levels
        self.level_root = level_root
        if levels == 1:
            self.tree1 = BasicBlock(in_channels, out_channels, stride)
            self.tree2 = BasicBlock(out_channels, out_channels, 1)
            self.root = Root(root_dim, out_channels)
        else:
            self.tree1 = Tree(levels - 1, in_channels, out_channels, stride)
            self.tree2 = Tree(levels - 1, out_channels, out_channels,
                              root_dim=root_dim + out_channels)
        self.downsample = nn.MaxPool2d(stride, stride) if stride > 1 else None
        self.project = (nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, bias=False),
                                      _bn(out_channels))
                        if in_channels != out_channels else None)

    def forward(self, x: Tensor, children: Optional[List[Tensor]] = None) -> Tensor:
        children = [] if children is None else children
        bottom = self.downsample(x) if self.downsample is not None else x
        if self.level_root:
            children.append(bottom)
        if self.levels == 1:
            residual = self.project(bottom) if self.project is not None else bottom
            x1 = self.tree1(x, residual)
            return self.root(self.tree2(x1), x1, *children)
        # levels > 1: the inner tree computes its own residual; this tree's project is unused
        x1 = self.tree1(x)
        children.append(x1)
        return self.tree2(x1, children=children)


def _conv_level(in_channels: int, out_channels: int, convs: int, stride: int = 1) -> nn.Sequential:
    layers: List[nn.Module] = []
    for i in range(convs):
        layers += [nn.Conv2d(in_channels, out_channels, 3, stride if i == 0 else 1, 1, bias=False),
                   _bn(out_channels), nn.ReLU(inplace=True)]
        in_channels = out_channels
    return nn.Sequential(*layers)


class DLABase(nn.Module):
    """DLA base: returns the outputs of ``level0``..``level5`` (strides 1, 2, 4, 8, 16, 32)."""

    def __init__(self, levels: Sequence[int] = DLA34_LEVELS,
                 channels: Sequence[int] = DLA34_CHANNELS):
        super().__init__()
        self.channels = tuple(channels)
        c = self.channels
        self.base_layer = nn.Sequential(nn.Conv2d(3, c[0], 7, 1, 3, bias=False), _bn(c[0]),
                                        nn.ReLU(inplace=True))
        self.level0 = _conv_level(c[0], c[0], levels[0])
        self.level1 = _conv_level(c[0], c[1], levels[1], stride=2)
        self.level2 = Tree(levels[2], c[1], c[2], 2, level_root=False)
        self.level3 = Tree(levels[3], c[2], c[3], 2, level_root=True)
        self.level4 = Tree(levels[4], c[3], c[4], 2, level_root=True)
        self.level5 = Tree(levels[5], c[4], c[5], 2, level_root=True)

    def forward(self, x: Tensor) -> List[Tensor]:
        x = self.base_layer(x)
        outs = []
        for i in range(6):
            x = getattr(self, f"level{i}")(x)
            outs.append(x)
        return outs
