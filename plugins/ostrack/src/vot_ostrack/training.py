"""OSTrack's training model for the core engine: the network plus the paper's losses.

``OSTrackModel`` keeps the network's modules at the top level (``backbone.*``, ``box_head.*``),
so a checkpoint written by ``vot train`` loads into the tracker with the official key names.
Loss = 2 GIoU + 5 L1 (on ``xyxy`` boxes from the arg-max of the predicted score map, ground
truth clamped to [0, 1]) + 1 CenterNet focal loss on the Gaussian centre heatmap. Candidate
elimination warms up as the official ``adjust_keep_rate``: no pruning before ``ce_start_epoch``,
then a cosine from 1 to the keep ratio over ``ce_warm_epochs`` (1-based epochs).
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.model import BaseModel

from vot_core.training.losses import (
    center_heatmap,
    centernet_focal_loss,
    cxcywh_to_xyxy,
    giou_loss,
    xywh_to_xyxy,
)

from .ostrack import OSTrack, build_ostrack, template_center_mask


def ce_keep_rate(epoch: int, start: int, warm: int, base: float) -> float:
    """The official warm-up of candidate elimination for 1-based ``epoch``."""
    if epoch < start:
        return 1.0
    if epoch >= start + warm:
        return base
    return base + (1 - base) * (math.cos((epoch - start) / warm * math.pi) + 1) * 0.5


class OSTrackModel(BaseModel):
    """Trainable OSTrack: ``forward(template, search, template_box, search_box, mode)``."""

    forward_head = OSTrack.forward_head

    def __init__(self, template_size: int = 128, search_size: int = 256, patch_size: int = 16,
                 embed_dim: int = 768, depth: int = 12, num_heads: int = 12,
                 mlp_ratio: float = 4.0, head_channels: int = 256,
                 ce_loc: Sequence[int] = (3, 6, 9), ce_keep_ratio: Optional[Sequence[float]] = None,
                 drop_path_rate: float = 0.1, ce_start_epoch: int = 20, ce_warm_epochs: int = 80,
                 loss_weights: Optional[dict] = None, pretrained: Optional[str] = None):
        super().__init__()
        net = build_ostrack(template_size, search_size, patch_size, embed_dim, depth, num_heads,
                            mlp_ratio, head_channels, ce_loc, ce_keep_ratio, drop_path_rate)
        self.backbone, self.box_head = net.backbone, net.box_head
        self.feat_sz_s, self.feat_len_s = net.feat_sz_s, net.feat_len_s
        self.template_grid = template_size // patch_size
        self.has_ce = bool(ce_loc)
        self.ce_base = float((ce_keep_ratio or [0.7])[0])
        self.ce_start, self.ce_warm = ce_start_epoch, ce_warm_epochs
        self.loss_weights = {"giou": 2.0, "l1": 5.0, "focal": 1.0, **(loss_weights or {})}
        if pretrained:
            self.load_pretrained(pretrained)

    def load_pretrained(self, path: str) -> None:
        """MAE (or any ViT) weights from a local file into the backbone, non-strict as the
        official recipe, then ``pos_embed_z/x`` re-derived from the loaded ``pos_embed``."""
        from vot_core.weights import extract_state_dict, load_checkpoint

        state = extract_state_dict(load_checkpoint(path), keys=("model", "state_dict", "net"))
        own = self.backbone.state_dict()
        usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
        if not usable:
            raise ValueError(f"{path}: no tensor matches the backbone's names and shapes")
        self.backbone.load_state_dict(usable, strict=False)
        self.backbone.derive_track_pos_embed()

    def _keep_rate(self) -> Optional[float]:
        if not self.has_ce or not self.training:
            return None
        epoch = MessageHub.get_current_instance().get_info("epoch", 0) + 1
        return ce_keep_rate(epoch, self.ce_start, self.ce_warm, self.ce_base)

    def network(self, template: torch.Tensor, search: torch.Tensor):
        mask = (template_center_mask(self.template_grid, template.shape[0], device=template.device)
                if self.has_ce else None)
        feat, aux = self.backbone(template, search, ce_template_mask=mask,
                                  ce_keep_rate=self._keep_rate(), return_last_attn=False)
        out = self.forward_head(feat)
        out.update(aux)
        return out

    def forward(self, template, search, template_box=None, search_box=None, mode="loss"):
        out = self.network(template, search)
        if mode != "loss":
            return out
        pred = out["pred_boxes"]
        if torch.isnan(pred).any():
            raise FloatingPointError("OSTrack produced NaN boxes: stop training")
        pred_xyxy = cxcywh_to_xyxy(pred).view(-1, 4)
        gt_xyxy = xywh_to_xyxy(search_box).clamp(0.0, 1.0)
        giou, iou = giou_loss(pred_xyxy, gt_xyxy)
        l1 = F.l1_loss(pred_xyxy, gt_xyxy)
        heatmap = center_heatmap(search_box, self.feat_sz_s)
        focal = centernet_focal_loss(out["score_map"], heatmap)
        w = self.loss_weights
        return {"loss_giou": w["giou"] * giou, "loss_l1": w["l1"] * l1,
                "loss_focal": w["focal"] * focal, "iou": iou.detach().mean()}
