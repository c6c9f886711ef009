"""The plugin's hooks register the tracker and the zoo entries by import string."""
from __future__ import annotations

import ast
from pathlib import Path

import vot_globaltrack.plugin as plugin


def test_hooks_register_import_strings_only():
    seen = {}
    plugin.register_trackers(lambda name, target: seen.__setitem__(name, target))
    assert seen == {"GlobalTrack": "vot_globaltrack.tracker:GlobalTrackTracker"}
    models = {}
    plugin.register_models(lambda name, target: models.__setitem__(name, target))
    assert models == {"QGRCNNModel": "vot_globaltrack.training:QGRCNNModel"}
    weights = {}
    plugin.register_weights(lambda name, entry: weights.__setitem__(name, entry))
    entry = weights["globaltrack/qg_rcnn_r50_fpn"]
    assert entry.url == "https://drive.google.com/open?id=1ouTJDS5NACLukd810uiKCvmLxJfga48x"
    assert entry.file_name == "qg_rcnn_r50_fpn_coco_got10k_lasot.pth"
    assert entry.config == "globaltrack/qg_rcnn_r50_fpn" and not entry.direct_download
    assert weights["globaltrack/qg_rcnn_r50_fpn_init"].file_name == \
        "qg_rcnn_r50_fpn_2x_20181010-443129e1.pth"
    # plugin.py imports no torch (cheap discovery)
    tree = ast.parse(Path(plugin.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and m.startswith("torch") for m in imported)


def test_discovered_through_the_entry_point():
    from vot_core.plugins import get_plugin_manager
    from vot_core.registry import MODELS, TRACKERS, WEIGHTS

    get_plugin_manager()
    assert "GlobalTrack" in TRACKERS and "QGRCNNModel" in MODELS
    assert "globaltrack/qg_rcnn_r50_fpn" in WEIGHTS
