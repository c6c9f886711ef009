"""Registration through the hooks, the zoo entry, and cheap discovery."""
import subprocess
import sys

import pytest


def test_plugin_module_imports_no_torch():
    code = "import sys, vot_simtrack.plugin; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_components_are_registered():
    from vot_core.plugins import get_plugin_manager
    from vot_core.registry import MODELS, TRACKERS, WEIGHTS

    get_plugin_manager()
    assert TRACKERS.origins["SimTrack"] == "simtrack"
    assert MODELS.origins["SimTrackModel"] == "simtrack"
    entry = WEIGHTS.get("sim-b16")
    assert entry.config == "simtrack/sim_b16" and "19iSJi14yfJsi_XN5bfKdkBPUHgFzagg9" in entry.url
    assert entry.file_name == "sim-b16.pth" and not entry.direct_download


def test_missing_zoo_file_says_where_to_get_it(tmp_path, monkeypatch):
    from vot_core.weights import WeightsError, resolve_weights

    monkeypatch.setenv("VOT_CACHE", str(tmp_path))
    with pytest.raises(WeightsError, match="drive.google.com.*sim-b16.pth|sim-b16.pth.*drive.google.com"):
        resolve_weights("sim-b16")
