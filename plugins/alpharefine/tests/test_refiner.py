"""The refiner's inference: crop, map-back, mask -> box, clipping, odd frames and boxes, with
hand-computed expectations (the network's outputs are fixed where the geometry is tested)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vot_alpharefine.mask_box import mask_to_box
from vot_alpharefine.refiner import AlphaRefine, AlphaRefineParams
from vot_core.structures import Prediction


def fixed_outputs(refiner, corners=None, crop_mask=None):
    """Replace the network's search branch by fixed outputs (the geometry under test)."""

    def forward_test(search, kernel, branches=("corner",)):
        assert search.shape == (1, 3, 256, 256) and kernel.shape == (1, 256, 8, 8)
        out = {"corner": torch.tensor([corners], dtype=torch.float32)}
        if "mask" in branches:
            out["mask"] = torch.from_numpy(crop_mask)[None, None]
        return out

    refiner.net.forward_test = forward_test
    return refiner


@pytest.fixture()
def refiner(random_weights_file):
    return AlphaRefine(weights=random_weights_file)


def test_crop_is_non_square_with_half_even_origin_and_the_right_edge_drop(refiner):
    frame = np.zeros((80, 100, 3), np.uint8)
    frame[:, 99] = 255  # the last column: dropped by the official off-by-one
    # ws = ceil(2 * 20.2) = 41, hs = ceil(2 * 15.1) = 31, x1 = round(59.9) = 60, y1 = round(42.25) = 42
    tensor, crop = refiner.preprocess(frame, [70.3, 50.2, 20.2, 15.1])
    assert crop.crop_box == (60, 42, 41, 31)
    assert crop.pad == (0, 0, 2, 0)  # x2 = 101 -> x2_pad = 101 - 100 + 1
    assert crop.resize_factor_xy == (256 / 41, 256 / 31)
    assert crop.image.shape == (256, 256, 3) and crop.image.max() == 0
    # float64 normalisation then float32: black -> -mean/std
    assert tensor.dtype == torch.float32 and tensor.shape == (1, 3, 256, 256)
    assert tensor[0, :, 0, 0].tolist() == pytest.approx(
        [np.float32(-0.485 / 0.229), np.float32(-0.456 / 0.224), np.float32(-0.406 / 0.225)], abs=0)
    frame[:, 98] = 255  # the column before is copied
    assert refiner.preprocess(frame, [70.3, 50.2, 20.2, 15.1])[1].image.max() > 0
    # Python's round: 4.5 -> 4, 5.5 -> 6
    assert refiner.preprocess(frame, [9.5, 9.5, 10, 10])[1].crop_box[:2] == (4, 4)
    assert refiner.preprocess(frame, [10.5, 10.5, 10, 10])[1].crop_box[:2] == (6, 6)


def test_corners_map_back_with_the_official_origin(refiner, textured_frame):
    refiner.initialize(textured_frame, [90, 40, 40, 20])
    fixed_outputs(refiner, corners=[64.0, 64.0, 192.0, 192.0])
    # the central half of the crop is the base box itself
    out = refiner.refine(textured_frame, Prediction([100, 50, 40, 20], score=0.7))
    assert out.box.tolist() == pytest.approx([100, 50, 40, 20], abs=1e-12)
    assert out.score == 0.7 and out.extras["refined"] and out.extras["base_box"] == [100, 50, 40, 20]

    corners = [10.1, 20.3, 200.7, 230.9]
    fixed_outputs(refiner, corners=corners)
    base = [101.3, 47.9, 33.3, 21.7]  # crop 67 x 44 cut at x1 = round(84.45) = 84, y1 = 37
    out = refiner.refine(textured_frame, Prediction(base))
    w_f, h_f = 256 / 67, 256 / 44
    c = np.asarray(corners, np.float32)
    expected = [101.3 - 0.5 * 33.3 + float(c[0]) / w_f,  # origin x_o - (sr-1)/2 w_o = 84.65, not 84
                47.9 - 0.5 * 21.7 + float(c[1]) / h_f,
                float(c[2] - c[0]) / w_f,  # width subtracted in float32, as official
                float(c[3] - c[1]) / h_f]
    assert out.extras["unclipped_box"] == pytest.approx(expected, rel=1e-15, abs=1e-12)
    assert out.box.tolist() == pytest.approx(expected, rel=1e-15, abs=1e-12)  # inside: not clipped


def test_refined_box_is_clipped_like_bbox_clip(refiner, textured_frame):
    H, W = textured_frame.shape[:2]
    refiner.initialize(textured_frame, [90, 40, 40, 20])
    fixed_outputs(refiner, corners=[0.0, 0.0, 240.0, 240.0])
    base = [W - 30.0, H - 16.0, 40.0, 20.0]  # the crop reaches past the right/bottom edges
    out = refiner.refine(textured_frame, Prediction(base))
    x, y, w, h = out.extras["unclipped_box"]
    assert x + w > W and y + h > H
    assert out.box.tolist() == pytest.approx([x, y, W - x, H - y])
    fixed_outputs(refiner, corners=[0.0, 0.0, 16.0, 16.0])  # a tiny box at the top-left corner
    out = refiner.refine(textured_frame, Prediction([-15.0, -8.0, 20.0, 10.0]))
    assert out.box.tolist() == pytest.approx([0, 0, 10, 10])  # x1 >= 0, x2 >= min size 10
    unclipped = AlphaRefine(network=refiner.net, clip=False)
    unclipped.kernel = refiner.kernel
    out = unclipped.refine(textured_frame, Prediction([-15.0, -8.0, 20.0, 10.0]))
    assert out.box.tolist() == pytest.approx([-25.0, -13.0, 2.5, 1.25])


def test_mask_to_box_takes_the_bounding_rectangle_of_the_largest_contour():
    mask = np.zeros((60, 80))
    mask[10:25, 30:50] = 0.9  # 20 x 15 pixels, contour area 19 * 14 = 266
    mask[40:48, 5:13] = 0.8  # 8 x 8, smaller
    mask[50, 60] = 0.5  # not above the threshold
    assert mask_to_box(mask, [1, 2, 3, 4]).tolist() == [30, 10, 20, 15]
    small = np.zeros((60, 80))
    small[40:48, 5:13] = 1.0  # contour area 49 <= 100: fall back to the corner box
    assert mask_to_box(small, [1, 2, 3, 4]).tolist() == [1, 2, 3, 4]
    assert mask_to_box(np.zeros((60, 80)), [1.5, 2, 3, 4]).tolist() == [1.5, 2, 3, 4]


def test_mask_mode_pastes_the_mask_back_and_boxes_it(refiner, textured_frame):
    refiner = AlphaRefine(network=refiner.net, box_from="mask")
    refiner.initialize(textured_frame, [90, 40, 40, 20])
    crop_mask = np.zeros((256, 256), np.float32)
    crop_mask[64:192, 64:192] = 1.0
    fixed_outputs(refiner, corners=[0.0, 0.0, 240.0, 240.0], crop_mask=crop_mask)
    out = refiner.refine(textured_frame, Prediction([100, 50, 40, 20]))
    # crop 80 x 40 at (80, 40); bilinear 256 -> 80 keeps columns 20..59, 256 -> 40 rows 10..29
    assert out.box.tolist() == [100, 50, 40, 20]
    assert out.mask.shape == textured_frame.shape[:2] and out.mask.dtype == np.float64
    assert out.mask[50:70, 100:140].min() == 1.0 and out.mask.sum() == pytest.approx(800, abs=1e-6)
    corner_box = out.extras["corner_box"]
    assert corner_box == pytest.approx([80.0, 40.0, 75.0, 37.5])
    # corner mode with return_mask keeps the corner box and still returns the mask
    both = AlphaRefine(network=refiner.net, return_mask=True)
    both.kernel = refiner.kernel
    out = both.refine(textured_frame, Prediction([100, 50, 40, 20]))
    assert out.box.tolist() == pytest.approx([80.0, 40.0, 75.0, 37.5])
    assert out.extras["mask_box"] == [100, 50, 40, 20] and out.mask is not None


def test_grayscale_and_rgba_frames_equal_their_rgb_versions(random_weights_file, textured_frame):
    gray = textured_frame[:, :, 1].copy()
    rgb_of_gray = np.repeat(gray[:, :, None], 3, axis=2)
    rgba = np.concatenate([textured_frame, np.full(gray.shape + (1,), 128, np.uint8)], axis=2)
    refiner = AlphaRefine(weights=random_weights_file, clip=False, keep_base_if_invalid=False)
    base = Prediction([70.2, 60.7, 50.3, 30.9])
    results = {}
    for name, frame in [("gray", gray), ("rgb_of_gray", rgb_of_gray), ("gray_1ch", gray[:, :, None]),
                        ("rgba", rgba), ("rgb", textured_frame)]:
        refiner.initialize(frame, [60, 55, 48, 32])
        results[name] = refiner.refine(frame, base).box.tolist()
    assert results["gray"] == results["rgb_of_gray"] == results["gray_1ch"]
    assert results["rgba"] == results["rgb"]
    assert results["gray"] != results["rgb"]
    assert all(math.isfinite(v) for v in results["rgb"])


def test_boxes_at_and_beyond_the_border(random_weights_file, textured_frame):
    H, W = textured_frame.shape[:2]
    refiner = AlphaRefine(weights=random_weights_file)
    refiner.initialize(textured_frame, [W - 20.5, H - 12.3, 30.0, 20.0])  # half outside
    for base in ([-30.2, -12.7, 50.4, 30.1], [W - 5.0, 10.0, 60.0, 40.0], [-50.0, -40.0, 400.0, 300.0],
                 [W + 40.0, H + 40.0, 20.0, 20.0]):  # the last lies wholly outside the frame
        out = refiner.refine(textured_frame, Prediction(base))
        x, y, w, h = out.box.tolist()
        assert all(math.isfinite(v) for v in (x, y, w, h))
        if out.extras["refined"]:
            assert 0 <= x <= W - 10 and 0 <= y <= H - 10 and x + w <= W and y + h <= H
        else:
            assert out.box.tolist() == base
    for bad in ([10, 10, 0, 5], [float("nan"), 1, 2, 3]):
        out = refiner.refine(textured_frame, Prediction(bad))
        assert out.extras["refined"] is False and out.box.tolist()[2:] == bad[2:] or bad[0] != bad[0]


def test_refine_before_initialize_and_unknown_parameters_are_errors(refiner, textured_frame):
    with pytest.raises(RuntimeError, match="before initialize"):
        refiner.refine(textured_frame, Prediction([1, 2, 30, 40]))
    with pytest.raises(TypeError, match="'serach_factor' \\(did you mean 'search_factor'\\?\\)"):
        AlphaRefineParams.from_kwargs(serach_factor=2.0)
    with pytest.raises(ValueError, match="box_from"):
        AlphaRefineParams(box_from="iou")
    with pytest.raises(ValueError, match="init box"):
        refiner.initialize(textured_frame, [10, 10, 0, 10])
