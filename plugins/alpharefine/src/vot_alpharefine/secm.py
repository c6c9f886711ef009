"""SEcm_r34: the released Alpha-Refine network (AR34c+m, CVPR 2021).

Paper: Yan et al., "Alpha-Refine: Boosting Tracking Performance by Precise Bounding Box
Estimation", CVPR 2021. Official code: https://github.com/MasterBin-IIAU/AlphaRefine
(``ltr/models/SEx_beta/SEcm_r34.py``).

Template and search crops are 256x256. The template's ``layer3`` map gives an 8x8 kernel once
per video; every search crop runs ResNet-34 up to ``layer3``, the correlation neck fuses it with
the kernel, the corner head predicts the box and, on request, the mask head a 256x256 mask.
Module names follow the official state_dict (``feature_extractor``, ``neck``, ``corner_head``,
``mask_head``, ``feat_adjust``) so the released checkpoint loads strictly.
"""
from __future__ import annotations

from typing import Dict, Sequence

import torch
from torch import nn

from .corner_head import CornerPredictor
from .corr_neck import PtCorrNeck
from .mask_head import MaskPredictorFine
from .resnet34 import ResNet34Features

LOW_LEVEL_TAPS = ("conv1", "layer1", "layer2")
BRANCHES = ("corner", "mask")


def conv1x1_bn_relu(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, kernel_size=1), nn.BatchNorm2d(cout), nn.ReLU())


class SEcmNet(nn.Module):
    """Alpha-Refine with a corner (c) and a mask (m) branch on a ResNet-34 backbone."""

    def __init__(self, pool_size: int = 8) -> None:
        super().__init__()
        self.feature_extractor = ResNet34Features()
        self.neck = PtCorrNeck(pool_size=pool_size)
        self.corner_head = CornerPredictor(inplanes=pool_size * pool_size)
        self.mask_head = MaskPredictorFine()
        # conv1 / layer1 / layer2 features adjusted to the mask head's widths
        self.feat_adjust = nn.ModuleList([conv1x1_bn_relu(64, 64), conv1x1_bn_relu(64, 256),
                                          conv1x1_bn_relu(128, 512)])

    def template_kernel(self, template: torch.Tensor) -> torch.Tensor:
        """``(B,3,256,256)`` template crop -> ``(B,256,8,8)`` correlation kernel."""
        feat = self.feature_extractor.features(template, ["layer3"])["layer3"]
        return self.neck.template_kernel(feat)

    def forward_test(self, search: torch.Tensor, kernel: torch.Tensor,
                     branches: Sequence[str] = ("corner",)) -> Dict[str, torch.Tensor]:
        """Search crop ``(B,3,256,256)`` -> ``{'feat', 'corner' (B,4) x1y1x2y2, 'mask'
        (B,1,256,256)}`` for the requested ``branches``."""
        unknown = set(branches) - set(BRANCHES)
        if unknown:
            raise ValueError(f"unknown branches {sorted(unknown)}; choose from {BRANCHES}")
        taps = ["layer3", *LOW_LEVEL_TAPS] if "mask" in branches else ["layer3"]
        feats = self.feature_extractor.features(search, taps)
        fused = self.neck(kernel, feats["layer3"])
        out = {"feat": fused}
        if "corner" in branches:
            out["corner"] = self.corner_head(fused)
        if "mask" in branches:
            low = [adjust(feats[name]) for adjust, name in zip(self.feat_adjust, LOW_LEVEL_TAPS)]
            out["mask"] = self.mask_head(fused, low)
        return out

    def forward(self, template: torch.Tensor, search: torch.Tensor,
                branches: Sequence[str] = BRANCHES) -> Dict[str, torch.Tensor]:
        """Training forward: template and search crops in one call (both branches)."""
        return self.forward_test(search, self.template_kernel(template), branches)


def secm_resnet34(pool_size: int = 8) -> SEcmNet:
    """The released AR34c+m network (``SEcm_resnet34(pool_size=8)``); random weights."""
    return SEcmNet(pool_size=pool_size)
