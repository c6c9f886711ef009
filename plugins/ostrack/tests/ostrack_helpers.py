"""Helpers shared by the vot-ostrack tests: variance-scaled random weights (activations stay
finite and attention is peaked, unlike a near-uniform 0.02 init) and tiny network sizes."""
from __future__ import annotations

import math

import torch

#: a tiny OSTrack: same token grids as the 256 model (8x8 template, 16x16 search), narrow
TINY = dict(embed_dim=32, depth=12, num_heads=2, mlp_ratio=2.0, head_channels=16)


def randomize_(model: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    """Fill every float tensor: weights N(0, 1/fan_in), BN stats/affine near identity,
    position embeddings N(0, 0.5^2), biases N(0, 0.1^2)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.dtype != torch.float32:
                continue
            if name.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=g) * 1.5 + 0.5)
            elif name.endswith("running_mean"):
                t.copy_(torch.randn(t.shape, generator=g) * 0.1)
            elif "pos_embed" in name or "cls_token" in name:
                t.copy_(torch.randn(t.shape, generator=g) * 0.5)
            elif t.dim() >= 2:
                t.copy_(torch.randn(t.shape, generator=g) / math.sqrt(t[0].numel()))
            elif name.endswith("weight"):
                t.copy_(1 + 0.2 * torch.randn(t.shape, generator=g))
            else:
                t.copy_(0.1 * torch.randn(t.shape, generator=g))
    return model
