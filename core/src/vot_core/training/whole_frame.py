"""Whole-frame training pairs for global-search trackers (GlobalTrack, DMTrack).

These trackers search the whole frame, so they train on whole frames rather than crops: the
template frame and the search frame of a pair each go through neuron's mmdetection-style pair
transforms (GlobalTrack / DMTrack ``datasets/wrappers.py``), independently, in this order:

1. boxes ``(x, y, w, h)`` -> ``[x1, y1, x2, y2]`` (inclusive ``x2 = x + w - 1`` as neuron's
   datasets, or exclusive), clipped to the frame;
2. optional SSD photometric distortion per image (float32 from here on, unclipped), with one
   random channel order drawn on the template and reused on the search image;
3. optional SSD random expand (p 0.5, mean fill) per image and a joint min-IoU random crop;
4. keep-ratio rescale: ``sf = min(long / max(h, w), short / min(h, w))`` to
   ``int(w * sf + 0.5) x int(h * sf + 0.5)`` with a random cv2 interpolation (or bilinear),
   boxes times ``sf``;
5. ``(img - mean) / std``; horizontal flip with its own probability per image
   (``x1' = W - x2 - 1`` for inclusive boxes); zero padding to a multiple of ``pad_divisor``;
   boxes clipped to the padded image.

Video pairs (two different frames) must also pass neuron's ``Seq2Pair`` box filter; still
images (COCO: the same frame twice) skip it, as the official ``Image2Pair`` does. Every random
draw comes from the pair's ``numpy.random.Generator``, so a sample stays a pure function of
its index. :func:`collate_whole_frame` pads a batch to its largest image (mmcv's collate).

Official sampling options (GlobalTrack's ``PairWrapper`` over ``Seq2Pair`` / ``Image2Pair``):

* ``frame_choice='neuron'``: a video pair is drawn among the frames that pass the box filter,
  GOT-10k's cover filter (``cover > max(1, 0.3 * max cover)``) and the visible flags (see
  :func:`neuron_frame_pair`), instead of drawing frames by ``max_gap`` and redrawing the whole
  pair when the filter fails (``'gap'``);
* ``max_instances > 0``: a pair carries ``(K, 4)`` boxes per image, matched by row; a still
  image with ``attributes['instances']`` (the COCO loader's ``per_image=True``) gives all its
  objects, videos one; after the transforms at most ``max_instances`` rows are kept, drawn
  without replacement (the same rows for both images). The collate then gives lists of
  ``(K_i, 4)`` tensors.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple
from typing import Sequence as Seq

import cv2
import numpy as np
import torch

from ..params import params_from

#: neuron's ``random_interp`` choices, in its order
INTERPOLATIONS = (cv2.INTER_LINEAR, cv2.INTER_CUBIC, cv2.INTER_AREA, cv2.INTER_NEAREST,
                  cv2.INTER_LANCZOS4)
ROLES = ("template", "search")


@dataclass(frozen=True)
class WholeFrameConfig:
    """How both frames of a pair are resized and augmented (defaults: GlobalTrack's
    ``extra_partial`` = photometric distortion + ``BasicPairTransforms(train=True)``)."""

    scale: Tuple[int, int] = (1333, 800)   # (long side, short side) bounds, keep ratio
    mean: Tuple[float, float, float] = (123.675, 116.28, 103.53)
    std: Tuple[float, float, float] = (58.395, 57.12, 57.375)
    pad_divisor: int = 32
    flip_prob: float = 0.5                 # per image, independently
    random_interpolation: bool = True      # a random cv2 interpolation per image, else bilinear
    inclusive_boxes: bool = True           # x2 = x + w - 1 (neuron), else x + w
    photometric: bool = True               # SSD photometric distortion per image
    swap_channels_shared: bool = True      # template's random channel order reused on search
    swap_channels_each: bool = False       # plus each image's own (DMTrack's neuron)
    expand: bool = False                   # SSD random expand, p 0.5 per image (DMTrack)
    expand_ratio: Tuple[float, float] = (1.0, 4.0)
    crop_min_ious: Tuple[float, ...] = ()  # SSD min-IoU crop when given (DMTrack: .1 .. .9)
    crop_min_scale: float = 0.3
    video_box_filter: bool = True          # neuron Seq2Pair's filter on video pairs
    frame_choice: str = "gap"              # 'gap' (PairDataset's draw) | 'neuron' (Seq2Pair)
    max_instances: int = 0                 # > 0: (K, 4) boxes per image, K <= this (official 8)

    def __post_init__(self):
        object.__setattr__(self, "scale", tuple(int(v) for v in self.scale))
        object.__setattr__(self, "mean", tuple(float(v) for v in self.mean))
        object.__setattr__(self, "std", tuple(float(v) for v in self.std))
        object.__setattr__(self, "expand_ratio", tuple(float(v) for v in self.expand_ratio))
        object.__setattr__(self, "crop_min_ious", tuple(float(v) for v in self.crop_min_ious))
        if len(self.scale) != 2 or min(self.scale) <= 0:
            raise ValueError(f"whole_frame.scale must be two positive sides, got {self.scale}")
        if self.pad_divisor <= 0:
            raise ValueError(f"whole_frame.pad_divisor must be positive, got {self.pad_divisor}")
        if len(self.mean) != 3 or len(self.std) != 3 or min(self.std) <= 0:
            raise ValueError("whole_frame.mean and std need three values each, std > 0")
        if not 0.0 <= self.flip_prob <= 1.0:
            raise ValueError(f"whole_frame.flip_prob must be in [0, 1], got {self.flip_prob}")
        if self.frame_choice not in ("gap", "neuron"):
            raise ValueError(f"whole_frame.frame_choice must be 'gap' or 'neuron', got "
                             f"{self.frame_choice!r}")
        if self.max_instances < 0:
            raise ValueError(f"whole_frame.max_instances must be >= 0, got {self.max_instances}")

    @classmethod
    def from_dict(cls, cfg: Dict[str, Any]) -> WholeFrameConfig:
        return params_from(cls, cfg, "whole_frame config", error=ValueError)


# -- image and box operations (neuron ``ops`` semantics) ----------------------------------------
def rescale_factor(height: int, width: int, scale: Tuple[int, int]) -> float:
    """Keep-ratio factor fitting the long side in ``max(scale)`` and the short in ``min(scale)``."""
    return min(max(scale) / max(height, width), min(scale) / min(height, width))


def rescale(image: np.ndarray, boxes: np.ndarray, scale: Tuple[int, int],
            interpolation: int) -> Tuple[np.ndarray, np.ndarray, float]:
    """Resize to ``int(w * sf + 0.5) x int(h * sf + 0.5)``; boxes are multiplied by ``sf``."""
    h, w = image.shape[:2]
    sf = rescale_factor(h, w, scale)
    out = cv2.resize(image, (int(w * sf + 0.5), int(h * sf + 0.5)), interpolation=interpolation)
    return out, boxes * sf, sf


def bound_boxes(boxes: np.ndarray, width: int, height: int, inclusive: bool = True) -> np.ndarray:
    """Clip ``[x1, y1, x2, y2]`` rows to the image (``size - 1`` when inclusive), ``x2 >= x1``."""
    one = 1 if inclusive else 0
    out = boxes.copy()
    out[:, 0::2] = np.clip(out[:, 0::2], 0, width - one)
    out[:, 1::2] = np.clip(out[:, 1::2], 0, height - one)
    out[:, 2:] = np.maximum(out[:, 2:], out[:, :2])
    return out


def flip(image: np.ndarray, boxes: np.ndarray, inclusive: bool = True
         ) -> Tuple[np.ndarray, np.ndarray]:
    """Horizontal flip; inclusive boxes map ``x1' = W - x2 - 1`` (neuron ``flip_img``)."""
    w = image.shape[1] - (1 if inclusive else 0)
    out = boxes.copy()
    out[:, 0], out[:, 2] = w - boxes[:, 2], w - boxes[:, 0]
    return image[:, ::-1], out


def pad_to_divisor(image: np.ndarray, divisor: int) -> np.ndarray:
    """Zero padding at the bottom and right up to multiples of ``divisor``."""
    h, w = image.shape[:2]
    out = np.zeros((-(-h // divisor) * divisor, -(-w // divisor) * divisor) + image.shape[2:],
                   image.dtype)
    out[:h, :w] = image
    return out


def photometric_distort(image: np.ndarray, rng, swap_channels: bool = False) -> np.ndarray:
    """SSD photometric distortion on 0..255 values (float32 out, unclipped): brightness +-32,
    contrast 0.5..1.5 (before or after the HSV part), saturation 0.5..1.5, hue +-18 degrees,
    each with probability 0.5; optionally a random channel order (p 0.5)."""
    img = image.astype(np.float32)
    if rng.integers(2):
        img += np.float32(rng.uniform(-32, 32))
    contrast_first = rng.integers(2)
    if contrast_first and rng.integers(2):
        img *= np.float32(rng.uniform(0.5, 1.5))
    img = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
    if rng.integers(2):
        img[:, :, 1] *= np.float32(rng.uniform(0.5, 1.5))
    if rng.integers(2):
        hue = img[:, :, 0]
        hue += np.float32(rng.uniform(-18, 18))
        hue[hue > 360.0] -= 360.0
        hue[hue < 0.0] += 360.0
    img = cv2.cvtColor(img, cv2.COLOR_HSV2RGB)
    if not contrast_first and rng.integers(2):
        img *= np.float32(rng.uniform(0.5, 1.5))
    if swap_channels and rng.integers(2):
        img = img[..., rng.permutation(3)]
    return img


def random_expand(image: np.ndarray, boxes: np.ndarray, mean: Seq[float],
                  ratio: Tuple[float, float], rng) -> Tuple[np.ndarray, np.ndarray]:
    """SSD expand (p 0.5): place the image at a random spot of a ``ratio``-times larger canvas
    filled with ``mean``."""
    if rng.integers(2):
        return image, boxes
    h, w, c = image.shape
    r = rng.uniform(*ratio)
    out = np.empty((int(h * r), int(w * r), c), image.dtype)
    out[...] = mean
    left = int(rng.uniform(0, out.shape[1] - w))
    top = int(rng.uniform(0, out.shape[0] - h))
    out[top:top + h, left:left + w] = image
    return out, boxes + np.tile((left, top), 2)  # int offsets: float64 boxes, as neuron


def _overlaps(boxes: np.ndarray, window: np.ndarray) -> np.ndarray:
    """IoU (no +1) of each box with one window."""
    lt = np.maximum(boxes[:, :2], window[:2])
    rb = np.minimum(boxes[:, 2:], window[2:])
    inter = (rb - lt).clip(min=0).prod(axis=1)
    area = (boxes[:, 2:] - boxes[:, :2]).prod(axis=1)
    union = area + (window[2:] - window[:2]).prod() - inter
    return inter / np.maximum(union, 1e-6)


def random_crop(image: np.ndarray, boxes: np.ndarray, min_ious: Seq[float], min_scale: float,
                rng) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SSD min-IoU crop (neuron ``random_crop``): draw a minimum IoU from ``(1, *min_ious, 0)``
    (1 keeps the image); try 50 windows of ``min_scale..1`` of each side with aspect 0.5..2,
    integer corners, every box's IoU >= the minimum and some box centre strictly inside.
    Returns the image, the boxes clipped into the window and the mask of boxes kept."""
    h, w = image.shape[:2]
    choices = (1.0, *min_ious, 0.0)
    while True:
        min_iou = choices[int(rng.integers(len(choices)))]
        if min_iou == 1:
            return image, boxes, np.ones(len(boxes), bool)
        for _ in range(50):
            new_w = rng.uniform(min_scale * w, w)
            new_h = rng.uniform(min_scale * h, h)
            if new_h / new_w < 0.5 or new_h / new_w > 2.0:
                continue
            left = rng.uniform(0, w - new_w)
            top = rng.uniform(0, h - new_h)
            window = np.array([left, top, left + new_w, top + new_h]).astype(int)
            if _overlaps(boxes, window).min() < min_iou:
                continue
            centers = (boxes[:, :2] + boxes[:, 2:]) / 2.0
            mask = ((window[0] < centers[:, 0]) & (window[1] < centers[:, 1])
                    & (window[2] > centers[:, 0]) & (window[3] > centers[:, 1]))
            if not mask.any():
                continue
            out = boxes.copy()
            out[:, 2:] = out[:, 2:].clip(max=window[2:])
            out[:, :2] = out[:, :2].clip(min=window[:2])
            out -= np.tile(window[:2], 2)
            return image[window[1]:window[3], window[0]:window[2]], out, mask


def video_boxes_ok(boxes_xywh: np.ndarray, frame_shape: Tuple[int, ...]) -> np.ndarray:
    """neuron ``Seq2Pair._filter`` per row: area > 20, sides in 10..960 pixels and in 1%..75%
    of the frame's, aspect ``w / max(1, h)`` in [0.2, 5). Sides are computed as neuron does, in
    float32 through inclusive corners (``x2 = x + w - 1``, ``w' = x2 - x1 + 1``); non-finite
    boxes fail."""
    b = np.asarray(boxes_xywh, np.float32).reshape(-1, 4)
    one = np.float32(1)
    sides = (b[:, :2] + b[:, 2:] - one) - b[:, :2] + one
    w, h = sides[:, 0], sides[:, 1]
    size = np.asarray([frame_shape[1], frame_shape[0]], np.float32)
    aspect = w / np.maximum(one, h)
    with np.errstate(invalid="ignore"):
        return ((w * h > 20) & (sides >= 10).all(axis=1) & (sides <= 960).all(axis=1)
                & (sides / size >= 0.01).all(axis=1) & (sides / size <= 0.75).all(axis=1)
                & (aspect >= 0.2) & (aspect < 5))


def video_box_ok(box_xywh: np.ndarray, frame_shape: Tuple[int, ...]) -> bool:
    """:func:`video_boxes_ok` for one box."""
    return bool(video_boxes_ok(box_xywh, frame_shape)[0])


def cover_ok(cover: np.ndarray) -> np.ndarray:
    """neuron's GOT-10k cover filter: ``cover > max(1, 0.3 * cover.max())`` (labels 0..8)."""
    cover = np.asarray(cover, np.float64)
    return cover > max(1.0, float(cover.max()) * 0.3) if cover.size else cover.astype(bool)


def valid_video_frames(boxes_xywh: np.ndarray, frame_shape: Tuple[int, ...],
                       cover: Optional[np.ndarray] = None, visible: Optional[np.ndarray] = None,
                       box_filter: bool = True) -> np.ndarray:
    """Indices of the frames a ``Seq2Pair`` pair may use: finite positive boxes passing
    :func:`video_boxes_ok` (``frame_shape``: the first frame's, neuron's ``meta`` size), the
    cover filter when the sequence has cover labels, and the visible flags (on GOT-10k and
    LaSOT absent frames already fail the cover / box filter)."""
    b = np.asarray(boxes_xywh, np.float64).reshape(-1, 4)
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(b).all(axis=1) & (b[:, 2] > 0) & (b[:, 3] > 0)
    if box_filter:
        keep &= video_boxes_ok(b, frame_shape)
    if cover is not None:
        keep &= cover_ok(cover)
    if visible is not None:
        keep &= np.asarray(visible, bool)
    return np.flatnonzero(keep)


def neuron_frame_pair(valid: np.ndarray, max_distance: int, rng) -> Optional[Tuple[int, int]]:
    """neuron ``Seq2Pair._sample_pair`` among the valid frame indices: None under two; with
    two, those two in order; else up to 100 draws of two distinct frames (sorted: the template
    first) at most ``max_distance`` apart, then any two drawn with replacement."""
    valid = np.asarray(valid)
    if valid.size < 2:
        return None
    if valid.size == 2:
        return int(valid[0]), int(valid[1])
    for _ in range(100):
        z, x = sorted(rng.choice(valid, 2, replace=False).tolist())
        if x - z <= max_distance:
            return int(z), int(x)
    z, x = rng.choice(valid, 2).tolist()
    return int(z), int(x)


# -- the pair transform ------------------------------------------------------------------------
class WholeFrameTransform:
    """Frames + ``xywh`` boxes of a pair -> whole normalised, padded images and boxes in input
    pixels (``[x1, y1, x2, y2]``), with each image's unpadded size and rescale factor."""

    def __init__(self, config: WholeFrameConfig):
        self.config = config

    def _to_xyxy(self, box: np.ndarray, frame: np.ndarray) -> np.ndarray:
        one = np.float32(1 if self.config.inclusive_boxes else 0)
        b = np.asarray(box, np.float32).reshape(-1, 4).copy()
        b[:, 2:] = b[:, :2] + b[:, 2:] - one
        return bound_boxes(b, frame.shape[1], frame.shape[0], self.config.inclusive_boxes)

    def _finish(self, image: np.ndarray, boxes: np.ndarray, rng) -> Dict[str, Any]:
        cfg = self.config
        interpolation = (INTERPOLATIONS[int(rng.integers(len(INTERPOLATIONS)))]
                         if cfg.random_interpolation else cv2.INTER_LINEAR)
        image, boxes, sf = rescale(image, boxes, cfg.scale, interpolation)
        h, w = image.shape[:2]
        image = image.astype(np.float32)
        image -= np.asarray(cfg.mean)
        image /= np.asarray(cfg.std)
        return {"image": image, "boxes": boxes, "shape": (h, w), "scale": sf}

    def __call__(self, frames: Seq[np.ndarray], boxes: Seq[np.ndarray], rng,
                 masks: Any = None) -> Optional[Dict[str, torch.Tensor]]:
        if masks is not None:
            raise ValueError("whole-frame pairs carry no masks: set masks=False or use crops")
        cfg = self.config
        frames = [np.asarray(f) for f in frames]
        raw = [np.asarray(b, dtype=np.float64).reshape(-1, 4) for b in boxes]
        if len(raw[0]) != len(raw[1]) or len(raw[0]) == 0 or any(
                not np.isfinite(b).all() or (b[:, 2:] <= 0).any() for b in raw):
            return None
        still = raw[0].tolist() == raw[1].tolist() and frames[0].shape == frames[1].shape \
            and (frames[0] is frames[1] or np.array_equal(frames[0], frames[1]))
        # 'neuron' frame choice applied the filter when it picked the frames
        if cfg.video_box_filter and cfg.frame_choice == "gap" and not still and not all(
                video_boxes_ok(b, f.shape).all() for b, f in zip(raw, frames)):
            return None
        images: List[np.ndarray] = list(frames)
        xyxy = [self._to_xyxy(b, f) for b, f in zip(raw, frames)]
        if cfg.photometric:
            order = None
            for i in range(2):
                images[i] = photometric_distort(images[i], rng, cfg.swap_channels_each)
                if i == 0 and cfg.swap_channels_shared and rng.integers(2):
                    order = rng.permutation(3)
                if order is not None:
                    images[i] = images[i][..., order]
        if cfg.expand:
            for i in range(2):
                images[i], xyxy[i] = random_expand(images[i], xyxy[i], cfg.mean,
                                                   cfg.expand_ratio, rng)
        if cfg.crop_min_ious:
            images, xyxy = self._joint_crop(images, xyxy, rng)
        out = [self._finish(images[i], xyxy[i], rng) for i in range(2)]
        for item in out:
            if cfg.flip_prob > 0 and rng.random() < cfg.flip_prob:
                item["image"], item["boxes"] = flip(item["image"], item["boxes"],
                                                    cfg.inclusive_boxes)
        rows = np.arange(len(out[0]["boxes"]))
        if 0 < cfg.max_instances < len(rows):  # PairWrapper: after the transforms
            rows = rng.choice(len(rows), cfg.max_instances, replace=False)
        sample: Dict[str, torch.Tensor] = {}
        for role, item in zip(ROLES, out):
            image = pad_to_divisor(np.ascontiguousarray(item["image"]), cfg.pad_divisor)
            box = bound_boxes(item["boxes"], image.shape[1], image.shape[0], cfg.inclusive_boxes)
            box = box[rows] if cfg.max_instances > 0 else box[0]
            sample[role] = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))
            sample[f"{role}_box"] = torch.from_numpy(box.astype(np.float32))
            sample[f"{role}_shape"] = torch.tensor(item["shape"], dtype=torch.long)
            sample[f"{role}_scale"] = torch.tensor(item["scale"], dtype=torch.float64)
        return sample

    def _joint_crop(self, images, xyxy, rng):
        """neuron ``RandomCrop``: crop both images; keep the crops and the boxes surviving in
        both (centre inside) when there is one, else retry, 10 times at most, then keep the
        originals."""
        cfg = self.config
        for _ in range(10):
            z, zb, zm = random_crop(images[0], xyxy[0], cfg.crop_min_ious, cfg.crop_min_scale, rng)
            x, xb, xm = random_crop(images[1], xyxy[1], cfg.crop_min_ious, cfg.crop_min_scale, rng)
            keep = zm & xm
            if keep.any():
                return [z, x], [zb[keep], xb[keep]]
        return images, xyxy


def collate_whole_frame(samples: Seq[Dict[str, torch.Tensor]]) -> Dict[str, torch.Tensor]:
    """Stack whole-frame samples, zero-padding each role's images at the bottom/right to the
    largest of the batch (mmcv's collate); boxes (B, 4) (with ``max_instances``: a list of B
    ``(K_i, 4)`` tensors, mmcv's unstacked ``gt_bboxes``), shapes (B, 2) ``(h, w)`` before any
    padding, scale factors (B,)."""
    if not samples:
        raise ValueError("cannot collate an empty batch")
    batch: Dict[str, torch.Tensor] = {}
    for role in ROLES:
        images = [s[role] for s in samples]
        height = max(int(i.shape[1]) for i in images)
        width = max(int(i.shape[2]) for i in images)
        stacked = images[0].new_zeros((len(images), images[0].shape[0], height, width))
        for k, image in enumerate(images):
            stacked[k, :, :image.shape[1], :image.shape[2]] = image
        batch[role] = stacked
        for key in ("box", "shape", "scale"):
            values = [s[f"{role}_{key}"] for s in samples]
            multi = key == "box" and values[0].dim() == 2
            batch[f"{role}_{key}"] = values if multi else torch.stack(values)
    return batch


def pair_collate_fn(sampling) -> Optional[Any]:
    """The collate a pair-sampling config needs: :func:`collate_whole_frame` for whole frames,
    ``None`` (torch's default stacking) for crops."""
    return collate_whole_frame if getattr(sampling, "whole_frame", None) is not None else None
