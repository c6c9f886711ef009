"""ImageNet VID / DET loaders on tiny fixtures in the official ILSVRC2015 layouts."""
import os
import pickle

import cv2
import numpy as np
import pytest

from vot_core.datasets import DatasetError
from vot_core.datasets.imagenet_det import ImageNetDET
from vot_core.datasets.imagenet_vid import ImageNetVID, parse_voc_xml
from vot_core.datasets.registry import build_dataset

W, H = 64, 48


def write_xml(path, objects, size=(W, H)):
    """A Pascal-VOC annotation; each object: (name, trackid or None, x1, y1, x2, y2, occluded)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    parts = [f"<annotation><folder>x</folder><size><width>{size[0]}</width>"
             f"<height>{size[1]}</height></size>"]
    for name, trackid, x1, y1, x2, y2, occluded in objects:
        track = "" if trackid is None else f"<trackid>{trackid}</trackid>"
        occ = "" if occluded is None else f"<occluded>{occluded}</occluded>"
        parts.append(f"<object>{track}<name>{name}</name><bndbox><xmax>{x2}</xmax>"
                     f"<xmin>{x1}</xmin><ymax>{y2}</ymax><ymin>{y1}</ymin></bndbox>{occ}"
                     f"<generated>0</generated></object>")
    with open(path, "w") as f:
        f.write("".join(parts) + "</annotation>")


def write_jpeg(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    cv2.imwrite(path, np.full((H, W, 3), value, np.uint8))


def vid_video(root, split, rel, frames):
    """frames: list of object lists; writes XMLs and JPEGs named 000000..."""
    for i, objects in enumerate(frames):
        write_xml(os.path.join(root, "Annotations", "VID", split, rel, f"{i:06d}.xml"), objects)
        write_jpeg(os.path.join(root, "Data", "VID", split, rel, f"{i:06d}.JPEG"), 10 * i)


@pytest.fixture
def vid_root(tmp_path):
    root = str(tmp_path / "ILSVRC2015")
    car = lambda t, x, occ=0: ("n02958343", t, x, 5, x + 20, 25, occ)  # noqa: E731
    # track 0 in every frame (occluded in frame 2); track 1 in frames 1-3, gone in 4, back in 5
    # (the official grouping ends it at 3); track 2 covers the whole image (filtered out)
    frames = [[car(0, 1)], [car(0, 2), car(1, 30)], [car(0, 3, 1), car(1, 31)],
              [car(0, 4), car(1, 32)], [car(0, 5), ("n0whole", 2, 0, 0, W, H, 0)],
              [car(0, 6), car(1, 34)]]
    vid_video(root, "train", "ILSVRC2015_VID_train_0000/ILSVRC2015_train_00000000", frames)
    vid_video(root, "train", "ILSVRC2015_VID_train_0001/ILSVRC2015_train_00010000",
              [[("n01", 5, 10, 10, 20, 30, 0)]] * 3)
    vid_video(root, "val", "ILSVRC2015_val_00000000", [[("n01", 0, 1, 2, 11, 22, 0)]] * 2)
    return root


def test_voc_xml_parsing(tmp_path):
    path = str(tmp_path / "a.xml")
    write_xml(path, [("n01", 3, 4, 5, 24, 35, 1), ("n02", None, 0, 0, 5, 5, None)], size=(50, 40))
    size, objects = parse_voc_xml(path)
    assert size == (50, 40)
    assert objects[0] == {"name": "n01", "trackid": "3", "box": [4, 5, 20, 30], "occluded": True}
    assert objects[1]["trackid"] is None and objects[1]["occluded"] is False
    open(path, "w").write("<annotation><size>")
    with pytest.raises(DatasetError, match="not an ILSVRC annotation"):
        parse_voc_xml(path)


def test_vid_tracklets_follow_the_official_grouping(vid_root):
    ds = ImageNetVID(vid_root)
    assert ds.sequence_names() == ["ILSVRC2015_train_00000000_0", "ILSVRC2015_train_00000000_1",
                                   "ILSVRC2015_train_00010000_5"]
    first = ds["ILSVRC2015_train_00000000_0"]
    assert len(first) == 6 and first.attributes["class"] == "n02958343"
    np.testing.assert_array_equal(first.ground_truth[:, 0], [1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(first.ground_truth[0], [1, 5, 20, 20])
    np.testing.assert_array_equal(first.visible, [1, 1, 0, 1, 1, 1])  # occluded in frame 2
    second = ds[1]
    assert len(second) == 3 and second.frames[0].endswith(
        os.path.join("ILSVRC2015_VID_train_0000", "ILSVRC2015_train_00000000", "000001.JPEG"))
    assert int(second.frame(0)[0, 0, 0]) == pytest.approx(10, abs=2)  # frame 1 is grey 10
    assert int(second.frame(2)[0, 0, 0]) == pytest.approx(30, abs=2)
    # without the area filter the whole-image tracklet is kept
    assert len(ImageNetVID(vid_root, max_target_area=2.0)) == 4
    assert len(ImageNetVID(vid_root, min_length=4)) == 1


def test_vid_val_split_cache_and_registry(vid_root, monkeypatch):
    val = build_dataset("imagenet_vid", vid_root, split="val")
    assert val.sequence_names() == ["ILSVRC2015_val_00000000_0"] and len(val[0]) == 2
    with pytest.raises(DatasetError, match="does not look like ILSVRC2015 VID"):
        ImageNetVID(os.path.dirname(vid_root))
    ds = ImageNetVID(vid_root)
    monkeypatch.setattr(ImageNetVID, "build_index", lambda self: pytest.fail("rebuilt"))
    assert ImageNetVID(vid_root).sequence_names() == ds.sequence_names()  # from the cache
    seq = pickle.loads(pickle.dumps(ds[0]))
    assert seq.frame(0).shape == (H, W, 3)


def det_root(tmp_path, pysot_links):
    root = str(tmp_path / ("pysot" if pysot_links else "ilsvrc"))
    first, second = ("a", "b") if pysot_links else ("ILSVRC2013_train", "ILSVRC2014_train_0000")
    images = {f"{first}/n01/n01_1": [("n01", None, 2, 3, 12, 23, None),
                                     ("n02", None, 5, 5, 5, 9, None)],  # empty: dropped
              f"{second}/ILSVRC2014_train_00000001": [("n03", None, 0, 0, 30, 40, None)]}
    if pysot_links:  # the val link "i" is not training data
        images["i/ILSVRC2012_val_00000001"] = [("n09", None, 0, 0, 9, 9, None)]
    for k, (rel, objects) in enumerate(images.items()):
        write_xml(os.path.join(root, "Annotations", "DET", "train", rel + ".xml"), objects)
        write_jpeg(os.path.join(root, "Data", "DET", "train", rel + ".JPEG"), 50 * (k + 1))
    return root


@pytest.mark.parametrize("pysot_links", [False, True])
def test_det_objects_become_one_frame_sequences(tmp_path, pysot_links):
    ds = ImageNetDET(det_root(tmp_path, pysot_links))
    assert ds.sequence_names() == ["n01_1_0", "ILSVRC2014_train_00000001_0"]
    seq = ds[0]
    assert len(seq) == 1 and seq.attributes["class"] == "n01"
    np.testing.assert_array_equal(seq.ground_truth, [[2, 3, 10, 20]])
    assert int(seq.frame(0)[0, 0, 0]) == pytest.approx(50, abs=2)
    np.testing.assert_array_equal(ds[1].ground_truth, [[0, 0, 30, 40]])
    assert len(ImageNetDET(det_root(tmp_path / "m", pysot_links), min_size=25)) == 1
    assert len(ImageNetDET(ds.root)) == 2  # from the .npz cache


def test_det_errors(tmp_path):
    with pytest.raises(DatasetError, match="does not look like ILSVRC2015 DET"):
        ImageNetDET(str(tmp_path))
    root = det_root(tmp_path, False)
    os.remove(os.path.join(root, "Data", "DET", "train", "ILSVRC2014_train_0000",
                           "ILSVRC2014_train_00000001.JPEG"))
    with pytest.raises(DatasetError, match="image missing on disk"):
        ImageNetDET(root)[1]


def test_box_datasets_give_zero_masks_to_training_pairs(vid_root, tmp_path):
    from vot_core.training.pairs import PairDataset, PairSamplingConfig

    cfg = PairSamplingConfig.from_dict(dict(
        samples_per_epoch=6, crop_style="alpharefine", mode="symmetric", min_visible=1,
        masks=True, template=dict(factor=2.0, size=32),
        search=dict(factor=2.0, size=32, center_jitter=0.25, scale_jitter=0.25)))
    data = PairDataset([ImageNetVID(vid_root), ImageNetDET(det_root(tmp_path, False))], config=cfg)
    for i in range(6):
        s = data[i]
        assert float(s["mask_flag"]) == 0.0 and float(s["search_mask"].abs().sum()) == 0.0
        assert s["search"].shape == (3, 32, 32)
    # video tracklets shorter than min_length (and without masks) are not sampled
    short = PairSamplingConfig.from_dict(dict(samples_per_epoch=2, min_visible=1, masks=True,
                                              min_length=20, max_tries=5))
    with pytest.raises(Exception, match="no usable pair"):
        PairDataset([ImageNetVID(vid_root)], config=short)[0]


def test_det_official_area_filter_keeps_what_the_official_loader_keeps(tmp_path):
    """The official filter is sqrt(x * y * w * h / (W * H)) < 1 (the corner enters the product)."""
    root = str(tmp_path / "ILSVRC2015")
    objects = [("n01", None, 2, 3, 12, 23, None),     # 2*3*10*20 = 1200 < 64*48: kept
               ("n02", None, 20, 20, 40, 40, None),   # 20^4 = 160000: dropped
               ("n03", None, 0, 10, 60, 40, None)]    # touches the left border: kept
    write_xml(os.path.join(root, "Annotations", "DET", "train", "b", "x.xml"), objects)
    write_jpeg(os.path.join(root, "Data", "DET", "train", "b", "x.JPEG"), 0)
    assert ImageNetDET(root).sequence_names() == ["x_0", "x_1", "x_2"]
    official = ImageNetDET(root, official_area_filter=True)
    assert official.sequence_names() == ["x_0", "x_2"]
    np.testing.assert_array_equal(official[1].ground_truth, [[0, 10, 60, 30]])
