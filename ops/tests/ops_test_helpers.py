"""Helpers of the vot-ops tests (imported by the test modules)."""
from __future__ import annotations

import pytest
import torch

import vot_ops

requires_extension = pytest.mark.skipif(
    not vot_ops.extension_loaded(),
    reason="the compiled extension is not built (pip install --no-build-isolation ./ops)",
)


def max_rel_err(actual: torch.Tensor, expected: torch.Tensor) -> float:
    """max |a - e| / max |e| (a relative error that ignores isolated near-zero entries)."""
    actual, expected = actual.double(), expected.double()
    if expected.numel() == 0:
        return 0.0
    scale = expected.abs().max().clamp(min=1e-12)
    return float((actual - expected).abs().max() / scale)


def random_rois(n: int, batch: int, height: float, width: float, seed: int = 0,
                dtype=torch.float32, min_size: float = 0.0, max_size: float = 200.0) -> torch.Tensor:
    """(n, 5) RoIs, some partly outside the image, sizes in [min_size, max_size]."""
    g = torch.Generator().manual_seed(seed)
    x1 = torch.rand(n, generator=g, dtype=torch.float64) * (width * 1.2) - width * 0.1
    y1 = torch.rand(n, generator=g, dtype=torch.float64) * (height * 1.2) - height * 0.1
    w = min_size + torch.rand(n, generator=g, dtype=torch.float64) * (max_size - min_size)
    h = min_size + torch.rand(n, generator=g, dtype=torch.float64) * (max_size - min_size)
    index = torch.randint(0, batch, (n,), generator=g).double()
    return torch.stack([index, x1, y1, x1 + w, y1 + h], 1).to(dtype)
