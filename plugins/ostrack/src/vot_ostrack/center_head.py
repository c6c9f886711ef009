"""OSTrack's CENTER box head and its decoding.

Three fully convolutional branches on the search feature map (B, C, S, S): a centre score map,
a sub-cell offset map and a normalised size map. Decoding takes the arg-max cell (first max)
and returns ``(cx, cy, w, h)`` normalised to the search crop, with cell ``i`` at ``i / S``:
the official code adds no +0.5 cell-centre shift.
"""
from __future__ import annotations

from typing import Tuple

import torch
from torch import nn

from vot_core import nn_fast

SIGMOID_CLAMP = 1e-4
#: branch name, output channels of its last 1x1 conv (state_dict order)
BRANCHES = (("ctr", 1), ("offset", 2), ("size", 2))


def conv_bn_relu(in_planes: int, out_planes: int) -> nn.Sequential:
    """3x3 conv (bias) -> BatchNorm2d -> ReLU, keys ``.0`` / ``.1`` as in the official head."""
    return nn.Sequential(nn.Conv2d(in_planes, out_planes, 3, 1, 1, bias=True),
                         nn.BatchNorm2d(out_planes), nn.ReLU(inplace=True))


def clamped_sigmoid(x: torch.Tensor) -> torch.Tensor:
    return torch.clamp(x.sigmoid(), min=SIGMOID_CLAMP, max=1 - SIGMOID_CLAMP)


def decode_center_box(score_map: torch.Tensor, size_map: torch.Tensor, offset_map: torch.Tensor
                      ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(boxes (B, 4) cx, cy, w, h in [0, 1] of the crop, max score (B, 1), flat index (B, 1))``
    at the arg-max (``torch.max``, as the official ``cal_bbox``).

    ``score_map`` (B, 1, S, S) may be windowed; size and offset are read at its arg-max cell.
    """
    feat_sz = score_map.shape[-1]
    max_score, idx = torch.max(score_map.flatten(1), dim=1, keepdim=True)
    idx_y = torch.div(idx, feat_sz, rounding_mode="floor")
    idx_x = idx % feat_sz
    gather_idx = idx.unsqueeze(1).expand(idx.shape[0], 2, 1)
    size = size_map.flatten(2).gather(dim=2, index=gather_idx).squeeze(-1)
    offset = offset_map.flatten(2).gather(dim=2, index=gather_idx).squeeze(-1)
    boxes = torch.cat([(idx_x.to(torch.float) + offset[:, :1]) / feat_sz,
                       (idx_y.to(torch.float) + offset[:, 1:]) / feat_sz,
                       size], dim=1)
    return boxes, max_score, idx


class CenterPredictor(nn.Module):
    """The CENTER head: ``forward(feat) -> (score_map, boxes, size_map, offset_map)``."""

    def __init__(self, inplanes: int = 768, channel: int = 256, feat_sz: int = 16,
                 stride: int = 16):
        super().__init__()
        self.feat_sz = feat_sz
        self.stride = stride
        chans = [inplanes, channel, channel // 2, channel // 4, channel // 8]
        for branch, out in (("ctr", 1), ("offset", 2), ("size", 2)):
            for i in range(4):
                self.add_module(f"conv{i + 1}_{branch}", conv_bn_relu(chans[i], chans[i + 1]))
            self.add_module(f"conv5_{branch}", nn.Conv2d(chans[4], out, kernel_size=1))
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)

    def _branch(self, name: str, x: torch.Tensor) -> torch.Tensor:
        for i in range(1, 6):
            x = getattr(self, f"conv{i}_{name}")(x)
        return x

    def get_score_map(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(score_map (B,1,S,S), size_map (B,2,S,S) w/h, offset_map (B,2,S,S) dx/dy)``."""
        if nn_fast.can_fuse_eval(self, x):  # frozen inference: BN folded, branches stacked
            branches = [[getattr(self, f"conv{i}_{name}") for i in range(1, 6)]
                        for name, _ in BRANCHES]
            ctr, offset, size = nn_fast.conv_branches(self, branches, x)
        else:
            ctr, offset, size = (self._branch(name, x) for name, _ in BRANCHES)
        return clamped_sigmoid(ctr), clamped_sigmoid(size), offset

    def cal_bbox(self, score_map: torch.Tensor, size_map: torch.Tensor,
                 offset_map: torch.Tensor, return_score: bool = False):
        boxes, max_score, _ = decode_center_box(score_map, size_map, offset_map)
        return (boxes, max_score) if return_score else boxes

    def forward(self, x: torch.Tensor, gt_score_map: torch.Tensor = None):
        score_map, size_map, offset_map = self.get_score_map(x)
        decode_from = score_map if gt_score_map is None else gt_score_map.unsqueeze(1)
        boxes = self.cal_bbox(decode_from, size_map, offset_map)
        return score_map, boxes, size_map, offset_map
