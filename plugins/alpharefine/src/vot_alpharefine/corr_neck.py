"""Pixel-wise correlation neck of the released Alpha-Refine model (official ``PtCorr``).

The template kernel is the *central* 8x8 cells of the 16x16 template ``layer3`` map (the
template crop holds the target in its central half; no RoI pooling, the box is not used).
Every kernel cell is dot-multiplied with every search cell over the 256 channels (no
normalisation), giving one correlation channel per kernel cell (position-major: channel
``i * 8 + j`` is kernel row ``i``, column ``j``). Three 1x1 conv-BN-ReLU layers and a
squeeze-and-excitation channel attention follow.
"""
from __future__ import annotations

import torch
from torch import nn


class SEModule(nn.Module):
    """Squeeze-and-excitation: global average, 1x1 down, ReLU, 1x1 up, sigmoid, rescale."""

    def __init__(self, channels: int, reduction: int = 4) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(channels, channels // reduction, kernel_size=1)
        self.fc2 = nn.Conv2d(channels // reduction, channels, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weight = x.mean(dim=(2, 3), keepdim=True)
        weight = torch.sigmoid(self.fc2(torch.relu(self.fc1(weight))))
        return x * weight


def conv1x1_bn_relu(cin: int, cout: int) -> list:
    return [nn.Conv2d(cin, cout, kernel_size=1), nn.BatchNorm2d(cout), nn.ReLU()]


def central_kernel(template_feat: torch.Tensor, search_factor: int = 2) -> torch.Tensor:
    """The central ``1/search_factor`` part of a template feature map (official integer bounds:
    ``H*(sr-1)//(2*sr)`` to ``H*(sr+1)//(2*sr)``; 4:12 of 16 for ``sr=2``)."""
    h, w = template_feat.shape[-2:]
    sr = search_factor
    return template_feat[..., h * (sr - 1) // (2 * sr):h * (sr + 1) // (2 * sr),
                         w * (sr - 1) // (2 * sr):w * (sr + 1) // (2 * sr)]


def pixelwise_correlation(kernel: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
    """``(B,C,k,k) x (B,C,H,W) -> (B,k*k,H,W)``: channel ``n`` is kernel cell ``n`` (row-major)
    dotted with every search cell."""
    b, c, h, w = search.shape
    kernel = kernel.reshape(b, c, -1).transpose(1, 2)
    return torch.matmul(kernel, search.reshape(b, c, h * w)).reshape(b, -1, h, w)


class PtCorrNeck(nn.Module):
    """Correlation, post-correlation 1x1 convs and SE attention; ``pool_size`` = kernel side,
    ``hidden`` = width of the middle 1x1 convs (128 released)."""

    def __init__(self, pool_size: int = 8, hidden: int = 128) -> None:
        super().__init__()
        channels = pool_size * pool_size
        self.pool_size = pool_size
        self.post_corr = nn.Sequential(*conv1x1_bn_relu(channels, hidden),
                                       *conv1x1_bn_relu(hidden, hidden),
                                       *conv1x1_bn_relu(hidden, channels))
        self.channel_attention = SEModule(channels, reduction=4)

    def template_kernel(self, template_feat: torch.Tensor) -> torch.Tensor:
        kernel = central_kernel(template_feat, 2)
        if kernel.shape[-2:] != (self.pool_size, self.pool_size):
            raise ValueError(f"template feature {tuple(template_feat.shape[-2:])} gives a "
                             f"{tuple(kernel.shape[-2:])} kernel; the neck was built for "
                             f"{self.pool_size}x{self.pool_size} (a {32 * self.pool_size}x"
                             f"{32 * self.pool_size} template crop)")
        return kernel

    def forward(self, kernel: torch.Tensor, search_feat: torch.Tensor) -> torch.Tensor:
        corr = pixelwise_correlation(kernel, search_feat)
        return self.channel_attention(self.post_corr(corr))
