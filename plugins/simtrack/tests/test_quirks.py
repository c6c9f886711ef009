"""The official quirks, with hand-computed expectations."""
import numpy as np
import pytest
import torch

from vot_core.structures import Box
from vot_simtrack.clip_vit import patch_coverage, template_patch_geometry
from vot_simtrack.simtrack import box_xyxy_to_cxcywh, build_simtrack
from vot_simtrack.tracker import template_box


def _capture_pos_fc_input(model, box):
    seen = {}
    handle = model.backbone.pos_fc.register_forward_pre_hook(lambda m, a: seen.setdefault("x", a[0]))
    with torch.no_grad():
        model.backbone.template_position_embedding(box)
    handle.remove()
    return seen["x"]


def test_template_position_mlp_inputs(tiny_model):
    """Per patch (row r, col c): [(coverage + 1) / 2, (16c + 8) / 112, (16r + 8) / 112], where
    coverage = intersection / patch area. Target [0.25, 0.25, 0.5, 0.5] = pixels 28..84."""
    x = _capture_pos_fc_input(tiny_model, torch.tensor([[0.25, 0.25, 0.5, 0.5]]))
    assert x.shape == (1, 49, 3) and x.dtype == torch.float32
    per_axis = [0, 0.25, 1, 1, 1, 0.25, 0]  # 16-px cells against 28..84
    for r in range(7):
        for c in range(7):
            cov = per_axis[r] * per_axis[c]
            expected = [(cov + 1) / 2, (16 * c + 8) / 112, (16 * r + 8) / 112]
            assert x[0, r * 7 + c].tolist() == pytest.approx(expected, abs=1e-6), (r, c)


def test_coverage_is_not_iou_and_clamps_outside_boxes():
    anchors, centres = template_patch_geometry(7, 16)
    assert anchors[8].tolist() == pytest.approx([16 / 112, 16 / 112, 32 / 112, 32 / 112])
    assert centres[8].tolist() == pytest.approx([24 / 112, 24 / 112])
    # the full crop covers every patch entirely: coverage 1 (an IoU would be 1/49)
    assert patch_coverage(anchors, torch.tensor([[0.0, 0.0, 1.0, 1.0]])).tolist()[0] == pytest.approx([1.0] * 49)
    # a box sticking out left/bottom: x -0.25..0.25 (0..28 px), y 0.5..1.25 (56..112 px)
    cov = patch_coverage(anchors, torch.tensor([[-0.25, 0.5, 0.5, 0.75]])).reshape(7, 7)
    cols, rows = [1, 0.75, 0, 0, 0, 0, 0], [0, 0, 0, 0.5, 1, 1, 1]
    expected = torch.tensor([[r * c for c in cols] for r in rows])
    torch.testing.assert_close(cov.float(), expected, atol=1e-6, rtol=0)


def test_template_box_truncates_toward_zero_around_56():
    # w_c = 48 * 1.25 = 60, h_c = 31 * 1.25 = 38.75 -> corners int(26) = 26, int(36.625) = 36
    anno = template_box(Box(7, 9, 48, 31), 1.25, 112)
    assert anno.dtype == torch.float64
    assert anno[0].tolist() == pytest.approx([26 / 112, 36 / 112, 60 / 112, 38.75 / 112], abs=1e-12)
    # truncation meets float64 rounding: 50 * 1.12 = 56.00000000000001, so 56 - 28.000...004
    # truncates to 27, as in the official evaluation (float64 ground truth)
    assert template_box(Box(7, 9, 50, 31), 1.12, 112)[0, 0].item() * 112 == pytest.approx(27)
    # larger than the crop: 56 - 151 / 2 = -19.5 -> int() gives -19 (floor would give -20)
    anno = template_box(Box(0, 0, 151, 10), 1.0, 112)
    assert anno[0, 0].item() == pytest.approx(-19 / 112)


def test_foveal_crop_is_the_central_64px_window(tiny_model):
    """Unshifted (112/64): foveal token (i, j) embeds pixels [24+16i, 40+16i) x [24+16j, 40+16j)."""
    bb = tiny_model.backbone
    assert not bb.shift_foveal
    with torch.no_grad():
        bb.visual.conv1.weight.zero_()
        bb.visual.conv1.weight[0, 0] = 1.0  # channel 0 = sum of the red patch
        template = torch.rand(1, 3, 112, 112)
        tokens = bb.foveal_patches(template)
    assert tokens.shape == (1, 16, 64)
    img = template[0, 0].numpy().astype(np.float64)
    for i in range(4):
        for j in range(4):
            expected = img[24 + 16 * i:40 + 16 * i, 24 + 16 * j:40 + 16 * j].sum()
            assert tokens[0, i * 4 + j, 0].item() == pytest.approx(expected, rel=1e-5)


def test_shifted_foveal_window_when_the_sizes_divide(tiny_arch):
    """Template 192, foveal 64: (192-64) % 128 == 0, so the template moves up-left by 8 px and
    the central 4x4 tokens are kept: token (i, j) embeds pixels [72+16i, 88+16i)."""
    model = build_simtrack(tiny_arch, template_size=192)
    bb = model.backbone
    assert bb.shift_foveal
    with torch.no_grad():
        bb.visual.conv1.weight.zero_()
        bb.visual.conv1.weight[0, 0] = 1.0
        template = torch.rand(1, 3, 192, 192)
        tokens = bb.foveal_patches(template)
    img = template[0, 0].numpy().astype(np.float64)
    for i in range(4):
        for j in range(4):
            expected = img[72 + 16 * i:88 + 16 * i, 72 + 16 * j:88 + 16 * j].sum()
            assert tokens[0, i * 4 + j, 0].item() == pytest.approx(expected, rel=1e-5)


def test_foveal_embedding_averages_the_two_diagonal_cells(tiny_model):
    grid = torch.arange(7.0).reshape(7, 1) * 10 + torch.arange(7.0)  # cell (r, c) = 10 r + c
    embed = grid.expand(1, 64, 7, 7).clone()
    out = tiny_model.backbone.foveal_position_embedding(embed)
    assert out.shape == (1, 16, 64)
    for i in range(4):
        for j in range(4):
            a, b = 10 * (1 + i) + (1 + j), 10 * (2 + i) + (2 + j)
            assert out[0, i * 4 + j, 5].item() == (a + b) / 2


def test_soft_argmax_decode_has_no_half_cell_offset(tiny_model):
    head = tiny_model.box_head
    tl = torch.full((1, 1, 14, 14), -1e4)
    br = torch.full((1, 1, 14, 14), -1e4)
    tl[0, 0, 3, 5] = 0.0       # row 3, col 5 -> x = 80, y = 48 px
    br[0, 0, 13, 13] = 0.0     # last cell -> 208 px (not 216): max reachable
    box = head.decode(tl, br)[0].tolist()
    assert box == pytest.approx([80 / 224, 48 / 224, 208 / 224, 208 / 224], abs=1e-7)
    flat = head.decode(torch.zeros(1, 1, 14, 14), torch.zeros(1, 1, 14, 14))[0]
    assert flat.tolist() == pytest.approx([104 / 224] * 4, abs=1e-6)  # mean of 0..208
    two = torch.full((1, 1, 14, 14), -1e4)
    two[0, 0, 0, 0] = two[0, 0, 0, 2] = 0.0  # equal peaks at x = 0 and 32 -> 16
    assert head.decode(two, two)[0, 0].item() == pytest.approx(16 / 224, abs=1e-7)
    cxcywh = box_xyxy_to_cxcywh(torch.tensor([0.1, 0.2, 0.5, 0.3]))
    assert cxcywh.tolist() == pytest.approx([0.3, 0.25, 0.4, 0.1])
    # nothing enforces x2 > x1: a negative width passes through
    assert box_xyxy_to_cxcywh(torch.tensor([0.5, 0.5, 0.3, 0.3]))[2].item() == pytest.approx(-0.2)
