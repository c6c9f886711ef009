"""ResNet feature extractors of Alpha-Refine (pytracking's ``ltr.models.backbone.resnet``).

The layout and parameter names are torchvision's BasicBlock ResNet (the released checkpoints
store the whole ResNet-34 / ResNet-18, ``layer4`` and ``fc`` included, although Alpha-Refine
never uses them); pytracking's feature taps are added:

* ``conv1`` is taken after ``bn1`` + ReLU and *before* the max-pool (stride 2);
* ``layer1`` .. ``layer3`` are at strides 4, 8, 16;
* the forward stops as soon as every requested tap is computed (``layer4`` is never run).

Widths and depths are parameters so that a compact refiner (``secm_compact``, e.g. the tiny
model behind ``vot demo``) reuses the same code with three narrow stages and no classifier.
"""
from __future__ import annotations

from typing import Dict, Sequence

import torch
from torch import nn
from torchvision.models.resnet import BasicBlock

STAGES = ("layer1", "layer2", "layer3", "layer4")
FEATURE_TAPS = ("conv1", *STAGES)
#: torchvision's stage widths (the released refiners)
RESNET_WIDTHS = (64, 128, 256, 512)


class ResNetFeatures(nn.Module):
    """BasicBlock ResNet with torchvision's names whose :meth:`features` returns pytracking's
    named taps.

    :param blocks: residual blocks per stage (3 or 4 stages).
    :param widths: output channels per stage; the stem has ``widths[0]`` channels.
    :param num_classes: size of the (unused) ``fc`` classifier kept so released checkpoints
        load strictly; 0 builds no classifier.
    """

    def __init__(self, blocks: Sequence[int] = (3, 4, 6, 3),
                 widths: Sequence[int] = RESNET_WIDTHS, num_classes: int = 1000) -> None:
        super().__init__()
        if len(blocks) != len(widths) or not 3 <= len(blocks) <= 4:
            raise ValueError(f"ResNet: need 3 or 4 stages with one width each, got blocks "
                             f"{tuple(blocks)} and widths {tuple(widths)}")
        self.taps = FEATURE_TAPS[:1 + len(blocks)]
        self.channels = {"conv1": int(widths[0]),
                         **{name: int(w) for name, w in zip(STAGES, widths)}}
        self.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        inplanes = widths[0]
        for i, (name, count, width) in enumerate(zip(STAGES, blocks, widths)):
            setattr(self, name, _stage(inplanes, width, count, stride=1 if i == 0 else 2))
            inplanes = width
        if num_classes:
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(inplanes, num_classes)
        for m in self.modules():  # torchvision's initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def features(self, x: torch.Tensor, layers: Sequence[str]) -> Dict[str, torch.Tensor]:
        """Run the stem and the residual stages up to the deepest tap named in ``layers``."""
        unknown = set(layers) - set(self.taps)
        if unknown:
            raise ValueError(f"unknown ResNet feature taps {sorted(unknown)}; "
                             f"choose from {self.taps}")
        wanted = set(layers)
        out: Dict[str, torch.Tensor] = {}
        x = self.relu(self.bn1(self.conv1(x)))
        if "conv1" in wanted:
            out["conv1"] = x
        if wanted <= out.keys():
            return out
        x = self.maxpool(x)
        for name in self.taps[1:]:
            x = getattr(self, name)(x)
            if name in wanted:
                out[name] = x
            if wanted <= out.keys():
                break
        return out


def _stage(inplanes: int, planes: int, count: int, stride: int) -> nn.Sequential:
    """torchvision's ``_make_layer`` for BasicBlock (1x1 conv + BN shortcut when the shape
    changes)."""
    downsample = None
    if stride != 1 or inplanes != planes:
        downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False),
                                   nn.BatchNorm2d(planes))
    layers = [BasicBlock(inplanes, planes, stride, downsample)]
    layers += [BasicBlock(planes, planes) for _ in range(1, count)]
    return nn.Sequential(*layers)


class ResNet34Features(ResNetFeatures):
    """ResNet-34 (AR34c+m)."""

    def __init__(self) -> None:
        super().__init__((3, 4, 6, 3))


class ResNet18Features(ResNetFeatures):
    """ResNet-18 (AR18c+m); the same widths, so the necks and heads are unchanged."""

    def __init__(self) -> None:
        super().__init__((2, 2, 2, 2))
