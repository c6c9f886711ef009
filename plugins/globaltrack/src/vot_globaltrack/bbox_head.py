"""Box head of QG-RCNN (mmdetection v1 ``SharedFCBBoxHead``, two shared 1024-d FCs).

Flatten the (256, 7, 7) modulated RoI feature in (C, H, W) order, two Linear + ReLU, then
``fc_cls`` (2-way: background, object) and ``fc_reg`` (class-specific deltas, 2 x 4).
"""
from __future__ import annotations

from typing import Tuple

import torch.nn.functional as F
from torch import Tensor, nn


class SharedFCBBoxHead(nn.Module):
    def __init__(self, in_channels: int = 256, roi_feat_size: int = 7, fc_out_channels: int = 1024,
                 num_fcs: int = 2, num_classes: int = 2):
        super().__init__()
        # declaration order = the official state_dict order (BBoxHead first, then the FCs)
        self.fc_cls = nn.Linear(fc_out_channels, num_classes)
        self.fc_reg = nn.Linear(fc_out_channels, 4 * num_classes)
        dims = [in_channels * roi_feat_size * roi_feat_size] + [fc_out_channels] * num_fcs
        self.shared_fcs = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        x = x.flatten(1)
        for fc in self.shared_fcs:
            x = F.relu(fc(x))
        return self.fc_cls(x), self.fc_reg(x)

    def init_weights(self) -> None:
        nn.init.normal_(self.fc_cls.weight, 0, 0.01)
        nn.init.normal_(self.fc_reg.weight, 0, 0.001)
        nn.init.zeros_(self.fc_cls.bias)
        nn.init.zeros_(self.fc_reg.bias)
        for fc in self.shared_fcs:
            nn.init.xavier_uniform_(fc.weight)
            nn.init.zeros_(fc.bias)
