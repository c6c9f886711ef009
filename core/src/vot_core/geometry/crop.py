"""One crop implementation for every official tracker, with their quirks as named options.

The reference is pytracking's ``sample_target`` as modified by STARK/OSTrack/SimTrack and
Alpha-Refine's ``sample_target_SE``:

1. crop size ``ceil(sqrt(w*h) * factor)`` (square) or ``ceil(factor*w) x ceil(factor*h)``;
2. origin ``round(x + 0.5*w - 0.5*crop)`` with Python's round (half to even);
3. padding ``x2_pad = max(x2 - W + 1, 0)``: when the crop reaches the right (bottom) edge the
   last image column (row) is *not* copied and a padded one takes its place;
4. ``cv2.copyMakeBorder`` (black by default) and ``cv2.resize`` (INTER_LINEAR on uint8).

OpenCV does the padding and resizing so results are bit-identical to the official code.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Optional, Tuple, Union
from typing import Sequence as Seq

import cv2
import numpy as np

from .boxes import four

Size = Union[int, Tuple[int, int]]


@dataclass(frozen=True)
class CropStyle:
    """How to cut a crop. The defaults are OSTrack/STARK's ``sample_target``.

    :param square: ``True``: side ``ceil(sqrt(w*h)*factor)``; ``False``: ``ceil(factor*w)`` by
        ``ceil(factor*h)`` (Alpha-Refine).
    :param rounding: crop origin rounding: ``"half_even"`` (Python ``round``), ``"floor"``.
    :param padding: ``"constant"`` (``pad_value``), ``"mean"`` (per-channel frame mean, as
        SiamFC-style trackers) or ``"replicate"`` (pytracking's original).
    :param pad_value: the constant for ``padding="constant"`` (0 = black).
    :param drop_last: the official ``x2_pad = max(x2 - W + 1, 0)`` off-by-one (drops the last
        column/row when the crop touches the right/bottom edge); ``False`` gives ``x2 - W``.
    :param interpolation: an OpenCV interpolation flag for the resize.
    """

    square: bool = True
    rounding: str = "half_even"
    padding: str = "constant"
    pad_value: float = 0.0
    drop_last: bool = True
    interpolation: int = cv2.INTER_LINEAR

    def __post_init__(self):
        if self.rounding not in ("half_even", "floor"):
            raise ValueError(f"unknown rounding '{self.rounding}' (half_even, floor)")
        if self.padding not in ("constant", "mean", "replicate"):
            raise ValueError(f"unknown padding '{self.padding}' (constant, mean, replicate)")


#: OSTrack / STARK ``sample_target`` (train and test).
OSTRACK_CROP = CropStyle()
#: SimTrack uses STARK's ``sample_target`` unchanged (its template box and foveal window are
#: in :func:`simtrack_template_anno` and :func:`simtrack_foveal_window`).
SIMTRACK_CROP = CropStyle()
#: Alpha-Refine ``sample_target_SE(..., mode=cv2.BORDER_CONSTANT)``: non-square, black padding.
ALPHAREFINE_CROP = CropStyle(square=False)


@dataclass
class CropResult:
    """A crop and what is needed to map boxes between it and the frame.

    :ivar image: the resized crop, uint8, ``(out_h, out_w[, C])``.
    :ivar resize_factor: ``output_w / crop_w`` (the official ``resize_factor``; for a
        non-square crop this is the x factor, see ``resize_factor_xy``).
    :ivar resize_factor_xy: ``(output_w / crop_w, output_h / crop_h)``.
    :ivar crop_box: the crop window in the frame ``(x1, y1, crop_w, crop_h)`` (integers; may
        extend outside the frame).
    :ivar pad: padding added ``(left, top, right, bottom)`` in frame pixels, including the
        official right/bottom drop.
    :ivar output_size: ``(out_w, out_h)``.
    :ivar padded_shape: ``(rows, cols)`` of the padded crop before resizing (the crop size,
        except for a crop wholly above/left of the frame, where the official slicing wraps).
    """

    image: np.ndarray
    resize_factor: float
    resize_factor_xy: Tuple[float, float]
    crop_box: Tuple[int, int, int, int]
    pad: Tuple[int, int, int, int]
    output_size: Tuple[int, int]
    padded_shape: Tuple[int, int] = (0, 0)
    interpolation: int = field(default=cv2.INTER_LINEAR, repr=False)

    @property
    def crop_extent(self) -> float:
        """``output_w / resize_factor``: the crop side as the official map-back computes it."""
        return self.output_size[0] / self.resize_factor

    def padding_mask(self) -> np.ndarray:
        """Bool ``(out_h, out_w)`` mask, True on padded pixels (the official ``att_mask``:
        float64 ones, zero on copied pixels, resized with the crop's interpolation, != 0)."""
        ph, pw = self.padded_shape
        left, top, right, bottom = self.pad
        mask = np.ones((ph, pw), dtype=np.float64)
        if ph - top - bottom > 0 and pw - left - right > 0:  # else no frame pixel was copied
            mask[top:ph - bottom, left:pw - right] = 0
        if (pw, ph) != self.output_size:
            mask = cv2.resize(mask, self.output_size, interpolation=self.interpolation)
        return mask.astype(bool)


def _as_size(size: Size) -> Tuple[int, int]:
    if isinstance(size, (int, np.integer)):
        return int(size), int(size)
    w, h = size
    return int(w), int(h)


def _round(v: float, rounding: str) -> int:
    return int(round(v)) if rounding == "half_even" else int(math.floor(v))


def crop_window(box: Seq[float], factor: float, style: CropStyle = OSTRACK_CROP) -> Tuple[int, int, int, int]:
    """The integer crop window ``(x1, y1, crop_w, crop_h)`` for ``box`` (xywh), before padding.

    Raises ``ValueError`` when the crop would be smaller than one pixel (the official code
    raises ``Exception('Too small bounding box.')``).
    """
    x, y, w, h = four(box)
    if style.square:
        area = w * h
        if not (area > 0 and math.isfinite(area)):
            raise ValueError(f"cannot crop around box {[x, y, w, h]}: width and height must be > 0")
        cw = ch = math.ceil(math.sqrt(area) * factor)
    else:
        if not (w > 0 and h > 0 and math.isfinite(w * h)):
            raise ValueError(f"cannot crop around box {[x, y, w, h]}: width and height must be > 0")
        cw, ch = math.ceil(factor * w), math.ceil(factor * h)
    if cw < 1 or ch < 1:
        raise ValueError(f"box {[x, y, w, h]} is too small: the crop would be {cw}x{ch} pixels")
    x1 = _round(x + 0.5 * w - cw * 0.5, style.rounding)
    y1 = _round(y + 0.5 * h - ch * 0.5, style.rounding)
    return x1, y1, int(cw), int(ch)


def _border(frame: np.ndarray, style: CropStyle):
    if style.padding == "replicate":
        return cv2.BORDER_REPLICATE, None
    if style.padding == "mean":
        mean = frame.reshape(-1, frame.shape[2] if frame.ndim == 3 else 1).mean(0)
        values = [float(v) for v in mean][:4]
        return cv2.BORDER_CONSTANT, tuple(values + [0.0] * (4 - len(values)))
    return cv2.BORDER_CONSTANT, (style.pad_value,) * 4


def crop(frame: np.ndarray, box: Seq[float], factor: float, output_size: Optional[Size],
         style: CropStyle = OSTRACK_CROP) -> CropResult:
    """Cut the crop of ``factor`` times ``box`` around its centre and resize it to ``output_size``.

    ``frame`` is ``H x W`` or ``H x W x C`` (uint8); ``output_size`` is an int, ``(w, h)`` or
    ``None`` (no resize; factor 1.0). See :class:`CropStyle` for the options.
    """
    if frame.ndim not in (2, 3):
        raise ValueError(f"frame must be HxW or HxWxC, got shape {frame.shape}")
    H, W = frame.shape[:2]
    x1, y1, cw, ch = crop_window(box, factor, style)
    x2, y2 = x1 + cw, y1 + ch
    extra = 1 if style.drop_last else 0
    left, top = max(0, -x1), max(0, -y1)
    right, bottom = max(x2 - W + extra, 0), max(y2 - H + extra, 0)
    # Plain slicing as in the official code: for a crop wholly above/left of the frame the
    # negative end index wraps around, and the result is kept identical to theirs.
    patch = frame[y1 + top:y2 - bottom, x1 + left:x2 - right]
    if left or top or right or bottom:
        border, value = _border(frame, style)
        if patch.size == 0:  # wholly right of/below the frame (where OpenCV would raise)
            patch = _pad_empty(ch, cw, frame, style)
        elif value is None:
            patch = cv2.copyMakeBorder(patch, top, bottom, left, right, border)
        else:
            patch = cv2.copyMakeBorder(patch, top, bottom, left, right, border, value=value)
    padded_shape = patch.shape[:2]
    if output_size is None:
        out = (padded_shape[1], padded_shape[0])
        image = np.ascontiguousarray(patch)
        factors = (1.0, 1.0)
    else:
        out = _as_size(output_size)
        image = cv2.resize(patch, out, interpolation=style.interpolation)
        factors = (out[0] / cw, out[1] / ch)
    if frame.ndim == 3 and image.ndim == 2:  # OpenCV drops a single channel axis
        image = image[:, :, None]
    return CropResult(image=image, resize_factor=factors[0], resize_factor_xy=factors,
                      crop_box=(x1, y1, cw, ch), pad=(left, top, right, bottom), output_size=out,
                      padded_shape=padded_shape, interpolation=style.interpolation)


def _pad_empty(ch: int, cw: int, frame: np.ndarray, style: CropStyle) -> np.ndarray:
    """A crop with no frame pixels: fill with the padding value (replicate has nothing to copy
    from, so it falls back to black, where OpenCV would raise)."""
    _, value = _border(frame, style)
    shape = (ch, cw) + frame.shape[2:]
    if value is None:
        return np.zeros(shape, dtype=frame.dtype)
    fill = np.asarray(value[:frame.shape[2] if frame.ndim == 3 else 1], dtype=np.float64)
    return np.broadcast_to(np.clip(np.rint(fill), 0, 255).astype(frame.dtype).reshape(
        (1, 1) + frame.shape[2:]), shape).copy()


def crop_square(frame: np.ndarray, box: Seq[float], factor: float, output_size: Optional[int],
                style: CropStyle = OSTRACK_CROP) -> CropResult:
    """OSTrack/STARK/SimTrack ``sample_target``: a square crop of side ``ceil(sqrt(w*h)*factor)``."""
    if not style.square:
        raise ValueError("crop_square needs a square CropStyle; use crop() for non-square styles")
    return crop(frame, box, factor, output_size, style)


def crop_alpharefine(frame: np.ndarray, box: Seq[float], factor: float = 2.0, output_size: Size = 256,
                     style: CropStyle = ALPHAREFINE_CROP) -> CropResult:
    """Alpha-Refine ``sample_target_SE``: a ``ceil(2w) x ceil(2h)`` crop stretched to a square
    ``output_size`` (so the target becomes about half the crop on both axes)."""
    return crop(frame, box, factor, output_size, style)


def map_mask_back(mask: np.ndarray, frame_shape: Tuple[int, ...], box: Seq[float], factor: float = 2.0,
                  style: CropStyle = ALPHAREFINE_CROP) -> np.ndarray:
    """Paste a crop-sized mask back into a zero ``(H, W)`` float64 canvas (Alpha-Refine's
    ``map_mask_back``): resize it to the crop window with ``cv2.resize`` and place it there."""
    H, W = frame_shape[:2]
    x1, y1, cw, ch = crop_window(box, factor, style)
    resized = cv2.resize(mask, (cw, ch), interpolation=style.interpolation)
    canvas = np.zeros((H, W), dtype=np.float64)
    fx1, fy1, fx2, fy2 = max(x1, 0), max(y1, 0), min(x1 + cw, W), min(y1 + ch, H)
    if fx2 > fx1 and fy2 > fy1:
        canvas[fy1:fy2, fx1:fx2] = resized[fy1 - y1:fy2 - y1, fx1 - x1:fx2 - x1]
    return canvas


def simtrack_template_anno(box: Seq[float], resize_factor: float, template_size: int = 112,
                           dtype=np.float64) -> np.ndarray:
    """SimTrack's template box for ``pos_fc``: normalised ``(x1, y1, w, h)`` in the template crop.

    As the official tracker computes it: sizes ``(w, h) * resize_factor``, corners
    ``int(template_size / 2 - size / 2)`` (truncated toward zero; centre ``size/2``, not
    ``(size - 1)/2``), all divided by ``template_size``. The official dtype follows the box's
    elements: float64 when the init box comes from numpy ground truth (its evaluation
    loader), float32 for plain Python floats; pass ``dtype`` accordingly.
    """
    size = np.asarray(four(box)[2:], dtype=dtype) * dtype(resize_factor)
    half = template_size / 2
    corner = [int(half - s / 2) for s in size]
    anno = np.asarray([corner[0], corner[1], size[0], size[1]], dtype=dtype)
    return anno / dtype(template_size)


def simtrack_foveal_window(template_size: int = 112, foveal_size: int = 64, patch: int = 16):
    """SimTrack's foveal crop of the template: ``(start, end, shifted)`` in template pixels.

    ``shifted = (template_size - foveal_size) % (2 * foveal_size) == 0``. Unshifted (the
    released model: 112 / 64), the central ``foveal_size`` pixels
    ``[(tokens - ftokens) * patch / 2, ... + foveal_size)`` are cropped (24..88), which straddles
    the template patch grid by half a patch. Shifted, the template moves up-left by
    ``patch / 2`` and the central ``foveal_size // patch`` tokens are kept.
    """
    shifted = (template_size - foveal_size) % (2 * foveal_size) == 0
    tokens, ftokens = template_size // patch, foveal_size // patch
    start = int((tokens - ftokens) * patch / 2)
    return start, start + foveal_size, shifted


def with_options(style: CropStyle, **changes) -> CropStyle:
    """A copy of ``style`` with some options changed (``dataclasses.replace``)."""
    return replace(style, **changes)
