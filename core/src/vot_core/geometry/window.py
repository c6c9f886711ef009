"""Cosine (Hann) windows as OSTrack/STARK/pytracking define them (``lib/test/utils/hann.py``).

The centred window is ``0.5 * (1 - cos(2*pi*k / (n + 1)))`` for ``k = 1..n``: it never reaches
zero, peaks in the middle and is computed in float32 exactly like the official code.
"""
from __future__ import annotations

import math
from typing import Tuple, Union

import torch


def hann1d(size: int, centered: bool = True) -> torch.Tensor:
    """1-D cosine window of ``size`` float32 values.

    ``centered=False`` gives pytracking's FFT-shifted variant (peak at index 0, period
    ``size + 2``), kept for trackers that use it.
    """
    size = int(size)
    if centered:
        return 0.5 * (1 - torch.cos((2 * math.pi / (size + 1)) * torch.arange(1, size + 1).float()))
    half = 0.5 * (1 + torch.cos((2 * math.pi / (size + 2)) * torch.arange(0, size // 2 + 1).float()))
    return torch.cat([half, half[1:size - size // 2].flip((0,))])


def hann2d(size: Union[int, Tuple[int, int]], centered: bool = True) -> torch.Tensor:
    """2-D window ``(1, 1, rows, cols)``: the outer product of two :func:`hann1d` windows.

    ``size`` is an int (square) or ``(rows, cols)``, the official ``hann2d(torch.tensor([h, w]))``.
    """
    rows, cols = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    return hann1d(rows, centered).reshape(1, 1, -1, 1) * hann1d(cols, centered).reshape(1, 1, 1, -1)
