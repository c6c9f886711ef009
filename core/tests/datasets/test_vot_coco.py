import json
import os

import numpy as np
import pytest
from vot_core.datasets import DatasetError
from vot_core.datasets.coco import COCO
from vot_core.datasets.vot import VOT, parse_region, rle_bounds


def _rle(mask):
    """Row-major run lengths starting with zeros (the VOT toolkit's encoding)."""
    runs, current, count = [], 0, 0
    for v in mask.reshape(-1):
        if v == current:
            count += 1
        else:
            runs.append(count)
            current, count = v, 1
    return runs + [count]


def test_rle_bounds_match_the_decoded_mask():
    rng = np.random.default_rng(0)
    for _ in range(300):
        h, w = rng.integers(1, 14, 2)
        mask = np.zeros((h, w), int)
        if rng.random() < 0.9:
            y0, x0 = rng.integers(0, h), rng.integers(0, w)
            y1, x1 = rng.integers(y0, h), rng.integers(x0, w)
            mask[y0:y1 + 1, x0:x1 + 1] = rng.random((y1 - y0 + 1, x1 - x0 + 1)) < 0.6
        box = rle_bounds([7, 3, int(w), int(h)] + _rle(mask), "gt", 1)
        ys, xs = np.nonzero(mask)
        if len(xs) == 0:
            assert np.isnan(box).all()
        else:
            assert box == [7 + xs.min(), 3 + ys.min(), xs.max() - xs.min() + 1,
                           ys.max() - ys.min() + 1]


def test_region_kinds():
    assert parse_region("1.5,2,30,40", "gt", 1) == [1.5, 2, 30, 40]
    # a rotated square polygon -> its axis-aligned bounding box
    assert parse_region("10,0,20,10,10,20,0,10", "gt", 1) == [0, 0, 20, 20]
    assert parse_region("m2,3,4,2,5,2,1", "gt", 1) == [3, 4, 2, 1]  # ones at idx 5, 6: row 1, cols 1-2
    assert np.isnan(parse_region("0", "gt", 1)).all()
    assert np.isnan(parse_region("nan,nan,nan,nan", "gt", 1)).all()
    with pytest.raises(DatasetError, match="gt, line 7: 5 values"):
        parse_region("1,2,3,4,5", "gt", 7)
    with pytest.raises(DatasetError, match="line 2: the mask RLE covers 9 pixels"):
        parse_region("m0,0,2,2,4,5", "gt", 2)


def _vot_seq(root, name, lines, n, meta=True, tags=None):
    d = os.path.join(root, name)
    color = os.path.join(d, "color")
    os.makedirs(color)
    for i in range(n):
        open(os.path.join(color, f"{i + 1:08d}.jpg"), "wb").close()
    open(os.path.join(d, "groundtruth.txt"), "w").write("\n".join(lines) + "\n")
    if meta:
        open(os.path.join(d, "sequence"), "w").write(
            f"channels.color=color/%08d.jpg\nformat=default\nfps=30\nname={name}\n")
    for tag, values in (tags or {}).items():
        open(os.path.join(d, tag), "w").write("\n".join(map(str, values)) + "\n")


@pytest.fixture
def vot(tmp_path):
    root = tmp_path / "ws" / "sequences"
    mask = np.zeros((3, 4), int)
    mask[1, 1:3] = 1
    _vot_seq(str(root), "ants1", ["10,20,30,40", "10,20,40,20,40,50,10,50"], 2,
             tags={"occlusion.tag": [0, 1], "camera_motion.tag": [0]})
    _vot_seq(str(root), "bag", ["m5,6,4,3," + ",".join(map(str, _rle(mask))), "m0,0,0,0,0",
                                "1,1,2,2"], 4, meta=False)
    (root / "list.txt").write_text("ants1\nbag\n")
    return str(tmp_path / "ws")


def test_vot_workspace(vot):
    ds = VOT(vot)
    assert ds.sequence_names() == ["ants1", "bag"]
    ants = ds["ants1"]
    np.testing.assert_array_equal(ants.ground_truth, [[10, 20, 30, 40], [10, 20, 30, 30]])
    assert ants.attributes["frame_tags"]["occlusion"].tolist() == [False, True]
    assert ants.attributes["frame_tags"]["camera_motion"].tolist() == [False, False]
    assert ants.attributes["tags"] == ("occlusion",)
    bag = ds["bag"]
    assert bag.ground_truth[0].tolist() == [6, 7, 2, 1]
    assert np.isnan(bag.ground_truth[1]).all() and bag.ground_truth[2].tolist() == [1, 1, 2, 2]
    assert np.isnan(bag.ground_truth[3]).all()  # shorter ground truth: unknown rows
    np.testing.assert_array_equal(bag.absent, [0, 1, 0, 1])
    assert bag.frames[3].endswith(os.path.join("bag", "color", "00000004.jpg"))


def test_vot_bad_input(vot, tmp_path):
    path = os.path.join(vot, "sequences", "ants1", "groundtruth.txt")
    open(path, "w").write("1,2,3,4\n1,2,3,4\n1,2,3,4\n")
    with pytest.raises(DatasetError, match="3 lines, but the sequence has 2 frames"):
        VOT(vot)["ants1"]
    open(path, "w").write("1,2,3,4\n1,2,three,4\n")
    with pytest.raises(DatasetError, match="ants1/groundtruth.txt, line 2"):
        VOT(vot)["ants1"]
    with pytest.raises(DatasetError, match="does not look like a VOT dataset"):
        VOT(str(tmp_path))


def _coco(root, split="val2017"):
    os.makedirs(os.path.join(root, "annotations"))
    os.makedirs(os.path.join(root, split))
    for f in ("000000000139.jpg", "000000000285.jpg"):
        open(os.path.join(root, split, f), "wb").close()
    data = {
        "images": [{"id": 139, "file_name": "000000000139.jpg", "width": 640, "height": 426},
                   {"id": 285, "file_name": "000000000285.jpg", "width": 586, "height": 640}],
        "categories": [{"id": 1, "name": "person"}, {"id": 23, "name": "bear"}],
        "annotations": [
            {"id": 11, "image_id": 139, "category_id": 1, "bbox": [10.5, 20, 50, 80], "iscrowd": 0},
            {"id": 12, "image_id": 139, "category_id": 1, "bbox": [5, 5, 300, 200], "iscrowd": 1},
            {"id": 13, "image_id": 139, "category_id": 1, "bbox": [1, 1, 3, 40], "iscrowd": 0},
            {"id": 14, "image_id": 285, "category_id": 23, "bbox": [0, 0, 586, 600], "iscrowd": 0},
        ]}
    with open(os.path.join(root, "annotations", f"instances_{split}.json"), "w") as f:
        json.dump(data, f)


def test_coco_static_sequences(tmp_path, monkeypatch):
    _coco(str(tmp_path))
    ds = COCO(str(tmp_path), split="val2017")
    assert ds.sequence_names() == ["coco_11", "coco_14"]  # crowd and 3-px-wide boxes dropped
    seq = ds["coco_11"]
    assert len(seq) == 1 and seq.ground_truth.tolist() == [[10.5, 20, 50, 80]]
    assert seq.frames[0].endswith(os.path.join("val2017", "000000000139.jpg"))
    assert ds[1].attributes["class"] == "bear" and not seq.absent.any()
    assert len(COCO(str(tmp_path), split="val2017", min_size=2)) == 3
    monkeypatch.setattr(COCO, "build_index", lambda self: 1 / 0)
    assert len(COCO(str(tmp_path), split="val2017")) == 2  # served from the .npz cache


def test_coco_bad_input(tmp_path):
    _coco(str(tmp_path))
    os.remove(os.path.join(tmp_path, "val2017", "000000000285.jpg"))
    with pytest.raises(DatasetError, match="missing on disk"):
        COCO(str(tmp_path), split="val2017")["coco_14"]
    with pytest.raises(DatasetError, match="instances_train2017.json"):
        COCO(str(tmp_path))
    open(os.path.join(tmp_path, "annotations", "instances_val2014.json"), "w").write("{}")
    with pytest.raises(DatasetError, match="not a COCO instances file"):
        COCO(str(tmp_path), split="val2014")
