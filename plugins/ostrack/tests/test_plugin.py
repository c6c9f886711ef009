"""Registration: the tracker and zoo entries arrive through the hooks; configs build."""
from __future__ import annotations

import subprocess
import sys

import pytest
from ostrack_helpers import TINY

from vot_core.config import available_configs, load_config
from vot_core.pipeline import build_pipeline
from vot_core.registry import TRACKERS, WEIGHTS

CONFIGS = ["vitb_256_mae_ce_32x4_ep300", "vitb_384_mae_ce_32x4_ep300",
           "vitb_256_mae_ce_32x4_got10k_ep100", "vitb_384_mae_ce_32x4_got10k_ep100",
           "vitb_256_mae_32x4_ep300", "vitb_384_mae_32x4_ep300"]


def test_plugin_module_imports_no_torch():
    code = "import sys, vot_ostrack.plugin; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_configs_named_and_match_the_variants():
    from vot_ostrack.tracker import VARIANTS, OSTrackParams

    names = available_configs()
    for name in CONFIGS:
        assert f"ostrack/{name}" in names
        tracker = dict(load_config(f"ostrack/{name}").pipeline.tracker)
        assert tracker.pop("type") == "OSTrack" and tracker.pop("weights") is None
        assert OSTrackParams.from_dict(tracker) == OSTrackParams(**VARIANTS[name])


def test_pipeline_builds_through_the_registry_and_tracks():
    import numpy as np

    overrides = {f"pipeline.tracker.{k}": v for k, v in TINY.items()}
    pipe = build_pipeline("ostrack/vitb_384_mae_ce_32x4_ep300", overrides=overrides)
    assert "OSTrack" in TRACKERS and TRACKERS.origins["OSTrack"] == "ostrack"
    tracker = pipe.tracker
    assert (tracker.params.search_size, tracker.params.embed_dim) == (384, 32)
    frame = np.random.default_rng(0).integers(0, 256, (90, 120, 3), dtype=np.uint8)
    pipe.initialize(frame, (40, 30, 20, 15))
    assert pipe.track(frame).box.is_finite()


@pytest.mark.parametrize("name", CONFIGS[:5])
def test_zoo_entries_name_the_official_folder(name):
    from vot_core.weights import get_entry

    entry = get_entry(f"ostrack/{name}")
    assert entry is not None and f"ostrack/{name}" in WEIGHTS
    assert entry.url.startswith("https://drive.google.com/drive/folders/")
    assert entry.sha256 is None and not entry.direct_download
    assert entry.config == f"ostrack/{name}"
    assert entry.input_size == ((192, 384) if "_384_" in name else (128, 256))
