"""Shared helpers: variance-scaled random weights and a narrow head for fast tests."""
from __future__ import annotations

import torch

from vot_dmtrack.random_init import variance_scaled_init_

#: a narrow DMTrack (full DLA-34, 64-channel FPN/head, 8-channel second dynamic conv)
TINY = dict(head_channels=64, mid_channels=8)


def randomize_(model: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    return variance_scaled_init_(model, seed)
