"""Variance-scaled random weights for QG-RCNN, for tests, benchmarks and fidelity checks.

Plain random initialisation saturates the detector (every score 0 or 1, no detections), so
every convolution or linear layer that no BatchNorm follows gets ``N(0, 1 / fan_in)`` (unit
gain, biases small) and the backbone's BatchNorm running statistics are set to the batch
statistics of one calibration image, so activations stay near unit variance everywhere.
"""
from __future__ import annotations

import torch
from torch import nn


@torch.no_grad()
def variance_scaled_(model: nn.Module, image: torch.Tensor, seed: int = 0) -> nn.Module:
    """Re-initialise ``model`` (a :class:`~vot_globaltrack.qg_rcnn.QGRCNN`) in place and
    calibrate its BatchNorms on ``image`` (1, 3, H, W); returns it in eval mode."""
    gen = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            fan_in = module.weight[0].numel()
            module.weight.copy_(torch.randn(module.weight.shape, generator=gen) / fan_in ** 0.5)
            if module.bias is not None:
                module.bias.copy_(0.1 * torch.randn(module.bias.shape, generator=gen))
    backbone = model.backbone
    norms = [m for m in backbone.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in norms:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average: one batch gives its own statistics
        bn.weight.copy_(1 + 0.1 * torch.randn(bn.weight.shape, generator=gen))
        bn.bias.copy_(0.1 * torch.randn(bn.bias.shape, generator=gen))
        bn.train()
    backbone(image)
    for bn in norms:
        bn.momentum = 0.1
        bn.num_batches_tracked.fill_(0)
    return model.eval()
