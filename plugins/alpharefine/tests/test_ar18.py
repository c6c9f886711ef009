"""AR18c+m: ResNet-18 with the PrRoIPool neck (needs vot-ops for Precise RoI Pooling)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("vot_ops", reason="AR18c+m's PrRoIPool neck needs vot-ops (pip install vot-ops)")

from vot_alpharefine.corrnl_neck import NonLocalBlock2D  # noqa: E402
from vot_alpharefine.refiner import AlphaRefine, spatial_attention_of  # noqa: E402
from vot_alpharefine.secm import secm_resnet18  # noqa: E402
from vot_core.weights import WeightsError  # noqa: E402

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("mode", ["nonlocal", "convs"])
def test_state_dict_equals_the_official_model(mode):
    expected = [tuple(line.split()) for line in (DATA / f"secm_r18_{mode}_state_dict.txt").read_text()
                .splitlines() if line and not line.startswith("#")]
    state = secm_resnet18(spatial_attention=mode, init=False).state_dict()
    assert [(k, "x".join(map(str, v.shape)) or "scalar") for k, v in state.items()] == expected
    assert spatial_attention_of(state) == mode
    assert spatial_attention_of(secm_resnet18(spatial_attention="none", init=False).state_dict()) == "none"


def test_template_kernel_is_the_prroi_pool_of_the_box():
    net = secm_resnet18(init=False)
    feat = torch.arange(16, dtype=torch.float32).repeat(1, 256, 16, 1)  # value = column index x
    # box x 32..160 px = 2..10 feature cells at 1/16; 8 bins of one cell: the bilinear field is
    # linear in x, so each bin's mean is its centre 2.5, 3.5, ..., 9.5
    kernel = net.neck.template_kernel(feat, torch.tensor([[32.0, 48.0, 160.0, 176.0]]))
    assert kernel.shape == (1, 256, 8, 8)
    torch.testing.assert_close(kernel[0, 7, 3], torch.arange(8, dtype=torch.float32) + 2.5)
    torch.testing.assert_close(kernel[0, 0, :, 0], torch.full((8,), 2.5))


def test_refiner_pools_over_the_template_box_in_the_crop(textured_frame):
    refiner = AlphaRefine(variant="secm_r18")
    seen = []
    original = refiner.net.neck.template_kernel
    refiner.net.neck.template_kernel = lambda feat, box: seen.append(box) or original(feat, box)
    refiner.initialize(textured_frame, [100, 50, 40, 20])
    # crop 80 x 40 stretched to 256: the box is 128 x 128 centred on (255 / 2, 255 / 2)
    assert seen[0].tolist() == [[63.5, 63.5, 191.5, 191.5]]
    refiner.initialize(textured_frame, [-10.25, 150, 40, 20])  # half outside the frame
    assert seen[1].tolist() == [[63.5, 63.5, 191.5, 191.5]]  # the crop is padded, not shifted


def test_non_local_block_is_identity_at_init_and_attends_over_pooled_keys():
    block = NonLocalBlock2D(64).eval()
    x = torch.randn(2, 64, 16, 16)
    torch.testing.assert_close(block(x), x)  # W's BN starts at zero, as official
    torch.nn.init.ones_(block.W[1].weight)
    with torch.no_grad():
        q = block.theta(x).flatten(2).transpose(1, 2)
        k = block.phi(x).flatten(2)
        v = block.g(x).flatten(2).transpose(1, 2)
        assert k.shape == (2, 32, 64)  # 16x16 keys max-pooled to 8x8
        y = (torch.softmax(q @ k, -1) @ v).transpose(1, 2).reshape(2, 32, 16, 16)
        torch.testing.assert_close(block(x), block.W(y) + x)


def test_checkpoint_picks_the_spatial_stage_and_a_r34_checkpoint_is_named_wrong(tmp_path, textured_frame,
                                                                                 randomize):
    net = secm_resnet18(spatial_attention="convs", init=False)
    state = randomize(net, seed=2)
    path = tmp_path / "ar18_convs.pth"
    torch.save({"net": state}, path)
    refiner = AlphaRefine(weights=str(path), variant="secm_r18")
    assert refiner.net.neck.mode == "convs"
    assert torch.equal(refiner.net.state_dict()["neck.spatial_attention.6.weight"],
                       state["neck.spatial_attention.6.weight"])
    refiner.initialize(textured_frame, [60, 50, 40, 30])
    out = refiner.refine(textured_frame, refiner_prediction([62.0, 52.0, 38.0, 31.0]))
    assert all(np.isfinite(out.box.tolist()))
    r34 = tmp_path / "r34.pth"
    from vot_alpharefine.secm import secm_resnet34
    torch.save({"net": secm_resnet34(init=False).state_dict()}, r34)
    with pytest.raises(WeightsError, match=r"unexpected: feature_extractor\.layer1\.2\.conv1\.weight"):
        AlphaRefine(weights=str(r34), variant="secm_r18")


def refiner_prediction(box):
    from vot_core.structures import Prediction
    return Prediction(box)
