"""Pipeline: call order of tracker, refiners and the feedback through ``correct()``.

Recording fake components are registered by hand in the global registries and removed again.
"""
from __future__ import annotations

import numpy as np
import pytest

from vot_core.config import ConfigError
from vot_core.pipeline import Pipeline, build_pipeline, build_refiner
from vot_core.plugins import get_plugin_manager
from vot_core.registry import REFINERS, TRACKERS
from vot_core.structures import Box, Prediction
from vot_core.tracker import BaseTracker, Refiner, Tracker

LOG: list = []


class RecordingTracker(BaseTracker):
    """Moves its box 1 px right per frame from its state; logs every call."""

    def __init__(self, step=1.0, weights=None, device="cpu"):
        self.step, self.weights, self.device = step, weights, device

    def initialize(self, frame, box):
        super().initialize(frame, box)
        LOG.append(("tracker.initialize", self.state.tolist()))

    def track(self, frame):
        self.state = Box(self.state.x + self.step, self.state.y, self.state.w, self.state.h)
        LOG.append(("tracker.track", self.state.tolist()))
        return Prediction(self.state, score=0.5)

    def correct(self, box):
        LOG.append(("tracker.correct", Box.of(box).tolist()))
        super().correct(box)


class RecordingRefiner:
    """Grows the predicted box by ``grow`` px in width; logs every call."""

    def __init__(self, name="r", grow=2.0, weights=None, device="cpu"):
        self.name, self.grow, self.weights, self.device = name, grow, weights, device

    def initialize(self, frame, box):
        LOG.append((f"{self.name}.initialize", Box.of(box).tolist()))

    def refine(self, frame, prediction):
        b = prediction.box
        LOG.append((f"{self.name}.refine", b.tolist()))
        return Prediction(Box(b.x, b.y, b.w + self.grow, b.h), score=prediction.score)


class DeviceOnlyRefiner:
    """Accepts ``device`` but not ``weights``: the pipeline passes only what a factory takes."""

    def __init__(self, device="cpu"):
        self.device = device

    def initialize(self, frame, box):
        pass

    def refine(self, frame, prediction):
        return prediction


@pytest.fixture(autouse=True)
def fakes():
    get_plugin_manager()  # discovery first, so it cannot clash with the hand registrations
    LOG.clear()
    TRACKERS.add("RecordingTracker", RecordingTracker, origin="test")
    REFINERS.add("RecordingRefiner", RecordingRefiner, origin="test")
    REFINERS.add("DeviceOnlyRefiner", DeviceOnlyRefiner, origin="test")
    yield
    TRACKERS.remove("RecordingTracker")
    REFINERS.remove("RecordingRefiner")
    REFINERS.remove("DeviceOnlyRefiner")


FRAME = np.zeros((100, 120, 3), np.uint8)


def config(feedback=True, refiners=2):
    return dict(pipeline=dict(
        tracker=dict(type="RecordingTracker", step=1.0),
        refiners=[dict(type="RecordingRefiner", name=f"r{i}", grow=2.0) for i in range(refiners)],
        feedback=feedback))


def test_feedback_order():
    pipe = build_pipeline(config())
    assert isinstance(pipe, Tracker) and all(isinstance(r, Refiner) for r in pipe.refiners)
    pipe.initialize(FRAME, (10, 20, 30, 40))
    prediction = pipe.track(FRAME)
    assert [name for name, _ in LOG] == [
        "tracker.initialize", "r0.initialize", "r1.initialize",
        "tracker.track", "r0.refine", "r1.refine", "tracker.correct"]
    assert LOG[4][1] == [11, 20, 30, 40]  # r0 sees the tracker's box
    assert LOG[5][1] == [11, 20, 32, 40]  # r1 sees r0's output
    assert LOG[6][1] == [11, 20, 34, 40]  # the tracker adopts the final box
    assert prediction.box.tolist() == [11, 20, 34, 40] and prediction.score == 0.5
    LOG.clear()
    pipe.track(FRAME)  # the next frame starts from the corrected state
    assert LOG[0] == ("tracker.track", [12, 20, 34, 40])


def test_no_feedback_and_no_refiners():
    pipe = build_pipeline(config(feedback=False))
    pipe.initialize(FRAME, (10, 20, 30, 40))
    prediction = pipe.track(FRAME)
    assert "tracker.correct" not in [name for name, _ in LOG]
    assert prediction.box.tolist() == [11, 20, 34, 40]
    assert pipe.tracker.state.tolist() == [11, 20, 30, 40]  # the tracker kept its own box

    LOG.clear()
    alone = build_pipeline(config(refiners=0))
    alone.initialize(FRAME, (10, 20, 30, 40))
    alone.track(FRAME)
    assert [name for name, _ in LOG] == ["tracker.initialize", "tracker.track"]
    LOG.clear()
    alone.correct((1, 2, 3, 4))
    assert LOG == [("tracker.correct", [1, 2, 3, 4])]


def test_extra_refiners_weights_and_device_reach_the_components():
    pipe = build_pipeline(config(refiners=1), weights="tracker.pth",
                          refiners=[dict(type="RecordingRefiner", name="extra"),
                                    dict(type="DeviceOnlyRefiner")],
                          refiner_weights=["extra.pth"], device="cuda")
    assert pipe.tracker.weights == "tracker.pth" and pipe.tracker.device == "cuda"
    assert [r.name for r in pipe.refiners[:2]] == ["r0", "extra"]
    assert pipe.refiners[0].weights is None and pipe.refiners[1].weights == "extra.pth"
    assert isinstance(pipe.refiners[2], DeviceOnlyRefiner) and pipe.refiners[2].device == "cuda"
    assert "RecordingTracker -> RecordingRefiner -> RecordingRefiner" in repr(pipe)


def test_build_refiner_composes_onto_a_tracker_object(tmp_path):
    refiner = build_refiner(dict(type="RecordingRefiner", name="solo", grow=3.0),
                            weights="r.pth", device="cuda")
    assert (refiner.name, refiner.weights, refiner.device) == ("solo", "r.pth", "cuda")
    pipe = Pipeline(RecordingTracker(), [refiner])
    pipe.initialize(FRAME, (10, 20, 30, 40))
    assert pipe.track(FRAME).box.tolist() == [11, 20, 33, 40]
    path = tmp_path / "two.py"
    path.write_text("pipeline = dict(tracker=dict(type='RecordingTracker'), refiners=["
                    "dict(type='RecordingRefiner'), dict(type='RecordingRefiner')])\n")
    with pytest.raises(ConfigError, match="defines 2 refiners"):
        build_refiner(str(path))


def test_overrides_apply_before_building():
    pipe = build_pipeline(config(refiners=0), overrides=["pipeline.tracker.step=5"])
    pipe.initialize(FRAME, (10, 20, 30, 40))
    assert pipe.track(FRAME).box.x == 15


def test_pipeline_validates_the_init_box():
    pipe = Pipeline(RecordingTracker(), [RecordingRefiner()])
    for box, message in [((0, 0, 0, 10), "empty"), ((np.nan, 0, 5, 5), "NaN"),
                         ((500, 0, 5, 5), "outside"), ((0, 0, 1, 2, 3), "4 numbers")]:
        with pytest.raises(ValueError, match=message):
            pipe.initialize(FRAME, box)
    assert LOG == []  # nothing was initialised with a bad box


def test_config_errors_name_the_problem():
    with pytest.raises(ConfigError, match="unknown tracker type 'RecordingTraker'.*Did you mean: RecordingTracker"):
        build_pipeline(dict(pipeline=dict(tracker=dict(type="RecordingTraker"))))
    with pytest.raises(ConfigError, match="unknown keys \\['refiner'\\]"):
        build_pipeline(dict(pipeline=dict(tracker=dict(type="RecordingTracker"), refiner=[])))
    with pytest.raises(ConfigError, match="rejected its config.*stpe"):
        build_pipeline(dict(pipeline=dict(tracker=dict(type="RecordingTracker", stpe=2))))
    with pytest.raises(ConfigError, match="has no 'pipeline'"):
        build_pipeline(dict(model=dict()))
    with pytest.raises(ConfigError, match="unknown config 'core/ncx'.*core/ncc"):
        build_pipeline("core/ncx")
