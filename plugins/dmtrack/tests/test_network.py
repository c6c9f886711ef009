"""DMTrack-GS network: official key names/shapes, checkpoint loading, hand-computed quirks."""
from __future__ import annotations

import math
from collections import OrderedDict
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from dmtrack_helpers import TINY, randomize_

from vot_core.weights import WeightsError
from vot_dmtrack.decode import best_detection, distance2bbox, fcos_points
from vot_dmtrack.dla_up import ModulatedDeformConv
from vot_dmtrack.dmtrack import DROPPED_KEYS, build_dmtrack, load_dmtrack_weights
from vot_dmtrack.dynamic_head import Controller, TemplateQuery, padded_pool_linear, template_level

KEYS_FILE = Path(__file__).parent / "data" / "dmtrack_state_dict_keys.txt"


def official_keys():
    rows = [line.rstrip("\n").split("\t") for line in KEYS_FILE.read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    return [(k, tuple(int(v) for v in s.strip("()").split(",") if v.strip())) for k, s in rows]


@pytest.fixture(scope="module")
def full_net():
    return build_dmtrack()


@pytest.fixture(scope="module")
def tiny_net():
    return randomize_(build_dmtrack(**TINY), seed=1).eval()


def test_keys_and_shapes_equal_official_list(full_net):
    expected = official_keys()
    own = full_net.state_dict()
    assert len(expected) == 392
    assert list(own) == [k for k, _ in expected]
    assert {k: tuple(v.shape) for k, v in own.items()} == dict(expected)
    values = sum(v.numel() for v in own.values())
    assert abs(values - 60.92e6) < 0.01e6  # research brief: 60.92 M state-dict values


def _mmcv_container(state_dict, with_fc=True):
    state = OrderedDict(state_dict)
    if with_fc:
        state["backbone.base.fc.weight"] = torch.randn(1000, 512, 1, 1)
        state["backbone.base.fc.bias"] = torch.randn(1000)
    meta = {"mmcv_version": "0.5.8", "mmdet_version": "2.0.0", "config": "model = dict(type='DMTrack')",
            "CLASSES": ("object",), "epoch": 48, "iter": 720000, "time": "Sat Nov 21 2020"}
    return {"meta": meta, "state_dict": state,
            "optimizer": {"state": {}, "param_groups": [{"lr": 2.5e-6, "momentum": 0.9, "params": [0, 1]}]}}


def test_official_container_loads_strictly_and_drops_classifier(tiny_net, tmp_path):
    path = tmp_path / "dmtrackGS.pth"
    torch.save(_mmcv_container(tiny_net.state_dict()), path)
    fresh = build_dmtrack(**TINY)
    dropped = load_dmtrack_weights(fresh, str(path))
    assert dropped == list(DROPPED_KEYS)
    for k, v in tiny_net.state_dict().items():
        assert torch.equal(fresh.state_dict()[k], v), k
    # a flat state_dict with a DataParallel prefix and no classifier loads too
    flat = tmp_path / "flat.pth"
    torch.save({"module." + k: v for k, v in tiny_net.state_dict().items()}, flat)
    assert load_dmtrack_weights(build_dmtrack(**TINY), str(flat)) == []


def test_wrong_model_checkpoint_names_keys_and_shapes(tiny_net, full_net, tmp_path):
    path = tmp_path / "tiny.pth"
    torch.save(_mmcv_container(tiny_net.state_dict(), with_fc=False), path)
    with pytest.raises(WeightsError) as err:
        load_dmtrack_weights(full_net, str(path))
    msg = str(err.value)
    assert "wrong shape" in msg and "neck.lateral_convs.0.conv.weight" in msg
    assert "(64, 128, 1, 1)" in msg and "(256, 128, 1, 1)" in msg
    other = tmp_path / "other.pth"
    torch.save({"state_dict": {"backbone.blocks.0.attn.qkv.weight": torch.zeros(3, 3)}}, other)
    with pytest.raises(WeightsError) as err:
        load_dmtrack_weights(build_dmtrack(**TINY), str(other))
    assert "backbone.blocks.0.attn.qkv.weight" in str(err.value) and "392 missing" in str(err.value)


def test_controller_divides_by_81_as_padded_conv_and_pool():
    torch.manual_seed(0)
    ctrl = Controller(channels=32, mid_channels=4)
    for conv in (ctrl.controller_cls1, ctrl.controller_reg2):
        torch.nn.init.normal_(conv.weight, std=0.3)
        torch.nn.init.normal_(conv.bias, std=0.3)
    q = torch.randn(1, 32, 7, 7)
    official = torch.nn.AdaptiveAvgPool2d(1)(ctrl.controller_cls1(q)).flatten()  # padding=1 conv
    hand = ctrl.controller_cls1.weight.flatten(1) @ (q.sum((2, 3)).flatten() / 81) + ctrl.controller_cls1.bias
    ours = padded_pool_linear(q, ctrl.controller_cls1).flatten()
    assert torch.allclose(ours, official, rtol=1e-5, atol=1e-6)
    assert torch.allclose(ours, hand, rtol=1e-6, atol=1e-7)
    over49 = ctrl.controller_cls1.weight.flatten(1) @ q.mean((2, 3)).flatten() + ctrl.controller_cls1.bias
    assert (ours - over49).abs().max() > 1e-2  # the quirk matters
    params = ctrl(q)
    assert params.cls1.shape == (32, 32, 1, 1) and params.reg2.shape == (4, 4, 1, 1)
    # flat index = out * C + in
    assert torch.equal(params.reg2.flatten(), padded_pool_linear(q, ctrl.controller_reg2).flatten())
    assert params.cls1[3, 5, 0, 0] == ours[3 * 32 + 5]


@pytest.mark.parametrize("side,level", [(10, 0), (111.9, 0), (112.0, 1), (223.9, 1), (224.0, 2), (2000, 2)])
def test_template_level_by_box_size(side, level):
    box = torch.tensor([[5.0, 7.0, 5.0 + side, 7.0 + side]])
    assert int(template_level(box)) == level
    # non-square: sqrt(w * h) decides (w*h = 112^2 -> P4)
    assert int(template_level(torch.tensor([[0.0, 0.0, 224.0, 56.0]]))) == 1


def test_template_roi_taken_from_the_chosen_level():
    tq = TemplateQuery(channels=32)
    feats = [torch.full((1, 32, 512 // s, 512 // s), float(k + 1)) for k, s in enumerate((8, 16, 32))]
    for side, value in ((50.0, 1.0), (150.0, 2.0), (300.0, 3.0)):
        roi = tq.roi_features(feats, torch.tensor([[10.0, 10.0, 10.0 + side, 10.0 + side]]))
        assert roi.shape == (1, 32, 7, 7)
        assert torch.allclose(roi, torch.full_like(roi, value))
    # aligned=True, 2x2 samples per bin: a ramp feature gives the bin-centre coordinates
    ramp = torch.arange(32.0).repeat(32, 1)[None, None].repeat(1, 32, 1, 1)  # value = x
    roi = tq.roi_features([ramp, ramp[..., ::2, ::2], ramp[..., ::4, ::4]],
                          torch.tensor([[16.0, 16.0, 72.0, 72.0]]))  # P3, x in [2, 9] cells
    expected = 2 + (torch.arange(7.0) + 0.5) * 7 / 7 - 0.5
    assert torch.allclose(roi[0, 0, 3], expected, atol=1e-5)


def test_dcn_uses_official_offset_layout_and_sigmoid_mask():
    torch.manual_seed(0)
    dcn = ModulatedDeformConv(4, 3)
    x = torch.randn(1, 4, 6, 7)
    # zero offset conv: offsets 0, mask sigmoid(0) = 0.5
    expected = 0.5 * F.conv2d(x, dcn.weight, None, padding=1) + dcn.bias.view(1, -1, 1, 1)
    assert torch.allclose(dcn(x), expected, atol=1e-5)
    # chunk(3): channels 0..17 are the offsets with dy at 2k, dx at 2k+1; 18..26 mask logits
    with torch.no_grad():
        dcn.conv_offset.bias.zero_()
        dcn.conv_offset.bias[0:18:2] = 1.0   # dy = +1 for every tap
        dcn.conv_offset.bias[18:] = 40.0     # mask = 1
    # tap (i, j) of output (h, w) now reads x[h + i, w + j - 1]: zero only below the last row
    lowered = F.pad(x, (1, 1, 0, 2))
    assert torch.allclose(dcn(x), F.conv2d(lowered, dcn.weight, dcn.bias), atol=1e-5)


def test_fcos_points_and_decoding_by_hand():
    pts = fcos_points(2, 3, 8)
    assert pts.tolist() == [[4, 4], [12, 4], [20, 4], [4, 12], [12, 12], [20, 12]]
    box = distance2bbox(torch.tensor([[20.0, 12.0]]), torch.tensor([[5.0, 20.0, 30.0, 1.0]]), (30, 40))
    assert box.tolist() == [[15.0, 0.0, 40.0, 13.0]]  # clamped to [0, w] x [0, h]

    def logit(p):
        return math.log(p / (1 - p))

    cls = [torch.full((1, 2, 2, 3), -10.0), torch.full((1, 2, 1, 2), -10.0)]
    ctr = [torch.zeros(1, 1, 2, 3), torch.zeros(1, 1, 1, 2)]
    reg = [torch.ones(1, 4, 2, 3), torch.ones(1, 4, 1, 2)]
    cls[0][0, 1, 1, 2] = logit(0.6)   # level 0, location (i=1, j=2): 0.6 * 0.5 = 0.30
    ctr[0][0, 0, 1, 2] = 0.0
    cls[1][0, 1, 0, 1] = logit(0.8)   # level 1, location (0, 1): 0.8 * sigmoid(-1)
    ctr[1][0, 0, 0, 1] = -1.0
    reg[1][0, :, 0, 1] = torch.tensor([3.0, 4.0, 5.0, 6.0])
    cls[0][0, 0, 0, 0] = logit(0.99)  # class 0 never wins
    det = best_detection(cls, reg, ctr, (8, 16), img_shape=(100, 100))
    p1 = 0.8 / (1 + math.e)
    assert p1 < 0.3 and det.level == 0 and det.index == 5
    assert det.score == pytest.approx(0.30, rel=1e-6)
    assert det.box_xyxy.tolist() == [19.0, 11.0, 21.0, 13.0]  # (20, 12) -+ 1
    ctr[1][0, 0, 0, 1] = 3.0  # now 0.8 * sigmoid(3) = 0.762 wins at level 1, point (24, 8)
    det = best_detection(cls, reg, ctr, (8, 16), img_shape=(100, 100))
    assert det.level == 1 and det.index == 1
    assert det.score == pytest.approx(0.8 / (1 + math.exp(-3)), rel=1e-6)
    assert det.box_xyxy.tolist() == [21.0, 4.0, 29.0, 14.0]


def test_nms_pre_keeps_the_official_top_k_by_max_over_classes():
    # 4 locations; nms_pre=2 keeps the two best max-over-classes products (class 0 at 0 and 1),
    # so the best class-1 location (3) is not a candidate, exactly as the official pre-NMS top-k
    cls = torch.tensor([[4.0, 4.0, -9.0, -9.0], [0.5, 0.4, -9.0, 1.0]]).view(1, 2, 1, 4)
    ctr, reg = torch.zeros(1, 1, 1, 4), torch.ones(1, 4, 1, 4)
    det = best_detection([cls], [reg], [ctr], (8,), (8, 32), nms_pre=2)
    assert det.index == 0
    assert best_detection([cls], [reg], [ctr], (8,), (8, 32), nms_pre=1000).index == 3


def test_forward_shapes_and_finite_outputs(tiny_net):
    torch.manual_seed(0)
    img = torch.randn(1, 3, 64, 96)
    with torch.inference_mode():
        backbone = tiny_net.backbone(img)
        assert [tuple(f.shape[1:]) for f in backbone] == [(128, 8, 12), (256, 4, 6), (512, 2, 3)]
        feats = tiny_net.neck(backbone)
        assert [tuple(f.shape) for f in feats] == [(1, 64, 8, 12), (1, 64, 4, 6), (1, 64, 2, 3)]
        params = tiny_net.dynamic_params(feats, torch.tensor([[20.0, 10.0, 70.0, 50.0]]))
        cls, reg, ctr = tiny_net.head(feats, params)
    assert [tuple(c.shape) for c in cls] == [(1, 2, 8, 12), (1, 2, 4, 6), (1, 2, 2, 3)]
    assert all(torch.isfinite(t).all() for t in cls + reg + ctr)
    assert all((r >= 0).all() for r in reg)  # ReLU(scale * x)
    assert max(float(c.std()) for c in cls) > 1e-2  # not a degenerate constant map
