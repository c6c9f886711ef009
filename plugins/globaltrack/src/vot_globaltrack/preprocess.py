"""Input pipeline of the official tracker (neuron ``BasicPairTransforms(train=False)``).

Applied alike to the query frame and to every search frame:
1. rescale keeping the aspect ratio: ``sf = min(1333 / long side, 800 / short side)`` (may
   upscale), output ``int(w * sf + 0.5) x int(h * sf + 0.5)``, ``cv2.resize`` bilinear on the
   RGB uint8 frame; boxes are multiplied by ``sf`` (not by the rounded size ratio);
2. normalise in float32 with ImageNet mean/std in 0..255 units (the frame is RGB);
3. pad bottom/right with 0 (after normalising) to a multiple of 32;
4. clip the query box to the *padded* size.
Normalisation is a per-channel lookup table holding exactly the values the official numpy
ops give (float32 frame minus a float64 list, then divided), so it is one indexing pass.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Tuple

import cv2
import numpy as np
import torch

MEAN = (123.675, 116.28, 103.53)
STD = (58.395, 57.12, 57.375)


def rescale_factor(height: int, width: int, scale: Tuple[int, int] = (1333, 800)) -> float:
    """mmdetection's keep-ratio rescale factor for an image of ``height x width``."""
    return min(max(scale) / max(height, width), min(scale) / min(height, width))


def rescaled_size(height: int, width: int, factor: float) -> Tuple[int, int]:
    """(out_h, out_w) = ``int(size * factor + 0.5)``."""
    return int(height * factor + 0.5), int(width * factor + 0.5)


def normalization_table(mean: Sequence[float] = MEAN, std: Sequence[float] = STD) -> np.ndarray:
    """(256, 3) float32: the normalised value of every uint8 level in every channel."""
    table = np.repeat(np.arange(256, dtype=np.float32)[:, None], 3, axis=1)
    table -= list(mean)
    table /= list(std)
    return table


@dataclass
class PreparedImage:
    tensor: torch.Tensor          # (1, 3, Hp, Wp) float32
    img_shape: Tuple[int, int]    # (H, W) after rescaling, before padding
    pad_shape: Tuple[int, int]    # (Hp, Wp)
    scale_factor: float


class Preprocessor:
    """RGB uint8 frame -> :class:`PreparedImage` (one resize, one lookup, zero padding)."""

    def __init__(self, scale: Tuple[int, int] = (1333, 800), mean: Sequence[float] = MEAN,
                 std: Sequence[float] = STD, pad_divisor: int = 32, device: str = "cpu"):
        self.scale = (int(scale[0]), int(scale[1]))
        self.pad_divisor = int(pad_divisor)
        self.device = torch.device(device)
        self._table = torch.from_numpy(normalization_table(mean, std).T.copy())  # (3, 256)
        self._offsets = torch.arange(3, dtype=torch.long) * 256

    def __call__(self, frame: np.ndarray) -> PreparedImage:
        h, w = frame.shape[:2]
        sf = rescale_factor(h, w, self.scale)
        out_h, out_w = rescaled_size(h, w, sf)
        resized = cv2.resize(frame, (out_w, out_h), interpolation=cv2.INTER_LINEAR)
        d = self.pad_divisor
        pad_h, pad_w = int(np.ceil(out_h / d) * d), int(np.ceil(out_w / d) * d)
        index = torch.from_numpy(resized).permute(2, 0, 1).long() + self._offsets[:, None, None]
        image = torch.zeros(1, 3, pad_h, pad_w)
        image[0, :, :out_h, :out_w] = self._table.reshape(-1)[index]
        return PreparedImage(image.to(self.device), (out_h, out_w), (pad_h, pad_w), sf)


def scale_query_box(box_ltrb: np.ndarray, prepared: PreparedImage) -> np.ndarray:
    """The first-frame ``[x1, y1, x2, y2]`` (inclusive) in network-input pixels, clipped to the
    padded image and with ``x2 >= x1``, ``y2 >= y1`` (neuron ``bound_bboxes``)."""
    box = np.asarray(box_ltrb, dtype=np.float64) * prepared.scale_factor
    pad_h, pad_w = prepared.pad_shape
    box[0::2] = np.clip(box[0::2], 0, pad_w - 1)
    box[1::2] = np.clip(box[1::2], 0, pad_h - 1)
    box[2:] = np.maximum(box[2:], box[:2])
    return box.astype(np.float32)
