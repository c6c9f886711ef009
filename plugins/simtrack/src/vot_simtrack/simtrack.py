"""SimTrack network: CLIP ViT backbone -> bottleneck Linear -> STARK corner head.

Paper: "Backbone is All Your Need: A Simplified Architecture for Visual Object Tracking"
(Chen et al., ECCV 2022). Official code: https://github.com/LPXTT/SimTrack
(``lib/models/stark/simtrack.py``). State-dict keys equal the official ones
(``backbone.visual.*``, ``backbone.pos_fc.*``, ``box_head.*``, ``bottleneck.*``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Dict, Optional, Tuple

import torch
from torch import nn

from vot_core import nn_fast

from .clip_vit import SimTrackBackbone
from .corner_head import CornerPredictor


@dataclass(frozen=True)
class SimTrackArch:
    """Architecture hyper-parameters of one SimTrack variant."""

    width: int = 768
    layers: int = 12
    heads: int = 12
    patch_size: int = 16
    pretrain_grid: int = 14
    output_dim: int = 512
    template_size: int = 112
    search_size: int = 224
    foveal_size: int = 64
    hidden_dim: int = 256
    head_dim: int = 256


#: Sim-B/16: CLIP ViT-B/16 visual tower (the released model, ``experiments/simtrack/baseline``).
SIM_B16 = SimTrackArch()


def box_xyxy_to_cxcywh(box: torch.Tensor) -> torch.Tensor:
    x1, y1, x2, y2 = box.unbind(-1)
    return torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], -1)


class SimTrack(nn.Module):
    """The whole tracker network; ``forward`` returns ``pred_boxes`` (B, 1, 4) as normalized
    cx, cy, w, h in search-crop units, plus the two corner score maps."""

    def __init__(self, arch: SimTrackArch = SIM_B16):
        super().__init__()
        self.arch = arch
        self.backbone = SimTrackBackbone(
            width=arch.width, layers=arch.layers, heads=arch.heads, patch_size=arch.patch_size,
            pretrain_grid=arch.pretrain_grid, template_size=arch.template_size,
            search_size=arch.search_size, foveal_size=arch.foveal_size,
            output_dim=arch.output_dim)
        self.feat_size = arch.search_size // arch.patch_size
        self.box_head = CornerPredictor(arch.hidden_dim, arch.head_dim, self.feat_size,
                                        arch.patch_size)
        self.bottleneck = nn.Linear(arch.width, arch.head_dim)

    def head(self, search_features: torch.Tensor) -> Dict[str, torch.Tensor]:
        """(B, s², C) backbone outputs of the search tokens -> boxes and score maps."""
        feat = nn_fast.linear(self.bottleneck, search_features)  # (B, s², hidden)
        B, N, C = feat.shape
        feat = feat.transpose(1, 2).reshape(B, C, self.feat_size, self.feat_size)
        score_tl, score_br = self.box_head.score_maps(feat)
        boxes = box_xyxy_to_cxcywh(self.box_head.decode(score_tl, score_br))
        return {"pred_boxes": boxes.view(B, 1, 4), "score_map_tl": score_tl,
                "score_map_br": score_br}

    def track_step(self, template_tokens: torch.Tensor, foveal_tokens: torch.Tensor,
                   search: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Forward with precomputed template/foveal tokens (the tracker's per-frame call)."""
        features = self.backbone.encode(template_tokens, self.backbone.embed_search(search),
                                        foveal_tokens, search_only=True)
        return self.head(features)

    def forward(self, template: torch.Tensor, search: torch.Tensor,
                template_box: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``template`` (B,3,t,t), ``search`` (B,3,s,s) normalized images; ``template_box``
        (B, 4) normalized x, y, w, h of the target in the template crop."""
        template_tokens, foveal_tokens = self.backbone.embed_template(template, template_box)
        return self.track_step(template_tokens, foveal_tokens, search)


def build_simtrack(arch: Optional[SimTrackArch] = None, **overrides) -> SimTrack:
    """SimTrack with ``arch`` (default Sim-B/16) and keyword overrides of its fields."""
    fields = asdict(arch or SIM_B16)
    unknown = set(overrides) - set(fields)
    if unknown:
        raise TypeError(f"unknown SimTrack architecture keys {sorted(unknown)}; "
                        f"known: {sorted(fields)}")
    fields.update(overrides)
    return SimTrack(SimTrackArch(**fields))


def official_state_dict_shapes(arch: SimTrackArch = SIM_B16) -> Dict[str, Tuple[int, ...]]:
    """Key -> shape of a checkpoint for ``arch`` (built on the meta device, no memory)."""
    with torch.device("meta"):
        model = SimTrack(arch)
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}
