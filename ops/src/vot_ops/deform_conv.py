"""Modulated deformable convolution (DCNv2) with torchvision's ``deform_conv2d`` arguments."""
from __future__ import annotations

from typing import Optional, Tuple

import torch
from torch import Tensor

from . import reference
from ._extension import use_compiled


def _pair(v, name: str) -> Tuple[int, int]:
    if isinstance(v, int):
        return v, v
    a, b = v
    return int(a), int(b)


def modulated_deform_conv2d(input: Tensor, offset: Tensor, weight: Tensor,
                            bias: Optional[Tensor] = None, stride=1, padding=0, dilation=1,
                            mask: Optional[Tensor] = None) -> Tensor:
    """DCNv2, a drop-in for ``torchvision.ops.deform_conv2d`` (same positional arguments).

    Args:
        input: (B, C, H, W).
        offset: (B, 2 * dg * kh * kw, Ho, Wo); for deformable group ``d`` and tap
            ``k = i * kw + j`` channel ``d*2*kh*kw + 2*k`` is dy and ``+1`` is dx (official
            DCNv2 layout; use :func:`split_offset_mask` on a conv_offset output).
        weight: (O, C / groups, kh, kw); ``groups`` is inferred from it.
        bias: (O,) or None.
        stride, padding, dilation: int or (h, w).
        mask: (B, dg * kh * kw, Ho, Wo) modulation, or None (DCNv1).

    A sample outside ``(-1, H) x (-1, W)`` is zero; inside, corners outside the map count as
    zero (official border rule). Differentiable in input, offset, weight, mask and bias.
    """
    sh, sw = _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    dh, dw = _pair(dilation, "dilation")
    if input.dim() != 4 or weight.dim() != 4:
        raise ValueError("modulated_deform_conv2d: input and weight must be 4-D, got "
                         f"{tuple(input.shape)} and {tuple(weight.shape)}")
    taps = weight.shape[2] * weight.shape[3]
    if weight.shape[1] == 0 or input.shape[1] % weight.shape[1]:
        raise ValueError(f"modulated_deform_conv2d: weight expects {weight.shape[1]} channels per "
                         f"group, input has {input.shape[1]}")
    groups = input.shape[1] // weight.shape[1]
    if offset.dim() != 4 or offset.shape[1] % (2 * taps) or offset.shape[1] == 0:
        raise ValueError(f"modulated_deform_conv2d: offset must be (B, 2*dg*kh*kw, Ho, Wo) with "
                         f"kh*kw={taps}, got {tuple(offset.shape)}")
    dgroups = offset.shape[1] // (2 * taps)
    if use_compiled("modulated_deform_conv2d", input.device):
        use_mask = mask is not None
        m = mask if use_mask else input.new_zeros(0)
        b = bias if bias is not None else input.new_zeros(0)
        return torch.ops.vot_ops.modulated_deform_conv2d(input, weight, offset, m, b, sh, sw, ph,
                                                         pw, dh, dw, groups, dgroups, use_mask)
    return reference.modulated_deform_conv2d(input, offset, weight, bias, (sh, sw), (ph, pw),
                                             (dh, dw), mask)


def split_offset_mask(conv_offset_output: Tensor) -> Tuple[Tensor, Tensor]:
    """Official DCNv2 split of the offset conv output (3 * dg * kh * kw channels):
    ``o1, o2, m = chunk(out, 3, dim=1)``, ``offset = cat(o1, o2)``, ``mask = sigmoid(m)``."""
    if conv_offset_output.shape[1] % 3:
        raise ValueError("split_offset_mask: channel count must be a multiple of 3, got "
                         f"{conv_offset_output.shape[1]}")
    o1, o2, m = torch.chunk(conv_offset_output, 3, dim=1)
    return torch.cat((o1, o2), dim=1), torch.sigmoid(m)
