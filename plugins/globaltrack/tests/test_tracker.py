"""GlobalTrack tracker: preprocessing as neuron's transforms, the loop, configs and bad input."""
from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
import torch

from vot_core.structures import Box
from vot_globaltrack.preprocess import (
    Preprocessor,
    normalization_table,
    rescale_factor,
    rescaled_size,
    scale_query_box,
)
from vot_globaltrack.tracker import GlobalTrackParams, GlobalTrackTracker

#: fewer proposals than the official 1000 keep the R-CNN stage fast in tests
FAST = dict(rpn_nms_pre=50, rpn_nms_post=50, rpn_max_num=50)


def test_rescale_rule():
    # 480x640: min(1333 / 640, 800 / 480) = 1.6667 -> 800 x 1067, padded to 800 x 1088
    sf = rescale_factor(480, 640)
    assert sf == 800 / 480
    assert rescaled_size(480, 640, sf) == (800, 1067)
    # a wide frame is bound by the long side (and small frames are upscaled)
    assert rescale_factor(100, 1000) == 1333 / 1000
    assert rescaled_size(100, 1000, 1.333) == (133, 1333)


def test_preprocessing_equals_the_official_numpy_steps(make_frame):
    frame = make_frame(3, 45, 77)
    prep = Preprocessor((1333, 800))(frame)
    sf = min(1333 / 77, 800 / 45)
    out_w, out_h = int(77 * sf + 0.5), int(45 * sf + 0.5)
    expect = cv2.resize(frame, (out_w, out_h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    expect -= [123.675, 116.28, 103.53]
    expect /= [58.395, 57.12, 57.375]
    assert prep.img_shape == (out_h, out_w) and prep.scale_factor == sf
    assert prep.pad_shape == (-(-out_h // 32) * 32, -(-out_w // 32) * 32)
    img = prep.tensor[0].permute(1, 2, 0).numpy()
    assert np.array_equal(img[:out_h, :out_w], expect)  # bit-exact
    assert not img[out_h:].any() and not img[:, out_w:].any()  # zero padding after normalising
    assert normalization_table()[0, 0] == np.float32((np.float32(0) - 123.675) / 58.395)


def test_query_box_is_scaled_then_clipped_to_the_padded_size():
    prep = Preprocessor((1333, 800))(np.zeros((45, 77, 3), np.uint8))
    sf = prep.scale_factor
    box = scale_query_box(np.array([-5.0, 10.0, 80.0, 44.0]), prep)
    pad_h, pad_w = prep.pad_shape
    np.testing.assert_allclose(box, [0, 10 * sf, min(80 * sf, pad_w - 1), 44 * sf], rtol=1e-6)
    assert box.dtype == np.float32


def test_params_are_typed_and_unknown_keys_rejected():
    with pytest.raises(TypeError, match="search_factor"):
        GlobalTrackParams.from_dict({"search_factor": 4.0})
    with pytest.raises(ValueError, match="pad_divisor"):
        GlobalTrackParams(pad_divisor=16)
    p = GlobalTrackParams()
    assert p.input_scale == (1333, 800) and p.rcnn_score_thr == 0.0 and p.rpn_nms_thr == 0.7
    assert dataclasses.replace(p, input_scale=[640, 384]).input_scale == (640, 384)


@pytest.fixture(scope="module")
def tracker(official_checkpoint, small_scale):
    """A tracker loading the variance-scaled weights from an official-format checkpoint."""
    return GlobalTrackTracker(weights=str(official_checkpoint), input_scale=small_scale, **FAST)


def test_tracker_runs_three_frames_and_reports_the_top_detection(tracker, make_frame):
    frames = [make_frame(i) for i in range(3)]
    tracker.initialize(frames[0], (50, 30, 40, 30))
    preds = []
    for frame in frames[1:]:
        pred = tracker.track(frame)
        preds.append(pred)
        assert pred.box.is_finite() and pred.box.w > 0 and pred.box.h > 0
        dets = tracker.last_detections
        assert dets.shape[0] == pred.extras["num_detections"] > 0
        best = dets[np.argmax(dets[:, 4])]
        assert pred.score == pytest.approx(float(best[4]))
        assert pred.box == Box(float(best[0]), float(best[1]), float(best[2] - best[0] + 1),
                               float(best[3] - best[1] + 1))
        # boxes are clamped to the resized frame, i.e. x2 <= (W_resized - 1) / sf
        prep = tracker.preprocess(frames[1])
        assert dets[:, 2].max() <= (prep.img_shape[1] - 1) / prep.scale_factor + 1e-4
    # GlobalTrack keeps no state between frames: the same frame gives the same answer
    again = tracker.track(frames[2])
    assert again.box == preds[-1].box
    np.testing.assert_array_equal(tracker.last_detections, dets)
    # correct() only replaces the box repeated when nothing is detected (see below)
    tracker.correct((1, 2, 3, 4))
    assert tracker.state == Box(1, 2, 3, 4)


def test_grayscale_rgba_and_border_boxes(tracker, make_frame):
    rgb = make_frame(5, 60, 100)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    tracker.initialize(gray, (0, 0, 30, 20))               # box at the top-left corner
    p_gray = tracker.track(gray[:, :, None])
    assert p_gray.box.is_finite()
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 7, np.uint8)])
    tracker.initialize(rgba, (90, 50, 40, 30))             # box over the bottom-right border
    query_rgba = tracker.query
    tracker.initialize(rgb, (90, 50, 40, 30))
    for a, b in zip(query_rgba.rpn + [query_rgba.rcnn], tracker.query.rpn + [tracker.query.rcnn]):
        assert torch.equal(a, b)                           # the alpha channel is dropped
    with pytest.raises(ValueError, match="outside"):
        tracker.initialize(rgb, (150, 10, 20, 20))
    with pytest.raises(ValueError, match="empty"):
        tracker.initialize(rgb, (10, 10, 0, 20))


def test_no_detection_repeats_the_previous_box(tracker, make_frame):
    frame = make_frame(1)
    tracker.initialize(frame, (50, 30, 40, 30))
    cfg = tracker.network.test_cfg
    tracker.network.test_cfg = dataclasses.replace(cfg, rcnn_score_thr=1.0)  # nothing passes
    try:
        pred = tracker.track(frame)
    finally:
        tracker.network.test_cfg = cfg
    assert pred.score == 0.0 and pred.box == Box(50, 30, 40, 30)
    assert pred.extras["num_detections"] == 0


def test_named_config_builds_the_tracker():
    from vot_core.config import load_config

    cfg = load_config("globaltrack/qg_rcnn_r50_fpn")
    tracker_cfg = dict(cfg["pipeline"]["tracker"])
    assert tracker_cfg.pop("type") == "GlobalTrack"
    params = GlobalTrackParams.from_dict(tracker_cfg)
    assert params == GlobalTrackParams()


def test_track_before_initialize_is_an_error(tracker, make_frame):
    query, tracker.query = tracker.query, None
    try:
        with pytest.raises(RuntimeError, match="initialize"):
            tracker.track(make_frame(0))
    finally:
        tracker.query = query
