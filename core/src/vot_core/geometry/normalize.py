"""Crop -> network input: ``uint8 HxWxC`` to a normalised ``(1, C, H, W)`` float32 tensor.

One table look-up per pixel: each of the 256 byte values is normalised once per channel
(in the precision the official code uses), then the crop indexes the table. The result is
bit-identical to ``((x / 255) - mean) / std`` evaluated element-wise.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional, Tuple
from typing import Sequence as Seq

import numpy as np
import torch

IMAGENET_MEAN: Tuple[float, float, float] = (0.485, 0.456, 0.406)
IMAGENET_STD: Tuple[float, float, float] = (0.229, 0.224, 0.225)


@lru_cache(maxsize=16)
def _table(mean: Tuple[float, ...], std: Tuple[float, ...], precision: str) -> np.ndarray:
    """``(C, 256)`` float32 table of normalised byte values."""
    if precision == "float32":  # OSTrack/STARK/SimTrack Preprocessor: torch float32 ops
        values = torch.arange(256).float().reshape(1, -1) / 255.0
        m = torch.tensor(mean).reshape(-1, 1)
        s = torch.tensor(std).reshape(-1, 1)
        return ((values - m) / s).numpy()
    if precision == "float64":  # Alpha-Refine / pytracking numpy path, cast to float32 at the end
        values = np.arange(256, dtype=np.float64).reshape(1, -1) / 255.0
        m = np.asarray(mean, dtype=np.float64).reshape(-1, 1)
        s = np.asarray(std, dtype=np.float64).reshape(-1, 1)
        return ((values - m) / s).astype(np.float32)
    raise ValueError(f"unknown precision '{precision}' (float32, float64)")


def imagenet_normalize(crop: np.ndarray, mean: Seq[float] = IMAGENET_MEAN, std: Seq[float] = IMAGENET_STD,
                       precision: str = "float32", device: Optional[str] = None) -> torch.Tensor:
    """Normalise a uint8 ``HxWxC`` crop to a float32 ``(1, C, H, W)`` tensor.

    ``precision="float32"`` matches OSTrack/STARK/SimTrack (``/255.0``, ``-mean``, ``/std`` in
    float32); ``"float64"`` matches Alpha-Refine (numpy float64, then cast).
    """
    crop = np.asarray(crop)
    if crop.dtype != np.uint8:
        raise TypeError(f"crop must be uint8, got {crop.dtype}")
    if crop.ndim == 2:
        crop = crop[:, :, None]
    channels = crop.shape[2]
    if len(mean) != channels or len(std) != channels:
        raise ValueError(f"crop has {channels} channels but mean/std have {len(mean)}/{len(std)}")
    table = _table(tuple(float(v) for v in mean), tuple(float(v) for v in std), precision)
    offsets = (np.arange(channels, dtype=np.intp) * 256).reshape(-1, 1, 1)
    out = np.take(table.reshape(-1), crop.transpose(2, 0, 1) + offsets)
    tensor = torch.from_numpy(out).unsqueeze(0)
    return tensor if device is None else tensor.to(device)
