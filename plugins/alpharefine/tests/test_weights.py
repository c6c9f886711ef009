"""Checkpoints: the released container (a legacy pre-1.6 pickle with pickled ``ltr`` objects)
loads strictly without running pickled code; a wrong checkpoint names its keys and shapes."""
from __future__ import annotations

import sys
import types

import pytest
import torch

from vot_alpharefine.refiner import AlphaRefine, load_secm_weights
from vot_alpharefine.secm import secm_resnet34
from vot_alpharefine.zoo import SECM_R34
from vot_core.weights import WeightsError

FAKE_MODULES = ("ltr", "ltr.admin", "ltr.admin.model_constructor", "ltr.admin.settings")


def _install_fake_ltr(executed: list):
    """Classes under the official module names, so ``torch.save`` pickles them by reference."""
    for name in FAKE_MODULES:
        sys.modules[name] = types.ModuleType(name)

    class NetConstructor:
        def __init__(self, fun_name, fun_module, args, kwds):
            self.fun_name, self.fun_module, self.args, self.kwds = fun_name, fun_module, args, kwds

        def __setstate__(self, state):  # would run if the loader executed pickled classes
            executed.append("NetConstructor.__setstate__")
            self.__dict__.update(state)

    class Settings:
        pass

    for cls, module in ((NetConstructor, "ltr.admin.model_constructor"), (Settings, "ltr.admin.settings")):
        cls.__module__, cls.__qualname__ = module, cls.__name__
    sys.modules["ltr.admin.model_constructor"].NetConstructor = NetConstructor
    sys.modules["ltr.admin.settings"].Settings = Settings
    return NetConstructor, Settings


@pytest.fixture(scope="module")
def legacy_checkpoint(tmp_path_factory, random_state):
    """The trainer's container (``base_trainer.save_checkpoint``) in the legacy format."""
    executed: list = []
    NetConstructor, Settings = _install_fake_ltr(executed)
    settings = Settings()
    settings.env = {"workspace_dir": "/data/ltr"}
    settings.batch_size = 32
    checkpoint = {
        "epoch": 40, "actor_type": "SEcm_Actor", "net_type": "SEcmnet",
        "net": {k: v.clone() for k, v in random_state.items()}, "net_info": None,
        "constructor": NetConstructor("SEcm_resnet34", "ltr.models.SEx_beta.SEcm_r34", (),
                                      {"backbone_pretrained": True, "used_layers": ["layer3"],
                                       "pool_size": 8, "unfreeze_layer3": True}),
        "optimizer": {"state": {}, "param_groups": [{"lr": 6.25e-05}]},
        "stats": None, "settings": settings,
    }
    path = tmp_path_factory.mktemp("ckpt") / "SEcmnet_ep0040-c.pth.tar"
    torch.save(checkpoint, path, _use_new_zipfile_serialization=False)
    for name in FAKE_MODULES:  # not importable at load time, as on a user's machine
        del sys.modules[name]
    with open(path, "rb") as f:
        assert f.read(2) != b"PK"  # legacy container, not a zip archive
    return path, executed


def test_legacy_checkpoint_loads_strictly_without_running_pickled_code(legacy_checkpoint, random_state,
                                                                       random_net):
    path, executed = legacy_checkpoint
    refiner = AlphaRefine(weights=str(path))
    loaded = refiner.net.state_dict()
    assert loaded.keys() == random_state.keys()
    assert all(torch.equal(loaded[k], random_state[k]) for k in random_state)
    assert executed == []
    assert "ltr.admin.model_constructor" not in sys.modules
    x, t = torch.randn(1, 3, 256, 256), torch.randn(1, 3, 256, 256)
    with torch.no_grad():
        ours = refiner.net.forward_test(x, refiner.net.template_kernel(t))["corner"]
        ref = random_net.forward_test(x, random_net.template_kernel(t))["corner"]
    assert torch.equal(ours, ref)


def test_checkpoint_of_another_model_names_keys_and_shapes(tmp_path, random_state):
    wrong = {k: v for k, v in random_state.items() if not k.startswith("mask_head.")}
    wrong["corner_head.conv1_tl.0.weight"] = torch.zeros(128, 64, 3, 3)  # an 'AR18'-like head
    wrong["neck.non_local.g.weight"] = torch.zeros(32, 64, 1, 1)  # a PrRoI/non-local neck
    path = tmp_path / "other.pth"
    torch.save({"net": wrong}, path)
    with pytest.raises(WeightsError) as info:
        load_secm_weights(secm_resnet34(), str(path))
    message = str(info.value)
    assert "30 missing" in message and "mask_head.v0.0.weight" in message
    assert "1 unexpected" in message and "neck.non_local.g.weight" in message
    assert "corner_head.conv1_tl.0.weight (checkpoint (128, 64, 3, 3), model (256, 64, 3, 3))" in message


def test_zoo_entry_points_at_the_official_release():
    assert SECM_R34.name == "alpharefine/secm_r34"
    assert SECM_R34.file_name == "SEcmnet_ep0040-c.pth.tar"
    assert "1drLqNq4r9g4ZqGtOGuuLCmHJDh20Fu1m" in SECM_R34.url
    assert not SECM_R34.direct_download  # Google Drive: the error says where to put the file
    from vot_core.weights import get_entry
    assert get_entry("alpharefine/secm_r34") is SECM_R34 or get_entry("alpharefine/secm_r34") == SECM_R34
