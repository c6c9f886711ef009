import numpy as np
import pluggy
import pytest
from vot_core import hookspecs
from vot_core.datasets import Dataset, DatasetError, hooks
from vot_core.datasets.registry import build_dataset
from vot_core.registry import import_string


def test_hook_registers_every_loader_by_import_string():
    pm = pluggy.PluginManager("vot")
    pm.add_hookspecs(hookspecs)
    pm.register(hooks, name="core-datasets")
    pm.check_pending()
    seen = {}
    pm.hook.register_datasets(register=lambda name, target: seen.setdefault(name, target))
    assert set(seen) == {"lasot", "got10k", "trackingnet", "otb", "uav123", "tnl2k", "vot",
                         "tlp", "coco", "synthetic", "imagenet_vid", "imagenet_det",
                         "youtube_vos", "saliency"}
    for target in seen.values():
        assert isinstance(target, str) and issubclass(import_string(target), Dataset)


def test_build_dataset_by_name(tmp_path, monkeypatch):
    ds = build_dataset("synthetic", split="tiny")
    assert len(ds) == 4 and ds[0].ground_truth.shape[1] == 4
    with pytest.raises(DatasetError, match="unknown dataset 'nope'"):
        build_dataset("nope")
    with pytest.raises(DatasetError, match="does not look like LaSOT"):
        build_dataset("lasot", str(tmp_path), split="all")
    assert np.isfinite(ds[1].ground_truth[0]).all()
