"""RoIAlign: compiled kernel vs reference, torchvision agreement, legacy geometry, edges."""
from __future__ import annotations

import pytest
import torch
import torchvision.ops as tvops
from ops_test_helpers import max_rel_err, random_rois

import vot_ops
from vot_ops import reference

SHAPES = [  # (batch, channels, height, width, rois, output, scale)
    (1, 3, 13, 17, 11, (7, 7), 1.0),
    (2, 8, 32, 40, 40, (7, 7), 0.25),
    (3, 4, 25, 19, 25, (5, 3), 0.125),
]
CONVENTIONS = [dict(aligned=False), dict(aligned=True), dict(aligned=False, legacy=True)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("conv", CONVENTIONS, ids=["torchvision", "aligned", "legacy"])
@pytest.mark.parametrize("sampling_ratio", [-1, 2, 3])
def test_matches_reference(shape, conv, sampling_ratio):
    b, c, h, w, n, out, scale = shape
    x = torch.randn(b, c, h, w, generator=torch.Generator().manual_seed(n))
    rois = random_rois(n, b, h / scale, w / scale, seed=n, max_size=min(h, w) / scale)
    got = vot_ops.roi_align(x, rois, out, scale, sampling_ratio, **conv)
    want = reference.roi_align(x, rois, out, scale, sampling_ratio, **conv)
    assert got.shape == (n, c, *out)
    assert max_rel_err(got, want) <= 1e-5


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("sampling_ratio", [-1, 0, 2])
def test_matches_torchvision(aligned, sampling_ratio):
    x = torch.randn(2, 5, 20, 24, dtype=torch.float64)
    rois = random_rois(30, 2, 80, 96, seed=3, dtype=torch.float64, max_size=60)
    got = vot_ops.roi_align(x, rois, (7, 6), 0.25, sampling_ratio, aligned)
    want = tvops.roi_align(x, rois, (7, 6), 0.25, sampling_ratio, aligned)
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


def test_legacy_is_torchvision_with_box_end_plus_one_for_large_boxes():
    """mmdet v1: end = (x2 + 1) * scale; equals torchvision when the RoI is >= 1 cell."""
    x = torch.randn(2, 4, 30, 30, dtype=torch.float64)
    rois = random_rois(40, 2, 120, 120, seed=5, dtype=torch.float64, min_size=8, max_size=90)
    shifted = rois.clone()
    shifted[:, 3:] += 1
    got = vot_ops.roi_align(x, rois, 7, 0.25, 2, False, legacy=True)
    want = tvops.roi_align(x, shifted, 7, 0.25, 2, False)
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


def test_legacy_clamps_size_at_zero_not_one():
    """A box whose end lies before its start collapses to one point (fmaxf(.., 0) in v1)."""
    x = torch.arange(36, dtype=torch.float64).reshape(1, 1, 6, 6)
    rois = torch.tensor([[0, 2.0, 3.0, 0.5, 1.0]], dtype=torch.float64)  # w = -0.5, h = -1
    got = vot_ops.roi_align(x, rois, 2, 1.0, 2, False, legacy=True)
    assert torch.equal(got, torch.full((1, 1, 2, 2), 3 * 6 + 2.0, dtype=torch.float64))
    # torchvision's convention clamps to 1 cell instead: samples at 2.25 / 2.75 (x), 3.25 / 3.75 (y)
    tv = vot_ops.roi_align(x, rois, 2, 1.0, 2, False)
    assert torch.allclose(tv, tvops.roi_align(x, rois, 2, 1.0, 2, False))
    assert not torch.equal(tv, got)


def test_aligned_half_pixel_hand_value():
    """aligned=True samples at (x * scale - 0.5): box [0, 0, 2, 2] at scale 1, one bin, 1 sample
    -> centre (0.5, 0.5) of a 2x2 ramp -> mean of the four pixels."""
    x = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    rois = torch.tensor([[0, 0.0, 0.0, 2.0, 2.0]])
    assert vot_ops.roi_align(x, rois, 1, 1.0, 1, True).item() == pytest.approx(1.5)
    # aligned=False: centre (1, 1) -> last row/column replicated -> 3
    assert vot_ops.roi_align(x, rois, 1, 1.0, 1, False).item() == pytest.approx(3.0)


@pytest.mark.parametrize("conv", CONVENTIONS, ids=["torchvision", "aligned", "legacy"])
def test_gradcheck(conv):
    x = torch.randn(2, 2, 7, 8, dtype=torch.float64, requires_grad=True)
    rois = random_rois(5, 2, 7, 8, seed=1, dtype=torch.float64, max_size=6)
    assert torch.autograd.gradcheck(
        lambda t: vot_ops.roi_align(t, rois, (3, 2), 1.0, 2, **conv), (x,), eps=1e-6, atol=1e-6)


def test_backward_matches_reference_autograd():
    x = torch.randn(2, 6, 16, 20, requires_grad=True)
    rois = random_rois(20, 2, 64, 80, seed=2, max_size=50)
    g = torch.randn(20, 6, 7, 7)
    (got,) = torch.autograd.grad(vot_ops.roi_align(x, rois, 7, 0.25, 2, True), x, g)
    (want,) = torch.autograd.grad(reference.roi_align(x, rois, 7, 0.25, 2, True), x, g)
    assert max_rel_err(got, want) <= 1e-5


def test_no_boxes():
    x = torch.randn(1, 3, 8, 8, requires_grad=True)
    out = vot_ops.roi_align(x, torch.zeros(0, 5), 7, 1.0, 2)
    assert out.shape == (0, 3, 7, 7)
    out.sum().backward()
    assert torch.equal(x.grad, torch.zeros_like(x))


def test_boxes_outside_and_zero_size():
    x = torch.randn(1, 2, 10, 10)
    rois = torch.tensor([[0, 30.0, 30.0, 40.0, 40.0],   # wholly outside -> 0
                         [0, -5.0, -5.0, 3.0, 3.0],     # partly outside
                         [0, 4.0, 4.0, 4.0, 4.0]])      # zero size
    for conv in CONVENTIONS:
        out = vot_ops.roi_align(x, rois, 3, 1.0, 2, **conv)
        assert torch.equal(out[0], torch.zeros(2, 3, 3))
        assert max_rel_err(out, reference.roi_align(x, rois, 3, 1.0, 2, **conv)) <= 1e-5
    # zero-size aligned box: every sample at (3.5, 3.5)
    out = vot_ops.roi_align(x, rois[2:], 3, 1.0, 2, aligned=True)
    centre = x[0, :, 3:5, 3:5].mean((1, 2))
    torch.testing.assert_close(out[0], centre[:, None, None].expand(2, 3, 3))


def test_batch_index_out_of_range_is_a_clear_error():
    x = torch.randn(2, 2, 8, 8)
    rois = torch.tensor([[2, 0.0, 0.0, 4.0, 4.0]])
    with pytest.raises(IndexError, match="batch index 2 .* batch size 2"):
        vot_ops.roi_align(x, rois, 2)
    with pytest.raises(IndexError, match="batch index"):
        reference.roi_align(x, rois, 2)
    with pytest.raises(ValueError, match="aligned=False"):
        vot_ops.roi_align(x, rois, 2, aligned=True, legacy=True)


def test_non_contiguous_inputs_and_box_list():
    x = torch.randn(2, 12, 9, 3).permute(0, 3, 1, 2)  # (2, 3, 12, 9), not contiguous
    rois = random_rois(10, 2, 12, 9, seed=4, max_size=8)
    rois_nc = torch.stack([rois, rois], -1)[..., 0]  # strided view of the same values
    assert not x.is_contiguous() and not rois_nc.is_contiguous()
    got = vot_ops.roi_align(x, rois_nc, 4, 1.0, 2, True)
    want = reference.roi_align(x.contiguous(), rois, 4, 1.0, 2, True)
    assert max_rel_err(got, want) <= 1e-5
    boxes = [rois[rois[:, 0] == i, 1:] for i in range(2)]
    ordered = torch.cat([rois[rois[:, 0] == i] for i in range(2)])
    torch.testing.assert_close(vot_ops.roi_align(x, boxes, 4, 1.0, 2, True),
                               vot_ops.roi_align(x, ordered, 4, 1.0, 2, True))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision(dtype):
    x = torch.randn(1, 4, 16, 16)
    rois = random_rois(8, 1, 16, 16, seed=6, max_size=12)
    got = vot_ops.roi_align(x.to(dtype), rois.to(dtype), 3, 1.0, 2, True)
    assert got.dtype == dtype
    want = reference.roi_align(x.to(dtype).float(), rois.to(dtype).float(), 3, 1.0, 2, True)
    assert max_rel_err(got, want) <= 1e-2


def test_map_roi_levels_finest_scale_56():
    def box(side):
        return [0, 10.0, 10.0, 10.0 + side, 10.0 + side]

    rois = torch.tensor([box(50), box(111.9), box(112), box(223), box(224), box(447.9),
                         box(448), box(2000)])
    assert vot_ops.map_roi_levels(rois, 4).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    # mmdetection v1 (+1): a 111-pixel-side box has scale 112 -> level 1
    assert vot_ops.map_roi_levels(torch.tensor([box(110.9), box(111)]), 4, offset=1).tolist() == [0, 1]


@pytest.mark.parametrize("legacy", [False, True])
def test_multilevel_roi_align_routes_each_roi_to_its_level(legacy):
    strides = [4, 8, 16, 32]
    feats = [torch.randn(1, 3, 256 // s, 256 // s) for s in strides]
    rois = random_rois(24, 1, 256, 256, seed=7, min_size=10, max_size=250)
    got = vot_ops.multilevel_roi_align(feats, rois, 7, strides, 2, not legacy, legacy=legacy)
    levels = vot_ops.map_roi_levels(rois, 4, offset=1.0 if legacy else 0.0)
    assert len(set(levels.tolist())) >= 2
    for i, r in enumerate(rois):
        lvl = int(levels[i])
        want = reference.roi_align(feats[lvl], r[None], 7, 1 / strides[lvl], 2, not legacy,
                                   legacy=legacy)
        assert max_rel_err(got[i:i + 1], want) <= 1e-5


@pytest.mark.parametrize("aligned", [False, True])
def test_channels_last_and_contiguous_layouts_agree(aligned):
    """The CPU kernel picks a channels-last loop for channels-last inputs (and for many RoIs)."""
    x = torch.randn(2, 16, 40, 48)
    few = random_rois(2, 2, 40, 48, seed=11, max_size=30)
    many = random_rois(300, 2, 40, 48, seed=12, max_size=30)
    for rois in (few, many):
        a = vot_ops.roi_align(x, rois, 3, 1.0, 2, aligned)
        b = vot_ops.roi_align(x.contiguous(memory_format=torch.channels_last), rois, 3, 1.0, 2, aligned)
        want = reference.roi_align(x, rois, 3, 1.0, 2, aligned)
        assert max_rel_err(a, want) <= 1e-5 and max_rel_err(b, want) <= 1e-5
        assert a.is_contiguous() and b.is_contiguous()
