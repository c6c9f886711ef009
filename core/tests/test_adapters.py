"""Adapters: a vot pipeline behind the got10k toolkit's and OpenCV's tracker APIs (NCC tracker,
generated moving-square video)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from vot_core.adapters import Got10kTracker, OpenCVTracker
from vot_core.geometry import iou
from vot_core.pipeline import build_pipeline
from vot_core.structures import Prediction


def moving_square(n=30, seed=5):
    """RGB frames with a textured 22 px square on a noise background, and its true boxes."""
    rng = np.random.default_rng(seed)
    background = cv2.GaussianBlur((rng.random((100, 140, 3)) * 255).astype(np.uint8), (0, 0), 2)
    texture = cv2.resize(rng.integers(0, 256, (5, 5, 3), dtype=np.uint8), (22, 22),
                         interpolation=cv2.INTER_CUBIC)
    frames, boxes = [], []
    for t in range(n):
        x, y = 10 + 3 * t, int(round(40 + 15 * np.sin(t / 5)))
        frame = background.copy()
        frame[y:y + 22, x:x + 22] = texture
        frames.append(frame)
        boxes.append((x, y, 22, 22))
    return frames, np.asarray(boxes, np.float64)


@pytest.fixture(scope="module")
def sequence():
    return moving_square()


def test_got10k_adapter_with_pil_images(sequence):
    frames, truth = sequence
    tracker = Got10kTracker("core/ncc")
    assert tracker.name == "core_ncc" and tracker.is_deterministic
    tracker.init(Image.fromarray(frames[0]), truth[0])
    boxes = [truth[0]]
    for f in frames[1:]:
        box = tracker.update(Image.fromarray(f))
        assert isinstance(box, np.ndarray) and box.shape == (4,) and box.dtype == np.float64
        boxes.append(box)
    assert iou(np.asarray(boxes), truth).mean() > 0.9
    assert 0.5 < tracker.last_score <= 1.0


def test_got10k_adapter_track_loop_matches_update(sequence, tmp_path):
    frames, truth = sequence
    files = []
    for i, f in enumerate(frames):
        files.append(str(tmp_path / f"{i:04d}.png"))
        cv2.imwrite(files[-1], cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    tracker = Got10kTracker(build_pipeline("core/ncc"), name="ncc")
    boxes, times = tracker.track(files, truth[0])
    assert boxes.shape == (len(frames), 4) and times.shape == (len(frames),)
    np.testing.assert_array_equal(boxes[0], truth[0])
    assert (times > 0).all()
    # same numbers as calling update with arrays (and grayscale-mode PIL input also works)
    again = Got10kTracker("core/ncc")
    again.init(frames[0], truth[0])
    np.testing.assert_allclose(again.update(frames[1]), boxes[1])
    again.init(Image.fromarray(frames[0]).convert("L"), truth[0])
    assert again.update(Image.fromarray(frames[1]).convert("L")).shape == (4,)
    with pytest.raises(NotImplementedError):
        tracker.track(files, truth[0], visualize=True)


def test_opencv_adapter_with_bgr_frames(sequence):
    frames, truth = sequence
    bgr = [cv2.cvtColor(f, cv2.COLOR_RGB2BGR) for f in frames]
    tracker = OpenCVTracker("core/ncc")
    assert tracker.init(bgr[0], tuple(int(v) for v in truth[0])) is None
    assert tracker.getTrackingScore() == -1.0
    boxes = [truth[0]]
    for f in bgr[1:]:
        ok, box = tracker.update(f)
        assert ok is True and len(box) == 4 and all(isinstance(v, int) for v in box)
        boxes.append(box)
        # drop-in use: the box goes straight into OpenCV drawing calls
        cv2.rectangle(f, box[:2], (box[0] + box[2], box[1] + box[3]), (0, 255, 0), 1)
    assert iou(np.asarray(boxes, np.float64), truth).mean() > 0.85
    assert 0.5 < tracker.getTrackingScore() <= 1.0


def test_opencv_adapter_converts_bgr_to_rgb():
    """The pipeline must see RGB: a recording tracker receives the converted frame."""
    seen = []

    class Recorder:
        def initialize(self, frame, box):
            seen.append(frame)

        def track(self, frame):
            seen.append(frame)
            return Prediction((1.4, 2.6, 3.5, 4.0), score=0.2)

    frame_bgr = np.zeros((10, 12, 3), np.uint8)
    frame_bgr[..., 0] = 255  # blue in BGR
    tracker = OpenCVTracker(Recorder(), score_threshold=0.5)
    tracker.init(frame_bgr, (1, 1, 4, 4))
    ok, box = tracker.update(np.dstack([frame_bgr, np.full((10, 12), 255, np.uint8)]))  # BGRA
    assert tuple(seen[0][0, 0]) == (0, 0, 255) and tuple(seen[1][0, 0]) == (0, 0, 255)
    assert ok is False and box == (1, 3, 4, 4)  # below the score threshold; cv2.Rect-like ints
    gray = OpenCVTracker(Recorder(), integer_boxes=False)
    gray.init(np.zeros((10, 12), np.uint8), (1, 1, 4, 4))
    assert seen[-1].shape == (10, 12, 3)
    assert gray.update(np.zeros((10, 12), np.uint8)) == (True, (1.4, 2.6, 3.5, 4.0))


def test_opencv_adapter_reports_failure_for_an_invalid_box():
    class Lost:
        def initialize(self, frame, box):
            pass

        def track(self, frame):
            return Prediction((np.nan, np.nan, np.nan, np.nan))

    tracker = OpenCVTracker(Lost())
    tracker.init(np.zeros((8, 8, 3), np.uint8), (1, 1, 2, 2))
    assert tracker.update(np.zeros((8, 8, 3), np.uint8)) == (False, (0, 0, 0, 0))
    floats = OpenCVTracker(Lost(), integer_boxes=False)
    floats.init(np.zeros((8, 8, 3), np.uint8), (1, 1, 2, 2))
    ok, box = floats.update(np.zeros((8, 8, 3), np.uint8))
    assert ok is False and np.isnan(box).all()
