"""DMTrack-GS tracker: official pre-processing, global search, reported score, bad input."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
from dmtrack_helpers import TINY, randomize_

from vot_core.structures import Box
from vot_dmtrack.tracker import DMTrackParams, DMTrackTracker, normalize_table, rescale_factor

SMALL = dict(TINY, test_scale=(96, 64))  # 160x120 frames -> s = 8/15, 85x64 input


def scene(seed: int, shift: int = 0, size=(120, 160)) -> np.ndarray:
    """Noise with a bright textured square at (40 + shift, 30)."""
    rng = np.random.default_rng(seed)
    frame = rng.integers(0, 90, (*size, 3), dtype=np.uint8)
    patch = np.random.default_rng(99).integers(150, 255, (32, 40, 3), dtype=np.uint8)
    frame[30:62, 40 + shift:80 + shift] = patch
    return frame


@pytest.fixture(scope="module")
def tracker():
    t = DMTrackTracker(**SMALL)
    randomize_(t.network, seed=3)
    return t


def test_preprocessing_matches_official_rescale_normalize_pad():
    t = DMTrackTracker.__new__(DMTrackTracker)  # pre-processing only, no network
    t.params = DMTrackParams()
    t.device = torch.device("cpu")
    t._table = normalize_table(t.params.mean, t.params.std)
    t._buffers = {}
    frame = np.random.default_rng(0).integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    pre = t.preprocess(frame)
    assert pre.scale == pytest.approx(0.575) and rescale_factor(720, 1280, (736, 512)) == 0.575
    assert pre.resized_shape == (414, 736) and pre.padded_shape == (416, 736)
    assert tuple(pre.image.shape) == (1, 3, 416, 736)
    resized = cv2.resize(frame, (736, 414), interpolation=cv2.INTER_LINEAR)
    official = resized.astype(np.float32)
    official -= [123.675, 116.28, 103.53]
    official /= [58.395, 57.12, 57.375]
    assert np.array_equal(pre.image[0, :, :414].numpy(), official.transpose(2, 0, 1))
    assert (pre.image[0, :, 414:] == 0).all()  # zero padding after normalisation
    # portrait 300x500 (w x h): s = min(736/500, 512/300) = 1.472 -> 442 x 736, padded 448 x 736
    pre = t.preprocess(np.zeros((500, 300, 3), np.uint8))
    assert pre.resized_shape == (736, 442) and pre.padded_shape == (736, 448)
    # template box: inclusive ltrb, times s, clipped to the padded image
    pre = t.preprocess(frame)
    t.params = DMTrackParams()
    box = t.input_box(Box(10, 20, 30, 40), pre)
    assert np.allclose(box, np.float32([10, 20, 39, 59]) * np.float32(0.575))
    border = t.input_box(Box(1200, 700, 200, 100), pre)
    assert border.tolist() == pytest.approx([1200 * 0.575, 700 * 0.575, 735, 415])


def test_tracks_three_frames_and_reports_the_best_score(tracker):
    tracker.initialize(scene(0), Box(40, 30, 40, 32))
    scale = 64 / 120
    assert tracker.template_box.tolist() == pytest.approx(
        (np.float32([40, 30, 79, 61]) * scale).tolist())
    for i in range(1, 4):
        frame = scene(i, shift=4 * i)
        pred = tracker.track(frame)
        b = pred.box
        assert b.is_finite() and b.w >= 1 and b.h >= 1
        assert -1e-4 <= b.x and b.x + b.w - 1 <= 160 + 1e-3 and b.y + b.h - 1 <= 120 + 1e-3
        # the score is sigmoid(cls_1) * sigmoid(ctr) at the reported location, the max anywhere
        pre = tracker.preprocess(frame)
        with torch.inference_mode():
            cls, reg, ctr = tracker.network.head(tracker.network.extract_feat(pre.image),
                                                 tracker._dynamic)
        products = [(c[0, 1].sigmoid() * z[0, 0].sigmoid()).flatten() for c, z in zip(cls, ctr)]
        lvl, loc = pred.extras["level"], pred.extras["location"]
        assert pred.score == pytest.approx(float(products[lvl][loc]), rel=1e-6)
        assert pred.score == pytest.approx(max(float(p.max()) for p in products), rel=1e-6)
        assert 0 < pred.score < 1
        # decoded as official: point -+ distances, clamped, divided by s, inclusive w/h
        h, w = cls[lvl].shape[-2:]
        s = tracker.network.strides[lvl]
        px, py = (loc % w) * s + s // 2, (loc // w) * s + s // 2
        left, top, right, _ = reg[lvl][0, :, loc // w, loc % w].tolist()
        assert pre.resized_shape == (64, 85) and pre.scale == pytest.approx(scale)
        x1 = min(max(px - left, 0), 85) / scale
        x2 = min(max(px + right, 0), 85) / scale
        y1 = min(max(py - top, 0), 64) / scale
        assert (b.x, b.y, b.w) == pytest.approx((x1, y1, x2 - x1 + 1), rel=1e-5, abs=1e-4)


def test_stateless_global_search_and_correct(tracker):
    frame0, frame = scene(0), scene(5, shift=10)
    tracker.initialize(frame0, Box(40, 30, 40, 32))
    first = tracker.track(frame)
    tracker.correct(Box(1, 2, 3, 4))
    assert tracker.state == Box(1, 2, 3, 4)
    again = tracker.track(frame)
    assert again.box == first.box and again.score == first.score
    # frames of another size are searched whole as well
    big = cv2.resize(frame, (200, 150))
    assert tracker.track(big).box.is_finite()


def test_grayscale_and_rgba_frames(tracker):
    rgb = scene(1)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    tracker.initialize(gray, Box(40, 30, 40, 32))  # HxW: replicated to RGB as PIL does
    assert np.array_equal(tracker.preprocess(np.repeat(gray[:, :, None], 3, 2)).image,
                          tracker.preprocess(np.repeat(gray[:, :, None], 3, 2)).image)
    ref = tracker.track(np.repeat(gray[:, :, None], 3, 2))
    assert tracker.track(gray[:, :, None]).box == ref.box
    rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 7, np.uint8)], 2)
    assert tracker.track(rgba).box == tracker.track(rgb).box  # alpha dropped
    with pytest.raises(TypeError):
        tracker.track(rgb.astype(np.float32))
    with pytest.raises(ValueError):
        tracker.track(np.zeros((10, 10, 2), np.uint8))


def test_border_and_oversized_boxes(tracker):
    frame = scene(2)
    tracker.initialize(frame, Box(-20, -10, 50, 40))      # partly outside: clipped as official
    assert tracker.template_box[:2].tolist() == [0.0, 0.0]
    assert tracker.track(frame).box.is_finite()
    tracker.initialize(frame, Box(-50, -50, 400, 300))    # larger than the frame
    assert tracker.template_box.tolist() == pytest.approx([0, 0, 95, 63])  # padded 96 x 64
    assert tracker.track(frame).box.is_finite()
    with pytest.raises(ValueError, match="outside"):
        tracker.initialize(frame, Box(500, 500, 10, 10))
    with pytest.raises(ValueError, match="empty"):
        tracker.initialize(frame, Box(10, 10, 0, 5))


def test_params_are_typed_and_unknown_keys_rejected():
    with pytest.raises(TypeError, match="serch_scale"):
        DMTrackParams.from_dict({"serch_scale": 1})
    with pytest.raises(ValueError):
        DMTrackParams(pad_divisor=16)
    assert DMTrackParams().test_scale == (736, 512)


def test_named_config_builds_through_the_registry(monkeypatch):
    from vot_core.config import load_config
    from vot_core.pipeline import build_pipeline
    from vot_core.plugins import get_plugin_manager
    from vot_core.registry import TRACKERS, WEIGHTS

    get_plugin_manager()

    cfg = load_config("dmtrack/dmtrackgs_dla34_fpn")
    tracker_cfg = dict(cfg.pipeline.tracker)
    assert tracker_cfg["type"] == "DMTrack" and tuple(tracker_cfg["test_scale"]) == (736, 512)
    assert "DMTrack" in TRACKERS and "dmtrack/dmtrackgs_dla34_fpn" in WEIGHTS
    assert WEIGHTS.get("dmtrack/dmtrackgs_dla34_fpn").file_name == "dmtrackGS.pth"
    pipe = build_pipeline(cfg, overrides={"pipeline.tracker.head_channels": 32,
                                          "pipeline.tracker.mid_channels": 4,
                                          "pipeline.tracker.test_scale": (64, 64)})
    frame = scene(0)
    pipe.initialize(frame, Box(40, 30, 40, 32))
    assert pipe.track(frame).box.is_finite()
