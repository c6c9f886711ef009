"""vot_core.backbones.TimmBackbone: timm models with local weights, feature levels, adaptation,
refusal of a wrong checkpoint, and building from a config through the registry."""
from __future__ import annotations

import pytest
import timm
import torch
from timm.layers import resample_abs_pos_embed

from vot_core.backbones import TimmBackbone, create_timm_backbone
from vot_core.weights import WeightsError


@pytest.fixture(scope="module")
def resnet18_file(tmp_path_factory):
    torch.manual_seed(0)
    model = timm.create_model("resnet18", num_classes=10).eval()
    path = tmp_path_factory.mktemp("weights") / "resnet18.pth"
    torch.save(model.state_dict(), path)
    return model, path


def test_features_only_levels_match_the_saved_model(resnet18_file):
    ref, path = resnet18_file
    backbone = TimmBackbone("resnet18", pretrained_file=str(path), out_indices=(2, 3)).eval()
    assert backbone.out_channels == [128, 256] and backbone.reductions == [8, 16]
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        feats = backbone(x)
        expected = ref.forward_intermediates(x, indices=[2, 3], intermediates_only=True)
    assert [tuple(f.shape) for f in feats] == [(2, 128, 8, 8), (2, 256, 4, 4)]
    for got, want in zip(feats, expected):
        assert torch.equal(got, want)


def test_plain_features_and_classifier_dropped(resnet18_file):
    ref, path = resnet18_file
    backbone = TimmBackbone("resnet18", pretrained_file=str(path), num_classes=0).eval()
    x = torch.randn(1, 3, 48, 48)
    with torch.no_grad():
        assert torch.equal(backbone(x), ref.forward_features(x))
    assert backbone.out_channels == [512]
    assert all(k.startswith("model.") for k in backbone.state_dict())


def test_container_prefix_and_in_chans_adaptation(resnet18_file, tmp_path):
    ref, _ = resnet18_file
    path = tmp_path / "wrapped.pth"
    torch.save({"state_dict": {"module." + k: v for k, v in ref.state_dict().items()}, "epoch": 5}, path)
    mono = create_timm_backbone("resnet18", pretrained_file=str(path), num_classes=10, in_chans=1)
    # timm folds an RGB first conv into one channel by summing over the input channels
    assert torch.allclose(mono.conv1.weight, ref.conv1.weight.sum(1, keepdim=True), atol=1e-6)
    assert torch.equal(mono.fc.weight, ref.fc.weight)


def test_checkpoint_of_another_architecture_is_refused(resnet18_file):
    _, path = resnet18_file
    with pytest.raises(WeightsError, match=r"does not fit timm model 'resnet34':\n  96 missing: layer1\.2\."):
        TimmBackbone("resnet34", pretrained_file=str(path), features_only=True)


def test_vit_resamples_position_embedding_for_a_smaller_input(tmp_path):
    torch.manual_seed(1)
    ref = timm.create_model("vit_tiny_patch16_224", num_classes=0, depth=2).eval()  # 2 blocks: fast
    path = tmp_path / "vit_tiny.pth"
    torch.save(ref.state_dict(), path)
    small = TimmBackbone("vit_tiny_patch16_224", pretrained_file=str(path), img_size=64, num_classes=0,
                         depth=2).eval()
    vit = small.model
    expected = resample_abs_pos_embed(ref.pos_embed, new_size=(4, 4), num_prefix_tokens=1)
    assert vit.pos_embed.shape == (1, 17, 192) and torch.allclose(vit.pos_embed, expected, atol=1e-6)
    assert torch.equal(vit.blocks[1].attn.qkv.weight, ref.blocks[1].attn.qkv.weight)
    with torch.no_grad():
        tokens = small(torch.randn(1, 3, 64, 64))
    assert tokens.shape == (1, 17, 192) and torch.isfinite(tokens).all()


def test_random_init_and_build_from_config(monkeypatch):
    from vot_core.plugins import get_plugin_manager
    from vot_core.registry import BACKBONES
    get_plugin_manager()
    assert "TimmBackbone" in BACKBONES
    backbone = BACKBONES.build(dict(type="TimmBackbone", model_name="resnet18", out_indices=[1, 2]))
    assert isinstance(backbone, TimmBackbone) and backbone.out_channels == [64, 128]
    with torch.no_grad():
        feats = backbone.eval()(torch.randn(1, 3, 32, 32))
    assert [tuple(f.shape) for f in feats] == [(1, 64, 8, 8), (1, 128, 4, 4)]
