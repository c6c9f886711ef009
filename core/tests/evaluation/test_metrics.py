"""Metric primitives: exact arithmetic of each toolkit, thresholds, AUC definitions."""
from __future__ import annotations

import numpy as np
import pytest
from vot_core.evaluation import metrics as M
from vot_core.evaluation.protocols import PYTRACKING_OVERLAP_THRESHOLDS


def test_matlab_colon_counts_down_from_the_end():
    v = M.matlab_colon(0, 0.05, 1)
    assert len(v) == 21 and v[0] == 0 and v[-1] == 1 and v[10] == 0.5
    # first half k*d, second half 1 - k*d: 0.7 is the double nearest 0.7 (linspace gives
    # 0.7000000000000001), 0.15 is 3*0.05 = 0.15000000000000002 in both
    assert v[14] == 1 - 6 * 0.05 == 0.7 and np.linspace(0, 1, 21)[14] != 0.7
    assert v[3] == 3 * 0.05
    assert M.matlab_colon(0, 1, 50).tolist() == list(range(51))


def test_pytracking_thresholds_are_torch_arange():
    torch = pytest.importorskip("torch")
    t = torch.arange(0.0, 1.0 + 0.05, 0.05, dtype=torch.float64).numpy()
    assert np.array_equal(t, PYTRACKING_OVERLAP_THRESHOLDS)


def test_pixel_and_continuous_iou_agree_for_float_boxes():
    rng = np.random.default_rng(0)
    a = np.concatenate([rng.uniform(0, 50, (200, 2)), rng.uniform(1, 40, (200, 2))], 1)
    b = a + rng.normal(0, 5, a.shape)
    b[:, 2:] = np.abs(b[:, 2:]) + 0.5
    np.testing.assert_allclose(M.iou_pixel(a, b), M.iou_continuous(a, b), rtol=1e-12, atol=1e-15)
    assert M.iou_continuous([0, 0, 10, 10], [5, 0, 10, 10])[0] == pytest.approx(1 / 3)
    assert M.iou_continuous([0, 0, 10, 10], [20, 20, 5, 5])[0] == 0.0


def test_iou_got10k_clips_without_mutating_inputs():
    pred = np.array([[-5.0, -5.0, 20.0, 20.0]])
    gt = np.array([[0.0, 0.0, 15.0, 15.0]])
    out = M.iou_got10k(pred, gt, (10, 10))  # both clipped to [0, 0, 10, 10]
    assert out[0] == 1.0 and pred[0, 0] == -5.0


def test_center_errors():
    assert M.center_error([[0, 0, 10, 10]], [[3, 4, 10, 10]])[0] == 5.0
    assert M.center_error([[0, 0, 10, 10]], [[5, 0, 10, 20]], normalized=True)[0] == pytest.approx((0.5 ** 2 + 0.25 ** 2) ** 0.5)
    d, nd = M.center_error_trackingnet([[0, 0, 10, 10]], [[3, 4, 10, 10]])
    assert d[0] == 5.0 and nd[0] == pytest.approx(0.5)


def test_success_and_precision_curves():
    o = [0.5, 0.75, np.nan, 1.0]
    assert M.success_curve(o, [0.5]).tolist() == [0.5]  # strict: 0.75 and 1.0
    assert M.success_curve(o, [0.5], inclusive=True).tolist() == [0.75]
    assert M.success_curve(o, [0.5], denominator=8).tolist() == [0.25]
    assert M.precision_curve([20, 20.5, -1], [20]).tolist() == [pytest.approx(2 / 3)]


def test_trapezoid_auc_relation_to_the_21_point_mean():
    y = np.random.default_rng(1).uniform(0, 1, 21)
    assert M.auc_trapezoid(y) == pytest.approx((21 * y.mean() - (y[0] + y[-1]) / 2) / 20)
    assert M.auc_mean(y) == pytest.approx(y.mean())


def test_pooled_scores_and_speed():
    ao, (sr50, sr75) = M.pooled_overlap_scores([0.5, 0.75, 1.0, 0.0])
    assert ao == pytest.approx(0.5625) and sr50 == 0.5 and sr75 == 0.25
    assert M.frames_per_second([0.1, 0.2, 0.0, np.nan]) == pytest.approx((10 + 5) / 2)
    assert M.frames_per_second([0.1, 0.3], mode="total") == pytest.approx(5.0)
    assert M.frames_per_second([0.0]) == -1.0


def test_shape_errors_name_the_input():
    with pytest.raises(ValueError, match="results"):
        M.as_boxes(np.zeros((3, 5)), "results")
