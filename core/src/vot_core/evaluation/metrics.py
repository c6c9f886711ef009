"""Float64 building blocks of the tracking metrics, each in the exact arithmetic of a toolkit.

The official toolkits compute the "same" quantity in different ways (``x + w - 1`` pixel
boxes, clipped boxes, rounded boxes, ``>`` or ``>=``, a 21-point mean or a trapezoid). The
protocols in :mod:`vot_core.evaluation.protocols` combine these functions; each function here
keeps the operation order of the code it names, so results agree to the last bit in float64.
All inputs are ``(N, 4)`` arrays of ``x, y, w, h`` boxes; nothing is modified in place.
"""
from __future__ import annotations

import math
from typing import Optional, Tuple
from typing import Sequence as Seq

import numpy as np

#: MATLAB's ``eps`` (the LaSOT/OTB toolkits divide by ``len + eps``)
EPS = float(np.finfo(np.float64).eps)


def as_boxes(boxes, what: str = "boxes") -> np.ndarray:
    """``(N, 4)`` float64 copy of ``boxes``; a wrong shape names ``what``."""
    arr = np.array(boxes, dtype=np.float64, copy=True)
    if arr.ndim == 1 and arr.size == 4:
        arr = arr.reshape(1, 4)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"{what} must be an (N, 4) array of x, y, w, h boxes, got shape {arr.shape}")
    return arr


def matlab_colon(start: float, step: float, stop: float) -> np.ndarray:
    """MATLAB's ``start:step:stop``: the first half counted up from ``start``, the second half
    down from ``stop`` and an even count's middle value ``(start + stop) / 2`` (so ``0:0.05:1``
    differs from ``np.linspace(0, 1, 21)`` in the last bit of some thresholds)."""
    tol = 2.0 * EPS * max(abs(start), abs(stop))
    n = int(math.floor((stop - start) / step + tol))
    out = np.empty(n + 1, dtype=np.float64)
    for k in range(n // 2 + 1):
        out[k] = start + k * step
        out[n - k] = stop - k * step
    if n % 2 == 0:
        out[n // 2] = (start + stop) / 2
    return out


# --- overlaps --------------------------------------------------------------------------------
def iou_pixel(a, b) -> np.ndarray:
    """IoU in the inclusive-pixel form of the LaSOT/OTB MATLAB ``calc_rect_int`` and pytracking's
    ``calc_iou_overlap`` (``right = x + w - 1``, ``inter = min(r) - max(l) + 1``); the -1/+1
    cancel algebraically but not always in the last bit. Zero union gives NaN (0/0)."""
    a, b = as_boxes(a), as_boxes(b)
    right_a, bottom_a = a[:, 0] + a[:, 2] - 1, a[:, 1] + a[:, 3] - 1
    right_b, bottom_b = b[:, 0] + b[:, 2] - 1, b[:, 1] + b[:, 3] - 1
    iw = np.maximum(0.0, np.minimum(right_a, right_b) - np.maximum(a[:, 0], b[:, 0]) + 1)
    ih = np.maximum(0.0, np.minimum(bottom_a, bottom_b) - np.maximum(a[:, 1], b[:, 1]) + 1)
    inter = iw * ih
    with np.errstate(invalid="ignore", divide="ignore"):
        return inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter)


def iou_continuous(a, b, eps: float = 0.0) -> np.ndarray:
    """IoU of continuous boxes (``x2 = x + w``) as the got10k toolkit's ``rect_iou``: the union
    gets ``eps`` added and the result is clipped to [0, 1]."""
    a, b = as_boxes(a), as_boxes(b)
    iw = np.maximum(np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0)
    ih = np.maximum(np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0)
    inter = iw * ih
    union = a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.clip(inter / (union + eps), 0.0, 1.0)


def clip_to_image(boxes, width: float, height: float) -> np.ndarray:
    """Clip boxes to ``[0, width] x [0, height]`` as got10k's ``rect_iou(..., bound=...)`` does
    (without its in-place mutation of the caller's array)."""
    out = as_boxes(boxes)
    out[:, 0] = np.clip(out[:, 0], 0, width)
    out[:, 1] = np.clip(out[:, 1], 0, height)
    out[:, 2] = np.clip(out[:, 2], 0, width - out[:, 0])
    out[:, 3] = np.clip(out[:, 3], 0, height - out[:, 1])
    return out


def iou_got10k(pred, gt, resolution: Optional[Tuple[float, float]]) -> np.ndarray:
    """GOT-10k overlap: both boxes clipped to the image ``(width, height)``, continuous IoU with
    the float ``eps`` in the denominator, clipped to [0, 1]."""
    if resolution is not None:
        pred, gt = clip_to_image(pred, *resolution), clip_to_image(gt, *resolution)
    return iou_continuous(pred, gt, eps=EPS)


def iou_trackingnet(pred_rounded, gt_rounded) -> np.ndarray:
    """TrackingNet devkit overlap on already ``np.round``-ed boxes: inclusive corners and the
    intersection side rounded again and clipped at 0 (``metrics.py``)."""
    p, g = as_boxes(pred_rounded), as_boxes(gt_rounded)
    g_x2, g_y2 = g[:, 0] + g[:, 2] - 1.0, g[:, 1] + g[:, 3] - 1.0
    p_x2, p_y2 = p[:, 0] + p[:, 2] - 1.0, p[:, 1] + p[:, 3] - 1.0
    iw = np.clip(np.round(np.minimum(g_x2, p_x2) - np.maximum(g[:, 0], p[:, 0]) + 1), 0, None)
    ih = np.clip(np.round(np.minimum(g_y2, p_y2) - np.maximum(g[:, 1], p[:, 1]) + 1), 0, None)
    inter = iw * ih
    with np.errstate(invalid="ignore", divide="ignore"):
        return inter / (g[:, 2] * g[:, 3] + p[:, 3] * p[:, 2] - inter)


# --- centre errors ---------------------------------------------------------------------------
def centers_pixel(boxes) -> np.ndarray:
    """Box centres ``x + (w - 1) / 2`` (OTB/LaSOT/pytracking/got10k; the -1 cancels in errors)."""
    b = as_boxes(boxes)
    return np.stack([b[:, 0] + (b[:, 2] - 1) / 2, b[:, 1] + (b[:, 3] - 1) / 2], axis=1)


def center_error(pred, gt, normalized: bool = False) -> np.ndarray:
    """Euclidean centre distance; ``normalized`` divides both centres by the ground-truth
    ``w, h`` first (LaSOT's ``norm_dst`` and pytracking's order of operations)."""
    gt = as_boxes(gt)
    c_pred, c_gt = centers_pixel(pred), centers_pixel(gt)
    with np.errstate(invalid="ignore", divide="ignore"):  # zero-size GT: the protocol decides
        if normalized:
            c_pred, c_gt = c_pred / gt[:, 2:], c_gt / gt[:, 2:]
        d = c_pred - c_gt
        return np.sqrt(d[:, 0] ** 2 + d[:, 1] ** 2)


def center_error_trackingnet(pred_rounded, gt_rounded) -> Tuple[np.ndarray, np.ndarray]:
    """TrackingNet devkit distances on rounded boxes, centres ``x + (w + 1) / 2``: the pixel
    distance and the distance normalized by the ground-truth size, in its operation order."""
    p, g = as_boxes(pred_rounded), as_boxes(gt_rounded)
    dx = (g[:, 0] + (g[:, 2] + 1.0) / 2.0) - (p[:, 0] + (p[:, 2] + 1.0) / 2.0)
    dy = (g[:, 1] + (g[:, 3] + 1.0) / 2.0) - (p[:, 1] + (p[:, 3] + 1.0) / 2.0)
    dist = np.sqrt(dx * dx + dy * dy)
    with np.errstate(invalid="ignore", divide="ignore"):
        ndist = np.sqrt(dx / g[:, 2] * dx / g[:, 2] + dy / g[:, 3] * dy / g[:, 3])
    return dist, ndist


# --- curves and scores -----------------------------------------------------------------------
def success_curve(overlaps, thresholds: Seq[float], denominator: Optional[float] = None,
                  inclusive: bool = False) -> np.ndarray:
    """Fraction of frames whose overlap is ``> t`` (``>= t`` when ``inclusive``, TrackingNet) for
    each threshold; ``denominator`` defaults to the number of overlaps. NaN never succeeds."""
    o = np.asarray(overlaps, dtype=np.float64).reshape(-1, 1)
    t = np.asarray(thresholds, dtype=np.float64).reshape(1, -1)
    hits = (o >= t) if inclusive else (o > t)
    den = float(len(o) if denominator is None else denominator)
    return hits.sum(0) / den


def precision_curve(errors, thresholds: Seq[float], denominator: Optional[float] = None) -> np.ndarray:
    """Fraction of frames whose centre error is ``<= t`` for each threshold (every toolkit)."""
    e = np.asarray(errors, dtype=np.float64).reshape(-1, 1)
    t = np.asarray(thresholds, dtype=np.float64).reshape(1, -1)
    den = float(len(e) if denominator is None else denominator)
    return (e <= t).sum(0) / den


def auc_mean(curve) -> float:
    """Success "AUC" as every OPE toolkit but TrackingNet defines it: the mean of the curve."""
    return float(np.mean(np.asarray(curve, dtype=np.float64)))


def auc_trapezoid(curve, x=None) -> float:
    """Trapezoid integral of ``curve`` over ``x`` (default ``linspace(0, 1, len)``), TrackingNet's
    AUC. ``(21 * mean - (f0 + f20) / 2) / 20`` for 21 points."""
    y = np.asarray(curve, dtype=np.float64)
    x = np.linspace(0, 1, len(y)) if x is None else np.asarray(x, dtype=np.float64)
    return float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2.0))


def pooled_overlap_scores(overlaps, thresholds: Seq[float] = (0.5, 0.75)) -> Tuple[float, list]:
    """GOT-10k scores over frames pooled from all sequences: ``AO = mean(iou)`` and
    ``SR_t = mean(iou > t)`` (strict)."""
    o = np.asarray(overlaps, dtype=np.float64)
    if o.size == 0:
        return float("nan"), [float("nan") for _ in thresholds]
    return float(np.mean(o)), [float(np.mean(o > t)) for t in thresholds]


def frames_per_second(times, mode: str = "mean_inverse") -> float:
    """Speed from per-frame seconds: ``mean(1 / t)`` over valid ``t > 0`` (got10k) or
    ``frames / total time`` (``mode='total'``); -1 when no valid time exists (got10k)."""
    t = np.asarray(times, dtype=np.float64).reshape(-1)
    t = t[np.isfinite(t) & (t > 0)]
    if t.size == 0:
        return -1.0
    return float(np.mean(1.0 / t)) if mode == "mean_inverse" else float(t.size / t.sum())
