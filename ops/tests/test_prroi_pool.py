"""PrRoIPool: kernel vs reference, exact integral, gradients for features and boxes."""
from __future__ import annotations

import pytest
import torch
from ops_test_helpers import max_rel_err, random_rois

import vot_ops
from vot_ops import reference


def field(features: torch.Tensor, y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Bilinear field sum_ij F[i, j] tri(y - i) tri(x - j) of (C, H, W) at the grid y x x."""
    c, h, w = features.shape
    ty = (1 - (y[:, None] - torch.arange(h, dtype=y.dtype)).abs()).clamp(min=0)
    tx = (1 - (x[:, None] - torch.arange(w, dtype=x.dtype)).abs()).clamp(min=0)
    return torch.einsum("ai,cij,bj->cab", ty, features, tx)


@pytest.mark.parametrize("shape", [(1, 3, 9, 11, 6, (2, 2), 1.0), (2, 8, 24, 30, 30, (7, 7), 0.125),
                                   (3, 4, 16, 16, 20, (3, 5), 0.0625)])
def test_matches_reference(shape):
    b, c, h, w, n, out, scale = shape
    x = torch.randn(b, c, h, w, generator=torch.Generator().manual_seed(n))
    rois = random_rois(n, b, h / scale, w / scale, seed=n, max_size=min(h, w) / scale)
    got = vot_ops.prroi_pool(x, rois, out, scale)
    assert max_rel_err(got, reference.prroi_pool(x, rois, out, scale)) <= 1e-5


def test_is_the_exact_integral_of_the_bilinear_field():
    f = torch.randn(1, 2, 6, 7, dtype=torch.float64)
    roi = torch.tensor([[0, -1.3, 0.4, 5.7, 6.5]], dtype=torch.float64)  # partly outside
    out = vot_ops.prroi_pool(f, roi, (2, 3), 1.0)
    n = 2000  # midpoint rule: error O(1/n^2) on a piecewise-quadratic integrand
    x0, y0, x1, y1 = roi[0, 1:].tolist()
    bh, bw = (y1 - y0) / 2, (x1 - x0) / 3
    for ph in range(2):
        for pw in range(3):
            ys = y0 + ph * bh + (torch.arange(n, dtype=torch.float64) + 0.5) * bh / n
            xs = x0 + pw * bw + (torch.arange(n, dtype=torch.float64) + 0.5) * bw / n
            torch.testing.assert_close(out[0, :, ph, pw], field(f[0], ys, xs).mean((1, 2)),
                                       rtol=1e-5, atol=1e-6)


def test_constant_map_and_spatial_scale():
    x = torch.full((1, 1, 32, 32), 2.5, dtype=torch.float64)
    rois = torch.tensor([[0, 16.0, 16.0, 400.0, 300.0]], dtype=torch.float64)
    out = vot_ops.prroi_pool(x, rois, 4, 1 / 16)  # cells [1, 25] x [1, 18.75]: inside
    torch.testing.assert_close(out, torch.full_like(out, 2.5))


def test_empty_boxes_give_zero_and_zero_gradient():
    x = torch.randn(1, 2, 8, 8, dtype=torch.float64, requires_grad=True)
    rois = torch.tensor([[0, 3.0, 3.0, 3.0, 6.0], [0, 5.0, 5.0, 2.0, 2.0]], dtype=torch.float64,
                        requires_grad=True)
    out = vot_ops.prroi_pool(x, rois, 2)
    assert torch.equal(out, torch.zeros_like(out))
    out.sum().backward()
    assert torch.equal(x.grad, torch.zeros_like(x))
    assert torch.equal(rois.grad, torch.zeros_like(rois))


def test_no_boxes_and_outside_boxes():
    x = torch.randn(2, 3, 8, 8)
    assert vot_ops.prroi_pool(x, torch.zeros(0, 5), 4).shape == (0, 3, 4, 4)
    out = vot_ops.prroi_pool(x, torch.tensor([[1, 20.0, 20.0, 30.0, 30.0]]), 4)
    assert torch.equal(out, torch.zeros_like(out))


def test_batch_index_out_of_range_is_a_clear_error():
    with pytest.raises(IndexError, match="batch index -1"):
        vot_ops.prroi_pool(torch.randn(1, 1, 4, 4), torch.tensor([[-1, 0.0, 0.0, 2.0, 2.0]]), 2)


def test_gradcheck_features_and_boxes():
    x = torch.randn(2, 2, 6, 7, dtype=torch.float64, requires_grad=True)
    coords = torch.tensor([[0.3, 0.7, 4.6, 5.1], [-1.2, 1.4, 3.3, 7.9], [1.1, 0.2, 8.4, 3.3]],
                          dtype=torch.float64, requires_grad=True)
    index = torch.tensor([[0.0], [1.0], [1.0]], dtype=torch.float64)

    def fn(feats, boxes):
        return vot_ops.prroi_pool(feats, torch.cat([index, boxes], 1), (2, 3), 1.0)

    assert torch.autograd.gradcheck(fn, (x, coords), eps=1e-6, atol=1e-6)


def test_backward_matches_reference_autograd():
    x = torch.randn(2, 5, 20, 20, dtype=torch.float64, requires_grad=True)
    rois = random_rois(12, 2, 160, 160, seed=9, dtype=torch.float64, max_size=120).requires_grad_()
    g = torch.randn(12, 5, 7, 7, dtype=torch.float64)
    got = torch.autograd.grad(vot_ops.prroi_pool(x, rois, 7, 0.125), (x, rois), g)
    want = torch.autograd.grad(reference.prroi_pool(x, rois, 7, 0.125), (x, rois), g)
    assert max_rel_err(got[0], want[0]) <= 1e-10
    assert max_rel_err(got[1][:, 1:], want[1][:, 1:]) <= 1e-10
    assert torch.equal(got[1][:, 0], torch.zeros(12, dtype=torch.float64))


def test_non_contiguous_and_low_precision():
    x = torch.randn(1, 10, 10, 4).permute(0, 3, 1, 2)
    rois = random_rois(6, 1, 10, 10, seed=10, max_size=8)
    want = reference.prroi_pool(x.contiguous(), rois, 3)
    assert max_rel_err(vot_ops.prroi_pool(x, rois, 3), want) <= 1e-5
    for dtype in (torch.float16, torch.bfloat16):
        got = vot_ops.prroi_pool(x.to(dtype), rois.to(dtype), 3)
        assert got.dtype == dtype
        assert max_rel_err(got, reference.prroi_pool(x.to(dtype).float(), rois.to(dtype).float(), 3)) <= 1e-2
