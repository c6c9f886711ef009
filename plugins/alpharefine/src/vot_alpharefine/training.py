"""Alpha-Refine's training model for the core engine: SEcm_r34 plus the paper's losses.

Loss (official ``SEcm_Actor``): ``MSE(corners, gt corners)`` in 256-crop pixels (ground truth
clamped to the crop, as ``transform_image_to_crop_SE``) ``+ 1000 * BCE(mask, gt mask)`` over
the samples that carry a mask (``search_mask`` with ``mask_flag == 1``); without mask samples
the loss is the corner term alone. The network's modules keep their official names, so a
checkpoint written by ``vot train`` loads into :class:`~vot_alpharefine.refiner.AlphaRefine`.
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel

from .secm import SEcmNet, secm_compact

MASK_WEIGHT = 1000.0


def corner_targets(search_box: torch.Tensor, input_size: int = 256) -> torch.Tensor:
    """Normalised ``xywh`` (engine convention) -> ``x1, y1, x2, y2`` crop pixels in [0, size]."""
    box = search_box * input_size
    xyxy = torch.cat([box[:, :2], box[:, :2] + box[:, 2:]], dim=1)
    return xyxy.clamp(0.0, float(input_size))


class AlphaRefineModel(BaseModel):
    """Trainable SEcm_r34: ``forward(template, search, template_box, search_box, mode)``.

    :param pretrained_backbone: a torchvision ResNet-34 checkpoint (the official recipe starts
        from ImageNet weights), loaded into ``feature_extractor`` strictly.
    :param mask_weight: weight of the mask BCE (official 1000).
    :param variant: ``'secm_r34'`` (AR34c+m), ``'secm_r18'`` (AR18c+m, PrRoIPool neck: the
        template box is pooled, so it needs vot-ops) or ``'secm_compact'`` (a small SEcm, e.g.
        the tiny refiner of ``vot demo``).
    :param compact: ``secm_compact`` only: keywords of :func:`~vot_alpharefine.secm.secm_compact`
        (``blocks``, ``widths``, ``neck_channels``, ``head_channels``, ``with_mask``); the input
        size is ``input_size``.
    """

    template_kernel = SEcmNet.template_kernel
    forward_test = SEcmNet.forward_test

    def __init__(self, pretrained_backbone: Optional[str] = None, mask_weight: float = MASK_WEIGHT,
                 input_size: int = 256, variant: str = "secm_r34",
                 spatial_attention: str = "nonlocal", compact: Optional[dict] = None):
        super().__init__()
        if variant == "secm_r34":
            net = SEcmNet()
        elif variant == "secm_r18":
            net = SEcmNet(backbone="resnet18", neck="corrnl", spatial_attention=spatial_attention)
        elif variant == "secm_compact":
            net = secm_compact(input_size, **(compact or {}))
        else:
            raise ValueError(f"AlphaRefineModel: unknown variant '{variant}' (secm_r34, "
                             "secm_r18, secm_compact)")
        if variant != "secm_compact" and input_size != 256:
            raise ValueError("AlphaRefineModel: the released networks need input_size=256")
        self.uses_template_box = net.uses_template_box
        # the official modules at the top level: checkpoints keep the released key names
        self.feature_extractor, self.neck = net.feature_extractor, net.neck
        self.corner_head, self.with_mask = net.corner_head, net.with_mask
        if net.with_mask:
            self.mask_head, self.feat_adjust = net.mask_head, net.feat_adjust
        self.mask_weight = float(mask_weight)
        self.input_size = int(input_size)
        if pretrained_backbone:
            from vot_core.weights import extract_state_dict, load_checkpoint, load_state_dict_strict

            state = extract_state_dict(load_checkpoint(pretrained_backbone))
            load_state_dict_strict(self.feature_extractor, state, source=pretrained_backbone)

    def forward(self, template, search, template_box=None, search_box=None, mode="loss",
                search_mask=None, mask_flag=None):
        has_masks = (search_mask is not None and mask_flag is not None
                     and bool((mask_flag == 1).any()))
        want_mask = self.with_mask and (mode != "loss" or has_masks)
        branches = ("corner", "mask") if want_mask else ("corner",)
        box = corner_targets(template_box, self.input_size) if self.uses_template_box else None
        out = self.forward_test(search, self.template_kernel(template, box), branches)
        if mode != "loss":
            return out
        corner = out["corner"]
        if not torch.isfinite(corner).all():
            raise FloatingPointError("Alpha-Refine produced non-finite corners: stop training")
        losses = {"loss_corner": F.mse_loss(corner, corner_targets(search_box, self.input_size))}
        if want_mask:
            flag = mask_flag == 1
            losses["loss_mask"] = self.mask_weight * F.binary_cross_entropy(
                out["mask"][flag], search_mask[flag].to(out["mask"].dtype))
        return losses
