"""OSTrack's loss terms (vot_core.training.losses, used by OSTrackModel) on hand-computed cases."""
from __future__ import annotations

import math

import pytest
import torch

from vot_core.training.losses import center_heatmap, gaussian_radius, giou_loss
from vot_core.training.losses import centernet_focal_loss as focal_loss


def test_giou_hand_computed():
    loss, iou = giou_loss(torch.tensor([[0.0, 0, 2, 2]]), torch.tensor([[1.0, 1, 3, 3]]))
    # inter 1, union 7, hull 9: giou = 1/7 - 2/9 = -5/63
    assert float(iou) == pytest.approx(1 / 7)
    assert float(loss) == pytest.approx(1 + 5 / 63)
    same, iou1 = giou_loss(torch.tensor([[0.1, 0.2, 0.5, 0.9]]), torch.tensor([[0.1, 0.2, 0.5, 0.9]]))
    assert float(same) == pytest.approx(0.0, abs=1e-7) and float(iou1) == pytest.approx(1.0)


def test_focal_hand_computed():
    target = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]])
    pred = torch.tensor([[[[0.5, 0.1], [0.1, 0.1]]]])
    expected = -(math.log(0.5) * 0.25 + 3 * math.log(0.9) * 0.01)
    assert float(focal_loss(pred, target)) == pytest.approx(expected, rel=1e-6)
    soft = torch.tensor([[[[0.5, 0.0], [0.0, 0.0]]]])  # no pixel equals 1: -neg_loss
    neg = -(math.log(0.5) * 0.25 * 0.5 ** 4 + 3 * math.log(0.9) * 0.01)
    assert float(focal_loss(pred, soft)) == pytest.approx(neg, rel=1e-6)


def test_gaussian_radius_and_heatmap_hand_computed():
    assert float(gaussian_radius(torch.tensor(4.0), torch.tensor(4.0))) == pytest.approx(
        (-11.2 + math.sqrt(179.2)) / 2, rel=1e-6)  # the third root wins: 1.093
    hm = center_heatmap(torch.tensor([[0.25, 0.25, 0.25, 0.25]]), 16)  # box 4x4 at (4, 4)
    assert hm.shape == (1, 1, 16, 16)
    assert float(hm[0, 0, 6, 6]) == 1.0 and int((hm == 1).sum()) == 1  # centre round(6.0)
    assert float(hm[0, 0, 6, 7]) == pytest.approx(math.exp(-2), rel=1e-6)  # sigma = 3/6
    assert float(hm[0, 0, 7, 7]) == pytest.approx(math.exp(-4), rel=1e-6)
    assert float(hm[0, 0, 6, 8]) == 0.0  # radius 1
