"""NCC baseline: normalised cross-correlation template matching with a scale search.

The reference example of a tracker plugin (registered by core's built-in plugin exactly as a
third-party plugin registers its own) and a real, network-free baseline for benchmark tables.

Per frame: for each scale ``k`` the search window (``search_factor`` times the target, centred
on the last position) is resampled so that a target of ``k`` times the current size has the
template's size; ``cv2.matchTemplate(TM_CCOEFF_NORMED)`` scores every position; the best
response (optionally blended with a Hann window as a motion prior, non-unit scales slightly
penalised) gives the new centre, refined to sub-pixel by a parabola fit, and the size follows
the best scale at rate ``scale_lr``. Large targets are matched at a reduced resolution
(longest template side ``template_size``), so the cost does not grow with the target.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

import cv2
import numpy as np

from ..params import params_from
from ..structures import Box, Prediction
from ..tracker import BaseTracker


@dataclass(frozen=True)
class NCCParams:
    """All parameters of :class:`NCCTracker`, with their defaults (the only place they live)."""

    #: side of the search window relative to the target's side
    search_factor: float = 2.5
    #: relative sizes tried each frame
    scales: Tuple[float, ...] = (0.96, 1.0, 1.04)
    #: multiplies the response of every scale other than 1 (prefers keeping the size)
    scale_penalty: float = 0.985
    #: how fast the size follows the best scale (0: fixed size, 1: jump to it)
    scale_lr: float = 0.6
    #: weight of a Hann window over the response map (0: no motion prior)
    window_influence: float = 0.1
    #: longest template side in working pixels; larger targets are matched downscaled
    template_size: int = 48
    #: template update rate (0: keep the first frame's template)
    template_lr: float = 0.0
    #: update the template only when the response is at least this
    update_threshold: float = 0.8
    #: match on RGB (True) or on grayscale (False, faster)
    color: bool = True
    #: smallest box side in pixels
    min_size: float = 4.0

    def __post_init__(self):
        object.__setattr__(self, "scales", tuple(float(s) for s in self.scales))
        checks = [
            (self.search_factor > 1.0, "search_factor must be > 1"),
            (len(self.scales) > 0 and all(s > 0 for s in self.scales), "scales must be > 0"),
            (0 < self.scale_penalty <= 1, "scale_penalty must be in (0, 1]"),
            (0 <= self.scale_lr <= 1, "scale_lr must be in [0, 1]"),
            (0 <= self.window_influence < 1, "window_influence must be in [0, 1)"),
            (self.template_size >= 8, "template_size must be >= 8"),
            (0 <= self.template_lr <= 1, "template_lr must be in [0, 1]"),
            (self.min_size > 0, "min_size must be > 0"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(f"NCCTracker: {message}")

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> NCCParams:
        """Build from keyword arguments; an unknown key raises ``TypeError`` naming it."""
        return params_from(cls, kwargs, "NCCTracker")


def _sample(image: np.ndarray, center: Tuple[float, float], size: Tuple[float, float],
            out_size: Tuple[int, int]) -> np.ndarray:
    """Resample the region of ``size`` (w, h) centred on ``center`` (frame units, pixel ``i``
    covering ``[i, i+1)``) to ``out_size`` (w, h); outside the frame the border is replicated.

    Strong downscaling first averages (``INTER_AREA``) a crop, so small templates do not alias.
    """
    out_w, out_h = out_size
    sx, sy = out_w / size[0], out_h / size[1]
    x0 = center[0] - size[0] / 2.0
    y0 = center[1] - size[1] / 2.0
    src = image
    if min(sx, sy) < 0.75:
        H, W = image.shape[:2]
        ix0 = int(np.clip(math.floor(x0) - 1, 0, W - 1))
        iy0 = int(np.clip(math.floor(y0) - 1, 0, H - 1))
        ix1 = int(np.clip(math.ceil(x0 + size[0]) + 1, ix0 + 1, W))
        iy1 = int(np.clip(math.ceil(y0 + size[1]) + 1, iy0 + 1, H))
        crop = image[iy0:iy1, ix0:ix1]
        pre = max(min(sx, sy) * 1.25, 1e-3)
        pw = max(1, int(round((ix1 - ix0) * pre)))
        ph = max(1, int(round((iy1 - iy0) * pre)))
        src = cv2.resize(crop, (pw, ph), interpolation=cv2.INTER_AREA)
        fx, fy = pw / (ix1 - ix0), ph / (iy1 - iy0)
        # continuous frame coordinates -> continuous coordinates of the pre-scaled crop
        x0, y0 = (x0 - ix0) * fx, (y0 - iy0) * fy
        sx, sy = sx / fx, sy / fy
    # continuous: u = sx * (X - x0); pixel indices (centres at i + 0.5): u_i = sx*X_i + sx/2 - sx*x0 - 1/2
    matrix = np.array([[sx, 0.0, sx * (0.5 - x0) - 0.5],
                       [0.0, sy, sy * (0.5 - y0) - 0.5]], dtype=np.float64)
    return cv2.warpAffine(src, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def _subpixel_peak(response: np.ndarray, ix: int, iy: int) -> Tuple[float, float]:
    """Offset of the true peak from ``(ix, iy)`` by a parabola through the neighbours."""

    def fit(left: float, mid: float, right: float) -> float:
        denom = left - 2.0 * mid + right
        if denom >= 0 or not np.isfinite(denom):
            return 0.0
        return float(np.clip(0.5 * (left - right) / denom, -0.5, 0.5))

    h, w = response.shape
    dx = fit(response[iy, ix - 1], response[iy, ix], response[iy, ix + 1]) if 0 < ix < w - 1 else 0.0
    dy = fit(response[iy - 1, ix], response[iy, ix], response[iy + 1, ix]) if 0 < iy < h - 1 else 0.0
    return dx, dy


class NCCTracker(BaseTracker):
    """Template matching by normalised cross-correlation around the last position, plus scale.

    ``NCCTracker(search_factor=3.0, scales=(0.9, 1.0, 1.1))``; every keyword is a field of
    :class:`NCCParams` (an unknown one is an error). ``weights`` must be ``None`` (the tracker
    has no learned parameters); ``device`` is accepted for the common signature and ignored
    (OpenCV runs on the CPU).
    """

    def __init__(self, weights: Optional[str] = None, device: str = "cpu", **params: Any):
        if weights is not None:
            raise ValueError(f"NCCTracker has no weights to load (it is a template matcher), "
                             f"but weights={weights!r} was given; drop --weights")
        self.params = NCCParams.from_kwargs(**params)
        self.device = device
        self.template: Optional[np.ndarray] = None
        self._center = (0.0, 0.0)
        self._size = (0.0, 0.0)
        self._window: Optional[np.ndarray] = None

    # -- helpers ---------------------------------------------------------------------------
    def _prepare(self, frame: np.ndarray) -> np.ndarray:
        frame = np.asarray(frame)
        if frame.ndim == 2:
            frame = frame[:, :, None].repeat(3, axis=2)
        if frame.ndim != 3 or frame.shape[2] < 3:
            raise ValueError(f"NCCTracker expects an H x W x 3 RGB frame, got shape {frame.shape}")
        frame = frame[:, :, :3]
        if not self.params.color:
            frame = cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2GRAY)
        return frame

    def _template_shape(self, w: float, h: float) -> Tuple[int, int]:
        scale = min(1.0, self.params.template_size / max(w, h))
        return max(4, int(round(w * scale))), max(4, int(round(h * scale)))

    @property
    def _box(self) -> Box:
        (cx, cy), (w, h) = self._center, self._size
        return Box(cx - w / 2.0, cy - h / 2.0, w, h)

    def _set_box(self, box: Box, frame_shape=None) -> None:
        w = max(box.w, self.params.min_size)
        h = max(box.h, self.params.min_size)
        cx, cy = box.center
        if frame_shape is not None:
            H, W = frame_shape[:2]
            w, h = min(w, W), min(h, H)
            cx, cy = float(np.clip(cx, 0, W)), float(np.clip(cy, 0, H))
        self._center, self._size = (cx, cy), (w, h)
        self.state = self._box

    # -- Tracker protocol --------------------------------------------------------------------
    def initialize(self, frame: np.ndarray, box: Box) -> None:
        super().initialize(frame, box)
        image = self._prepare(frame)
        self._set_box(self.state, image.shape)
        tw, th = self._template_shape(*self._size)
        self.template = _sample(image, self._center, self._size, (tw, th)).astype(np.float32)
        sw = int(round(tw * self.params.search_factor))
        sh = int(round(th * self.params.search_factor))
        self._search_shape = (sw, sh)
        rw, rh = sw - tw + 1, sh - th + 1
        self._window = np.outer(np.hanning(rh + 2)[1:-1], np.hanning(rw + 2)[1:-1]).astype(np.float32)

    def track(self, frame: np.ndarray) -> Prediction:
        if self.template is None:
            raise RuntimeError("NCCTracker.track() called before initialize()")
        p = self.params
        image = self._prepare(frame)
        th, tw = self.template.shape[:2]
        sw, sh = self._search_shape
        (cx, cy), (w, h) = self._center, self._size
        best = None
        for k in p.scales:
            region = (w * k * sw / tw, h * k * sh / th)  # search window in frame units
            search = _sample(image, (cx, cy), region, (sw, sh)).astype(np.float32)
            response = cv2.matchTemplate(search, self.template, cv2.TM_CCOEFF_NORMED)
            response = np.nan_to_num(response, nan=-1.0, posinf=1.0, neginf=-1.0)
            if p.window_influence > 0:
                ranked = (1 - p.window_influence) * response + p.window_influence * self._window
            else:
                ranked = response
            _, _, _, (ix, iy) = cv2.minMaxLoc(ranked)
            value = float(ranked[iy, ix]) * (1.0 if k == 1.0 else p.scale_penalty)
            if best is None or value > best[0]:
                best = (value, k, ix, iy, response, region)
        _, k, ix, iy, response, region = best
        dx, dy = _subpixel_peak(response, ix, iy)
        # template centre in search-window units -> frame units
        u = ix + dx + tw / 2.0
        v = iy + dy + th / 2.0
        new_cx = cx + (u - sw / 2.0) * region[0] / sw
        new_cy = cy + (v - sh / 2.0) * region[1] / sh
        grow = 1.0 - p.scale_lr + p.scale_lr * k
        self._set_box(Box.from_center(new_cx, new_cy, w * grow, h * grow), image.shape)
        score = float(response[iy, ix])
        if p.template_lr > 0 and score >= p.update_threshold:
            patch = _sample(image, self._center, self._size, (tw, th)).astype(np.float32)
            self.template = (1 - p.template_lr) * self.template + p.template_lr * patch
        return Prediction(self.state, score=score, extras={"scale": k})

    def correct(self, box: Box) -> None:
        """Adopt a refined box (a refiner's output) as the position and size to search from."""
        self._set_box(Box.of(box))

    def __repr__(self) -> str:
        return f"NCCTracker({self.params})"


def default_params() -> Dict[str, Any]:
    """The defaults as a plain dict (what ``core/ncc`` spells out)."""
    return dataclasses.asdict(NCCParams())
