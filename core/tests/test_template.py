"""The third-party plugin template renders into a working package (nox -s template installs
it and checks discovery; here: files, metadata and its tracker without installing)."""
import importlib
import sys

import numpy as np
import pytest

from vot_core.cli import main
from vot_core.geometry import iou
from vot_core.template import render_plugin


def test_new_plugin_renders_a_package_whose_tracker_tracks(tmp_path, monkeypatch):
    assert main(["new-plugin", "my_tracker", "--output", str(tmp_path)]) == 0
    root = tmp_path / "vot-my_tracker"
    pyproject = (root / "pyproject.toml").read_text()
    assert 'name = "vot-my_tracker"' in pyproject
    assert 'my_tracker = "vot_my_tracker.plugin"' in pyproject
    assert not list(root.rglob("*.tmpl")) and "{{" not in pyproject
    monkeypatch.syspath_prepend(str(root / "src"))
    tracker_module = importlib.import_module("vot_my_tracker.tracker")
    tracker = tracker_module.MyTrackerTracker()
    frames = []
    for i in range(10):
        frame = np.full((120, 160, 3), 40, np.uint8)
        frame[30 + 2 * i:54 + 2 * i, 20 + 6 * i:44 + 6 * i] = (220, 30, 30)
        frames.append(frame)
    tracker.initialize(frames[0], (20, 30, 24, 24))
    boxes = np.array([tracker.track(f).box.tolist() for f in frames[1:]])
    truth = np.array([[20 + 6 * i, 30 + 2 * i, 24, 24] for i in range(1, 10)], float)
    assert iou(boxes, truth).mean() > 0.7
    with pytest.raises(TypeError, match=r"unknown parameter.*'hue_binz' \(did you mean 'hue_bins'"):
        tracker_module.MyTrackerTracker(hue_binz=8)
    sys.modules.pop("vot_my_tracker.tracker", None)
    sys.modules.pop("vot_my_tracker", None)


def test_bad_names_and_existing_folders_are_refused(tmp_path):
    with pytest.raises(ValueError, match="lower case"):
        render_plugin("My-Tracker", tmp_path)
    render_plugin("ok", tmp_path)
    with pytest.raises(FileExistsError):
        render_plugin("ok", tmp_path)
