"""Modulated deformable convolution (DCNv2): kernel vs reference, torchvision, border rule."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
import torchvision.ops as tvops
from ops_test_helpers import max_rel_err

import vot_ops
from vot_ops import reference

CASES = [  # (batch, cin, h, w, cout, k, stride, pad, dil, groups, dgroups)
    (1, 4, 9, 11, 6, 3, 1, 1, 1, 1, 1),
    (2, 8, 12, 10, 4, 3, 2, 1, 1, 2, 2),
    (1, 6, 10, 13, 6, (3, 2), 1, (2, 0), 2, 3, 3),
    (2, 4, 7, 7, 8, 1, 1, 0, 1, 1, 4),
]


def make_case(case, seed, dtype=torch.float32, mask=True, bias=True):
    b, cin, h, w, cout, k, stride, pad, dil, groups, dg = case
    kh, kw = (k, k) if isinstance(k, int) else k
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (pad, pad) if isinstance(pad, int) else pad
    dh, dw = (dil, dil) if isinstance(dil, int) else dil
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(b, cin, h, w, generator=g, dtype=dtype)
    weight = torch.randn(cout, cin // groups, kh, kw, generator=g, dtype=dtype)
    offset = torch.randn(b, 2 * dg * kh * kw, oh, ow, generator=g, dtype=dtype) * 2.5
    m = torch.rand(b, dg * kh * kw, oh, ow, generator=g, dtype=dtype) if mask else None
    bb = torch.randn(cout, generator=g, dtype=dtype) if bias else None
    return x, offset, weight, bb, (sh, sw), (ph, pw), (dh, dw), m


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("mask,bias", [(True, True), (False, False)])
def test_matches_reference(case, mask, bias):
    x, off, w, b, s, p, d, m = make_case(case, seed=1, mask=mask, bias=bias)
    got = vot_ops.modulated_deform_conv2d(x, off, w, b, s, p, d, m)
    want = reference.modulated_deform_conv2d(x, off, w, b, s, p, d, m)
    assert max_rel_err(got, want) <= 1e-5


@pytest.mark.parametrize("case", CASES)
def test_matches_torchvision(case):
    args = make_case(case, seed=2, dtype=torch.float64)
    x, off, w, b, s, p, d, m = args
    torch.testing.assert_close(vot_ops.modulated_deform_conv2d(*args),
                               tvops.deform_conv2d(x, off, w, b, s, p, d, m))


def test_zero_offset_unit_mask_is_conv2d():
    x, off, w, b, s, p, d, m = make_case(CASES[1], seed=3, dtype=torch.float64)
    out = vot_ops.modulated_deform_conv2d(x, torch.zeros_like(off), w, b, s, p, d,
                                          torch.ones_like(m))
    torch.testing.assert_close(out, F.conv2d(x, w, b, s, p, d, groups=2))


def test_border_rule_and_offset_layout():
    """1x1 kernel on a ramp: dy moves rows, dx moves columns; a sample at y = -0.5 sees half
    of row 0 (the corner outside counts as zero); at y <= -1 or y >= H it is zero."""
    x = torch.arange(12, dtype=torch.float64).reshape(1, 1, 3, 4) + 1
    w = torch.ones(1, 1, 1, 1, dtype=torch.float64)

    def sample(dy, dx):
        off = torch.zeros(1, 2, 3, 4, dtype=torch.float64)
        off[0, 0], off[0, 1] = dy, dx
        return vot_ops.modulated_deform_conv2d(x, off, w)[0, 0]

    assert sample(1.0, 0.0)[0, 0].item() == x[0, 0, 1, 0].item()   # channel 0 is dy
    assert sample(0.0, 1.0)[0, 0].item() == x[0, 0, 0, 1].item()   # channel 1 is dx
    assert sample(-0.5, 0.0)[0, 2].item() == pytest.approx(0.5 * x[0, 0, 0, 2].item())
    assert sample(-1.0, 0.0)[0, 2].item() == 0.0
    assert sample(0.5, 0.0)[2, 1].item() == pytest.approx(0.5 * x[0, 0, 2, 1].item())
    assert sample(1.0, 0.0)[2, 1].item() == 0.0                     # y = H exactly -> zero
    assert sample(0.0, -0.25)[1, 0].item() == pytest.approx(0.75 * x[0, 0, 1, 0].item())


def test_split_offset_mask_official_layout():
    out = torch.randn(2, 27, 4, 5)
    offset, mask = vot_ops.split_offset_mask(out)
    assert torch.equal(offset, torch.cat([out[:, :9], out[:, 9:18]], 1))
    assert torch.equal(mask, torch.sigmoid(out[:, 18:]))


@pytest.mark.parametrize("mask,bias", [(True, True), (False, False)])
def test_gradcheck(mask, bias):
    x, off, w, b, s, p, d, m = make_case((1, 4, 4, 5, 2, 3, 1, 1, 1, 2, 2), seed=4,
                                         dtype=torch.float64, mask=mask, bias=bias)
    inputs = [t.requires_grad_() for t in (x, off, w) + ((m,) if mask else ()) + ((b,) if bias else ())]

    def fn(*ts):
        x_, off_, w_ = ts[:3]
        m_ = ts[3] if mask else None
        b_ = ts[-1] if bias else None
        return vot_ops.modulated_deform_conv2d(x_, off_, w_, b_, s, p, d, m_)

    # fast_mode checks random projections of the Jacobian (the full one needs ~2k forwards)
    assert torch.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-5, fast_mode=True)


def test_backward_matches_reference_autograd():
    x, off, w, b, s, p, d, m = make_case(CASES[1], seed=5)
    ins = [t.requires_grad_() for t in (x, off, w, b, m)]
    g = torch.randn(x.shape[0], w.shape[0], off.shape[2], off.shape[3])
    got = torch.autograd.grad(vot_ops.modulated_deform_conv2d(x, off, w, b, s, p, d, m), ins, g)
    want = torch.autograd.grad(reference.modulated_deform_conv2d(x, off, w, b, s, p, d, m), ins, g)
    for a, e in zip(got, want):
        assert max_rel_err(a, e) <= 1e-5


def test_non_contiguous_inputs():
    x, off, w, b, s, p, d, m = make_case(CASES[0], seed=6)
    x_nc = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
    off_nc = torch.stack([off, off], -1)[..., 0]
    assert not x_nc.is_contiguous() and not off_nc.is_contiguous()
    got = vot_ops.modulated_deform_conv2d(x_nc, off_nc, w, b, s, p, d, m)
    assert max_rel_err(got, reference.modulated_deform_conv2d(x, off, w, b, s, p, d, m)) <= 1e-5


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision(dtype):
    args = make_case(CASES[0], seed=7)
    low = [a.to(dtype) if isinstance(a, torch.Tensor) else a for a in args]
    got = vot_ops.modulated_deform_conv2d(*low)
    assert got.dtype == dtype
    want = reference.modulated_deform_conv2d(*[a.float() if isinstance(a, torch.Tensor) else a
                                               for a in low])
    assert max_rel_err(got, want) <= 1e-2


def test_bad_shapes_are_clear_errors():
    x, off, w, b, s, p, d, m = make_case(CASES[0], seed=8)
    with pytest.raises((ValueError, RuntimeError), match="offset"):
        vot_ops.modulated_deform_conv2d(x, off[:, :5], w, b, s, p, d, m)
    with pytest.raises((ValueError, RuntimeError), match="channels"):
        vot_ops.modulated_deform_conv2d(x[:, :3], off, w, b, s, p, d, m)


def test_gradcheck_full_jacobian_tiny():
    g = torch.Generator().manual_seed(9)
    x = torch.randn(1, 2, 3, 3, generator=g, dtype=torch.float64, requires_grad=True)
    w = torch.randn(1, 2, 2, 2, generator=g, dtype=torch.float64, requires_grad=True)
    off = (torch.randn(1, 8, 2, 2, generator=g, dtype=torch.float64) * 1.5).requires_grad_()
    m = torch.rand(1, 4, 2, 2, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(1, generator=g, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda *t: vot_ops.modulated_deform_conv2d(t[0], t[1], t[2], t[4], 1, 0, 1, t[3]),
        (x, off, w, m, b), eps=1e-6, atol=1e-5)
