"""SEcm: the released Alpha-Refine networks (AR34c+m and AR18c+m, CVPR 2021).

Paper: Yan et al., "Alpha-Refine: Boosting Tracking Performance by Precise Bounding Box
Estimation", CVPR 2021. Official code: https://github.com/MasterBin-IIAU/AlphaRefine
(``ltr/models/SEx_beta/SEcm_r34.py``).

Template and search crops are 256x256. The template's ``layer3`` map gives an 8x8 kernel once
per video; every search crop runs ResNet-34 up to ``layer3``, the correlation neck fuses it with
the kernel, the corner head predicts the box and, on request, the mask head a 256x256 mask.
AR18c+m (``SEcm_r18``, official model file only in the TensorRT fork
ymzis69/AlphaRefine_TensorRT) swaps in ResNet-18 and the PrRoIPool neck :mod:`.corrnl_neck`.
Module names follow the official state_dict (``feature_extractor``, ``neck``, ``corner_head``,
``mask_head``, ``feat_adjust``) so the released checkpoint loads strictly.
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence, Union

import torch
from torch import nn

from .corner_head import CornerPredictor
from .corr_neck import PtCorrNeck
from .corrnl_neck import CorrNLNeck
from .mask_head import MaskPredictorFine
from .resnet import ResNet18Features, ResNet34Features, ResNetFeatures

LOW_LEVEL_TAPS = ("conv1", "layer1", "layer2")
BRANCHES = ("corner", "mask")


def conv1x1_bn_relu(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, kernel_size=1), nn.BatchNorm2d(cout), nn.ReLU())


class SEcmNet(nn.Module):
    """Alpha-Refine with a corner (c) and a mask (m) branch.

    ``backbone``: ``'resnet34'``, ``'resnet18'`` or a dict of :class:`ResNetFeatures` keywords
    (``blocks``, ``widths``, ``num_classes``: a compact refiner); ``neck``: ``'ptcorr'`` (central
    ``pool_size`` cells of the template map) or ``'corrnl'`` (PrRoIPool over the template box,
    then ``spatial_attention``). ``input_size`` is the crop side (256 for the released models:
    16x16 ``layer3`` maps); ``neck_channels`` / ``head_channels`` are the post-correlation and
    corner-tower widths; ``with_mask=False`` builds no mask branch.
    """

    def __init__(self, pool_size: int = 8, backbone: Union[str, dict] = "resnet34",
                 neck: str = "ptcorr", spatial_attention: str = "nonlocal", *,
                 input_size: int = 256, neck_channels: int = 128, head_channels: int = 256,
                 with_mask: bool = True) -> None:
        super().__init__()
        backbones = {"resnet34": ResNet34Features, "resnet18": ResNet18Features}
        if (not isinstance(backbone, dict) and backbone not in backbones) or \
                neck not in ("ptcorr", "corrnl"):
            raise ValueError(f"unknown backbone '{backbone}' or neck '{neck}' (backbones "
                             f"{sorted(backbones)} or a dict of ResNetFeatures keywords, necks "
                             "['corrnl', 'ptcorr'])")
        if input_size % 32 or (neck == "ptcorr" and pool_size != input_size // 32):
            raise ValueError(f"SEcm: input_size {input_size} must be a multiple of 32 and give "
                             f"the pool size (input_size / 32 = {input_size / 32:g}, got "
                             f"pool_size {pool_size})")
        self.feature_extractor = (ResNetFeatures(**backbone) if isinstance(backbone, dict)
                                  else backbones[backbone]())
        self.neck = (PtCorrNeck(pool_size=pool_size, hidden=neck_channels) if neck == "ptcorr"
                     else CorrNLNeck(pool_size=pool_size, spatial_attention=spatial_attention))
        self.uses_template_box = neck == "corrnl"
        self.corner_head = CornerPredictor(inplanes=pool_size * pool_size, channel=head_channels,
                                           feat_size=input_size // 16)
        self.with_mask = bool(with_mask)
        if with_mask:
            self.mask_head = MaskPredictorFine(inplanes=pool_size * pool_size)
            # conv1 / layer1 / layer2 features adjusted to the mask head's widths
            width = self.feature_extractor.channels
            self.feat_adjust = nn.ModuleList([
                conv1x1_bn_relu(width["conv1"], 64), conv1x1_bn_relu(width["layer1"], 256),
                conv1x1_bn_relu(width["layer2"], 512)])

    def template_kernel(self, template: torch.Tensor,
                        template_box: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``(B,3,256,256)`` template crop -> ``(B,256,8,8)`` correlation kernel.

        ``template_box`` ``(B,4)`` ``x1, y1, x2, y2`` in crop pixels: used by the PrRoIPool
        neck only (the released AR34 model ignores it, as official).
        """
        feat = self.feature_extractor.features(template, ["layer3"])["layer3"]
        if self.uses_template_box:
            if template_box is None:
                raise ValueError("the PrRoIPool neck needs the template box (x1, y1, x2, y2)")
            return self.neck.template_kernel(feat, template_box)
        return self.neck.template_kernel(feat)

    def forward_test(self, search: torch.Tensor, kernel: torch.Tensor,
                     branches: Sequence[str] = ("corner",)) -> Dict[str, torch.Tensor]:
        """Search crop ``(B,3,256,256)`` -> ``{'feat', 'corner' (B,4) x1y1x2y2, 'mask'
        (B,1,256,256)}`` for the requested ``branches``."""
        unknown = set(branches) - set(BRANCHES)
        if unknown:
            raise ValueError(f"unknown branches {sorted(unknown)}; choose from {BRANCHES}")
        if "mask" in branches and not self.with_mask:
            raise ValueError("this Alpha-Refine network has no mask branch (with_mask=False)")
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
                branches: Sequence[str] = BRANCHES,
                template_box: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """Training forward: template and search crops in one call (both branches)."""
        return self.forward_test(search, self.template_kernel(template, template_box), branches)


def secm_resnet34(pool_size: int = 8, init: bool = True) -> SEcmNet:
    """The released AR34c+m network (``SEcm_resnet34(pool_size=8)``).

    ``init=False`` skips the random initialisation (uninitialised memory, for loading a
    checkpoint right after: building 24M parameters on the meta device takes no time).
    """
    return _build(dict(pool_size=pool_size), init)


def secm_resnet18(pool_size: int = 8, spatial_attention: str = "nonlocal",
                  init: bool = True) -> SEcmNet:
    """AR18c+m (``SEcm_resnet18``): ResNet-18 and the PrRoIPool neck; ``spatial_attention``
    ``'nonlocal'`` (``use_NL=True``, the fork's default), ``'convs'`` or ``'none'``."""
    return _build(dict(pool_size=pool_size, backbone="resnet18", neck="corrnl",
                       spatial_attention=spatial_attention), init)


def secm_compact(input_size: int = 128, blocks: Sequence[int] = (1, 1, 1),
                 widths: Sequence[int] = (32, 64, 128), neck_channels: int = 64,
                 head_channels: int = 64, with_mask: bool = False, init: bool = True) -> SEcmNet:
    """A compact SEcm (same modules and names, narrower and shallower): three ResNet stages of
    ``blocks`` BasicBlocks with ``widths`` channels and no classifier, the point-wise
    correlation neck over the central ``input_size / 32`` cells of the template map, the
    corner head on ``input_size / 16`` maps, and a mask branch only if ``with_mask``."""
    backbone = dict(blocks=tuple(blocks), widths=tuple(widths), num_classes=0)
    return _build(dict(pool_size=input_size // 32, backbone=backbone, input_size=input_size,
                       neck_channels=neck_channels, head_channels=head_channels,
                       with_mask=with_mask), init)


def _build(kwargs: dict, init: bool) -> SEcmNet:
    if init:
        return SEcmNet(**kwargs)
    with torch.device("meta"):
        net = SEcmNet(**kwargs)
    net = net.to_empty(device="cpu")
    net.corner_head.reset_grid()
    return net
