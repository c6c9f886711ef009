"""ResNet-34 / ResNet-18 feature extractors of Alpha-Refine (pytracking's ``ltr.models.backbone.resnet``).

The layout and parameter names are torchvision's ResNet-34 (the released checkpoint stores the
whole network, ``layer4`` and ``fc`` included, although Alpha-Refine never uses them), so this
subclasses torchvision's ``ResNet`` and adds pytracking's feature taps:

* ``conv1`` is taken after ``bn1`` + ReLU and *before* the max-pool (stride 2);
* ``layer1`` .. ``layer3`` are at strides 4, 8, 16;
* the forward stops as soon as every requested tap is computed (``layer4`` is never run).
"""
from __future__ import annotations

from typing import Dict, Sequence

import torch
from torchvision.models.resnet import BasicBlock, ResNet

FEATURE_TAPS = ("conv1", "layer1", "layer2", "layer3", "layer4")


class ResNetFeatures(ResNet):
    """torchvision BasicBlock ResNet whose :meth:`features` returns pytracking's named taps."""

    def __init__(self, blocks=(3, 4, 6, 3)) -> None:
        super().__init__(BasicBlock, list(blocks))

    def features(self, x: torch.Tensor, layers: Sequence[str]) -> Dict[str, torch.Tensor]:
        """Run the stem and the residual stages up to the deepest tap named in ``layers``."""
        unknown = set(layers) - set(FEATURE_TAPS)
        if unknown:
            raise ValueError(f"unknown ResNet-34 feature taps {sorted(unknown)}; "
                             f"choose from {FEATURE_TAPS}")
        wanted = set(layers)
        out: Dict[str, torch.Tensor] = {}
        x = self.relu(self.bn1(self.conv1(x)))
        if "conv1" in wanted:
            out["conv1"] = x
        if wanted <= out.keys():
            return out
        x = self.maxpool(x)
        for name in FEATURE_TAPS[1:]:
            x = getattr(self, name)(x)
            if name in wanted:
                out[name] = x
            if wanted <= out.keys():
                break
        return out


class ResNet34Features(ResNetFeatures):
    """ResNet-34 (AR34c+m)."""

    def __init__(self) -> None:
        super().__init__((3, 4, 6, 3))


class ResNet18Features(ResNetFeatures):
    """ResNet-18 (AR18c+m); the same widths, so the necks and heads are unchanged."""

    def __init__(self) -> None:
        super().__init__((2, 2, 2, 2))
