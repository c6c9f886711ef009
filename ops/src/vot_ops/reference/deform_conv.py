"""Reference modulated deformable convolution (DCNv2).

Layout of the official DCNv2 (CharlesShang/DCNv2, mmdet.ops.dcn, torchvision): for deformable
group ``d`` and kernel tap ``k = i * kw + j``, ``offset[:, d*2*K + 2*k]`` is dy and
``offset[:, d*2*K + 2*k + 1]`` is dx (K = kh * kw), ``mask[:, d*K + k]`` the modulation.
Tap ``k`` of output ``(ho, wo)`` samples at
``(ho * sh - ph + i * dh + dy, wo * sw - pw + j * dw + dx)``; the sample is zero unless
``-1 < y < H`` and ``-1 < x < W``, and inside that range corners outside the map count as zero.
"""
from __future__ import annotations

from typing import Optional, Tuple

import torch
from torch import Tensor


def _pair(v) -> Tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _sample(image: Tensor, y: Tensor, x: Tensor) -> Tensor:
    """Bilinear samples of image (B, G, Cg, H, W) at y, x (B, G, K, Ho, Wo) -> (B, G, Cg, K, Ho, Wo)."""
    b, g, cg, height, width = image.shape
    flat = image.reshape(b, g, cg, height * width)
    inside = (y > -1) & (y < height) & (x > -1) & (x < width)
    y0, x0 = torch.floor(y), torch.floor(x)
    ly, lx = y - y0, x - x0
    out = 0
    for dy, wy in ((0, 1 - ly), (1, ly)):
        for dx, wx in ((0, 1 - lx), (1, lx)):
            yi, xi = (y0 + dy).long(), (x0 + dx).long()
            ok = inside & (yi >= 0) & (yi < height) & (xi >= 0) & (xi < width)
            index = (yi.clamp(0, height - 1) * width + xi.clamp(0, width - 1))
            index = index.reshape(b, g, 1, -1).expand(b, g, cg, index[0, 0].numel())
            values = torch.gather(flat, 3, index).reshape(b, g, cg, *y.shape[2:])
            weight = torch.where(ok, wy * wx, torch.zeros_like(wy))
            out = out + values * weight[:, :, None]
    return out


def modulated_deform_conv2d(input: Tensor, offset: Tensor, weight: Tensor,
                            bias: Optional[Tensor] = None, stride=1, padding=0, dilation=1,
                            mask: Optional[Tensor] = None) -> Tensor:
    """Reference DCNv2 with torchvision's argument order; groups and deformable groups are
    inferred from ``weight`` and ``offset`` as torchvision does."""
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    batch, channels, height, width = input.shape
    out_ch, cin_g, kh, kw = weight.shape
    taps = kh * kw
    if channels % cin_g:
        raise ValueError(f"modulated_deform_conv2d: weight expects {cin_g} channels per group, "
                         f"input has {channels}")
    groups = channels // cin_g
    dgroups = offset.shape[1] // (2 * taps)
    if dgroups == 0 or offset.shape[1] != 2 * taps * dgroups or channels % dgroups:
        raise ValueError(f"modulated_deform_conv2d: offset has {offset.shape[1]} channels, "
                         f"expected a multiple of 2*kh*kw={2 * taps} dividing the input channels")
    out_h = (height + 2 * ph - (dh * (kh - 1) + 1)) // sh + 1
    out_w = (width + 2 * pw - (dw * (kw - 1) + 1)) // sw + 1
    if tuple(offset.shape[2:]) != (out_h, out_w):
        raise ValueError(f"modulated_deform_conv2d: offset spatial size {tuple(offset.shape[2:])} "
                         f"!= output size {(out_h, out_w)}")
    out_dtype = input.dtype
    work = torch.float32 if input.dtype in (torch.float16, torch.bfloat16) else input.dtype
    x_in, off, w = input.to(work), offset.to(work), weight.to(work)
    off = off.reshape(batch, dgroups, taps, 2, out_h, out_w)
    dev = input.device
    ki = torch.arange(kh, dtype=work, device=dev).repeat_interleave(kw) * dh  # tap row
    kj = torch.arange(kw, dtype=work, device=dev).repeat(kh) * dw  # tap column
    base_y = (torch.arange(out_h, dtype=work, device=dev) * sh - ph)[None, :, None] + ki[:, None, None]
    base_x = (torch.arange(out_w, dtype=work, device=dev) * sw - pw)[None, None, :] + kj[:, None, None]
    y = base_y[None, None] + off[:, :, :, 0]
    x = base_x[None, None] + off[:, :, :, 1]
    image = x_in.reshape(batch, dgroups, channels // dgroups, height, width)
    cols = _sample(image, y, x)  # (B, dg, C/dg, K, Ho, Wo)
    if mask is not None:
        m = mask.to(work).reshape(batch, dgroups, 1, taps, out_h, out_w)
        cols = cols * m
    cols = cols.reshape(batch, groups, cin_g * taps, out_h * out_w)
    wg = w.reshape(groups, out_ch // groups, cin_g * taps)
    out = torch.einsum("gok,bgkp->bgop", wg, cols).reshape(batch, out_ch, out_h, out_w)
    if bias is not None:
        out = out + bias.to(work)[None, :, None, None]
    return out.to(out_dtype)
