"""SimTrack's training model for the core engine: the network plus the official losses.

``SimTrackModel`` keeps the network's modules at the top level (``backbone.*``, ``box_head.*``,
``bottleneck.*``), so a checkpoint written by ``vot train`` loads into the tracker unchanged.
Loss (``lib/train/actors/simtrack.py``): predicted (cx, cy, w, h) -> xyxy, ground truth
xywh -> xyxy clamped to [0, 1]; ``2 * GIoU + 5 * L1`` (means). When a box is degenerate
(x2 < x1 or y2 < y1), the official GIoU asserts and the actor sets that term to 0 for the
batch; the same happens here. NaN predictions stop training.
"""
from __future__ import annotations

from typing import Dict, Mapping, Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel

from vot_core.training.losses import cxcywh_to_xyxy, giou_loss, xywh_to_xyxy

from .simtrack import SimTrack, build_simtrack

#: timm CLIP ViT names -> OpenAI CLIP names (the inverse of timm's ``_convert_openai_clip``).
TIMM_PREFIXES = (("patch_embed.proj.", "conv1."), ("norm_pre.", "ln_pre."), ("norm.", "ln_post."),
                 ("blocks.", "transformer.resblocks."))
TIMM_INFIXES = ((".norm1.", ".ln_1."), (".norm2.", ".ln_2."),
                (".attn.qkv.weight", ".attn.in_proj_weight"), (".attn.qkv.bias", ".attn.in_proj_bias"),
                (".attn.proj.", ".attn.out_proj."), (".mlp.fc1.", ".mlp.c_fc."), (".mlp.fc2.", ".mlp.c_proj."))


def clip_visual_state_dict(state: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """CLIP visual-tower weights in OpenAI names (no ``visual.`` prefix), float32.

    Accepts an OpenAI CLIP state_dict (``visual.*``, text tower ignored) or timm's CLIP ViT
    (``patch_embed.proj.weight``, ``cls_token`` ...; e.g. ``vit_base_patch16_clip_quickgelu_224``).
    """
    if any(k.startswith("visual.") for k in state):
        out = {k[len("visual."):]: v for k, v in state.items() if k.startswith("visual.")}
    elif "patch_embed.proj.weight" in state:
        out = {}
        for key, value in state.items():
            if key == "cls_token":
                out["class_embedding"] = value.reshape(-1)
            elif key == "pos_embed":
                out["positional_embedding"] = value.reshape(value.shape[-2], value.shape[-1])
            elif key == "head.weight":
                out["proj"] = value.t()
            elif key.startswith("head."):
                continue
            else:
                for old, new in TIMM_PREFIXES:
                    if key.startswith(old):
                        key = new + key[len(old):]
                        break
                for old, new in TIMM_INFIXES:
                    key = key.replace(old, new)
                out[key] = value
    else:
        raise ValueError("not a CLIP visual tower: expected OpenAI 'visual.*' keys or timm's "
                         "'patch_embed.proj.weight'")
    return {k: v.float() for k, v in out.items()}


class SimTrackModel(BaseModel):
    """Trainable SimTrack: ``forward(template, search, template_box, search_box, mode)``."""

    def __init__(self, pretrained: Optional[str] = None,
                 loss_weights: Optional[Dict[str, float]] = None, **arch):
        super().__init__()
        net: SimTrack = build_simtrack(**arch)
        self.backbone, self.box_head, self.bottleneck = net.backbone, net.box_head, net.bottleneck
        self._net = [net]  # not a submodule: the parameters are registered once, above
        self.loss_weights = {"giou": 2.0, "l1": 5.0, **(loss_weights or {})}
        if pretrained:
            self.load_pretrained(pretrained)

    @property
    def network(self) -> SimTrack:
        return self._net[0]

    def load_pretrained(self, path: str) -> None:
        """CLIP initialisation of ``backbone.visual`` from a local state_dict file (strict: every
        tower weight must be there with its shape; ``pos_fc``, bottleneck and head keep their
        PyTorch default initialisation, as official)."""
        from vot_core.weights import extract_state_dict, load_checkpoint

        state = extract_state_dict(load_checkpoint(path), keys=("state_dict", "model", "net"))
        self.backbone.visual.load_state_dict(clip_visual_state_dict(state), strict=True)

    def forward(self, template, search, template_box=None, search_box=None, mode="loss"):
        out = self.network(template, search, template_box)
        if mode != "loss":
            return out
        pred = out["pred_boxes"]
        if torch.isnan(pred).any():
            raise FloatingPointError("SimTrack produced NaN boxes: stop training")
        pred_xyxy = cxcywh_to_xyxy(pred).view(-1, 4)
        gt_xyxy = xywh_to_xyxy(search_box).view(-1, 4).clamp(0.0, 1.0)
        degenerate = ((pred_xyxy[:, 2:] < pred_xyxy[:, :2]).any()
                      or (gt_xyxy[:, 2:] < gt_xyxy[:, :2]).any())
        if degenerate:  # the official GIoU asserts; the actor then uses 0 for this batch
            giou, iou = pred.new_zeros(()), pred.new_zeros(1)
        else:
            giou, iou = giou_loss(pred_xyxy, gt_xyxy)
        l1 = F.l1_loss(pred_xyxy, gt_xyxy)
        w = self.loss_weights
        return {"loss_giou": w["giou"] * giou, "loss_l1": w["l1"] * l1,
                "iou": iou.detach().mean()}
