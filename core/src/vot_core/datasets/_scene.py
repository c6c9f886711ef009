"""Planning of a synthetic tracking scene: textures and per-frame object states.

Everything random is drawn here, up front, from one ``numpy.random.Generator``, so a frame can
be rendered at any index without state (see :mod:`vot_core.datasets.synthetic`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np

#: effects a synthetic sequence can show (recorded per sequence in ``attributes['tags']``)
EFFECTS = ("fast_motion", "scale_change", "aspect_change", "rotation", "motion_blur",
           "illumination", "partial_occlusion", "full_occlusion", "out_of_view",
           "distractors", "camera_motion")
#: difficulty -> (probability that each effect is on, magnitude multiplier)
DIFFICULTY = {"easy": (0.15, 0.6), "medium": (0.35, 1.0), "hard": (0.6, 1.4)}
PATTERNS = ("checker", "stripes", "rings", "blobs", "dots")
COLOURS = ("red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink")
PATCH = 64  # side of the target texture, in pixels


@dataclass
class Scene:
    """Per-frame states of one synthetic sequence (arrays have N rows) and, once rendered,
    its textures."""

    size: Tuple[int, int]
    pattern: str
    colour: int  # index into COLOURS
    tags: Tuple[str, ...]
    margin: int  # background border for camera motion
    target: np.ndarray  # (N, 5) cx, cy, w, h, angle (degrees) of the target rectangle
    camera: np.ndarray  # (N, 2) int background offset
    gain: np.ndarray  # (N,) illumination gain
    blur: np.ndarray  # (N,) Gaussian blur sigma (0 = sharp)
    occluder: np.ndarray  # (N, 4) int x0, y0, x1, y1 (x1 <= x0 when none)
    distractors: List[np.ndarray] = field(default_factory=list)  # each (N, 5) like ``target``
    background: Optional[np.ndarray] = None  # (H + 2m, W + 2m, 3) uint8
    target_tex: Optional[np.ndarray] = None  # (PATCH, PATCH, 4) uint8 RGBA
    occluder_tex: Optional[np.ndarray] = None  # (H, W, 3) uint8
    distractor_tex: List[np.ndarray] = field(default_factory=list)


# -- textures --------------------------------------------------------------------------------
def _hsv_colour(rng, hue: float, sat=(0.7, 1.0), val=(0.6, 1.0)) -> np.ndarray:
    hsv = np.array([[[hue * 180, rng.uniform(*sat) * 255, rng.uniform(*val) * 255]]], np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0].astype(np.float32)


def _smooth_noise(rng, h: int, w: int, octaves=((4, 1.0), (16, 0.5), (64, 0.25))) -> np.ndarray:
    """Multi-scale value noise in [0, 1], (h, w, 3) float32."""
    out = np.zeros((h, w, 3), np.float32)
    for cells, amp in octaves:
        gh, gw = max(2, h * cells // max(h, w)), max(2, w * cells // max(h, w))
        low = rng.random((gh, gw, 3), dtype=np.float32)
        out += amp * cv2.resize(low, (w, h), interpolation=cv2.INTER_CUBIC)
    out -= out.min()
    return out / max(float(out.max()), 1e-6)


def make_target_texture(rng, pattern: str, colour_index: int) -> np.ndarray:
    """A PATCH x PATCH RGBA texture with a crisp pattern in two saturated colours."""
    hue = (colour_index + rng.uniform(-0.3, 0.3)) / len(COLOURS)
    c1 = _hsv_colour(rng, hue % 1.0)
    c2 = _hsv_colour(rng, (hue + rng.uniform(0.3, 0.7)) % 1.0, val=(0.15, 0.5))
    yy, xx = np.mgrid[0:PATCH, 0:PATCH].astype(np.float32) / PATCH
    if pattern == "checker":
        cells = rng.integers(3, 7)
        m = ((np.floor(xx * cells) + np.floor(yy * cells)) % 2).astype(np.float32)
    elif pattern == "stripes":
        theta, freq = rng.uniform(0, np.pi), rng.uniform(3, 7)
        m = 0.5 + 0.5 * np.sin(2 * np.pi * freq * (xx * np.cos(theta) + yy * np.sin(theta)))
    elif pattern == "rings":
        r = np.hypot(xx - 0.5, yy - 0.5)
        m = 0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(3, 6) * r)
    elif pattern == "dots":
        cells = rng.integers(3, 6)
        fx, fy = (xx * cells) % 1 - 0.5, (yy * cells) % 1 - 0.5
        m = (np.hypot(fx, fy) < 0.3).astype(np.float32)
    else:  # blobs
        m = (_smooth_noise(rng, PATCH, PATCH, ((4, 1.0), (8, 0.5)))[..., 0] > 0.5)
        m = m.astype(np.float32)
    shade = 0.8 + 0.2 * _smooth_noise(rng, PATCH, PATCH, ((4, 1.0),))
    rgb = (m[..., None] * c1 + (1 - m[..., None]) * c2) * shade
    rgb[:3], rgb[-3:], rgb[:, :3], rgb[:, -3:] = 20, 20, 20, 20  # dark rim: crisp edges
    alpha = np.full((PATCH, PATCH, 1), 255, np.float32)
    return np.concatenate([np.clip(rgb, 0, 255), alpha], axis=2).astype(np.uint8)


def make_background(rng, h: int, w: int) -> np.ndarray:
    """Muted, cluttered multi-scale texture (h, w, 3) uint8."""
    base = _smooth_noise(rng, h, w, ((3, 1.0), (12, 0.6), (48, 0.35), (160, 0.2)))
    tint = rng.uniform(0.5, 1.0, 3).astype(np.float32)
    return np.clip(40 + 170 * base * tint, 0, 255).astype(np.uint8)


def make_occluder(rng, h: int, w: int) -> np.ndarray:
    """A grey, diagonally striped panel (h, w, 3) uint8, unlike target and background."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(6, 14)
    stripes = 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * (xx + yy) / period))
    grey = rng.uniform(90, 160) + 50 * stripes
    return np.repeat(np.clip(grey, 0, 255)[..., None], 3, axis=2).astype(np.uint8)


def look_alike(rng, tex: np.ndarray) -> np.ndarray:
    """The target texture with a slight per-channel colour shift (a distractor)."""
    out = tex.astype(np.float32)
    out[..., :3] *= rng.uniform(0.85, 1.15, 3)
    if rng.random() < 0.5:
        out = out[:, ::-1]
    return np.clip(out, 0, 255).astype(np.uint8)


# -- motion ----------------------------------------------------------------------------------
def _walk(rng, n: int, std: float, smooth: float = 8.0) -> np.ndarray:
    """A smooth zero-start random walk: cumulative sum of Gaussian-filtered white noise."""
    k = np.exp(-0.5 * (np.arange(-3 * smooth, 3 * smooth + 1) / smooth) ** 2)
    v = np.convolve(rng.normal(0, 1, n + len(k)), k / np.sqrt((k ** 2).sum()), "same")[:n]
    x = np.cumsum(v * std)
    return x - x[0]


def _fold(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Reflect ``x`` into ``[lo, hi]`` (a bounce off the walls)."""
    if hi <= lo:
        return np.full_like(x, (lo + hi) / 2)
    span = hi - lo
    y = np.mod(x - lo, 2 * span)
    return lo + span - np.abs(y - span)


def extent(states: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Width and height of the axis-aligned box around rotated rectangles ``(N, 5)``."""
    a = np.deg2rad(states[:, 4])
    c, s = np.abs(np.cos(a)), np.abs(np.sin(a))
    return states[:, 2] * c + states[:, 3] * s, states[:, 2] * s + states[:, 3] * c


def plan_object(rng, n: int, size, mag: float, tags, scale: float) -> np.ndarray:
    """Per-frame ``cx, cy, w, h, angle`` of one object moving inside the frame."""
    H, W = size
    side = min(H, W) * scale
    log_ar = rng.uniform(np.log(0.5), np.log(2.0))
    ls = _walk(rng, n, 0.02 * mag, 15) if "scale_change" in tags else np.zeros(n)
    la = _walk(rng, n, 0.02 * mag, 15) if "aspect_change" in tags else np.zeros(n)
    ls = _fold(ls, np.log(0.5), np.log(2.0))
    la = _fold(la, -0.8, 0.8)
    w = side * np.exp(ls + (log_ar + la) / 2)
    h = side * np.exp(ls - (log_ar + la) / 2)
    ang = _walk(rng, n, 0.8 * mag, 10) if "rotation" in tags else np.zeros(n)
    speed = 0.006 * min(H, W) * mag
    states = np.stack([_walk(rng, n, speed), _walk(rng, n, speed), w, h, ang], 1)
    ew, eh = extent(states)
    mx, my = ew.max() / 2 + 1, eh.max() / 2 + 1
    lo, hi = np.array([mx, my]), np.array([W - mx, H - my])
    raw = states[:, :2] + rng.uniform(lo, np.maximum(hi, lo + 1))
    if "fast_motion" in tags and n > 12:
        for j in rng.choice(np.arange(6, n), size=1 + n // 150, replace=False):
            for _ in range(10):  # a jump that stays long after the bounce off the walls
                r, t = rng.uniform(0.25, 0.6) * min(H, W), rng.uniform(0, 2 * np.pi)
                d = r * np.array([np.cos(t), np.sin(t)])
                before = [_fold(raw[j:j + 1, k], lo[k], hi[k]) for k in range(2)]
                after = [_fold(raw[j:j + 1, k] + d[k], lo[k], hi[k]) for k in range(2)]
                if np.hypot(*(np.ravel(after) - np.ravel(before))) >= 0.2 * min(H, W):
                    raw[j:] += d
                    break
    for k in range(2):
        states[:, k] = _fold(raw[:, k], lo[k], hi[k])
    return states


class Timeline:
    """Non-overlapping stretches of frames reserved for exclusive events (occlusion, exit)."""

    def __init__(self, n: int, start: int = 6):
        self.n, self.start, self.used = n, start, np.zeros(n, bool)

    def reserve(self, rng, length: int, pad: int = 0, tries: int = 20):
        lo, hi = self.start + pad, self.n - length - pad - 1
        for _ in range(tries if hi > lo else 0):
            s = int(rng.integers(lo, hi))
            if not self.used[s - pad:s + length + pad].any():
                self.used[s - pad:s + length + pad] = True
                return s
        return None


def add_exit(rng, target: np.ndarray, size, timeline: Timeline) -> bool:
    """Move the target fully out of the frame for a stretch (ramps out and back in)."""
    n, (H, W) = len(target), size
    length, ramp = int(rng.integers(max(4, n // 20), max(5, n // 8))), max(3, min(10, n // 30))
    s = timeline.reserve(rng, length, pad=ramp)
    if s is None:
        return False
    ew, eh = extent(target[s - ramp:s + length + ramp])
    half = np.hypot(ew.max(), eh.max()) / 2 + 2
    out = target[s].copy()
    side = int(rng.integers(4))
    out[0] = {0: -half, 1: W + half}.get(side, out[0])
    out[1] = {2: -half, 3: H + half}.get(side, out[1])
    a, b = target[s - ramp, :2].copy(), target[s + length + ramp - 1, :2].copy()
    for i in range(ramp):
        t = (i + 1) / ramp
        target[s - ramp + i, :2] = (1 - t) * a + t * out[:2]
        target[s + length + ramp - 1 - i, :2] = (1 - t) * b + t * out[:2]
    target[s:s + length, :2] = out[:2]
    return True


def visible_box(states: np.ndarray, size) -> Tuple[np.ndarray, np.ndarray]:
    """Full (unclipped) and frame-clipped ``x, y, w, h`` boxes of rotated rectangles."""
    H, W = size
    ew, eh = extent(states)
    full = np.stack([states[:, 0] - ew / 2, states[:, 1] - eh / 2, ew, eh], 1)
    x0, y0 = np.clip(full[:, 0], 0, W), np.clip(full[:, 1], 0, H)
    x1, y1 = np.clip(full[:, 0] + ew, 0, W), np.clip(full[:, 1] + eh, 0, H)
    return full, np.stack([x0, y0, x1 - x0, y1 - y0], 1)


def occluders(rng, clipped: np.ndarray, n_partial: int, n_full: int, timeline: Timeline,
              size) -> Tuple[np.ndarray, Dict[str, bool]]:
    """Integer occluder rectangles ``x0, y0, x1, y1`` per frame for occlusion stretches."""
    n, (H, W) = len(clipped), size
    occ = np.zeros((n, 4), np.int64)
    done = {"partial_occlusion": False, "full_occlusion": False}
    for kind, count in (("full_occlusion", n_full), ("partial_occlusion", n_partial)):
        for _ in range(count):
            lo, hi = (max(3, n // 30), max(4, n // 12)) if kind == "full_occlusion" else \
                (max(4, n // 15), max(5, n // 6))
            length = int(rng.integers(lo, hi))
            s = timeline.reserve(rng, length)
            if s is None:
                continue
            side, frac = int(rng.integers(4)), rng.uniform(0.3, 0.7)
            stop = s + length
            for i in range(s, stop):
                x, y, w, h = clipped[i]
                if w <= 0 or h <= 0:
                    continue
                x0, y0, x1, y1 = x - 0.15 * w - 1, y - 0.15 * h - 1, x + 1.15 * w + 1, y + 1.15 * h + 1
                if kind == "partial_occlusion":
                    if side == 0:
                        x1 = x + frac * w
                    elif side == 1:
                        x0 = x + (1 - frac) * w
                    elif side == 2:
                        y1 = y + frac * h
                    else:
                        y0 = y + (1 - frac) * h
                occ[i] = [np.floor(max(x0, 0)), np.floor(max(y0, 0)),
                          np.ceil(min(x1, W)), np.ceil(min(y1, H))]
            done[kind] = True
    return occ, done
