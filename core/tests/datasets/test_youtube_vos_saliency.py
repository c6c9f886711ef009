"""YouTube-VOS and saliency loaders (masks) on tiny fixtures in the official layouts."""
import json
import os
import pickle

import cv2
import numpy as np
import pytest
from PIL import Image

from vot_core.datasets import DatasetError
from vot_core.datasets.registry import build_dataset
from vot_core.datasets.saliency import Saliency, mask_box
from vot_core.datasets.youtube_vos import YouTubeVOS

H, W = 40, 60
PALETTE = [0, 0, 0, 236, 95, 103, 249, 145, 87, 250, 200, 99] + [0] * (256 * 3 - 12)


def write_palette_png(path, labels):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    im = Image.fromarray(labels.astype(np.uint8), mode="P")
    im.putpalette(PALETTE)
    im.save(path)


def ytvos_root(tmp_path):
    """Video v1: object 1 (a 10x8 block moving right) in frames 00000/00005/00010; object 2
    (big in 00000 and 00010, only 4 pixels in 00005). Video v2: object 3 in one frame."""
    root = tmp_path / "YouTube-VOS"
    split = root / "train"
    meta = {"videos": {"v1": {"objects": {"1": {"category": "cat", "frames": ["00000", "00005",
                                                                              "00010"]},
                                          "2": {"category": "dog", "frames": ["00000", "00005",
                                                                              "00010"]}}},
                       "v2": {"objects": {"3": {"category": "fish", "frames": ["00000"]}}}}}
    os.makedirs(split)
    (split / "meta.json").write_text(json.dumps(meta))
    for k, frame in enumerate(["00000", "00005", "00010"]):
        labels = np.zeros((H, W), np.uint8)
        labels[5:13, 3 + 5 * k:13 + 5 * k] = 1
        if k == 1:
            labels[30:32, 40:42] = 2
        else:
            labels[20:35, 30:50] = 2
        write_palette_png(str(split / "Annotations" / "v1" / f"{frame}.png"), labels)
        img = np.full((H, W, 3), 40 * k, np.uint8)
        os.makedirs(split / "JPEGImages" / "v1", exist_ok=True)
        cv2.imwrite(str(split / "JPEGImages" / "v1" / f"{frame}.jpg"), img)
    labels = np.zeros((H, W), np.uint8)
    labels[0:H, 0:W - 1] = 3
    write_palette_png(str(split / "Annotations" / "v2" / "00000.png"), labels)
    os.makedirs(split / "JPEGImages" / "v2")
    cv2.imwrite(str(split / "JPEGImages" / "v2" / "00000.jpg"), np.zeros((H, W, 3), np.uint8))
    return str(root)


def test_youtube_vos_objects_boxes_and_masks(tmp_path):
    root = ytvos_root(tmp_path)
    ds = YouTubeVOS(root, min_pixels=10)
    assert ds.sequence_names() == ["v1_1", "v1_2", "v2_3"]
    one = ds["v1_1"]
    assert len(one) == 3 and one.has_masks and one.attributes["class"] == "cat"
    np.testing.assert_array_equal(one.ground_truth, [[3, 5, 10, 8], [8, 5, 10, 8], [13, 5, 10, 8]])
    assert not one.absent.any()
    for i in range(3):
        mask = one.mask(i)
        assert mask.shape == (H, W) and mask.dtype == np.uint8 and mask.sum() == 80
        assert mask_box(mask) == one.ground_truth[i].tolist()
    assert int(one.frame(2)[0, 0, 0]) == pytest.approx(80, abs=2)
    two = ds["v1_2"]  # below min_pixels in 00005: that frame is not part of the sequence
    assert len(two) == 2 and two.attributes["frame_names"] == ["00000", "00010"]
    assert two.mask(1).sum() == 300 and two.frame(1).shape == (H, W, 3)
    # the official threshold (1000 pixels) keeps only v2's large object
    assert YouTubeVOS(root).sequence_names() == ["v2_3"]
    # max_target_area drops v2's object (its box is the whole frame but one column)
    assert "v2_3" not in YouTubeVOS(root, min_pixels=10, max_target_area=0.99).sequence_names()
    again = pickle.loads(pickle.dumps(one))  # masks pickle as paths + id (DataLoader workers)
    np.testing.assert_array_equal(again.mask(1), one.mask(1))


def test_youtube_vos_registry_and_errors(tmp_path):
    ds = build_dataset("youtube_vos", ytvos_root(tmp_path), min_pixels=10)
    assert len(ds) == 3
    with pytest.raises(DatasetError, match="does not look like YouTube-VOS"):
        YouTubeVOS(str(tmp_path))
    rgb = tmp_path / "rgb.png"
    cv2.imwrite(str(rgb), np.zeros((4, 4, 3), np.uint8))
    os.replace(rgb, tmp_path / "YouTube-VOS" / "train" / "Annotations" / "v2" / "00000.png")
    with pytest.raises(DatasetError, match="palette or grey"):
        YouTubeVOS(str(tmp_path / "YouTube-VOS"), min_pixels=10, refresh=True)


def write_pair(image_path, mask_path, mask, value=100):
    for p in (image_path, mask_path):
        os.makedirs(os.path.dirname(p), exist_ok=True)
    cv2.imwrite(image_path, np.full(mask.shape + (3,), value, np.uint8))
    cv2.imwrite(mask_path, mask)


def block(y0, y1, x0, x1, value=255):
    m = np.zeros((H, W), np.uint8)
    m[y0:y1, x0:x1] = value
    return m


def test_saliency_layouts_boxes_and_masks(tmp_path):
    root = str(tmp_path / "saliency")
    j = os.path.join
    write_pair(j(root, "MSRA10K", "Imgs", "75.jpg"), j(root, "MSRA10K", "Imgs", "75.png"),
               block(2, 12, 4, 20))
    write_pair(j(root, "ECSSD", "images", "0001.jpg"), j(root, "ECSSD", "ground_truth_mask",
                                                         "0001.png"), block(10, 30, 0, 60))
    write_pair(j(root, "ECSSD", "images", "0002.jpg"), j(root, "ECSSD", "ground_truth_mask",
                                                         "0002.png"), block(0, 0, 0, 0))  # empty
    write_pair(j(root, "HKU-IS", "imgs", "a.png"), j(root, "HKU-IS", "gt", "a.png"),
               block(5, 6, 7, 9))
    ds = Saliency(root)
    assert ds.sequence_names() == ["ECSSD/0001", "HKU-IS/a", "MSRA10K/75"]
    assert [ds[i].attributes["layout"] for i in range(3)] == ["ecssd", "hkuis", "msra10k"]
    np.testing.assert_array_equal(ds["MSRA10K/75"].ground_truth, [[4, 2, 16, 10]])
    np.testing.assert_array_equal(ds["HKU-IS/a"].ground_truth, [[7, 5, 2, 1]])
    seq = ds["ECSSD/0001"]
    assert len(seq) == 1 and seq.has_masks and seq.frame(0).shape == (H, W, 3)
    mask = seq.mask(0)
    assert mask.dtype == np.uint8 and mask.sum() == 20 * 60 and mask[10:30].all()
    assert len(Saliency(root, min_area=10)) == 2  # HKU-IS/a has 2 pixels
    assert pickle.loads(pickle.dumps(seq)).mask(0).sum() == 1200


def test_saliency_alpharefine_merged_layout_and_threshold(tmp_path):
    root = str(tmp_path / "merged")
    soft = block(4, 14, 4, 24)
    soft[4:14, 4:6] = 100  # anti-aliased edge below the threshold
    write_pair(os.path.join(root, "images", "00000001.jpg"),
               os.path.join(root, "gt", "00000001.png"), soft)
    ds = build_dataset("saliency", root)
    assert ds.sequence_names() == ["00000001"] and ds[0].attributes["layout"] == "alpharefine"
    np.testing.assert_array_equal(ds[0].ground_truth, [[6, 4, 18, 10]])
    assert ds[0].mask(0).sum() == 180
    np.testing.assert_array_equal(Saliency(root, threshold=50)[0].ground_truth, [[4, 4, 20, 10]])
    with pytest.raises(DatasetError, match="does not look like a saliency dataset"):
        Saliency(str(tmp_path / "merged" / "images"))


def test_mask_datasets_feed_training_pairs(tmp_path):
    """YouTube-VOS and saliency samples carry their masks through PairDataset (flag 1)."""
    from vot_core.training.pairs import PairDataset, PairSamplingConfig

    root = str(tmp_path / "sal")
    write_pair(os.path.join(root, "images", "00000001.jpg"), os.path.join(root, "gt", "00000001.png"),
               block(8, 30, 10, 40))
    cfg = PairSamplingConfig.from_dict(dict(
        samples_per_epoch=8, crop_style="alpharefine", mode="symmetric", min_visible=1,
        masks=True, min_length=20, template=dict(factor=2.0, size=32),
        search=dict(factor=2.0, size=32, center_jitter=0.25, scale_jitter=0.25)))
    data = PairDataset([YouTubeVOS(ytvos_root(tmp_path), min_pixels=10), Saliency(root)],
                       config=cfg)
    for i in range(8):
        s = data[i]
        assert float(s["mask_flag"]) == 1.0 and s["search_mask"].shape == (1, 32, 32)
        # the target is about half the crop on each axis: a quarter of the pixels, centred
        assert 0.1 < float(s["search_mask"].mean()) < 0.45
        assert float(s["search_mask"][0, 12:20, 12:20].mean()) > 0.5
    assert not data.unreadable
