"""The tracker: official post-processing, bad input, and a full-size run through the pipeline."""
import numpy as np
import pytest
import torch
from helpers import random_state_dict

from vot_core.datasets.synthetic import make_sequence
from vot_core.structures import Box
from vot_simtrack.simtrack import SIM_B16, official_state_dict_shapes
from vot_simtrack.tracker import SimTrackParams, SimTrackTracker


@pytest.fixture
def tiny_tracker(tiny_model):
    """The tracker with the tiny network (same crops and token layout as Sim-B/16)."""
    return SimTrackTracker.from_network(tiny_model)


def _fixed_network_output(tracker, cxcywh):
    tracker.network.track_step = lambda *a: {"pred_boxes": torch.tensor([[cxcywh]], dtype=torch.float32)}


def test_map_back_around_previous_centre(tiny_tracker):
    frame = np.zeros((100, 200, 3), np.uint8)
    tiny_tracker.initialize(frame, Box(40, 30, 20, 10))
    _fixed_network_output(tiny_tracker, [0.5, 0.5, 0.25, 0.25])
    # search crop side ceil(sqrt(200) * 4) = 57; the crop centre is the previous centre (50, 35)
    box = tiny_tracker.track(frame).box
    side = 0.25 * 57
    assert box.tolist() == pytest.approx([50 - side / 2, 35 - side / 2, side, side], abs=1e-4)


@pytest.mark.parametrize("state, pred, expected", [
    # top-left: x1 -> 0, x2 = max(10, x2) = 10, w = max(10, x2 - x1) = 10
    ((0, 0, 20, 10), [0.0, 0.0, 0.05, 0.05], [0, 0, 10, 10]),
    # bottom-right: x1 = min(x1, W - 10), x2 = min(x2, W): a 10-px box at the corner
    ((180, 90, 20, 10), [1.0, 1.0, 0.05, 0.05], [190, 90, 10, 10]),
])
def test_clip_with_ten_pixel_margin(tiny_tracker, state, pred, expected):
    frame = np.zeros((100, 200, 3), np.uint8)
    tiny_tracker.initialize(frame, Box(*state))
    _fixed_network_output(tiny_tracker, pred)
    assert tiny_tracker.track(frame).box.tolist() == pytest.approx(expected, abs=1e-6)


def _run(tracker, frames, box):
    tracker.initialize(frames[0], box)
    return [tracker.track(f).box.tolist() for f in frames[1:]]


def test_grayscale_and_rgba_frames_are_read_like_rgb(tiny_tracker):
    seq = make_sequence(2, num_frames=3)
    rgb = [seq.frame(i) for i in range(3)]
    gray = [f.mean(2).astype(np.uint8) for f in rgb]
    gray_rgb = [np.repeat(g[:, :, None], 3, 2) for g in gray]
    assert _run(tiny_tracker, gray, seq.init_box) == _run(tiny_tracker, gray_rgb, seq.init_box)
    rgba = [np.dstack([f, np.full(f.shape[:2], 77, np.uint8)]) for f in rgb]
    assert _run(tiny_tracker, rgba, seq.init_box) == _run(tiny_tracker, rgb, seq.init_box)


@pytest.mark.parametrize("box", [Box(-30, -20, 60, 50), Box(300, 220, 40, 40), Box(-50, -50, 500, 400)])
def test_border_and_oversized_boxes(tiny_tracker, box):
    seq = make_sequence(4, num_frames=3)
    frames = [seq.frame(i) for i in range(3)]
    H, W = frames[0].shape[:2]
    for x, y, w, h in _run(tiny_tracker, frames, box):
        assert np.isfinite([x, y, w, h]).all()
        assert 0 <= x <= W - 10 and 0 <= y <= H - 10 and w >= 10 and h >= 10
        assert x + w <= W + 10 and y + h <= H + 10


def test_box_outside_the_frame_is_rejected(tiny_tracker):
    with pytest.raises(ValueError, match="outside"):
        tiny_tracker.initialize(np.zeros((50, 60, 3), np.uint8), Box(70, 10, 5, 5))


def test_track_before_initialize_is_an_error():
    tracker = SimTrackTracker.__new__(SimTrackTracker)
    tracker._template_tokens = None
    with pytest.raises(RuntimeError, match="before initialize"):
        tracker.track(np.zeros((50, 60, 3), np.uint8))


def test_unknown_parameter_is_named():
    with pytest.raises(TypeError, match="serach_factor"):
        SimTrackParams.from_kwargs(serach_factor=4.0)
    with pytest.raises(ValueError, match="mae_b16"):
        SimTrackParams(variant="mae_b16")


def test_full_size_pipeline_five_frames(tmp_path):
    """Official trainer container with random variance-scaled weights, loaded strictly through
    the named config, five frames at full size."""
    from vot_core.pipeline import build_pipeline

    state = random_state_dict(official_state_dict_shapes(SIM_B16), seed=11)
    path = tmp_path / "SimTrack_ep0050.pth.tar"
    torch.save({"epoch": 50, "net_type": "SimTrack", "net": state}, path)
    pipeline = build_pipeline("simtrack/sim_b16", weights=str(path))
    tracker = pipeline.tracker
    assert isinstance(tracker, SimTrackTracker) and tracker.load_report.container == "'net'"
    assert torch.equal(tracker.network.state_dict()["bottleneck.weight"], state["bottleneck.weight"])
    seq = make_sequence(1, num_frames=6)
    pipeline.initialize(seq.frame(0), seq.init_box)
    H, W = seq.frame(0).shape[:2]
    boxes = [pipeline.track(seq.frame(i)).box.tolist() for i in range(1, 6)]
    assert np.isfinite(boxes).all()
    assert all(0 <= b[0] <= W - 10 and 0 <= b[1] <= H - 10 and b[2] >= 10 and b[3] >= 10 for b in boxes)
    assert len({tuple(b) for b in boxes}) > 1  # the state moves with the (random) predictions
