"""DMTrack-GlobalSearch network (Zhang et al., "Distractor-Aware Fast Tracking via Dynamic
Convolutions and MOT Philosophy", CVPR 2021; official code https://github.com/hqucv/dmtrack).

A one-shot detector: DLA-34 + DLA-up (stride 8) -> 3-level 256-channel FPN -> an FCOS head whose
towers are wrapped by dynamic 1x1 convs generated once from the first-frame box. The submodule
names are those of the official ``model.state_dict()`` (``backbone``, ``neck``, ``bbox_head``,
``template``, ``controller``, ``cond_modulator``), so ``dmtrackGS.pth`` loads with
``strict=True``; the DLA ImageNet classifier (``backbone.base.fc.*``), which the official model
keeps but never uses, is dropped by name (:data:`DROPPED_KEYS`).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from torch import Tensor, nn

from .dla_up import DLAUpBackbone
from .dynamic_head import CondModulator, Controller, DynamicFCOSHead, DynamicParams, TemplateQuery
from .fpn import FPN

logger = logging.getLogger(__name__)

#: keys of the released checkpoint that the network does not use (DLA-34's ImageNet classifier)
DROPPED_KEYS = ("backbone.base.fc.weight", "backbone.base.fc.bias")
STRIDES = (8, 16, 32)


class DMTrack(nn.Module):
    """DMTrack-GS: ``extract_feat`` -> ``dynamic_params`` (template, once) -> ``head`` (per frame).

    :param head_channels: FPN / tower width (256 in the release; any multiple of 32).
    :param mid_channels: width after the down-sampler, i.e. of the second dynamic conv (32).
    """

    def __init__(self, head_channels: int = 256, mid_channels: int = 32, num_classes: int = 2,
                 stacked_convs: int = 4):
        super().__init__()
        if head_channels % 32:
            raise ValueError(f"head_channels={head_channels} must be a multiple of 32 (GroupNorm)")
        self.strides = STRIDES
        self.backbone = DLAUpBackbone(down_ratio=8)
        self.neck = FPN((128, 256, 512), head_channels)
        self.bbox_head = DynamicFCOSHead(head_channels, mid_channels, num_classes, stacked_convs,
                                         STRIDES)
        self.template = TemplateQuery(head_channels, len(STRIDES), STRIDES)
        self.controller = Controller(head_channels, mid_channels)
        self.cond_modulator = CondModulator(head_channels, mid_channels)

    def extract_feat(self, image: Tensor) -> List[Tensor]:
        """(N, 3, H, W) normalised image (H, W multiples of 32) -> P3, P4, P5."""
        return self.neck(self.backbone(image))

    def dynamic_params(self, feats: Sequence[Tensor], box_xyxy: Tensor) -> List[DynamicParams]:
        """The dynamic weights of every level from one template box (1, 4) in input pixels."""
        queries = self.template(feats, box_xyxy)
        return [self.controller(q) for q in queries]

    def head(self, feats: Sequence[Tensor], params: Sequence[DynamicParams]
             ) -> Tuple[List[Tensor], List[Tensor], List[Tensor]]:
        """Per-level (cls logits, ltrb distances, centerness logits) of a search image."""
        return self.bbox_head(feats, params, self.cond_modulator)

    def forward(self, template: Tensor, template_box: Tensor, search: Tensor
                ) -> Tuple[List[Tensor], List[Tensor], List[Tensor]]:
        """Template image + box (1, 4) and search image -> head outputs (training and tests)."""
        params = self.dynamic_params(self.extract_feat(template), template_box)
        return self.head(self.extract_feat(search), params)


def build_dmtrack(head_channels: int = 256, mid_channels: int = 32) -> DMTrack:
    """The released DMTrack-GS network (``configs/dmtrackGS_dla34_fpn.py``)."""
    return DMTrack(head_channels=head_channels, mid_channels=mid_channels)


def drop_unused_keys(state_dict: Mapping[str, Any]) -> Tuple[Dict[str, Any], List[str]]:
    """Remove :data:`DROPPED_KEYS` (by exact name); returns the rest and the names dropped."""
    dropped = [k for k in DROPPED_KEYS if k in state_dict]
    return {k: v for k, v in state_dict.items() if k not in DROPPED_KEYS}, dropped


def load_dmtrack_weights(network: DMTrack, source) -> List[str]:
    """Load an official checkpoint strictly through ``vot_core.weights``.

    Accepts mmcv's ``{'meta', 'state_dict', 'optimizer'?}`` container (``module.`` prefixes
    stripped) or a flat state_dict. Returns (and logs) the ImageNet classifier keys dropped.
    A checkpoint of another model raises ``WeightsError`` naming its keys and shapes.
    """
    from vot_core.weights import extract_state_dict, load_checkpoint, load_state_dict_strict

    state = extract_state_dict(load_checkpoint(source, map_location="cpu"),
                               keys=("state_dict", "model", "net"))
    state, dropped = drop_unused_keys(state)
    if dropped:
        logger.info("DMTrack: dropped unused checkpoint keys %s (DLA-34 ImageNet classifier)",
                    ", ".join(dropped))
    load_state_dict_strict(network, state, source=str(source))
    return dropped
