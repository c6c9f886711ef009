"""Composition by configuration: Alpha-Refine on the core NCC baseline through
``build_pipeline``, the feedback through ``correct()``, and the shipped configs."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from vot_alpharefine.refiner import AlphaRefine, AlphaRefineParams
from vot_core.config import ConfigError, load_config
from vot_core.pipeline import build_pipeline


def moving_square(t: int, size=(120, 160)):
    rng = np.random.default_rng(3)
    frame = (rng.random(size + (3,)) * 60).astype(np.uint8)
    x, y = 30 + 4 * t, 40 + 2 * t
    frame[y:y + 24, x:x + 32] = (220, 80, 40)
    return frame, [float(x), float(y), 32.0, 24.0]


def spy_on_correct(tracker):
    calls = []
    original = tracker.correct

    def correct(box):
        calls.append(box.tolist())
        original(box)

    tracker.correct = correct
    return calls


def test_refiner_composes_with_the_core_baseline_and_feeds_back(random_weights_file):
    cfg = dict(pipeline=dict(tracker=dict(type="NCCTracker"),
                             refiners=[dict(type="AlphaRefine", weights=random_weights_file)]))
    pipe = build_pipeline(cfg)
    assert isinstance(pipe.refiners[0], AlphaRefine)
    refiner = pipe.refiners[0]
    frame0, box0 = moving_square(0)
    pipe.initialize(frame0, box0)
    calls = spy_on_correct(pipe.tracker)

    # fixed corners: the refined box is the crop's centre shifted and scaled by known amounts
    def forward_test(search, kernel, branches=("corner",)):
        import torch
        return {"corner": torch.tensor([[72.0, 60.0, 200.0, 180.0]])}

    refiner.net.forward_test = forward_test
    outputs = []
    for t in range(1, 4):
        frame, _ = moving_square(t)
        base = None
        original_track = pipe.tracker.track

        def track(frame, _orig=original_track):
            nonlocal base
            base = _orig(frame)
            return base

        pipe.tracker.track = track
        out = pipe.track(frame)
        pipe.tracker.track = original_track
        bx, by, bw, bh = base.box.tolist()
        ws, hs = math.ceil(2 * bw), math.ceil(2 * bh)
        expected = [bx - 0.5 * bw + 72 * ws / 256, by - 0.5 * bh + 60 * hs / 256,
                    128 * ws / 256, 120 * hs / 256]
        assert out.box.tolist() == pytest.approx(expected, rel=1e-12)
        outputs.append(out.box.tolist())
        assert pipe.tracker.state.tolist() == out.box.tolist()  # the tracker adopted it
    assert calls == outputs


def test_named_refiner_config_with_refiner_weights_and_real_network(random_weights_file):
    pipe = build_pipeline("core/ncc", refiners=["alpharefine/secm_r34"],
                          refiner_weights=[random_weights_file])
    assert [type(r).__name__ for r in pipe.refiners] == ["AlphaRefine"]
    frame0, box0 = moving_square(0)
    pipe.initialize(frame0, box0)
    calls = spy_on_correct(pipe.tracker)
    gray, _ = moving_square(1)
    gray = gray[:, :, 0].copy()
    rgba, _ = moving_square(2)
    rgba = np.concatenate([rgba, np.full(rgba.shape[:2] + (1,), 255, np.uint8)], axis=2)
    for frame in (moving_square(1)[0], np.repeat(gray[:, :, None], 3, axis=2), rgba[:, :, :3]):
        out = pipe.track(frame)
        assert all(math.isfinite(v) for v in out.box.tolist()) and out.box.w > 0 and out.box.h > 0
        assert "base_box" in out.extras
    assert len(calls) == 3


def test_shipped_configs_name_every_parameter_and_the_trackers():
    refiner = dict(load_config("alpharefine/secm_r34").refiner)
    assert refiner.pop("type") == "AlphaRefine" and refiner.pop("weights") == "alpharefine/secm_r34"
    defaults = {f.name: f.default for f in dataclasses.fields(AlphaRefineParams)
                if not f.name.startswith("compact_")}  # secm_compact's architecture
    assert refiner == defaults  # the config spells out the official defaults
    mask = load_config("alpharefine/secm_r34_mask").refiner
    assert mask.box_from == "mask" and mask.return_mask and mask.search_factor == 2.0
    for name, tracker in [("ostrack_ar", "OSTrack"), ("simtrack_ar", "SimTrack"),
                          ("globaltrack_ar", "GlobalTrack"), ("dmtrack_ar", "DMTrack"),
                          ("ncc_ar", "NCCTracker")]:
        pipe = load_config(f"alpharefine/{name}").pipeline
        assert pipe.tracker.type == tracker and pipe.feedback is True
        assert [dict(r) for r in pipe.refiners] == [dict(type="AlphaRefine", weights="alpharefine/secm_r34")]


def test_unknown_refiner_key_is_a_config_error(random_weights_file):
    cfg = dict(pipeline=dict(tracker=dict(type="NCCTracker"),
                             refiners=[dict(type="AlphaRefine", weights=random_weights_file, sr=2.0)]))
    with pytest.raises(ConfigError, match="'sr'"):
        build_pipeline(cfg)
