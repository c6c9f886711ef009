"""Variance-scaled random weights for DMTrack networks (tests, benchmarks, fidelity checks).

The official initialisation (N(0, 0.01) heads, identity BN statistics) gives near-constant
score maps where the arg-max is decided by rounding noise; these weights keep activations near
unit variance through DLA-34 (BatchNorm statistics calibrated on one random batch), generate
He-scaled dynamic weights, and give non-saturated, location-dependent scores.
"""
from __future__ import annotations

import math

import torch


def variance_scaled_init_(model: torch.nn.Module, seed: int = 0,
                          class0_bias: float = -10.0) -> torch.nn.Module:
    """Fill every float tensor in place and return ``model``.

    Conv weights N(0, 2/fan_in) (1/fan_in for the linear FPN / query convs), BN/GN affine near
    identity, biases N(0, 0.1^2), small deformable offsets, controller biases N(0, 2/C) so the
    generated dynamic weights are He-scaled (the controller weights, N(0, 0.002^2), add the
    template's information), FCOS scales U(8, 24) (boxes of tens of pixels), and class 0's bias
    at ``class0_bias`` (as trained weights push the never-positive class down).
    """
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.dtype != torch.float32:
                continue
            if name.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=g) * 1.0 + 0.5)
            elif name.endswith("running_mean"):
                t.copy_(torch.randn(t.shape, generator=g) * 0.1)
            elif "conv_offset" in name:
                t.copy_(torch.randn(t.shape, generator=g) * (0.01 if t.dim() > 1 else 0.3))
            elif name.startswith("controller.") and name.endswith("weight"):
                t.copy_(torch.randn(t.shape, generator=g) * 0.002)
            elif name.startswith(("neck.", "template.")) and t.dim() > 1:  # linear convs
                t.copy_(torch.randn(t.shape, generator=g) * math.sqrt(1.0 / t[0].numel()))
            elif name.startswith("controller.") and name.endswith("bias"):
                fan_in = math.isqrt(t.numel())
                t.copy_(torch.randn(t.shape, generator=g) * math.sqrt(2.0 / fan_in))
            elif name.endswith(".scale"):
                t.fill_(float(torch.rand((), generator=g)) * 16 + 8)
            elif name.startswith("bbox_head.fcos_") and t.dim() > 1:
                t.copy_(torch.randn(t.shape, generator=g) * math.sqrt(0.5 / t[0].numel()))
            elif t.dim() >= 2:
                t.copy_(torch.randn(t.shape, generator=g) * math.sqrt(2.0 / t[0].numel()))
            elif name.endswith("weight"):
                t.copy_(1 + 0.2 * torch.randn(t.shape, generator=g))
            else:
                t.copy_(0.1 * torch.randn(t.shape, generator=g))
        head = getattr(model, "bbox_head", None)
        if head is not None and class0_bias is not None:
            head.fcos_cls.bias[0] = class0_bias  # class 0 is never a positive (as trained)
    _calibrate_batchnorm(model, g)
    return model


def _calibrate_batchnorm(model: torch.nn.Module, g: torch.Generator) -> None:
    """Set every BatchNorm's running statistics from one random batch (momentum 1, variances
    floored at 0.1), so the DLA activations stay near unit variance through its residual and
    aggregation nodes."""
    backbone = getattr(model, "backbone", None)
    if backbone is None:
        return
    norms = [m for m in backbone.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    saved = [m.momentum for m in norms]
    was_training = backbone.training
    for m in norms:
        m.momentum = 1.0
    backbone.train()
    with torch.no_grad():
        backbone(torch.randn(2, 3, 96, 96, generator=g))
    for m, momentum in zip(norms, saved):
        m.momentum = momentum
        # a nearly dead channel would otherwise get a huge gain that amplifies rounding noise
        m.running_var.clamp_(min=0.1)
    backbone.train(was_training)
