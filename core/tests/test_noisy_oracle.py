"""NoisyOracleTracker: the true box jittered with the documented statistics, by seed."""
import math

import numpy as np
import pytest

from vot_core.baseline import NoisyOracleTracker
from vot_core.geometry import iou

FRAME = np.zeros((10, 10, 3), np.uint8)


def run(tracker, truth):
    tracker.initialize(FRAME, truth[0])
    return np.array([truth[0]] + [tracker.track(FRAME).box.tolist() for _ in truth[1:]])


def test_zero_noise_returns_the_ground_truth_and_hidden_frames_repeat_the_last_box():
    truth = np.array([[10, 20, 30, 40], [12, 21, 31, 41], [0, 0, 0, 0], [15, 22, 29, 39.5]], float)
    boxes = run(NoisyOracleTracker(truth, 0.0, 0.0), truth)
    np.testing.assert_allclose(boxes[[0, 1, 3]], truth[[0, 1, 3]], atol=1e-12)
    np.testing.assert_allclose(boxes[2], truth[1], atol=1e-12)


def test_noise_has_the_documented_scale_and_is_deterministic_by_seed():
    n = 4001
    truth = np.tile([[100.0, 50.0, 40.0, 10.0]], (n, 1))  # sqrt(w*h) = 20
    boxes = run(NoisyOracleTracker(truth, position_noise=0.1, scale_noise=0.2, seed=3), truth)[1:]
    centre_shift = boxes[:, :2] + boxes[:, 2:] / 2 - [120.0, 55.0]
    assert np.std(centre_shift, axis=0) == pytest.approx([2.0, 2.0], rel=0.05)  # 0.1 * 20 px
    log_scale = np.log(boxes[:, 2:] / [40.0, 10.0])
    assert np.std(log_scale, axis=0) == pytest.approx([0.2, 0.2], rel=0.05)
    assert abs(np.mean(log_scale)) < 0.02
    again = run(NoisyOracleTracker(truth, 0.1, 0.2, seed=3), truth)[1:]
    other = run(NoisyOracleTracker(truth, 0.1, 0.2, seed=4), truth)[1:]
    assert np.array_equal(boxes, again) and not np.array_equal(boxes, other)
    mean_iou = float(np.mean(iou(boxes, truth[1:])))
    assert 0.5 < mean_iou < 0.9 and math.isfinite(mean_iou)


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        NoisyOracleTracker(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=">= 0"):
        NoisyOracleTracker(np.zeros((3, 4)), position_noise=-1)
    tracker = NoisyOracleTracker(np.ones((2, 4)))
    with pytest.raises(RuntimeError, match="before initialize"):
        tracker.track(FRAME)
    tracker.initialize(FRAME, [1, 1, 1, 1])
    tracker.track(FRAME)
    with pytest.raises(IndexError, match="past the 2 ground-truth rows"):
        tracker.track(FRAME)
