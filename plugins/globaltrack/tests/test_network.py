"""QG-RCNN: official state_dict layout, checkpoint loading and the network's parts."""
from __future__ import annotations

import collections

import pytest
import torch

from vot_core.weights import WeightsError
from vot_globaltrack.fpn import FPN
from vot_globaltrack.qg_rcnn import QGRCNN, build_qg_rcnn, roi_features
from vot_globaltrack.tracker import load_globaltrack_weights

OFFICIAL_PREFIX_COUNTS = {"backbone": 318, "neck": 16, "rpn_head": 6, "bbox_head": 8,
                          "rpn_modulator": 20, "rcnn_modulator": 6}
OFFICIAL_SHAPES = {
    "backbone.conv1.weight": (64, 3, 7, 7),
    "backbone.layer1.0.downsample.0.weight": (256, 64, 1, 1),
    "backbone.layer2.0.conv2.weight": (128, 128, 3, 3),
    "backbone.layer3.5.bn3.running_var": (1024,),
    "backbone.layer4.2.conv1.weight": (512, 2048, 1, 1),
    "backbone.layer4.2.conv3.weight": (2048, 512, 1, 1),
    "neck.lateral_convs.0.conv.weight": (256, 256, 1, 1),
    "neck.lateral_convs.3.conv.weight": (256, 2048, 1, 1),
    "neck.fpn_convs.2.conv.weight": (256, 256, 3, 3),
    "neck.fpn_convs.3.conv.bias": (256,),
    "rpn_head.rpn_conv.weight": (256, 256, 3, 3),
    "rpn_head.rpn_cls.weight": (3, 256, 1, 1),
    "rpn_head.rpn_reg.weight": (12, 256, 1, 1),
    "bbox_head.fc_cls.weight": (2, 1024),
    "bbox_head.fc_reg.weight": (8, 1024),
    "bbox_head.shared_fcs.0.weight": (1024, 12544),
    "bbox_head.shared_fcs.1.weight": (1024, 1024),
    "rpn_modulator.proj_modulator.4.weight": (256, 256, 7, 7),
    "rpn_modulator.proj_out.4.weight": (256, 256, 1, 1),
    "rcnn_modulator.proj_z.weight": (256, 256, 3, 3),
    "rcnn_modulator.proj_x.weight": (256, 256, 3, 3),
    "rcnn_modulator.proj_out.weight": (256, 256, 1, 1),
}


@pytest.fixture(scope="module")
def state():
    return build_qg_rcnn(initialize=False).state_dict()


def test_state_dict_matches_official_layout(state):
    assert len(state) == 374
    assert sum(v.numel() for v in state.values()) == 59_037_966
    assert sum(k.endswith("num_batches_tracked") for k in state) == 53
    prefixes = collections.Counter(k.split(".")[0] for k in state)
    assert dict(prefixes) == OFFICIAL_PREFIX_COUNTS
    assert list(dict.fromkeys(k.split(".")[0] for k in state)) == list(OFFICIAL_PREFIX_COUNTS)
    for key, shape in OFFICIAL_SHAPES.items():
        assert tuple(state[key].shape) == shape, key
    assert not any(k.startswith("backbone.fc") for k in state)
    blocks = {s: len({k.split(".")[2] for k in state if k.startswith(f"backbone.layer{s}.")})
              for s in range(1, 5)}
    assert blocks == {1: 3, 2: 4, 3: 6, 4: 3}
    assert all(v.dtype in (torch.float32, torch.int64) for v in state.values())


def test_frozen_stem_and_layer1_and_eval_norms():
    net = QGRCNN().train()
    bb = net.backbone
    assert not any(p.requires_grad for p in bb.conv1.parameters())
    assert not any(p.requires_grad for p in bb.layer1.parameters())
    assert all(p.requires_grad for p in bb.layer2.parameters())
    assert all(not m.training for m in bb.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert net.rpn_head.training


def test_official_container_loads_strictly(official_checkpoint, scaled_network):
    with open(official_checkpoint, "rb") as f:
        assert f.read(2) == b"\x80\x02"  # a legacy pickle, not a zip archive
    state = scaled_network.state_dict()
    net = build_qg_rcnn(initialize=False)
    loaded = load_globaltrack_weights(net, str(official_checkpoint))
    assert loaded["meta"]["mmdet_version"].startswith("1.0rc0")
    for key, value in net.state_dict().items():
        assert torch.equal(value, state[key]), key


def test_wrong_checkpoint_is_named(tmp_path):
    # mmdetection's COCO Faster R-CNN: 81 classes, no modulators
    ckpt = {"meta": {"mmdet_version": "1.0rc0"}, "state_dict": {
        "bbox_head.fc_cls.weight": torch.zeros(81, 1024),
        "bbox_head.fc_reg.weight": torch.zeros(324, 1024),
        "rpn_head.rpn_conv.weight": torch.zeros(256, 256, 3, 3),
        "roi_head.bbox_head.fc_cls.weight": torch.zeros(81, 1024)}}
    path = tmp_path / "faster_rcnn.pth"
    torch.save(ckpt, path, _use_new_zipfile_serialization=False)
    with pytest.raises(WeightsError) as err:
        load_globaltrack_weights(build_qg_rcnn(initialize=False), str(path))
    text = str(err.value)
    assert "bbox_head.fc_cls.weight (checkpoint (81, 1024), model (2, 1024))" in text
    assert "unexpected: roi_head.bbox_head.fc_cls.weight" in text
    assert "371 missing" in text and "backbone.conv1.weight" in text


def test_p6_is_strided_max_pool_of_p5():
    torch.manual_seed(0)
    fpn = FPN((8, 16, 32, 64), 8, num_outs=5)
    feats = [torch.randn(1, c, 64 // 2 ** i, 96 // 2 ** i) for i, c in enumerate((8, 16, 32, 64))]
    outs = fpn(feats)
    assert [tuple(o.shape[-2:]) for o in outs] == [(64, 96), (32, 48), (16, 24), (8, 12), (4, 6)]
    assert torch.equal(outs[4], outs[3][..., ::2, ::2])
    # top-down: P4 = fpn_conv(lateral(C4) + nearest-upsampled lateral(C5))
    lat = fpn.lateral_convs[2](feats[2]) + fpn.lateral_convs[3](feats[3]).repeat_interleave(
        2, 2).repeat_interleave(2, 3)
    torch.testing.assert_close(outs[2], fpn.fpn_convs[2](lat), rtol=1e-5, atol=1e-5)


def test_roi_level_assignment_thresholds():
    # level i is filled with the value i + 1: the pooled value says which level was used
    feats = [torch.full((1, 1, 400 // s, 400 // s), float(i + 1)) for i, s in enumerate((4, 8, 16, 32))]
    feats.append(torch.zeros(1, 1, 4, 4))  # P6 is never used for RoIs
    # scale = sqrt((x2 - x1 + 1) * (y2 - y1 + 1)): 111 -> P2, 112 -> P3, 223 -> P3, 224 -> P4,
    # 447 -> P4, 448 -> P5 (thresholds 112 / 224 / 448, finest scale 56)
    sides = [111, 112, 223, 224, 447, 448, 600]
    rois = torch.tensor([[0, 0, 0, s - 1, s - 1] for s in sides], dtype=torch.float32)
    pooled = roi_features(feats, rois)
    assert pooled.shape == (len(sides), 1, 7, 7)
    assert pooled[:, 0, 0, 0].tolist() == [1, 2, 2, 3, 3, 4, 4]


def test_legacy_roi_align_geometry():
    # box end at (x2 + 1) * scale, no half-pixel shift: a 7x7 box on a ramp samples
    # x = x1 + (j + 0.5) * 1 (2 samples per bin at +0.25 and +0.75, averaged)
    ramp = torch.arange(112, dtype=torch.float32).repeat(112, 1)[None, None]
    feats = [ramp, torch.zeros(1, 1, 56, 56), torch.zeros(1, 1, 28, 28), torch.zeros(1, 1, 14, 14)]
    rois = torch.tensor([[0, 40.0, 10.0, 67.0, 37.0]])  # 28 px wide incl. -> 7 cells at stride 4
    out = roi_features(feats, rois)
    expected = 10.0 + torch.arange(7, dtype=torch.float32) + 0.5
    torch.testing.assert_close(out[0, 0, 0], expected)
