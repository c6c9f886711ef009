"""vot_core.geometry: hand-computed checks of every official quirk, plus bit-exactness against a
small independent numpy re-derivation of the crop."""
from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
import torch

from vot_core.geometry import (
    ALPHAREFINE_CROP,
    OSTRACK_CROP,
    CropStyle,
    box_to_crop,
    clip_box,
    clip_box_alpharefine,
    crop,
    crop_alpharefine,
    crop_square,
    crop_window,
    cxcywh_to_xywh,
    cxcywh_to_xyxy,
    hann1d,
    hann2d,
    imagenet_normalize,
    iou,
    map_box_back,
    map_box_back_alpharefine,
    map_mask_back,
    simtrack_foveal_window,
    simtrack_template_anno,
    with_options,
    xywh_to_cxcywh,
    xywh_to_xyxy,
    xyxy_to_cxcywh,
    xyxy_to_xywh,
)


def ramp_frame(h=40, w=50):
    """A frame whose every pixel differs from its neighbours (value encodes row/col/channel)."""
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([(x * 3 + 1) % 256, (y * 5 + 2) % 256, (x + y * 7 + 3) % 256], -1).astype(np.uint8)


def reference_crop(frame, box, factor, out, square=True):
    """Independent re-derivation: a zero canvas, the valid part copied with the official
    right/bottom drop (the last frame column/row is never copied), then cv2.resize."""
    x, y, w, h = box
    if square:
        cw = ch = math.ceil(math.sqrt(w * h) * factor)
    else:
        cw, ch = math.ceil(factor * w), math.ceil(factor * h)
    x1, y1 = round(x + 0.5 * w - cw * 0.5), round(y + 0.5 * h - ch * 0.5)
    H, W = frame.shape[:2]
    canvas = np.zeros((ch, cw, frame.shape[2]), np.uint8)
    # copy frame pixels p with 0 <= p < limit, where the limit is W-1 when the crop reaches the edge
    lim_x = W - 1 if x1 + cw >= W else W
    lim_y = H - 1 if y1 + ch >= H else H
    for cy in range(ch):
        fy = y1 + cy
        if not 0 <= fy < lim_y:
            continue
        xs = np.arange(cw) + x1
        ok = (xs >= 0) & (xs < lim_x)
        canvas[cy, ok] = frame[fy, xs[ok]]
    return cv2.resize(canvas, (out, out) if np.isscalar(out) else out), (x1, y1, cw, ch)


# ---------------------------------------------------------------- box formats and IoU

def test_conversions_numpy_and_torch_roundtrip():
    b = np.array([[10.0, 20.0, 30.0, 40.0], [0.5, 1.5, 2.0, 4.0]])
    assert np.array_equal(xywh_to_xyxy(b), [[10, 20, 40, 60], [0.5, 1.5, 2.5, 5.5]])
    assert np.array_equal(xywh_to_cxcywh(b), [[25, 40, 30, 40], [1.5, 3.5, 2, 4]])
    assert np.array_equal(cxcywh_to_xyxy(xywh_to_cxcywh(b)), xywh_to_xyxy(b))
    assert np.array_equal(xyxy_to_xywh(xywh_to_xyxy(b)), b)
    assert np.array_equal(cxcywh_to_xywh(xywh_to_cxcywh(b)), b)
    assert np.array_equal(xyxy_to_cxcywh(xywh_to_xyxy(b)), xywh_to_cxcywh(b))
    t = torch.tensor(b, dtype=torch.float32)
    out = xywh_to_xyxy(t)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    assert torch.equal(out, torch.tensor([[10, 20, 40, 60], [0.5, 1.5, 2.5, 5.5]]))
    assert xywh_to_xyxy([1, 2, 3, 4]).tolist() == [1, 2, 4, 6]  # a list gives float64 numpy
    with pytest.raises(ValueError, match="last dimension of 4"):
        xywh_to_xyxy(np.zeros((2, 3)))


def test_iou_values_broadcast_and_nan():
    a = np.array([0, 0, 10, 10.0])
    others = np.array([[5, 0, 10, 10], [0, 0, 10, 10], [20, 20, 5, 5], [0, 0, 5, 5], [np.nan, 0, 1, 1]])
    got = iou(a, others)
    assert got.dtype == np.float64
    assert got[0] == pytest.approx(50 / 150, abs=1e-15)
    assert got[1] == 1.0 and got[2] == 0.0 and got[3] == pytest.approx(0.25, abs=1e-15)
    assert np.isnan(got[4])
    assert iou(np.zeros(4), np.zeros(4)) == 0.0  # empty boxes: zero union -> 0
    assert iou(torch.tensor([0., 0, 10, 10]), torch.tensor([5., 5, 10, 10])) == pytest.approx(25 / 175)


# ---------------------------------------------------------------- crop window rules

def test_crop_size_is_ceil_of_sqrt_area_times_factor():
    assert crop_window([0, 0, 10, 11], 2.0)[2:] == (21, 21)  # sqrt(110)*2 = 20.98 -> 21
    assert crop_window([0, 0, 10, 10], 2.0)[2:] == (20, 20)  # exactly 20 stays 20
    assert crop_window([0, 0, 10, 10], 2.01)[2:] == (21, 21)
    assert crop_window([0, 0, 1e-4, 1e-4], 0.5)[2:] == (1, 1)  # ceil(5e-5) = 1: still a crop
    with pytest.raises(ValueError, match="too small"):
        crop_window([0, 0, 1e-4, 1e-4], -1.0)
    with pytest.raises(ValueError, match="must be > 0"):
        crop_window([0, 0, 0, 10], 2.0)


def test_origin_rounds_half_to_even():
    # x + w/2 - crop/2 = 10.5 + 5 - 10 = 5.5 -> 6 (even); y: 11.5 + 5 - 10 = 6.5 -> 6 (even)
    assert crop_window([10.5, 11.5, 10, 10], 2.0) == (6, 6, 20, 20)
    # 4.5 -> 4 and 7.5 -> 8: half-to-even, not half-up
    assert crop_window([9.5, 12.5, 10, 10], 2.0)[:2] == (4, 8)
    assert crop_window([10.5, 11.5, 10, 10], 2.0, CropStyle(rounding="floor"))[:2] == (5, 6)


def test_right_edge_drops_last_column_and_pads_black():
    frame = ramp_frame(40, 50)
    # box (35, 5, 10, 10), factor 2: crop x 30..50 touches the right edge exactly
    r = crop_square(frame, [35, 5, 10, 10], 2.0, None)
    assert r.crop_box == (30, 0, 20, 20) and r.pad == (0, 0, 1, 0)
    assert r.image.shape == (20, 20, 3) and r.resize_factor == 1.0
    assert np.array_equal(r.image[:, :19], frame[0:20, 30:49])
    assert not r.image[:, 19].any()  # the real column 49 was replaced by black
    # without the quirk the column is copied
    r2 = crop_square(frame, [35, 5, 10, 10], 2.0, None, with_options(OSTRACK_CROP, drop_last=False))
    assert r2.pad == (0, 0, 0, 0) and np.array_equal(r2.image, frame[0:20, 30:50])
    # one pixel further in: no drop
    r3 = crop_square(frame, [34, 5, 10, 10], 2.0, None)
    assert r3.pad == (0, 0, 0, 0) and np.array_equal(r3.image, frame[0:20, 29:49])


def test_bottom_edge_drops_last_row_and_left_top_padding():
    frame = ramp_frame(40, 50)
    r = crop_square(frame, [-3, 25, 10, 10], 2.0, None)  # x1 = -8, y1 = 20, y2 = 40 = H
    assert r.crop_box == (-8, 20, 20, 20) and r.pad == (8, 0, 0, 1)
    assert not r.image[:, :8].any() and not r.image[19].any()
    assert np.array_equal(r.image[:19, 8:], frame[20:39, 0:12])


def test_padding_value_black_mean_and_replicate():
    frame = np.full((30, 30, 3), 200, np.uint8)
    frame[..., 1] = 100
    black = crop_square(frame, [0, 0, 10, 10], 2.0, None)
    assert black.pad == (5, 5, 0, 0)
    assert not black.image[:5].any() and (black.image[5:, 5:] == frame[0, 0]).all()
    mean = crop_square(frame, [0, 0, 10, 10], 2.0, None, with_options(OSTRACK_CROP, padding="mean"))
    assert (mean.image[:5] == [200, 100, 200]).all()
    rep = crop_square(frame, [0, 0, 10, 10], 2.0, None, with_options(OSTRACK_CROP, padding="replicate"))
    assert (rep.image == frame[0, 0]).all()
    gray = crop_square(frame, [0, 0, 10, 10], 2.0, None, with_options(OSTRACK_CROP, pad_value=7))
    assert (gray.image[:5] == 7).all()


def test_resize_factor_and_output_size():
    frame = ramp_frame(60, 80)
    r = crop_square(frame, [30, 20, 10, 11], 4.0, 64)  # crop 42 -> 64
    assert r.crop_box[2:] == (42, 42) and r.image.shape == (64, 64, 3)
    assert r.resize_factor == 64 / 42 and r.crop_extent == 64 / (64 / 42)
    assert r.crop_extent * 0.5 == 0.5 * 64 / r.resize_factor  # the official half-side, bit for bit


@pytest.mark.parametrize("seed", range(6))
def test_crop_square_bit_exact_against_reference(seed):
    rng = np.random.RandomState(seed)
    H, W = rng.randint(20, 90, size=2)
    frame = rng.randint(0, 256, (H, W, 3), dtype=np.uint8)
    for _ in range(25):
        w, h = rng.uniform(2, 40, size=2)
        x, y = rng.uniform(-w, W, size=1)[0], rng.uniform(-h, H, size=1)[0]
        factor, out = [(2.0, 32), (4.0, 64), (5.0, 48)][rng.randint(3)]
        ref, window = reference_crop(frame, (x, y, w, h), factor, out)
        r = crop_square(frame, [x, y, w, h], factor, out)
        assert r.crop_box == window
        assert np.array_equal(r.image, ref)


def test_padding_mask_matches_official_rule():
    frame = ramp_frame(40, 50)
    r = crop_square(frame, [35, 25, 10, 10], 2.0, 40)  # crop 30..50 x 20..40: drops one column and row
    assert r.pad == (0, 0, 1, 1)
    manual = np.ones((20, 20))
    manual[0:19, 0:19] = 0
    assert np.array_equal(r.padding_mask(), cv2.resize(manual, (40, 40)).astype(bool))
    assert not crop_square(frame, [20, 15, 5, 5], 2.0, 16).padding_mask().any()


def test_crop_outside_frame_and_grayscale():
    frame = ramp_frame(40, 50)
    r = crop_square(frame, [200, 200, 10, 10], 2.0, 16)
    assert r.image.shape == (16, 16, 3) and not r.image.any() and r.padding_mask().all()
    gray = frame[..., 0].copy()
    g = crop_square(gray, [10, 10, 10, 10], 2.0, 32)
    assert g.image.shape == (32, 32)
    one = crop_square(gray[..., None], [10, 10, 10, 10], 2.0, 32)
    assert one.image.shape == (32, 32, 1) and np.array_equal(one.image[..., 0], g.image)
    with pytest.raises(ValueError, match="square CropStyle"):
        crop_square(frame, [1, 1, 5, 5], 2.0, 16, ALPHAREFINE_CROP)


# ---------------------------------------------------------------- Alpha-Refine crop and map-back

def test_alpharefine_crop_is_non_square_with_per_axis_factors():
    frame = ramp_frame(60, 80)
    r = crop_alpharefine(frame, [20, 10, 10, 5], 2.0, 256)
    # ws = ceil(20) = 20, hs = ceil(10) = 10; x1 = round(15) = 15; y1 = round(7.5) = 8 (even)
    assert r.crop_box == (15, 8, 20, 10)
    assert r.resize_factor_xy == (12.8, 25.6) and r.image.shape == (256, 256, 3)
    ref, window = reference_crop(frame, (20, 10, 10, 5), 2.0, 256, square=False)
    assert window == r.crop_box and np.array_equal(r.image, ref)
    # touching the right edge: the last column is dropped here too
    edge = crop(frame, [70, 10, 5, 5], 2.0, None, ALPHAREFINE_CROP)  # x1 = 67.5 -> 68, x2 = 78
    assert edge.crop_box == (68, 8, 10, 10) and edge.pad == (0, 0, 0, 0)
    edge = crop(frame, [72, 10, 5, 5], 2.0, None, ALPHAREFINE_CROP)  # x1 = 70, x2 = 80 = W
    assert edge.pad == (0, 0, 1, 0) and not edge.image[:, -1].any()


def test_map_box_back_alpharefine_hand_values():
    out = map_box_back_alpharefine([64, 64, 128, 128], [100, 50, 20, 10], 2.0, (12.8, 25.6))
    # origin (100 - 10, 50 - 5) + (64/12.8, 64/25.6) = (95, 47.5); size (10, 5)
    assert out.tolist() == [95.0, 47.5, 10.0, 5.0]


def test_map_mask_back_matches_padded_paste():
    rng = np.random.RandomState(3)
    H, W = 40, 50
    for box in ([40, 30, 10, 8], [-4, -3, 12, 9], [10, 10, 6, 6]):
        mask = rng.rand(32, 32).astype(np.float32)
        got = map_mask_back(mask, (H, W), box, 2.0)
        x1, y1, cw, ch = crop_window(box, 2.0, ALPHAREFINE_CROP)
        # re-derive: a canvas padded on every side, paste, cut the frame back out
        big = np.zeros((H + 2 * 100, W + 2 * 100))
        big[100 + y1:100 + y1 + ch, 100 + x1:100 + x1 + cw] = cv2.resize(mask, (cw, ch))
        assert got.dtype == np.float64 and np.array_equal(got, big[100:100 + H, 100:100 + W])


# ---------------------------------------------------------------- windows, clipping, mapping

def test_hann_values_and_shape():
    w = hann1d(16)
    expected = [0.033764, 0.130496, 0.277131, 0.453866, 0.636831, 0.801317, 0.925109, 0.991487]
    assert w.dtype == torch.float32
    assert np.allclose(w[:8].numpy(), expected, atol=1e-6)
    # float32 cosines: mirrored to within one ulp, not bit-symmetric (as in the official code)
    assert torch.allclose(w[8:], w[:8].flip(0), rtol=0, atol=1e-7)
    w2 = hann2d(16)
    assert w2.shape == (1, 1, 16, 16)
    assert torch.equal(w2[0, 0], w[:, None] * w[None, :])
    assert hann2d((4, 6)).shape == (1, 1, 4, 6)
    # 0.5 * (1 - cos(2 pi k / 25)) for k = 1..24 (the 384 model's 24x24 map)
    k = np.arange(1, 25)
    assert np.allclose(hann1d(24).numpy(), 0.5 * (1 - np.cos(2 * np.pi * k / 25)), atol=1e-6)
    # uncentred: peak 1 at index 0
    assert hann1d(6, centered=False)[0] == 1.0 and hann1d(6, centered=False).shape == (6,)


def test_clip_box_margin_cases():
    assert clip_box([-5, 90, 30, 30], 100, 200) == [0, 90, 25, 10]
    assert clip_box([195, 5, 3, 3], 100, 200) == [190, 5, 10, 10]
    assert clip_box([20, 30, 40, 50], 100, 200) == [20, 30, 40, 50]  # inside: unchanged
    assert clip_box([20, 30, 40, 50], 100, 200, margin=0) == [20, 30, 40, 50]
    assert clip_box([250, 150, 4, 4], 100, 200) == [190, 90, 10, 10]  # wholly outside -> corner
    assert clip_box_alpharefine([195, 5, 3, 3], 100, 200) == [190, 5, 8, 5]


def test_map_box_back_uses_unrounded_previous_centre():
    prev = [100, 50, 20, 40]  # centre (110, 70)
    got = map_box_back([85, 75, 22, 44], prev, 160)
    assert got == [104.0, 43.0, 22.0, 44.0]
    t = map_box_back(torch.tensor([[85.0, 75, 22, 44]]), prev, 160)
    assert torch.equal(t, torch.tensor([[104.0, 43, 22, 44]]))
    # bit-exact with the official expression on a real crop (half side 0.5 * out / rf)
    frame = ramp_frame(90, 120)
    prev = [33.3, 21.7, 17.9, 23.1]
    r = crop_square(frame, prev, 4.0, 256)
    pred = [101.37, 133.9, 20.5, 25.25]
    half = 0.5 * 256 / r.resize_factor
    cxp, cyp = prev[0] + 0.5 * prev[2], prev[1] + 0.5 * prev[3]
    official = [pred[0] + (cxp - half) - 0.5 * pred[2], pred[1] + (cyp - half) - 0.5 * pred[3], pred[2], pred[3]]
    assert map_box_back(pred, prev, r.crop_extent) == official


def test_box_to_crop_centre_convention():
    box = np.array([10.0, 10, 20, 20])
    got = box_to_crop(box, box, 2.0, 128)  # centre at (128 - 1) / 2 = 63.5
    assert got.tolist() == [43.5, 43.5, 40.0, 40.0]
    assert np.array_equal(box_to_crop(box, box, 2.0, 128, normalize=True), got / 128)
    shifted = box_to_crop(np.array([15.0, 5, 10, 10]), box, 2.0, 128)  # centre offset (0, -10) * 2
    assert shifted.tolist() == [53.5, 33.5, 20.0, 20.0]
    t = box_to_crop(torch.tensor([15.0, 5, 10, 10]), torch.tensor([10.0, 10, 20, 20]), 2.0, 128)
    assert torch.equal(t, torch.tensor([53.5, 33.5, 20.0, 20.0]))
    # Alpha-Refine: per-axis factors and corners clamped to [0, out]
    ar = box_to_crop(np.array([0.0, 0, 40, 10]), np.array([10.0, 0, 10, 10]), (4.0, 2.0), 64, clamp=True)
    # cx = 31.5 + (20 - 15) * 4 = 51.5, w = 160 -> x1 = -28.5 -> 0, x2 = 131.5 -> 64
    assert ar.tolist() == [0.0, 21.5, 64.0, 20.0]


# ---------------------------------------------------------------- SimTrack specifics

def test_simtrack_template_anno_truncates_toward_zero():
    anno = simtrack_template_anno([0, 0, 28, 14], 2.0, 112)  # sizes (56, 28): corners 56-28, 56-14
    assert anno.dtype == np.float64
    assert np.array_equal(anno * 112, [28, 42, 56, 28])
    anno = simtrack_template_anno([0, 0, 41, 121], 1.0, 112, dtype=np.float32)
    assert anno.dtype == np.float32  # 56 - 20.5 = 35.5 -> 35; 56 - 60.5 = -4.5 -> -4 (toward zero)
    assert np.array_equal(anno[:2] * np.float32(112), np.float32([35, -4]))


def test_simtrack_foveal_window():
    assert simtrack_foveal_window(112, 64, 16) == (24, 88, False)
    assert simtrack_foveal_window(192, 64, 16)[2] is True  # (192 - 64) % 128 == 0


# ---------------------------------------------------------------- normalisation

def test_imagenet_normalize_bit_exact_float32_and_float64():
    rng = np.random.RandomState(0)
    img = rng.randint(0, 256, (24, 20, 3), dtype=np.uint8)
    img[0, 0] = [0, 128, 255]
    got = imagenet_normalize(img)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    ref = ((torch.tensor(img).float().permute(2, 0, 1).unsqueeze(0) / 255.0) - mean) / std
    assert got.shape == (1, 3, 24, 20) and got.dtype == torch.float32 and got.is_contiguous()
    assert torch.equal(got, ref)
    assert got[0, 0, 0, 0].item() == pytest.approx(-0.485 / 0.229, abs=1e-6)
    ref64 = ((img / 255.0) - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    got64 = imagenet_normalize(img, precision="float64")
    assert np.array_equal(got64[0].permute(1, 2, 0).numpy(), ref64.astype(np.float32))
    with pytest.raises(TypeError, match="uint8"):
        imagenet_normalize(img.astype(np.float32))
