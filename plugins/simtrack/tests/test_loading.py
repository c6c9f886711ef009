"""Every accepted checkpoint form loads strictly and is reported; anything else is refused."""
import pytest
import torch
from helpers import random_state_dict

from vot_core.weights import WeightsError
from vot_simtrack.loading import load_simtrack_weights, normalize_state_dict
from vot_simtrack.simtrack import build_simtrack

TEXT_TOWER = {  # CLIP's text tower (shapes of ViT-B/16's, shrunk): never part of SimTrack
    "transformer.resblocks.0.attn.in_proj_weight": (96, 32),
    "token_embedding.weight": (100, 32),
    "positional_embedding": (77, 32),
    "ln_final.weight": (32,),
    "text_projection": (32, 16),
    "logit_scale": (),
}


@pytest.fixture
def official(tiny_arch):
    model = build_simtrack(tiny_arch)
    return random_state_dict(model.state_dict(), seed=5)


def _text_tower(root):
    return {root + k: torch.randn(s) for k, s in TEXT_TOWER.items()}


def _rename(state, old, new):
    return {(new + k[len(old):] if k.startswith(old) else k): v for k, v in state.items()}


def _load(tmp_path, tiny_arch, checkpoint):
    path = tmp_path / "ckpt.pth"
    torch.save(checkpoint, path)
    model = build_simtrack(tiny_arch)
    return model, load_simtrack_weights(model, str(path))


def _assert_loaded(model, official):
    loaded = model.state_dict()
    assert set(loaded) == set(official)
    for key, value in official.items():
        assert torch.equal(loaded[key], value.to(loaded[key].dtype)), key


def test_official_flat_form_loads_unchanged(tmp_path, tiny_arch, official):
    model, report = _load(tmp_path, tiny_arch, official)
    _assert_loaded(model, official)
    assert report.unchanged and report.container == "flat"
    assert "already in the official form" in str(report)


def test_official_trainer_container(tmp_path, tiny_arch, official):
    checkpoint = {"epoch": 50, "actor_type": "SimTrackActor", "net_type": "SimTrack",
                  "net": official, "optimizer": {"state": {}, "param_groups": []}}
    model, report = _load(tmp_path, tiny_arch, checkpoint)
    _assert_loaded(model, official)
    assert report.container == "'net'" and report.unchanged


@pytest.mark.parametrize("container", ["state_dict", "model"])
def test_other_containers(tmp_path, tiny_arch, official, container):
    model, report = _load(tmp_path, tiny_arch, {container: official, "meta": {"x": 1}})
    _assert_loaded(model, official)
    assert report.container == f"'{container}'"


def test_module_prefix(tmp_path, tiny_arch, official):
    model, report = _load(tmp_path, tiny_arch, {"module." + k: v for k, v in official.items()})
    _assert_loaded(model, official)
    assert report.stripped_module_prefix and "module." in str(report)


@pytest.mark.parametrize("with_text", [False, True])
def test_whole_clip_model_under_backbone_model(tmp_path, tiny_arch, official, with_text):
    state = _rename(official, "backbone.visual.", "backbone.model.visual.")
    if with_text:
        state.update(_text_tower("backbone.model."))
    model, report = _load(tmp_path, tiny_arch, state)
    _assert_loaded(model, official)
    n_visual = sum(k.startswith("backbone.visual.") for k in official)
    assert report.renamed == {"backbone.model.visual.": ("backbone.visual.", n_visual)}
    assert sorted(report.dropped) == (sorted("backbone.model." + k for k in TEXT_TOWER) if with_text else [])


def test_text_tower_next_to_official_visual(tmp_path, tiny_arch, official):
    """Text-tower keys are dropped by prefix: 'backbone.positional_embedding' (77, C) goes,
    'backbone.visual.positional_embedding' stays."""
    state = dict(official, **_text_tower("backbone."))
    model, report = _load(tmp_path, tiny_arch, state)
    _assert_loaded(model, official)
    assert "backbone.positional_embedding" in report.dropped
    assert len(report.dropped) == len(TEXT_TOWER) and not report.renamed
    assert f"dropped {len(TEXT_TOWER)} CLIP text-tower keys" in str(report)


@pytest.mark.parametrize("head_prefix", ["head.", "rpn_head."])
@pytest.mark.parametrize("with_text", [False, True])
def test_pysot_module_names(tmp_path, tiny_arch, official, head_prefix, with_text):
    state = _rename(_rename(official, "box_head.", head_prefix), "bottleneck.", "neck.")
    state = _rename(state, "backbone.visual.", "backbone.model.visual.")
    if with_text:
        state.update(_text_tower("backbone.model."))
    state = {"module." + k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    model, report = _load(tmp_path, tiny_arch, {"state_dict": state})
    expected = {k: v.half().float() if v.is_floating_point() else v for k, v in official.items()}
    _assert_loaded(model, expected)
    n_head = sum(k.startswith("box_head.") for k in official)
    assert report.renamed[head_prefix] == ("box_head.", n_head)
    assert report.renamed["neck."] == ("bottleneck.", 2)
    assert report.stripped_module_prefix
    assert report.cast_to_float32 == sum(v.is_floating_point() for v in official.values())
    assert len(report.dropped) == (len(TEXT_TOWER) if with_text else 0)


def test_unknown_form_is_refused_with_names(tmp_path, tiny_arch, official):
    state = {k.replace("backbone.visual.transformer.resblocks.", "backbone.blocks."): v
             for k, v in official.items()}
    state["neck.bottleneck.weight"] = state.pop("bottleneck.weight")
    with pytest.raises(WeightsError) as info:
        _load(tmp_path, tiny_arch, state)
    message = str(info.value)
    assert "backbone.visual.transformer.resblocks.0" in message  # missing
    assert "backbone.blocks.0" in message                          # unexpected
    assert "missing" in message and "unexpected" in message


def test_other_variant_is_refused_by_shape(tmp_path, tiny_arch):
    wider = build_simtrack(tiny_arch, width=96, heads=4)
    with pytest.raises(WeightsError) as info:
        _load(tmp_path, tiny_arch, random_state_dict(wider.state_dict()))
    message = str(info.value)
    assert "wrong shape" in message and "backbone.visual.conv1.weight" in message
    assert "ViT width 96, patch 16, 2 blocks" in message and "ViT width 64" in message


def test_normalize_leaves_unknown_keys_for_the_strict_load():
    state, report = normalize_state_dict({"foo.weight": torch.zeros(1)})
    assert list(state) == ["foo.weight"] and report.unchanged
