"""The compact SEcm (``variant='secm_compact'``, the tiny refiner of ``vot demo``): the same
modules at other widths, the ResNet equal to torchvision's, and the refiner on 128-px crops."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision

from vot_alpharefine.refiner import AlphaRefine, AlphaRefineParams
from vot_alpharefine.resnet import ResNetFeatures
from vot_alpharefine.secm import secm_compact
from vot_alpharefine.training import AlphaRefineModel
from vot_core.structures import Prediction


def test_resnet34_features_equal_torchvision_resnet34():
    torch.manual_seed(0)
    reference = torchvision.models.resnet34().eval()
    ours = ResNetFeatures((3, 4, 6, 3)).eval()
    ours.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(1, 3, 96, 96)
    with torch.no_grad():
        feats = ours.features(x, ["layer3", "layer4"])
        r = reference
        expected = r.layer3(r.layer2(r.layer1(r.maxpool(r.relu(r.bn1(r.conv1(x)))))))
        assert torch.equal(feats["layer3"], expected)
        assert torch.equal(feats["layer4"], r.layer4(expected))


def test_compact_network_shapes_and_no_classifier_or_mask_branch():
    net = secm_compact(input_size=128, blocks=(1, 1, 1), widths=(16, 32, 64)).eval()
    keys = net.state_dict().keys()
    assert not any(k.startswith(("mask_head", "feat_adjust", "feature_extractor.fc",
                                 "feature_extractor.layer4")) for k in keys)
    with torch.no_grad():
        kernel = net.template_kernel(torch.randn(2, 3, 128, 128))
        out = net.forward_test(torch.randn(2, 3, 128, 128), kernel)
    assert kernel.shape == (2, 64, 4, 4)  # the central 4x4 of the 8x8 layer3 map
    assert out["feat"].shape == (2, 16, 8, 8)  # one correlation channel per kernel cell
    corners = out["corner"]
    assert corners.shape == (2, 4) and (corners >= 0).all() and (corners <= 16 * 7).all()
    with pytest.raises(ValueError, match="no mask branch"):
        net.forward_test(torch.randn(1, 3, 128, 128), kernel[:1], ("corner", "mask"))


def test_compact_mask_branch_outputs_a_crop_sized_mask():
    net = secm_compact(input_size=96, widths=(16, 32, 64), with_mask=True).eval()
    with torch.no_grad():
        kernel = net.template_kernel(torch.randn(1, 3, 96, 96))
        out = net.forward_test(torch.randn(1, 3, 96, 96), kernel, ("corner", "mask"))
    assert kernel.shape[-2:] == (3, 3) and out["mask"].shape == (1, 1, 96, 96)


def test_bad_compact_sizes_are_errors():
    with pytest.raises(ValueError, match="multiple of 32"):
        secm_compact(input_size=100)
    with pytest.raises(ValueError, match="input_size=256"):
        AlphaRefineParams(input_size=128)  # the released networks are fixed at 256
    with pytest.raises(ValueError, match="mask branch"):
        AlphaRefineParams(variant="secm_compact", input_size=128, box_from="mask")
    with pytest.raises(ValueError, match="released networks need input_size=256"):
        AlphaRefineModel(input_size=128)


def test_training_checkpoint_loads_into_the_compact_refiner(tmp_path):
    compact = dict(blocks=(1, 1, 1), widths=(16, 32, 64), neck_channels=32, head_channels=32)
    model = AlphaRefineModel(variant="secm_compact", input_size=128, compact=compact)
    path = tmp_path / "tiny.pth"
    torch.save({"state_dict": model.state_dict()}, path)
    refiner = AlphaRefine(weights=str(path), variant="secm_compact", input_size=128,
                          compact_widths=[16, 32, 64], compact_neck_channels=32,
                          compact_head_channels=32)
    frame = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    refiner.initialize(frame, [60, 40, 30, 20])
    out = refiner.refine(frame, Prediction([62, 41, 28, 22]))
    assert out.extras["refined"] and all(np.isfinite(out.box.tolist()))
    with torch.no_grad():  # the refiner runs the trained parameters
        for name, value in model.state_dict().items():
            assert torch.equal(refiner.net.state_dict()[name], value), name
