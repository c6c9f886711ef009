"""Every protocol on hand-made edge cases; each expected value is worked out in the comments."""
from __future__ import annotations

import numpy as np
import pytest
from vot_core.evaluation.protocols import EvaluationError, evaluate, get_protocol

G = [10.0, 10.0, 10.0, 10.0]  # a 10x10 ground-truth box


def run(protocol, pred, gt, absent=None, dataset="", resolution=(100, 100)):
    return evaluate(protocol, [dict(pred=np.array(pred, float), gt=np.array(gt, float),
                                    absent=None if absent is None else np.array(absent, bool),
                                    dataset=dataset, resolution=resolution, name="s")])


# Case A: frame 0 garbage (replaced by GT), frame 2 hidden but predicted perfectly,
# frame 3 shifted by 5 px (IoU 1/3), frame 4 twice as wide (IoU exactly 0.5).
A_GT = [G] * 5
A_PRED = [[0, 0, 1, 1], G, G, [15, 10, 10, 10], [10, 10, 20, 10]]
A_ABSENT = [0, 0, 1, 0, 0]


def test_lasot_hidden_frames_are_removed_but_counted_as_failures():
    r = run("lasot", A_PRED, A_GT, A_ABSENT)
    # kept overlaps [1, 1, 1/3, 0.5] over 5 frames: t<=0.30: 4/5 (7 thresholds),
    # 0.35..0.45: 3/5 (3), 0.50: 2/5 (0.5 > 0.5 is false), 0.55..0.95: 2/5 (9), 1.0: 0
    assert r["auc"] == pytest.approx((7 * 4 + 3 * 3 + 2 + 9 * 2) / 5 / 21, abs=1e-15)
    assert r["op50"] == pytest.approx(2 / 5) and r["op75"] == pytest.approx(2 / 5)
    # centre errors of kept frames [0, 0, 5, 5] -> all within 20 px: 4/5
    assert r["precision"] == pytest.approx(4 / 5)
    # normalized errors [0, 0, 0.5, 0.5]: NP at 0.20 is 2/5
    assert r["norm_precision"] == pytest.approx(2 / 5)
    assert r["ao"] == pytest.approx((1 + 1 + 1 / 3 + 0.5) / 4)


def test_tnl2k_ranks_normalized_precision_by_its_mean():
    r = run("tnl2k", A_PRED, A_GT, A_ABSENT)
    # normalized errors [0, 0, 0.5, 0.5] / 5 frames: 2/5 below 0.50, 4/5 at 0.50 (51 thresholds)
    assert r["norm_precision"] == pytest.approx((50 * 0.4 + 0.8) / 51)
    assert r["auc"] == pytest.approx(run("lasot", A_PRED, A_GT, A_ABSENT)["auc"])


def test_pytracking_hidden_frames_fail_and_agree_with_lasot():
    r = run("pytracking", A_PRED, A_GT, A_ABSENT, dataset="lasot")
    lasot = run("lasot", A_PRED, A_GT, A_ABSENT)
    for key in ("auc", "precision", "norm_precision", "op50", "op75"):
        assert r[key] == pytest.approx(lasot[key], abs=1e-15), key


def test_otb_ignores_hidden_flags():
    r = run("otb", A_PRED, A_GT, A_ABSENT)
    # overlaps [1, 1, 1, 1/3, 0.5]: 5/5 (7), 4/5 (3), 3/5 (1 + 9), 0 at 1.0
    assert r["auc"] == pytest.approx((7 * 5 + 3 * 4 + 3 + 9 * 3) / 5 / 21, abs=1e-15)
    assert r["precision"] == 1.0
    assert r["norm_precision"] is None  # the OTB toolkit has no normalized precision


def test_got10k_excludes_first_and_hidden_frames_and_uses_strict_sr():
    r = run("got10k", A_PRED, A_GT, A_ABSENT)
    # pooled overlaps of frames 1, 3, 4: [1, 1/3, 0.5]
    assert r["ao"] == pytest.approx((1 + 1 / 3 + 0.5) / 3)
    assert r["sr50"] == pytest.approx(1 / 3) and r["sr75"] == pytest.approx(1 / 3)
    assert r["auc"] is None and r["precision"] is None


def test_trackingnet_inclusive_thresholds_and_trapezoid():
    r = run("trackingnet", A_PRED, A_GT, A_ABSENT)
    # overlaps [1, 1, 1, 1/3, 0.5] with >=: 1 (7 thresholds), 0.8 (0.35..0.50: 4), 0.6 (10)
    y = [1.0] * 7 + [0.8] * 4 + [0.6] * 10
    assert r["auc"] == pytest.approx(0.05 * (sum(y) - (y[0] + y[-1]) / 2))  # = 0.77
    assert r["auc"] == pytest.approx(0.77)
    assert r["op50"] == pytest.approx(0.8)  # 0.5 >= 0.5 counts here, not in any other toolkit
    # centres x + (w + 1) / 2: distances [0, 0, 0, 5, 5] on thresholds 0, 2.5, 5, ... 50
    assert r["precision"] == pytest.approx(0.05 * (0.6 + 0.6 + 19 - 0.8))  # 0.97
    # normalized distances 0.5 reach only the last threshold 0.5
    assert r["norm_precision"] == pytest.approx(0.05 * (20 * 0.6 + 1.0 - 0.8))  # 0.61


# Case B: ground truth touching the left border (x = 0) on frames 1 and 2; frame 1 is predicted
# perfectly, frame 2 far away.
B_GT = [[5, 5, 10, 10], [0, 5, 10, 10], [0, 5, 10, 10]]
B_PRED = [[5, 5, 10, 10], [0, 5, 10, 10], [30, 30, 10, 10]]


def test_border_gt_is_invalid_in_lasot_and_counts_as_precise():
    r = run("lasot", B_PRED, B_GT)
    assert r["auc"] == pytest.approx(20 / 21 / 3)  # overlaps [1, -1, -1]
    assert r["precision"] == 1.0  # centre error -1 on invalid rows: "precise", even 39 px off
    assert r["norm_precision"] == 1.0
    assert run("otb", B_PRED, B_GT)["precision"] == 1.0


def test_border_gt_in_pytracking_fails_precision_but_not_normalized_precision():
    r = run("pytracking", B_PRED, B_GT, dataset="otb")
    assert r["auc"] == pytest.approx(20 / 21 / 3)
    assert r["precision"] == pytest.approx(1 / 3)  # centre error Inf on invalid rows
    assert r["norm_precision"] == 1.0  # but normalized error -1: pytracking's own quirk
    uav = run("pytracking", B_PRED, B_GT, dataset="uav123")
    assert uav["precision"] == 1.0  # UAV: -1, like the MATLAB toolkit


def test_border_gt_is_valid_in_ostrack_and_got10k():
    r = run("ostrack", B_PRED, B_GT, dataset="otb")
    assert r["auc"] == pytest.approx(20 / 21 * 2 / 3)  # overlaps [1, 1, 0]
    assert r["precision"] == pytest.approx(2 / 3)  # frame 2 is sqrt(30^2 + 25^2) = 39 px off
    g = run("got10k", B_PRED, B_GT)
    assert g["ao"] == pytest.approx(0.5) and g["sr50"] == pytest.approx(0.5)


# Case C: zero-size predictions on frames 2 (w = h = 0) and 3 (h = 0); frame 1 has IoU 2/3.
C_GT = [G] * 4
C_PRED = [G, [12, 10, 10, 10], [12, 10, 0, 0], [10, 10, 10, 0]]


def test_zero_size_predictions_copy_the_previous_box_in_lasot_and_pytracking():
    for protocol in ("lasot", "pytracking"):
        r = run(protocol, C_PRED, C_GT)
        assert r["ao"] == pytest.approx((1 + 3 * 2 / 3) / 4), protocol  # [1, 2/3, 2/3, 2/3]
        assert r["op50"] == 1.0, protocol


def test_zero_size_predictions_score_zero_in_got10k_and_trackingnet():
    g = run("got10k", C_PRED, C_GT)
    assert g["ao"] == pytest.approx(2 / 9) and g["sr50"] == pytest.approx(1 / 3)
    t = run("trackingnet", C_PRED, C_GT)
    # overlaps [1, 2/3, 0, 0]; with >= even IoU 0 succeeds at threshold 0
    assert t["curves"]["success"]["y"][0] == 1.0
    assert t["curves"]["success"]["y"][1] == pytest.approx(0.5)


def test_nan_and_negative_predictions():
    pred = [G, [np.nan, 10, 10, 10], [10, 10, 10, 10]]
    r = run("lasot", pred, [G] * 3)  # NaN row replaced by the previous box: all perfect
    assert r["ao"] == 1.0
    with pytest.raises(EvaluationError, match="NaN or negative"):
        run("pytracking", pred, [G] * 3)
    with pytest.raises(EvaluationError, match="NaN or negative"):
        run("pytracking", [G, [10, 10, -1, 10], G], [G] * 3)
    # OTB replaces a row only if ALL of isnan(r) | w<=0 | h<=0 hold (MATLAB `if` on a vector):
    # one NaN is kept and fails, a NaN width (NaN <= 0 is false) too
    o = run("otb", pred, [G] * 3)
    assert o["curves"]["success"]["y"][0] == pytest.approx(2 / 3)
    assert run("otb", [G, [np.nan] * 4, G], [G] * 3)["curves"]["success"]["y"][0] == 1.0


def test_nan_ground_truth_rows_per_protocol():
    gt = [G, [np.nan] * 4, G]
    pred = [G, G, G]
    r = run("lasot", pred, gt)
    assert r["curves"]["success"]["y"][0] == pytest.approx(2 / 3)  # overlap -1
    assert r["precision"] == 1.0  # centre error -1
    with pytest.raises(EvaluationError, match="NaN in the ground truth"):
        run("pytracking", pred, gt, dataset="lasot")
    assert run("pytracking", pred, gt, dataset="uav123")["precision"] == 1.0
    assert run("got10k", pred, gt)["ao"] == 1.0  # the NaN row is left out
    t = run("trackingnet", pred, gt)
    assert t["curves"]["success"]["y"][-1] == pytest.approx(2 / 3)  # NaN never succeeds


def test_first_frame_is_replaced_by_ground_truth():
    pred = [[90, 90, 1, 1], G]
    for protocol in ("lasot", "otb", "pytracking", "trackingnet"):
        assert run(protocol, pred, [G, G])["op75"] == 1.0, protocol
    assert run("got10k", pred, [G, G])["ao"] == 1.0  # frame 1 is not scored at all


def test_lasot_drops_sequences_whose_curve_is_all_zero_pytracking_does_not():
    perfect = dict(pred=np.array([G, G]), gt=np.array([G, G]), name="a")
    # GT at x = 0 in every frame: every overlap is -1, the success curve is all zeros
    border = [[0, 5, 10, 10]] * 2
    broken = dict(pred=np.array(border, float), gt=np.array(border, float), name="b")
    assert evaluate("lasot", [perfect, broken])["auc"] == pytest.approx(20 / 21)
    assert evaluate("pytracking", [perfect, broken])["auc"] == pytest.approx(10 / 21)


def test_result_length_rules():
    long_pred = [G] * 4
    assert run("lasot", long_pred, [G] * 3)["ao"] == 1.0  # extra rows cut ("monkey-17")
    with pytest.raises(EvaluationError, match="3 result rows for 4 frames"):
        run("lasot", [G] * 3, [G] * 4)
    with pytest.raises(EvaluationError):
        run("pytracking", [G] * 3, [G] * 4, dataset="lasot")
    # other pytracking datasets pad missing rows with zeros (failures)
    assert run("pytracking", [G] * 3, [G] * 4)["op50"] == pytest.approx(3 / 4)
    with pytest.raises(EvaluationError, match="GOT-10k"):
        run("got10k", [G] * 3, [G] * 4)


def test_got10k_clips_boxes_to_the_image():
    # prediction sticking out of a 20x20 image: clipped to [10, 10, 10, 10] = the GT
    r = run("got10k", [G, [10, 10, 30, 30]], [G, G], resolution=(20, 20))
    assert r["ao"] == 1.0
    assert run("got10k", [G, [10, 10, 30, 30]], [G, G], resolution=None)["ao"] == pytest.approx(1 / 9)


def test_trackingnet_rounds_boxes_half_to_even():
    # 10.5 -> 10 and 11.5 -> 12 (numpy rounds half to even): x = 10.5 equals the GT's 10
    assert run("trackingnet", [G, [10.5, 10, 10, 10]], [G, G])["ao"] == 1.0
    r = run("trackingnet", [G, [11.5, 10, 10, 10]], [G, G])
    assert r["ao"] == pytest.approx((1 + 8 / 12) / 2)


def test_unknown_protocol_names_the_known_ones():
    with pytest.raises(ValueError, match="got10k"):
        get_protocol("vot2018")
