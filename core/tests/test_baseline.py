"""NCC baseline tracker: accuracy on generated motion, scale search, parameters, speed."""
from __future__ import annotations

import dataclasses
import time

import cv2
import numpy as np
import pytest

from vot_core.baseline.ncc import NCCParams, NCCTracker, _sample
from vot_core.config import ConfigError, load_config
from vot_core.geometry import iou
from vot_core.pipeline import build_pipeline
from vot_core.plugins import get_plugin_manager
from vot_core.registry import TRACKERS
from vot_core.structures import Box


def moving_square(n=40, hw=(120, 160), size=24, seed=0, grow=0.0, speed=1.5):
    """Frames with a textured square moving over a textured background, and its true boxes.

    ``grow``: relative size change per frame (scale search), ``speed``: pixels per frame in x.
    """
    rng = np.random.default_rng(seed)
    H, W = hw
    background = cv2.GaussianBlur((rng.random((H, W, 3)) * 255).astype(np.uint8), (0, 0), 3)
    texture = cv2.resize(rng.integers(0, 256, (6, 6, 3), dtype=np.uint8), (64, 64),
                         interpolation=cv2.INTER_CUBIC)
    frames, boxes = [], []
    for t in range(n):
        s = max(4, int(round(size * (1 + grow) ** t)))
        x = int(round(20 + speed * t + 8 * np.sin(t / 6)))
        y = int(round(H / 2 - s / 2 + 20 * np.sin(t / 9)))
        frame = background.copy()
        patch = cv2.resize(texture, (s, s), interpolation=cv2.INTER_AREA)
        visible = frame[y:y + s, x:x + s]  # clipped at the right border
        visible[:] = patch[:visible.shape[0], :visible.shape[1]]
        frames.append(frame)
        boxes.append((x, y, s, s))
    return frames, np.asarray(boxes, np.float64)


def run(tracker, frames, init):
    tracker.initialize(frames[0], Box.of(init))
    out = [list(init)]
    scores = []
    for f in frames[1:]:
        p = tracker.track(f)
        out.append(p.box.tolist())
        scores.append(p.score)
    return np.asarray(out), np.asarray(scores)


def test_tracks_translation_accurately():
    frames, gt = moving_square()
    boxes, scores = run(NCCTracker(), frames, gt[0])
    overlaps = iou(boxes, gt)
    assert overlaps.mean() > 0.95 and overlaps.min() > 0.85, overlaps
    assert np.abs(boxes[:, :2] - gt[:, :2]).max() < 2.0
    assert scores.min() > 0.8 and scores.max() <= 1.0 + 1e-6


@pytest.mark.parametrize("grow", [0.012, -0.008])
def test_scale_search_follows_size(grow):
    frames, gt = moving_square(n=40, grow=grow, size=28)
    boxes, _ = run(NCCTracker(), frames, gt[0])
    fixed, _ = run(NCCTracker(scales=(1.0,)), frames, gt[0])
    assert iou(boxes, gt).mean() > 0.85
    assert abs(boxes[-1, 2] / gt[-1, 2] - 1) < 0.15  # the size followed the target
    assert abs(fixed[-1, 2] - gt[0, 2]) < 1e-9  # without scale search it cannot
    assert iou(boxes, gt).mean() > iou(fixed, gt).mean() + 0.05


def test_large_target_is_matched_downscaled_and_still_accurate():
    frames, gt = moving_square(n=20, hw=(360, 480), size=150, speed=3.0)
    tracker = NCCTracker()
    boxes, _ = run(tracker, frames, gt[0])
    assert max(tracker.template.shape[:2]) == tracker.params.template_size
    assert iou(boxes, gt).mean() > 0.93


def test_sample_maps_continuous_coordinates_exactly():
    """_sample at scale 1 with an integer box is a plain crop; at 2x each pixel doubles."""
    img = (np.arange(20 * 30 * 3) % 251).astype(np.uint8).reshape(20, 30, 3)
    crop = _sample(img, (10 + 4, 5 + 3), (8, 6), (8, 6))
    np.testing.assert_array_equal(crop, img[5:11, 10:18])
    up = _sample(img.astype(np.float32), (12.0, 7.0), (4, 4), (8, 8))
    # pixel (row 0, col 0) of the 2x upsample samples frame point (10.25, 5.25) -> between pixels
    expected = img.astype(np.float32)[5, 10] * 0.75 * 0.75 + img[5, 9] * 0.25 * 0.75 + \
        img[4, 10] * 0.75 * 0.25 + img[4, 9] * 0.25 * 0.25
    np.testing.assert_allclose(up[0, 0], expected, atol=1e-3)


def test_grayscale_frames_colour_off_and_template_update():
    frames, gt = moving_square(n=25)
    gray = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames]
    boxes, _ = run(NCCTracker(), gray, gt[0])
    assert iou(boxes, gt).mean() > 0.9
    boxes, _ = run(NCCTracker(color=False, template_lr=0.1, update_threshold=0.5), frames, gt[0])
    assert iou(boxes, gt).mean() > 0.9


def test_correct_moves_the_search_and_output_is_deterministic():
    frames, gt = moving_square(n=30)
    tracker = NCCTracker()
    tracker.initialize(frames[0], Box.of(gt[0]))
    tracker.correct(Box.of(gt[20]))  # a refiner says: the target is here now
    p = tracker.track(frames[21])
    assert iou(np.asarray(p.box.tolist()), gt[21]) > 0.85
    a, _ = run(NCCTracker(), frames, gt[0])
    b, _ = run(NCCTracker(), frames, gt[0])
    np.testing.assert_array_equal(a, b)


def test_target_leaving_the_frame_keeps_a_valid_box():
    frames, gt = moving_square(n=60, speed=2.6)  # runs into the right border
    boxes, _ = run(NCCTracker(), frames, gt[0])
    assert np.isfinite(boxes).all() and (boxes[:, 2:] >= 4).all()
    cx = boxes[:, 0] + boxes[:, 2] / 2
    assert (cx >= 0).all() and (cx <= 160).all()


def test_invalid_init_boxes_are_rejected():
    frame = np.zeros((50, 60, 3), np.uint8)
    for box, message in [((1, 2, 0, 5), "empty"), ((np.nan, 2, 5, 5), "NaN"),
                         ((1, 2, -4, 5), "empty"), ((70, 2, 5, 5), "outside")]:
        with pytest.raises(ValueError, match=message):
            NCCTracker().initialize(frame, Box.of(box))
    with pytest.raises(RuntimeError, match="before initialize"):
        NCCTracker().track(frame)


def test_parameters_are_typed_and_checked():
    with pytest.raises(TypeError, match="'serch_factor' \\(did you mean 'search_factor'\\?\\)"):
        NCCTracker(serch_factor=3)
    with pytest.raises(ValueError, match="search_factor must be > 1"):
        NCCTracker(search_factor=0.5)
    with pytest.raises(ValueError, match="scales must be > 0"):
        NCCTracker(scales=())
    with pytest.raises(ValueError, match="has no weights.*model.pth"):
        NCCTracker(weights="model.pth")
    t = NCCTracker(device="cuda", scales=[0.9, 1.0, 1.1])
    assert t.params.scales == (0.9, 1.0, 1.1) and t.device == "cuda"


def test_registered_through_builtin_plugin_and_named_config():
    get_plugin_manager()
    assert TRACKERS.get("NCCTracker") is NCCTracker
    assert TRACKERS.origins["NCCTracker"] == "core"
    cfg = load_config("core/ncc")
    tracker_cfg = dict(cfg.pipeline.tracker)
    assert tracker_cfg.pop("type") == "NCCTracker"
    defaults = dataclasses.asdict(NCCParams())
    for key, value in tracker_cfg.items():  # the config spells out the defaults
        expected = defaults[key]
        assert (tuple(value) if isinstance(value, (list, tuple)) else value) == expected, key
    pipeline = build_pipeline("core/ncc")
    assert isinstance(pipeline.tracker, NCCTracker) and pipeline.refiners == []
    with pytest.raises(ConfigError, match="serch_factor"):
        build_pipeline("core/ncc", overrides=["pipeline.tracker.serch_factor=3"])
    with pytest.raises(ValueError, match="no weights"):
        build_pipeline("core/ncc", weights="x.pth")


def test_speed_over_100_fps_on_small_frames():
    frames, gt = moving_square(n=61, hw=(240, 320), size=40)
    tracker = NCCTracker()
    tracker.initialize(frames[0], Box.of(gt[0]))
    start = time.process_time()  # CPU time: robust to other processes sharing the cores
    for f in frames[1:]:
        tracker.track(f)
    fps = 60 / max(time.process_time() - start, 1e-9)
    assert fps > 100, f"{fps:.0f} frames/s"


def test_opencv_mil_baseline_follows_a_moving_square():
    """OpenCV's MIL tracker runs through the registry and the vot contract."""
    from vot_core.geometry import iou
    from vot_core.pipeline import build_pipeline

    rng = np.random.default_rng(3)
    background = rng.integers(0, 80, (120, 160, 3), dtype=np.uint8)
    texture = rng.integers(120, 255, (24, 24, 3), dtype=np.uint8)
    frames, truth = [], []
    for i in range(12):
        frame = background.copy()
        x, y = 20 + 4 * i, 30 + 2 * i
        frame[y:y + 24, x:x + 24] = texture
        frames.append(frame)
        truth.append([x, y, 24, 24])
    pipeline = build_pipeline("core/opencv_mil")
    pipeline.initialize(frames[0], truth[0])
    boxes = np.array([pipeline.track(f).box.tolist() for f in frames[1:]])
    assert iou(boxes, np.array(truth[1:], float)).mean() > 0.3  # MIL is a weak tracker
    assert boxes[-1, 0] - boxes[0, 0] > 30  # it moves with the target (truth: 40 px)
    pipeline.correct(truth[-1])  # re-initialises on the last frame without error
