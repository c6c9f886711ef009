"""SEcm_r34: state_dict layout, tensor flow and the documented quirks, with hand-computed
expectations."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from vot_alpharefine.corner_head import CornerPredictor, corner_grid
from vot_alpharefine.corr_neck import SEModule, central_kernel, pixelwise_correlation
from vot_alpharefine.secm import secm_resnet34

KEYS_FILE = Path(__file__).parent / "data" / "secm_r34_state_dict.txt"


def _shape_text(t: torch.Tensor) -> str:
    return "x".join(str(d) for d in t.shape) or "scalar"


def test_state_dict_keys_and_shapes_equal_the_released_model():
    expected = [tuple(line.split()) for line in KEYS_FILE.read_text().splitlines()
                if line and not line.startswith("#")]
    state = secm_resnet34().state_dict()
    assert [(k, _shape_text(v)) for k, v in state.items()] == expected
    assert len(state) == 354
    assert sum(v.numel() for k, v in state.items()
               if not k.endswith("num_batches_tracked")) == 23_846_591


def test_forward_shapes_and_layer4_is_never_run(random_net):
    ran = []
    hook = random_net.feature_extractor.layer4.register_forward_hook(lambda *a: ran.append(1))
    try:
        with torch.no_grad():
            kernel = random_net.template_kernel(torch.randn(1, 3, 256, 256))
            out = random_net.forward_test(torch.randn(1, 3, 256, 256), kernel, ("corner", "mask"))
    finally:
        hook.remove()
    assert kernel.shape == (1, 256, 8, 8)
    assert out["feat"].shape == (1, 64, 16, 16)
    assert out["corner"].shape == (1, 4)
    assert out["mask"].shape == (1, 1, 256, 256)
    assert 0 <= out["mask"].min() and out["mask"].max() <= 1
    assert ((out["corner"] >= 0) & (out["corner"] <= 240)).all()
    assert not ran


def test_feature_taps_conv1_is_before_the_maxpool(random_net):
    x = torch.randn(1, 3, 256, 256)
    fe = random_net.feature_extractor
    with torch.no_grad():
        feats = fe.features(x, ["conv1", "layer1", "layer2", "layer3"])
        stem = fe.relu(fe.bn1(fe.conv1(x)))
    assert {k: tuple(v.shape[-3:]) for k, v in feats.items()} == {
        "conv1": (64, 128, 128), "layer1": (64, 64, 64), "layer2": (128, 32, 32),
        "layer3": (256, 16, 16)}
    assert torch.equal(feats["conv1"], stem)
    with pytest.raises(ValueError, match="layer5"):
        fe.features(x, ["layer5"])


def test_template_kernel_is_the_central_8x8_cells():
    feat = torch.arange(2 * 16 * 16, dtype=torch.float32).reshape(1, 2, 16, 16)
    kernel = central_kernel(feat, 2)
    assert kernel.shape == (1, 2, 8, 8)
    assert kernel[0, 0, 0, 0].item() == 4 * 16 + 4  # row 4, column 4
    assert kernel[0, 1, 7, 7].item() == 256 + 11 * 16 + 11  # row 11, column 11


def test_pixelwise_correlation_channel_order_is_kernel_row_major():
    g = torch.Generator().manual_seed(1)
    kernel = torch.randn(2, 5, 3, 3, generator=g)
    search = torch.randn(2, 5, 4, 6, generator=g)
    corr = pixelwise_correlation(kernel, search)
    assert corr.shape == (2, 9, 4, 6)
    # channel i*3+j at search cell (y, x) = <kernel[:, :, i, j], search[:, :, y, x]>, no scaling
    expected = torch.einsum("bcij,bcyx->bijyx", kernel, search).reshape(2, 9, 4, 6)
    torch.testing.assert_close(corr, expected)
    assert corr[1, 1 * 3 + 2, 3, 5] == pytest.approx(float((kernel[1, :, 1, 2] * search[1, :, 3, 5]).sum()),
                                                     rel=1e-5)


def test_se_module_rescales_channels_by_the_sigmoid_gate():
    se = SEModule(8, reduction=4)
    x = torch.randn(2, 8, 5, 5)
    gate = torch.sigmoid(se.fc2(torch.relu(se.fc1(x.mean((2, 3), keepdim=True)))))
    torch.testing.assert_close(se(x), x * gate)
    assert se.fc1.weight.shape == (2, 8, 1, 1)


def test_soft_argmax_grid_is_16_times_the_cell_without_offset():
    coord_x, coord_y = corner_grid(16, 16)
    assert coord_x[:3].tolist() == [0, 16, 32] and coord_x[15].item() == 240
    assert coord_x[16].item() == 0 and coord_y[16].item() == 16 and coord_y[-1].item() == 240
    head = CornerPredictor()
    peaked = torch.full((1, 1, 16, 16), -50.0)
    peaked[0, 0, 3, 10] = 50.0  # row 3, column 10
    x, y = head.soft_argmax(peaked)
    assert (x.item(), y.item()) == pytest.approx((160.0, 48.0), abs=1e-4)
    corner = torch.full((1, 1, 16, 16), -50.0)
    corner[0, 0, 15, 15] = 50.0  # the last cell: 240, not 248 or 256
    assert [v.item() for v in head.soft_argmax(corner)] == pytest.approx([240.0, 240.0], abs=1e-4)
    uniform = torch.zeros(1, 1, 16, 16)
    assert [v.item() for v in head.soft_argmax(uniform)] == pytest.approx([120.0, 120.0], abs=1e-4)
    assert "coord_x" not in head.state_dict()


def test_corner_head_stacks_top_left_then_bottom_right():
    head = CornerPredictor().eval()
    x = torch.randn(1, 64, 16, 16)
    with torch.no_grad():
        tl, br = head.score_maps(x)
        out = head(x)
        expected = torch.stack([*head.soft_argmax(tl), *head.soft_argmax(br)], dim=1)
    torch.testing.assert_close(out, expected)


def test_mask_head_fuses_low_level_features_in_order(random_net):
    low = [torch.zeros(1, 64, 128, 128), torch.zeros(1, 256, 64, 64), torch.zeros(1, 512, 32, 32)]
    fused = torch.randn(1, 64, 16, 16)
    head = random_net.mask_head
    with torch.no_grad():
        out = head(fused, low)
        # by hand, with zero low-level features (v* of zeros is relu(bias) chains)
        def up(t, s):
            return torch.nn.functional.interpolate(t, size=(s, s), mode="bilinear",
                                                   align_corners=False)

        o = head.post0(up(head.h2(fused), 32) + head.v2(low[2]))
        o = head.post1(up(head.h1(o), 64) + head.v1(low[1]))
        o = head.post2(up(head.h0(o), 128) + head.v0(low[0]))
        expected = torch.sigmoid(up(o, 256))
    torch.testing.assert_close(out, expected)
    with pytest.raises(ValueError, match="branches"):
        random_net.forward_test(torch.randn(1, 3, 256, 256), torch.randn(1, 256, 8, 8), ("iou",))
