"""Official checkpoint containers load strictly; a wrong variant is named with keys and shapes."""
from __future__ import annotations

import pickle
import sys
import types
from collections import OrderedDict

import pytest
import torch
from ostrack_helpers import TINY, randomize_

from vot_core.weights import WeightsError
from vot_ostrack.ostrack import build_ostrack
from vot_ostrack.tracker import OSTrackTracker, load_ostrack_weights

FAKE_MODULES = ("lib", "lib.train", "lib.train.admin", "lib.train.admin.settings",
                "lib.train.admin.local", "lib.train.admin.stats")


def _fake_training_objects():
    """Classes living in modules named like the official trainer's (importable only now)."""
    mods = {name: types.ModuleType(name) for name in FAKE_MODULES}

    class EnvironmentSettings:
        def __init__(self):
            self.workspace_dir = "/home/ostrack/workspace"
            self.lasot_dir = "/data/lasot"

    class Settings:
        def __init__(self):
            self.env = EnvironmentSettings()
            self.script_name = "ostrack"
            self.config_name = "vitb_256_mae_ce_32x4_ep300"

    class AverageMeter:
        def __init__(self):
            self.avg, self.count = 0.123, 10

    for cls, mod in ((EnvironmentSettings, "lib.train.admin.local"),
                     (Settings, "lib.train.admin.settings"),
                     (AverageMeter, "lib.train.admin.stats")):
        cls.__module__, cls.__qualname__ = mod, cls.__name__
        setattr(mods[mod], cls.__name__, cls)
    return mods, Settings, AverageMeter


def write_official_container(path, net_state_dict, optimizer_state=None):
    """``torch.save`` what the official ``BaseTrainer.save_checkpoint`` writes, then make the
    ``lib.*`` modules unimportable again (as on a user's machine)."""
    mods, Settings, AverageMeter = _fake_training_objects()
    sys.modules.update(mods)
    try:
        torch.save({"epoch": 300, "actor_type": "OSTrackActor", "net_type": "OSTrack",
                    "net": net_state_dict, "net_info": None, "constructor": None,
                    "optimizer": optimizer_state or {},
                    "stats": OrderedDict(train=OrderedDict(Loss=AverageMeter())),
                    "settings": Settings()}, path)
    finally:
        for name in FAKE_MODULES:
            sys.modules.pop(name, None)
    with pytest.raises(ModuleNotFoundError):
        __import__("lib.train.admin.settings")


def test_official_container_with_pickled_settings_loads_strictly(tmp_path):
    source = randomize_(build_ostrack(**TINY), seed=7)
    opt = torch.optim.AdamW(source.parameters(), lr=4e-4)
    path = tmp_path / "OSTrack_ep0300.pth.tar"
    write_official_container(path, source.state_dict(), opt.state_dict())
    with pytest.raises(pickle.UnpicklingError):  # torch's safe loader refuses the objects
        torch.load(path, weights_only=True)
    tracker = OSTrackTracker(weights=str(path), **TINY)
    got, want = tracker.network.state_dict(), source.state_dict()
    assert list(got) == list(want)
    assert all(torch.equal(got[k], want[k]) for k in want)
    assert not tracker.network.training


def test_bare_state_dict_loads_too(tmp_path):
    source = randomize_(build_ostrack(**TINY), seed=8)
    path = tmp_path / "net.pth"
    torch.save(source.state_dict(), path)
    tracker = OSTrackTracker(weights=str(path), **TINY)
    assert torch.equal(tracker.network.box_head.conv5_size.bias, source.box_head.conv5_size.bias)


def test_384_weights_into_256_config_name_keys_and_shapes(tmp_path):
    # full width, one block: the real 384 position-embedding shapes, small file
    w384 = build_ostrack(template_size=192, search_size=384, depth=1, ce_loc=())
    path = tmp_path / "OSTrack_384.pth.tar"
    write_official_container(path, w384.state_dict())
    net256 = build_ostrack(depth=1, ce_loc=())
    with pytest.raises(WeightsError) as err:
        load_ostrack_weights(net256, str(path))
    text = str(err.value)
    assert "backbone.pos_embed_z (checkpoint (1, 144, 768), model (1, 64, 768))" in text
    assert "backbone.pos_embed_x (checkpoint (1, 576, 768), model (1, 256, 768))" in text
    assert "2 wrong shape" in text
    assert "search_size=384" in text and "template_size=192" in text


def test_other_model_checkpoint_names_missing_and_unexpected_keys(tmp_path):
    path = tmp_path / "other.pth"
    torch.save({"state_dict": {"conv.weight": torch.zeros(2, 2)}}, path)
    with pytest.raises(WeightsError, match="unexpected: conv.weight"):
        OSTrackTracker(weights=str(path), **TINY)
