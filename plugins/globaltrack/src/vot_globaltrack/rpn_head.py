"""RPN head of QG-RCNN (mmdetection v1 ``RPNHead``), shared over the five modulated levels.

``rpn_conv`` 3x3 + ReLU, then ``rpn_cls`` (one sigmoid logit per anchor, 3 anchors) and
``rpn_reg`` (4 deltas per anchor).
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import torch.nn.functional as F
from torch import Tensor, nn


class RPNHead(nn.Module):
    def __init__(self, in_channels: int = 256, feat_channels: int = 256, num_anchors: int = 3):
        super().__init__()
        self.rpn_conv = nn.Conv2d(in_channels, feat_channels, 3, padding=1)
        self.rpn_cls = nn.Conv2d(feat_channels, num_anchors, 1)
        self.rpn_reg = nn.Conv2d(feat_channels, num_anchors * 4, 1)

    def forward_single(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        x = F.relu(self.rpn_conv(x))
        return self.rpn_cls(x), self.rpn_reg(x)

    def forward(self, feats: Sequence[Tensor]) -> Tuple[List[Tensor], List[Tensor]]:
        outs = [self.forward_single(x) for x in feats]
        return [o[0] for o in outs], [o[1] for o in outs]

    def init_weights(self, std: float = 0.01) -> None:
        for conv in (self.rpn_conv, self.rpn_cls, self.rpn_reg):
            nn.init.normal_(conv.weight, 0, std)
            nn.init.zeros_(conv.bias)
