"""Box formats, IoU, clipping and the crop <-> frame box maps of the official trackers.

Formats (last dimension 4): ``xywh`` = top-left corner and size (the runtime contract),
``xyxy`` = corners, ``cxcywh`` = centre and size. Conversions take numpy arrays, torch tensors
or plain sequences (returned as float64 numpy) and keep the input's type and dtype.
"""
from __future__ import annotations

import math
from typing import Any, List, Tuple, Union
from typing import Sequence as Seq

import numpy as np

BoxLike = Any  # numpy array, torch tensor or a 4-sequence


def _is_torch(x) -> bool:
    return type(x).__module__.startswith("torch")


def _as_array(x):
    if _is_torch(x) or isinstance(x, np.ndarray):
        return x
    return np.asarray(x, dtype=np.float64)


def _split(b):
    if b.shape[-1] != 4:
        raise ValueError(f"boxes need a last dimension of 4, got shape {tuple(b.shape)}")
    return b[..., 0], b[..., 1], b[..., 2], b[..., 3]


def _stack(parts, like):
    if _is_torch(like):
        import torch
        return torch.stack(parts, dim=-1)
    return np.stack(parts, axis=-1)


def four(box: Any) -> Tuple[float, float, float, float]:
    """Four Python floats from a Box, list, tuple, numpy array or tensor (one box)."""
    values = box.tolist() if hasattr(box, "tolist") else list(box)
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if values.size != 4:
        raise ValueError(f"a box needs 4 numbers, got {values.size}: {box!r}")
    return tuple(float(v) for v in values)


def xywh_to_xyxy(box: BoxLike):
    """``(x, y, w, h)`` -> ``(x1, y1, x2, y2)``."""
    b = _as_array(box)
    x, y, w, h = _split(b)
    return _stack([x, y, x + w, y + h], b)


def xyxy_to_xywh(box: BoxLike):
    """``(x1, y1, x2, y2)`` -> ``(x, y, w, h)``."""
    b = _as_array(box)
    x1, y1, x2, y2 = _split(b)
    return _stack([x1, y1, x2 - x1, y2 - y1], b)


def xywh_to_cxcywh(box: BoxLike):
    """``(x, y, w, h)`` -> ``(cx, cy, w, h)`` with ``cx = x + 0.5 * w`` (the official order)."""
    b = _as_array(box)
    x, y, w, h = _split(b)
    return _stack([x + 0.5 * w, y + 0.5 * h, w, h], b)


def cxcywh_to_xywh(box: BoxLike):
    """``(cx, cy, w, h)`` -> ``(x, y, w, h)``."""
    b = _as_array(box)
    cx, cy, w, h = _split(b)
    return _stack([cx - 0.5 * w, cy - 0.5 * h, w, h], b)


def cxcywh_to_xyxy(box: BoxLike):
    """``(cx, cy, w, h)`` -> ``(x1, y1, x2, y2)`` (as OSTrack's ``box_cxcywh_to_xyxy``)."""
    b = _as_array(box)
    cx, cy, w, h = _split(b)
    return _stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], b)


def xyxy_to_cxcywh(box: BoxLike):
    """``(x1, y1, x2, y2)`` -> ``(cx, cy, w, h)``."""
    b = _as_array(box)
    x1, y1, x2, y2 = _split(b)
    return _stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], b)


def iou(a: BoxLike, b: BoxLike) -> np.ndarray:
    """Intersection over union of ``xywh`` boxes, broadcast over the leading dimensions.

    Computed in float64 (torch inputs are converted). Boxes with zero union give 0; a row with
    a NaN gives NaN, so an evaluation protocol can decide what a missing box means.
    """
    a = np.asarray(a.detach().cpu().numpy() if _is_torch(a) else a, dtype=np.float64)
    b = np.asarray(b.detach().cpu().numpy() if _is_torch(b) else b, dtype=np.float64)
    ax1, ay1, aw, ah = _split(a)
    bx1, by1, bw, bh = _split(b)
    iw = np.minimum(ax1 + aw, bx1 + bw) - np.maximum(ax1, bx1)
    ih = np.minimum(ay1 + ah, by1 + bh) - np.maximum(ay1, by1)
    inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
    union = np.clip(aw, 0, None) * np.clip(ah, 0, None) + np.clip(bw, 0, None) * np.clip(bh, 0, None) - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)
    nan = np.isnan(a).any(-1) | np.isnan(b).any(-1)
    return np.where(nan, np.nan, out)


def clip_box(box: Seq[float], height: float, width: float, margin: float = 10) -> List[float]:
    """Keep a box inside the frame the way OSTrack/STARK/SimTrack do (``clip_box``).

    ``x1 = min(max(0, x1), W - margin)``, ``x2 = min(max(margin, x1 + w), W)``, same for y;
    then ``w = max(margin, x2 - x1)``, ``h = max(margin, y2 - y1)``. The box may stick out of
    the frame by up to ``margin`` at the right/bottom, as in the official code.
    """
    x1, y1, w, h = four(box)
    x2, y2 = x1 + w, y1 + h
    x1 = min(max(0, x1), width - margin)
    x2 = min(max(margin, x2), width)
    y1 = min(max(0, y1), height - margin)
    y2 = min(max(margin, y2), height)
    return [float(x1), float(y1), float(max(margin, x2 - x1)), float(max(margin, y2 - y1))]


def clip_box_alpharefine(box: Seq[float], height: float, width: float, min_size: float = 10) -> List[float]:
    """Alpha-Refine's ``bbox_clip`` on an ``xywh`` box: corners clamped, size not re-floored.

    ``x1 = max(0, min(x1, W - min_size))``, ``x2 = max(min_size, min(x2, W))`` (same for y),
    returned as ``(x1, y1, x2 - x1, y2 - y1)``. Differs from :func:`clip_box` in the order of
    min/max (a frame narrower than ``min_size`` gives x1 = 0) and in not enforcing w >= min_size.
    """
    x1, y1, w, h = four(box)
    x2, y2 = x1 + w, y1 + h
    nx1 = max(0, min(x1, width - min_size))
    ny1 = max(0, min(y1, height - min_size))
    nx2 = max(min_size, min(x2, width))
    ny2 = max(min_size, min(y2, height))
    return [float(nx1), float(ny1), float(nx2 - nx1), float(ny2 - ny1)]


def map_box_back(box_cxcywh: BoxLike, prev_box: Seq[float], crop_size: float):
    """Map a ``(cx, cy, w, h)`` box measured from the crop origin (in frame-scale pixels) to
    an ``xywh`` box in the frame (OSTrack/STARK/SimTrack ``map_box_back``).

    The crop is assumed centred on the **unrounded** centre of ``prev_box`` with side
    ``crop_size``, ignoring the rounding of the real crop origin, as the official code does.
    Pass ``crop_size = output_size / resize_factor`` (``CropResult.crop_extent``) to match the
    official ``0.5 * search_size / resize_factor`` bit for bit. A list in gives a list of floats
    out (Python double arithmetic); an array or tensor ``(..., 4)`` is mapped row-wise.
    """
    px, py, pw, ph = four(prev_box)
    cx_prev, cy_prev = px + 0.5 * pw, py + 0.5 * ph
    half = 0.5 * crop_size
    if isinstance(box_cxcywh, (list, tuple)):
        cx, cy, w, h = four(box_cxcywh)
        cx_real = cx + (cx_prev - half)
        cy_real = cy + (cy_prev - half)
        return [cx_real - 0.5 * w, cy_real - 0.5 * h, w, h]
    b = box_cxcywh
    cx, cy, w, h = _split(b)
    cx_real = cx + (cx_prev - half)
    cy_real = cy + (cy_prev - half)
    return _stack([cx_real - 0.5 * w, cy_real - 0.5 * h, w, h], b)


def map_box_back_alpharefine(box_in_crop: Seq[float], base_box: Seq[float], factor: float,
                             resize_factor_xy: Tuple[float, float]) -> np.ndarray:
    """Alpha-Refine's ``bbox_back``: a crop-pixel ``xywh`` box -> frame ``xywh`` (float64).

    The crop origin is taken as ``x_o - (factor - 1) / 2 * w_o`` (ignoring the ceil/round used
    to cut it, up to ~1 px off, as in the official code); sizes are divided by the per-axis
    resize factors ``(w_f, h_f)``.
    """
    x1_c, y1_c, w_c, h_c = four(box_in_crop)
    x_o, y_o, w_o, h_o = four(base_box)
    w_f, h_f = (float(v) for v in resize_factor_xy)
    origin_x = x_o - (factor - 1) / 2 * w_o
    origin_y = y_o - (factor - 1) / 2 * h_o
    return np.array([origin_x + x1_c / w_f, origin_y + y1_c / h_f, w_c / w_f, h_c / h_f])


def box_to_crop(box: BoxLike, crop_center_box: BoxLike, resize_factor: Union[float, Tuple[float, float]],
                output_size: Union[int, Tuple[int, int]], normalize: bool = False, clamp: bool = False):
    """Map a frame ``xywh`` box into a crop taken around ``crop_center_box`` (training labels).

    The official ``transform_image_to_crop``: the crop centre sits at ``(output_size - 1) / 2``
    and ``centre_out = (out - 1) / 2 + (centre_in - centre_extract) * resize_factor``.
    ``resize_factor`` may be ``(f_x, f_y)`` for non-square crops (Alpha-Refine's ``_SE``
    variant); ``clamp=True`` clamps the corners to ``[0, out]`` as Alpha-Refine does;
    ``normalize=True`` divides by the output width (OSTrack/STARK). Works on numpy or torch.
    """
    b = _as_array(box)
    e = _as_array(crop_center_box)
    fx, fy = (resize_factor, resize_factor) if np.isscalar(resize_factor) else resize_factor
    ow, oh = (output_size, output_size) if np.isscalar(output_size) else output_size
    bx, by, bw, bh = _split(b)
    ex, ey, ew, eh = _split(e)
    cx = (ow - 1) / 2 + ((bx + 0.5 * bw) - (ex + 0.5 * ew)) * fx
    cy = (oh - 1) / 2 + ((by + 0.5 * bh) - (ey + 0.5 * eh)) * fy
    w_out, h_out = bw * fx, bh * fy
    x1, y1 = cx - 0.5 * w_out, cy - 0.5 * h_out
    if clamp:
        x2, y2 = cx + 0.5 * w_out, cy + 0.5 * h_out
        if _is_torch(b):
            x1, y1, x2, y2 = x1.clamp(0, ow), y1.clamp(0, oh), x2.clamp(0, ow), y2.clamp(0, oh)
        else:
            x1, y1, x2, y2 = (np.clip(v, 0, lim) for v, lim in ((x1, ow), (y1, oh), (x2, ow), (y2, oh)))
        w_out, h_out = x2 - x1, y2 - y1
    out = _stack([x1, y1, w_out, h_out], b)
    return out / ow if normalize else out


def is_finite_box(box: Seq[float]) -> bool:
    """True when all four numbers are finite and the size is positive."""
    vals = four(box)
    return all(math.isfinite(v) for v in vals) and vals[2] > 0 and vals[3] > 0
