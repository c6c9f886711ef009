"""Pooling written as ``out[r, c] = Wy[r] @ F[batch[r], c] @ Wx[r].T``.

RoIAlign (bilinear samples averaged over a grid) and PrRoIPool (exact integral of the bilinear
field) are both separable in y and x. Weights are given sparsely: row indices ``yi (R, PH, A)``
with weights ``wy (R, PH, A)`` and column indices ``xi (R, PW, B)`` with weights ``wx``
(repeated indices simply add up).
"""
from __future__ import annotations

import torch
from torch import Tensor

_BUDGET = 1 << 24  # elements of the gathered (r, PH, A, PW, B, C) block per chunk


def check_rois(rois: Tensor, batch_size: int, op: str) -> None:
    if rois.dim() != 2 or rois.size(1) != 5:
        raise ValueError(f"{op}: rois must have shape (K, 5) = (batch_index, x1, y1, x2, y2), "
                         f"got {tuple(rois.shape)}")
    if rois.numel():
        index = rois[:, 0].long()
        lo, hi = int(index.min()), int(index.max())
        if lo < 0 or hi >= batch_size:
            bad = lo if lo < 0 else hi
            raise IndexError(f"{op}: a RoI has batch index {bad} but the input has batch size "
                             f"{batch_size} (valid indices are 0..{batch_size - 1})")


def separable_pool(features: Tensor, batch_index: Tensor, yi: Tensor, wy: Tensor, xi: Tensor,
                   wx: Tensor) -> Tensor:
    """(R, C, PH, PW): sum_ab wy[r,p,a] wx[r,q,b] features[batch[r], :, yi[r,p,a], xi[r,q,b]]."""
    num, ph, a = yi.shape
    pw, b = xi.shape[1:]
    channels = features.shape[1]
    if num == 0:  # stays connected to the graph (zero gradient), like the kernels
        return features.new_zeros((0, channels, ph, pw)) + 0 * features.sum()
    chunk = max(1, _BUDGET // max(1, ph * a * pw * b * channels))
    outs = []
    for s in range(0, num, chunk):
        sl = slice(s, s + chunk)
        r = batch_index[sl]
        block = features[r[:, None, None, None, None], :,
                         yi[sl][:, :, :, None, None], xi[sl][:, None, None, :, :]]
        outs.append(torch.einsum("rpa,rpaqbc,rqb->rcpq", wy[sl], block, wx[sl]))
    return torch.cat(outs)
