"""Geometry shared by all trackers: box formats, IoU, the official crops, windows, mapping
boxes between crops and frames, and input normalisation. Plugins choose options here rather
than re-implementing them (DESIGN.md "Geometry and the official quirks")."""
from .boxes import (
    box_to_crop,
    clip_box,
    clip_box_alpharefine,
    cxcywh_to_xywh,
    cxcywh_to_xyxy,
    four,
    iou,
    is_finite_box,
    map_box_back,
    map_box_back_alpharefine,
    xywh_to_cxcywh,
    xywh_to_xyxy,
    xyxy_to_cxcywh,
    xyxy_to_xywh,
)
from .crop import (
    ALPHAREFINE_CROP,
    OSTRACK_CROP,
    SIMTRACK_CROP,
    CropResult,
    CropStyle,
    crop,
    crop_alpharefine,
    crop_square,
    crop_window,
    map_mask_back,
    simtrack_foveal_window,
    simtrack_template_anno,
    with_options,
)
from .normalize import IMAGENET_MEAN, IMAGENET_STD, imagenet_normalize
from .window import hann1d, hann2d

__all__ = [
    "xywh_to_xyxy", "xyxy_to_xywh", "xywh_to_cxcywh", "cxcywh_to_xywh", "cxcywh_to_xyxy", "xyxy_to_cxcywh",
    "iou", "clip_box", "clip_box_alpharefine", "map_box_back", "map_box_back_alpharefine", "box_to_crop",
    "is_finite_box", "four",
    "CropStyle", "CropResult", "OSTRACK_CROP", "SIMTRACK_CROP", "ALPHAREFINE_CROP", "crop", "crop_square",
    "crop_alpharefine", "crop_window", "map_mask_back", "simtrack_template_anno", "simtrack_foveal_window",
    "with_options",
    "hann1d", "hann2d", "imagenet_normalize", "IMAGENET_MEAN", "IMAGENET_STD",
]
