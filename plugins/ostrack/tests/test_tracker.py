"""Tracker: the official inference quirks with hand-computed numbers, any frame, full size."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from ostrack_helpers import TINY, randomize_

from vot_core.datasets.synthetic import make_sequence
from vot_ostrack.tracker import VARIANTS, OSTrackParams, OSTrackTracker, as_rgb


class FixedMaps(torch.nn.Module):
    """Stands in for the network to test the post-processing on designed maps."""

    def __init__(self, score, size, offset):
        super().__init__()
        self.maps = {"score_map": score, "size_map": size, "offset_map": offset}
        self.calls = []

    def track_step(self, template_tokens, search, ce_template_mask=None, ce_keep_rate=None):
        """The tracker's per-frame call (template tokens embedded at initialize)."""
        self.calls.append((template_tokens, search, ce_template_mask))
        return dict(self.maps)


def designed(cell, offset, size, peak=0.9, other=None):
    score = torch.full((1, 1, 16, 16), 1e-4)
    score[0, 0, cell[0], cell[1]] = peak
    if other is not None:
        score[0, 0, other[0][0], other[0][1]] = other[1]
    size_map = torch.full((1, 2, 16, 16), 0.1)
    size_map[0, :, cell[0], cell[1]] = torch.tensor(size)
    offset_map = torch.zeros(1, 2, 16, 16)
    offset_map[0, :, cell[0], cell[1]] = torch.tensor(offset)
    return FixedMaps(score, size_map, offset_map)


def tiny_tracker(seed=0, **kw):
    tracker = OSTrackTracker(**TINY, **kw)
    randomize_(tracker.network, seed)
    return tracker


def test_window_is_the_centred_hann_product():
    tracker = tiny_tracker()
    w = tracker.output_window
    assert w.shape == (1, 1, 16, 16)
    hann16 = [0.033764, 0.130496, 0.277131, 0.453866, 0.636831, 0.801317, 0.925109, 0.991487]
    assert float(w[0, 0, 0, 0]) == pytest.approx(hann16[0] ** 2, rel=1e-4)
    assert float(w[0, 0, 7, 3]) == pytest.approx(hann16[7] * hann16[3], rel=1e-4)
    assert float(w[0, 0, 15, 8]) == pytest.approx(hann16[0] * hann16[7], rel=1e-4)


def test_decode_windowed_argmax_no_half_cell_unrounded_map_back():
    frame = np.zeros((120, 160, 3), np.uint8)
    tracker = tiny_tracker()
    tracker.initialize(frame, (10, 20, 31, 17))  # centre (25.5, 28.5); crop origin rounds
    # raw peak 0.95 in the corner loses to 0.5 at (row 8, col 8) once windowed
    tracker.network = designed((8, 8), offset=(0.25, -0.5), size=(0.2, 0.3),
                               peak=0.5, other=((0, 0), 0.95))
    pred = tracker.track(frame)
    side = math.ceil(math.sqrt(31 * 17) * 4.0)  # 92 px crop, origin round(-20.5) = -20
    assert side == 92
    cx, cy = (8 + 0.25) / 16 * side, (8 - 0.5) / 16 * side  # no +0.5 cell shift
    w, h = 0.2 * side, 0.3 * side
    cx_real, cy_real = cx + 25.5 - 46, cy + 28.5 - 46  # from the UNROUNDED previous centre
    expected = [cx_real - w / 2, cy_real - h / 2, w, h]
    assert pred.box.tolist() == pytest.approx(expected, abs=1e-4)
    assert expected == pytest.approx([17.7375, 11.825, 18.4, 27.6], abs=1e-9)
    assert pred.score == pytest.approx(0.5)  # raw (unwindowed) score at the chosen cell


def test_clip_margin_keeps_ten_pixels_inside():
    frame = np.zeros((100, 120, 3), np.uint8)
    tracker = tiny_tracker()
    tracker.initialize(frame, (100, 40, 15, 15))  # centre (107.5, 47.5), crop 60 px
    tracker.network = designed((8, 15), offset=(0.9, 0.0), size=(0.5, 0.5))
    box = tracker.track(frame).box.tolist()
    # unclipped: cx = 15.9/16*60 + 107.5 - 30 = 137.125 -> x1 = 122.125, w = 30
    assert box == pytest.approx([110.0, 32.5, 10.0, 30.0], abs=1e-4)
    assert tracker.state.tolist() == box  # the clipped box is the new state


def test_template_and_mask_fixed_inputs_reused_in_place():
    seq = make_sequence(1, num_frames=4, size=(120, 160))
    tracker = tiny_tracker(seed=2)
    tracker.initialize(seq.frame(0), seq.ground_truth[0])
    template = tracker._template.clone()
    ptrs = (tracker._template.data_ptr(), tracker._search.data_ptr())
    for i in range(1, 4):
        pred = tracker.track(seq.frame(i))
        assert pred.box.is_finite() and 1e-4 <= pred.score <= 1 - 1e-4
    assert (tracker._template.data_ptr(), tracker._search.data_ptr()) == ptrs
    assert torch.equal(tracker._template, template)  # the template is never updated
    assert tracker._mask.nonzero()[:, 1].tolist() == [27]


@pytest.mark.parametrize("shape", [(17, 23), (480, 900), (64, 64)])
def test_frames_of_any_size_and_boxes_at_or_beyond_the_border(shape):
    H, W = shape
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    tracker = tiny_tracker(seed=1)
    for init in [(0, 0, 5, 5), (W - 6, H - 6, 6, 6), (-10, -10, W + 20, H + 20)]:
        tracker.initialize(frame, init)
        for _ in range(2):
            x, y, w, h = tracker.track(frame).box.tolist()
            assert 0 <= x <= max(W - 10, 0) and 0 <= y <= max(H - 10, 0)
            assert w >= 10 and h >= 10 and x + w <= max(W, 10 + x) + 1e-9
    with pytest.raises(ValueError, match="outside"):
        tracker.initialize(frame, (W + 5, 0, 10, 10))
    with pytest.raises(ValueError, match="empty"):
        tracker.initialize(frame, (1, 1, 0, 5))


def test_grayscale_and_rgba_frames_track_like_rgb():
    seq = make_sequence(2, num_frames=3, size=(96, 128))
    gray = [f.mean(axis=2).astype(np.uint8) for f in (seq.frame(0), seq.frame(1), seq.frame(2))]
    rgb = [np.repeat(g[:, :, None], 3, axis=2) for g in gray]
    rgba = [np.concatenate([f, np.full(f.shape[:2] + (1,), 7, np.uint8)], 2) for f in rgb]
    boxes = {}
    for name, frames in (("rgb", rgb), ("gray", gray), ("gray1", [g[:, :, None] for g in gray]),
                         ("rgba", rgba)):
        tracker = tiny_tracker(seed=4)
        tracker.initialize(frames[0], seq.ground_truth[0])
        boxes[name] = [tracker.track(f).box.tolist() for f in frames[1:]]
    assert boxes["gray"] == boxes["rgb"] == boxes["gray1"] == boxes["rgba"]
    with pytest.raises(ValueError, match="HxWx4"):
        as_rgb(np.zeros((4, 4, 2), np.uint8))
    with pytest.raises(TypeError, match="uint8"):
        as_rgb(np.zeros((4, 4, 3), np.float32))


def test_params_are_typed_and_unknown_keys_named():
    with pytest.raises(TypeError, match="serch_size"):
        OSTrackTracker(serch_size=256)
    with pytest.raises(ValueError, match="multiple of patch_size"):
        OSTrackParams(search_size=250)
    p = OSTrackParams.from_dict({**VARIANTS["vitb_384_mae_ce_32x4_ep300"]})
    assert (p.template_size, p.search_size, p.search_factor) == (192, 384, 5.0)
    assert OSTrackParams(ce_loc=[3, 6, 9], ce_keep_ratio=[0.7] * 3).ce_loc == (3, 6, 9)


def test_track_before_initialize_is_an_error():
    with pytest.raises(RuntimeError, match="initialize"):
        tiny_tracker().track(np.zeros((50, 50, 3), np.uint8))


def test_full_size_tracker_five_frames_and_reinitialisation():
    seq = make_sequence(5, num_frames=6, size=(240, 320))
    tracker = OSTrackTracker()  # vitb_256_mae_ce_32x4_ep300 at full size
    randomize_(tracker.network, 11)
    runs = []
    for _ in range(2):  # initialize() resets everything: the second run repeats the first
        tracker.initialize(seq.frame(0), seq.ground_truth[0])
        runs.append([tracker.track(seq.frame(i)) for i in range(1, 6)])
    for a, b in zip(*runs):
        assert a.box == b.box and a.score == b.score
        x, y, w, h = a.box.tolist()
        assert 0 <= x <= 310 and 0 <= y <= 230 and w >= 10 and h >= 10
        assert 1e-4 <= a.score <= 1 - 1e-4
    assert len({p.box for p in runs[0]}) > 1  # it moves: not a constant output
