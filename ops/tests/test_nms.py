"""NMS: compiled kernel vs reference, torchvision agreement, legacy options, edges."""
from __future__ import annotations

import pytest
import torch
import torchvision.ops as tvops

import vot_ops
from vot_ops import reference


def random_boxes(n: int, seed: int, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=g) * 300
    wh = torch.rand(n, 2, generator=g) * 80 + 1
    scores = torch.rand(n, generator=g)
    return torch.cat([xy, xy + wh], 1).to(dtype), scores.to(dtype)


@pytest.mark.parametrize("n", [1, 7, 120, 1000])
@pytest.mark.parametrize("offset", [0.0, 1.0])
@pytest.mark.parametrize("strict", [True, False])
def test_matches_reference(n, offset, strict):
    boxes, scores = random_boxes(n, seed=n)
    got = vot_ops.nms(boxes, scores, 0.5, offset=offset, strict=strict)
    want = reference.nms(boxes, scores, 0.5, offset=offset, strict=strict)
    assert torch.equal(got, want)
    idxs = torch.randint(0, 4, (n,), generator=torch.Generator().manual_seed(1))
    got = vot_ops.batched_nms(boxes, scores, idxs, 0.3, offset=offset, strict=strict)
    want = reference.batched_nms(boxes, scores, idxs, 0.3, offset=offset, strict=strict)
    assert torch.equal(got, want)


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_matches_torchvision(threshold):
    boxes, scores = random_boxes(500, seed=11)
    assert torch.equal(vot_ops.nms(boxes, scores, threshold), tvops.nms(boxes, scores, threshold))
    idxs = torch.randint(0, 5, (500,), generator=torch.Generator().manual_seed(2))
    assert torch.equal(vot_ops.batched_nms(boxes, scores, idxs, threshold),
                       tvops.batched_nms(boxes, scores, idxs, threshold))


def test_legacy_offset_is_torchvision_on_boxes_grown_by_one():
    boxes, scores = random_boxes(400, seed=12, dtype=torch.float64)
    grown = boxes.clone()
    grown[:, 2:] += 1
    assert torch.equal(vot_ops.nms(boxes, scores, 0.7, offset=1), tvops.nms(grown, scores, 0.7))


def test_strict_and_non_strict_at_an_exact_tie():
    boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 5.0]])  # IoU exactly 0.5
    scores = torch.tensor([0.9, 0.8])
    assert vot_ops.nms(boxes, scores, 0.5).tolist() == [0, 1]            # IoU > t suppresses
    assert vot_ops.nms(boxes, scores, 0.5, strict=False).tolist() == [0]  # IoU >= t suppresses
    # legacy +1: areas 121 and 66, inter 66 -> IoU 66/121 = 0.545...
    assert vot_ops.nms(boxes, scores, 0.54, offset=1).tolist() == [0]
    assert vot_ops.nms(boxes, scores, 0.55, offset=1).tolist() == [0, 1]


def test_kept_indices_in_score_order_ties_stable():
    boxes = torch.tensor([[0.0, 0, 1, 1], [10, 10, 11, 11], [20, 20, 21, 21], [30, 30, 31, 31]])
    scores = torch.tensor([0.1, 0.5, 0.5, 0.9])
    assert vot_ops.nms(boxes, scores, 0.5).tolist() == [3, 1, 2, 0]


def test_batched_nms_only_within_a_class():
    boxes = torch.tensor([[0.0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]])
    scores = torch.tensor([0.9, 0.8, 0.7])
    idxs = torch.tensor([0, 1, 0])
    assert vot_ops.batched_nms(boxes, scores, idxs, 0.5).tolist() == [0, 1]


def test_empty_and_shape_errors():
    assert vot_ops.nms(torch.zeros(0, 4), torch.zeros(0), 0.5).shape == (0,)
    assert vot_ops.batched_nms(torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, dtype=torch.long),
                               0.5).dtype == torch.long
    with pytest.raises((ValueError, RuntimeError), match="boxes must have shape"):
        vot_ops.nms(torch.zeros(3, 5), torch.zeros(3), 0.5)
    with pytest.raises((ValueError, RuntimeError), match="scores must have shape"):
        vot_ops.nms(torch.zeros(3, 4), torch.zeros(2), 0.5)


def test_non_contiguous_and_low_precision():
    boxes, scores = random_boxes(200, seed=13)
    nc = torch.stack([boxes, boxes], -1)[..., 0]
    nc_scores = torch.stack([scores, scores], 1)[:, 0]
    assert not nc.is_contiguous() and not nc_scores.is_contiguous()
    want = reference.nms(nc.contiguous(), nc_scores.contiguous(), 0.5)
    assert torch.equal(vot_ops.nms(nc, nc_scores, 0.5), want)
    for dtype in (torch.float16, torch.bfloat16):
        b, s = boxes.to(dtype), scores.to(dtype)
        assert torch.equal(vot_ops.nms(b, s, 0.5), reference.nms(b, s, 0.5))
