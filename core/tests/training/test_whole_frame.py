"""Whole-frame pairs (GlobalTrack / DMTrack training): resize, pad, flip and box mapping by
hand, the SSD augmentations with scripted random draws, the video box filter, the collate and
the engine's data loader."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from vot_core.training.pairs import PairDataset, PairSamplingConfig
from vot_core.training.whole_frame import (
    WholeFrameConfig,
    WholeFrameTransform,
    collate_whole_frame,
    pair_collate_fn,
    photometric_distort,
    random_crop,
    random_expand,
    video_box_ok,
)

MEAN = np.array([123.675, 116.28, 103.53])
STD = np.array([58.395, 57.12, 57.375])
PLAIN = dict(flip_prob=0.0, random_interpolation=False, photometric=False,
             swap_channels_shared=False)


class Scripted:
    """A random source that replays given draws (to check each augmentation by hand)."""

    def __init__(self, integers=(), uniform=(), random=(), permutation=()):
        self._int, self._uni = list(integers), list(uniform)
        self._rand, self._perm = list(random), list(permutation)

    def integers(self, n):
        value = self._int.pop(0)
        assert 0 <= value < n
        return value

    def uniform(self, low, high):
        value = self._uni.pop(0)
        assert low <= value <= high
        return value

    def random(self):
        return self._rand.pop(0)

    def permutation(self, n):
        return np.array(self._perm.pop(0))


def frame(seed: int, height: int, width: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_keep_ratio_rescale_normalise_pad_and_inclusive_boxes():
    img = frame(0, 100, 160)
    box = np.array([10.0, 20.0, 30.0, 40.0])
    out = WholeFrameTransform(WholeFrameConfig(scale=(320, 160), **PLAIN))(
        [img, img], [box, box + [50, 0, 0, 0]], np.random.default_rng(0))
    # sf = min(320 / 160, 160 / 100) = 1.6 -> 256 x 160, already multiples of 32
    assert out["template"].shape == (3, 160, 256)
    assert out["template_shape"].tolist() == [160, 256]
    assert float(out["template_scale"]) == pytest.approx(1.6)
    # inclusive x2 = x + w - 1, then times sf (not times the rounded size ratio)
    torch.testing.assert_close(out["template_box"], torch.tensor([16.0, 32.0, 62.4, 94.4]))
    torch.testing.assert_close(out["search_box"], torch.tensor([96.0, 32.0, 142.4, 94.4]))
    expected = (cv2.resize(img, (256, 160), interpolation=cv2.INTER_LINEAR) - MEAN) / STD
    torch.testing.assert_close(out["template"], torch.from_numpy(
        expected.transpose(2, 0, 1).astype(np.float32)))


def test_padding_upscaling_and_clipping_to_the_padded_image():
    img = frame(1, 45, 70)
    box = np.array([60.0, 5.0, 10.0, 30.0])  # runs past the right border
    cfg = WholeFrameConfig(scale=(200, 100), inclusive_boxes=False, **PLAIN)
    out = WholeFrameTransform(cfg)([img, img], [box, box], np.random.default_rng(0))
    # sf = min(200 / 70, 100 / 45) = 2.222.. (upscaling) -> 156 x 100, padded to 160 x 128
    sf = 100 / 45
    assert out["search_shape"].tolist() == [100, 156] and out["search"].shape == (3, 128, 160)
    assert (out["search"][:, 100:] == 0).all() and (out["search"][:, :, 156:] == 0).all()
    assert (out["search"][:, :100, :156] != 0).any()
    # exclusive boxes: x2 = x + w clipped to the frame (70) first, then scaled
    torch.testing.assert_close(out["search_box"], torch.tensor(
        [60 * sf, 5 * sf, 70 * sf, 35 * sf], dtype=torch.float32))


def test_flip_maps_inclusive_and_exclusive_boxes():
    img = frame(2, 100, 160)
    box = np.array([10.0, 20.0, 30.0, 40.0])
    for inclusive, expected in ((True, [192.6, 32.0, 239.0, 94.4]), (False, [192.0, 32.0, 240.0, 96.0])):
        cfg = WholeFrameConfig(scale=(320, 160), **{**PLAIN, "flip_prob": 1.0},
                               inclusive_boxes=inclusive)
        out = WholeFrameTransform(cfg)([img, img], [box, box], np.random.default_rng(0))
        torch.testing.assert_close(out["template_box"], torch.tensor(expected))
        plain = WholeFrameTransform(WholeFrameConfig(scale=(320, 160), **PLAIN))(
            [img, img], [box, box], np.random.default_rng(0))
        torch.testing.assert_close(out["search"], plain["search"].flip(-1))


def test_flips_are_drawn_per_image():
    img = frame(3, 64, 96)
    box = np.array([10.0, 10.0, 20.0, 20.0])
    rng = Scripted(random=[0.7, 0.2])  # flip_prob 0.5: template kept, search flipped
    cfg = WholeFrameConfig(scale=(96, 64), **{**PLAIN, "flip_prob": 0.5})
    out = WholeFrameTransform(cfg)([img, img], [box, box], rng)
    assert out["template_box"].tolist() == [10.0, 10.0, 29.0, 29.0]
    assert out["search_box"].tolist() == [66.0, 10.0, 85.0, 29.0]  # 96 - 29 - 1, 96 - 10 - 1


def test_photometric_distortion_by_hand():
    img = frame(4, 8, 8)
    # brightness on (+10), contrast last, no saturation / hue change, contrast x1.5 at the end
    rng = Scripted(integers=[1, 0, 0, 0, 1], uniform=[10.0, 1.5])
    out = photometric_distort(img, rng)
    np.testing.assert_allclose(out, (img.astype(np.float32) + 10) * 1.5, rtol=1e-5, atol=1e-3)
    assert out.dtype == np.float32
    # a channel swap with each image's own permutation
    out = photometric_distort(img, Scripted(integers=[0, 0, 0, 0, 0, 1], permutation=[[2, 0, 1]]),
                              swap_channels=True)
    np.testing.assert_allclose(out, img[..., [2, 0, 1]].astype(np.float32), atol=1e-3)


def test_shared_channel_order_is_reused_on_the_search_image():
    img = frame(5, 32, 32)
    box = np.array([4.0, 4.0, 12.0, 12.0])
    cfg = WholeFrameConfig(scale=(32, 32), flip_prob=0.0, random_interpolation=False)
    # template: 4 "no" for brightness/contrast-first/saturation/hue, 0 for contrast-last,
    # then 1 = swap; search: the same 5 "no"
    rng = Scripted(integers=[0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0], permutation=[[1, 2, 0]])
    out = WholeFrameTransform(cfg)([img, img], [box, box], rng)
    expected = torch.from_numpy((((img[..., [1, 2, 0]].astype(np.float32) - MEAN) / STD)
                                 .astype(np.float32)).transpose(2, 0, 1).copy())
    for role in ("template", "search"):
        torch.testing.assert_close(out[role], expected, atol=1e-4, rtol=0)


def test_random_expand_and_crop_by_hand():
    img = frame(6, 20, 30)
    boxes = np.array([[5.0, 4.0, 14.0, 11.0]], np.float32)
    out, moved = random_expand(img, boxes, MEAN, (1.0, 4.0), Scripted(integers=[0],
                                                                        uniform=[2.0, 7.9, 3.2]))
    assert out.shape == (40, 60, 3) and moved.tolist() == [[12.0, 7.0, 21.0, 14.0]]
    assert (out[3:23, 7:37] == img).all() and (out[0, 0] == MEAN.astype(np.uint8)).all()
    kept, same, mask = random_crop(img, boxes, (0.1, 0.3), 0.3, Scripted(integers=[0]))
    assert kept is img and mask.tolist() == [True]
    # min IoU 0 (index 3 of (1, .1, .3, 0)); window 20 x 15 at (2.5, 1.7) -> [2, 1, 22, 16]
    crop, moved, mask = random_crop(img, boxes, (0.1, 0.3), 0.3,
                                    Scripted(integers=[3], uniform=[20.0, 15.0, 2.5, 1.7]))
    assert crop.shape == (15, 20, 3) and (crop == img[1:16, 2:22]).all()
    assert moved.tolist() == [[3.0, 3.0, 12.0, 10.0]] and mask.tolist() == [True]


def test_video_box_filter_and_still_images():
    assert video_box_ok([10, 10, 40, 30], (240, 320))
    assert not video_box_ok([10, 10, 4, 30], (240, 320))      # side < 10
    assert not video_box_ok([10, 10, 300, 100], (240, 320))   # wider than 75 % of the frame
    assert not video_box_ok([10, 10, 100, 19], (240, 320))    # aspect 5.3
    a, b = frame(7, 240, 320), frame(8, 240, 320)
    small = np.array([10.0, 10.0, 6.0, 6.0])
    transform = WholeFrameTransform(WholeFrameConfig(scale=(320, 240), **PLAIN))
    assert transform([a, b], [small, small + [5, 0, 0, 0]], np.random.default_rng(0)) is None
    # the same image twice (COCO) is a still pair: no video filter
    assert transform([a, a.copy()], [small, small.copy()], np.random.default_rng(0)) is not None
    with pytest.raises(ValueError, match="no masks"):
        transform([a, a], [small, small], np.random.default_rng(0), masks=[None, None])


def test_collate_pads_to_the_largest_image():
    transform = WholeFrameTransform(WholeFrameConfig(scale=(128, 64), **PLAIN))
    box = np.array([5.0, 5.0, 20.0, 20.0])
    wide, tall = frame(9, 60, 120), frame(10, 120, 60)
    samples = [transform([wide, tall], [box, box], np.random.default_rng(0)),
               transform([tall, wide], [box, box], np.random.default_rng(0))]
    batch = collate_whole_frame(samples)
    assert samples[0]["template"].shape == (3, 64, 128) and samples[1]["template"].shape == (3, 128, 64)
    assert batch["template"].shape == (2, 3, 128, 128) and batch["search"].shape == (2, 3, 128, 128)
    torch.testing.assert_close(batch["template"][0, :, :64, :128], samples[0]["template"])
    assert (batch["template"][0, :, 64:] == 0).all() and (batch["template"][1, :, :, 64:] == 0).all()
    assert batch["template_box"].shape == (2, 4) and batch["search_shape"].tolist() == [[128, 64], [64, 128]]
    assert batch["template_scale"].dtype == torch.float64 and batch["template_scale"].shape == (2,)


def test_sampling_config_selects_whole_frames_and_the_engine_collates_them():
    from vot_core.plugins import get_plugin_manager
    from vot_core.training.engine import build_dataloader

    cfg = PairSamplingConfig.from_dict(dict(whole_frame=dict(scale=(160, 96))))
    assert cfg.whole_frame == WholeFrameConfig(scale=(160, 96))
    assert pair_collate_fn(cfg) is collate_whole_frame and pair_collate_fn(PairSamplingConfig()) is None
    with pytest.raises(ValueError, match="whole_frame config got unknown parameter"):
        PairSamplingConfig.from_dict(dict(whole_frame=dict(size=3)))
    get_plugin_manager()
    loader = build_dataloader(dict(datasets=[dict(type="synthetic", split="tiny")], batch_size=2,
                                   num_workers=0, sampling=dict(samples_per_epoch=4, max_gap=10,
                                                                whole_frame=dict(scale=(160, 96)))))
    assert isinstance(loader.dataset.transform, WholeFrameTransform)
    batch = next(iter(loader))
    # synthetic-tiny frames are 96 x 128: sf = min(160 / 128, 96 / 96) = 1 -> 128 x 96 (padded)
    assert batch["template"].shape == (2, 3, 96, 128) and batch["search_shape"].tolist() == [[96, 128]] * 2
    boxes = batch["search_box"]
    assert ((boxes[:, 2:] >= boxes[:, :2]) & (boxes[:, 2:] <= torch.tensor([127.0, 95.0]))).all()
    again = PairDataset(loader.dataset.datasets, config=loader.dataset.config)[1]
    torch.testing.assert_close(again["search"], loader.dataset[1]["search"])
