"""The OSTrack network: one-stream ViT backbone (``backbone.*``) + CENTER head (``box_head.*``).

``forward(template, search)`` returns the official output dict: ``pred_boxes`` (B, 1, 4)
``cx, cy, w, h`` normalised to the search crop (no window), ``score_map``, ``size_map``,
``offset_map``, ``attn`` (last block, None unless ``return_last_attn``), ``removed_indexes_s``
(one (B, n) int64 tensor per CE layer) and ``backbone_feat`` (B, Lz + Lx, D).
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import torch
from torch import nn

from .center_head import CenterPredictor
from .vit_ce import VisionTransformerCE

CE_LOC = (3, 6, 9)
CE_KEEP_RATIO = (0.7, 0.7, 0.7)


def template_center_mask(template_grid: int, batch: int = 1, mode: str = "CTR_POINT",
                         device: Optional[torch.device] = None) -> Optional[torch.Tensor]:
    """The ``ce_template_mask`` (B, grid*grid) bool the official tracker builds once.

    ``CTR_POINT``: only the template-centre token, at row = col = ``(grid - 1) // 2`` (3 for the
    8x8 grid of 128 px templates, flat index 27; 5 for 12x12, flat 65). ``ALL``: None (every
    template row counts).
    """
    if mode == "ALL":
        return None
    if mode != "CTR_POINT":
        raise ValueError(f"ce_template_range '{mode}' is not supported at inference "
                         "(the released models use 'CTR_POINT'; 'ALL' is also accepted)")
    c = (template_grid - 1) // 2
    mask = torch.zeros(batch, template_grid, template_grid, dtype=torch.bool, device=device)
    mask[:, c, c] = True
    return mask.flatten(1)


class OSTrack(nn.Module):
    """OSTrack: backbone + CENTER box head."""

    def __init__(self, backbone: VisionTransformerCE, box_head: CenterPredictor):
        super().__init__()
        self.backbone = backbone
        self.box_head = box_head
        self.feat_sz_s = box_head.feat_sz
        self.feat_len_s = box_head.feat_sz ** 2

    def forward(self, template: torch.Tensor, search: torch.Tensor,
                ce_template_mask: Optional[torch.Tensor] = None,
                ce_keep_rate: Optional[float] = None,
                return_last_attn: bool = True) -> Dict[str, object]:
        feat, aux = self.backbone(template, search, ce_template_mask=ce_template_mask,
                                  ce_keep_rate=ce_keep_rate, return_last_attn=return_last_attn)
        out = self.forward_head(feat)
        out.update(aux)
        out["backbone_feat"] = feat
        return out

    def track_step(self, template_tokens: torch.Tensor, search: torch.Tensor,
                   ce_template_mask: Optional[torch.Tensor] = None,
                   ce_keep_rate: Optional[float] = None) -> Dict[str, object]:
        """The tracker's per-frame forward: ``template_tokens`` from
        ``backbone.embed_template`` (computed once per video); only the search outputs of the
        last block are computed. Returns the head outputs and ``removed_indexes_s`` (equal to
        :meth:`forward`'s up to rounding)."""
        feat, aux = self.backbone.encode(template_tokens, self.backbone.embed_search(search),
                                         ce_template_mask, ce_keep_rate, return_last_attn=False,
                                         search_only=True)
        out = self.forward_head(feat)
        out.update(aux)
        return out

    def forward_head(self, feat: torch.Tensor, gt_score_map: Optional[torch.Tensor] = None
                     ) -> Dict[str, torch.Tensor]:
        """Run the head on the last ``feat_len_s`` tokens (search, raster order)."""
        search = feat[:, -self.feat_len_s:]
        B, _, C = search.shape
        fmap = search.transpose(1, 2).reshape(B, C, self.feat_sz_s, self.feat_sz_s)
        score_map, boxes, size_map, offset_map = self.box_head(fmap, gt_score_map)
        return {"pred_boxes": boxes.view(B, 1, 4), "score_map": score_map,
                "size_map": size_map, "offset_map": offset_map}


def build_ostrack(template_size: int = 128, search_size: int = 256, patch_size: int = 16,
                  embed_dim: int = 768, depth: int = 12, num_heads: int = 12,
                  mlp_ratio: float = 4.0, head_channels: int = 256,
                  ce_loc: Sequence[int] = CE_LOC, ce_keep_ratio: Optional[Sequence[float]] = None,
                  drop_path_rate: float = 0.0, fused_attn: bool = True) -> OSTrack:
    """Build an OSTrack network (defaults: ``vitb_256_mae_ce``; ``ce_loc=()`` for no CE).

    ``ce_keep_ratio`` defaults to 0.7 at every CE location (the released models).
    """
    if ce_keep_ratio is None:
        ce_keep_ratio = (CE_KEEP_RATIO[0],) * len(ce_loc)
    backbone = VisionTransformerCE(template_size=template_size, search_size=search_size,
                                   patch_size=patch_size, embed_dim=embed_dim, depth=depth,
                                   num_heads=num_heads, mlp_ratio=mlp_ratio,
                                   drop_path_rate=drop_path_rate, ce_loc=ce_loc,
                                   ce_keep_ratio=ce_keep_ratio, fused_attn=fused_attn)
    head = CenterPredictor(inplanes=embed_dim, channel=head_channels,
                           feat_sz=search_size // patch_size, stride=patch_size)
    return OSTrack(backbone, head)
