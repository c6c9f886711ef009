"""ResNet backbone of QG-RCNN (mmdetection v1 ``ResNet``, depth 50, ``style='pytorch'``).

The pytorch style puts the stride on the 3x3 ``conv2`` of a stage's first block, which is
torchvision's Bottleneck, and the parameter names are torchvision's, so the blocks are
torchvision's. Outputs C2..C5 (strides 4, 8, 16, 32). As in the official config the stem and
``layer1`` are frozen (``frozen_stages=1``) and every BatchNorm stays in eval mode
(``norm_eval=True``), also while training. Depth 18 (BasicBlocks, C2..C5 of 64..512 channels)
makes the small variant the CPU smoke tests train.
"""
from __future__ import annotations

from typing import Tuple

from torch import Tensor, nn

#: output channels of C2..C5 per depth
OUT_CHANNELS = {18: (64, 128, 256, 512), 34: (64, 128, 256, 512),
                50: (256, 512, 1024, 2048), 101: (256, 512, 1024, 2048)}


class ResNet(nn.Module):
    """ResNet without its classifier; ``forward`` returns (C2, C3, C4, C5)."""

    def __init__(self, depth: int = 50, frozen_stages: int = 1, norm_eval: bool = True):
        super().__init__()
        from torchvision.models import resnet

        if depth not in OUT_CHANNELS:
            raise ValueError(f"ResNet depth must be one of {sorted(OUT_CHANNELS)}, got {depth}")
        net = getattr(resnet, f"resnet{depth}")(weights=None)
        self.out_channels = OUT_CHANNELS[depth]
        self.conv1, self.bn1, self.relu, self.maxpool = net.conv1, net.bn1, net.relu, net.maxpool
        self.layer1, self.layer2, self.layer3, self.layer4 = (net.layer1, net.layer2, net.layer3,
                                                              net.layer4)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self._freeze()

    def _freeze(self) -> None:
        frozen = [self.conv1, self.bn1] if self.frozen_stages >= 0 else []
        frozen += [getattr(self, f"layer{i}") for i in range(1, self.frozen_stages + 1)]
        for module in frozen:
            module.eval()
            for param in module.parameters():
                param.requires_grad_(False)

    def train(self, mode: bool = True) -> ResNet:
        super().train(mode)
        self._freeze()
        if mode and self.norm_eval:
            for module in self.modules():
                if isinstance(module, nn.modules.batchnorm._BatchNorm):
                    module.eval()
        return self

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        c2 = self.layer1(x)
        c3 = self.layer2(c2)
        c4 = self.layer3(c3)
        c5 = self.layer4(c4)
        return c2, c3, c4, c5
