import os

import numpy as np
import pytest
from vot_core.datasets import DatasetError
from vot_core.datasets.otb import OTB
from vot_core.datasets.uav123 import UAV123


def _touch_frames(folder, first, last, digits, ext="jpg"):
    """Empty frame files ``first..last``; every 7th only (plus the ends and the official range
    starts): these loaders address frames through the official table and never list folders."""
    os.makedirs(folder, exist_ok=True)
    for i in sorted(set(range(first, last + 1, 7)) | {first, last, 6, 215, 247, 253, 300, 354, 775, 1477}):
        if first <= i <= last:
            open(os.path.join(folder, f"{i:0{digits}d}.{ext}"), "wb").close()


def _boxes(n, offset=0):
    return np.array([[offset + i, 5, 20, 30] for i in range(n)], dtype=float)


def _write(path, boxes, delimiters=(",",)):
    with open(path, "w") as f:
        for i, b in enumerate(boxes):
            f.write(delimiters[i % len(delimiters)].join(f"{v:g}" for v in b) + "\n")


@pytest.fixture
def otb(tmp_path):
    root = tmp_path / "OTB100"
    _touch_frames(root / "Basketball" / "img", 1, 725, 4)
    _write(root / "Basketball" / "groundtruth_rect.txt", _boxes(725))
    _touch_frames(root / "BlurCar1" / "img", 247, 988, 4)  # no 0001.jpg
    _write(root / "BlurCar1" / "groundtruth_rect.txt", _boxes(742), ("\t", "\t", " "))
    _touch_frames(root / "David" / "img", 1, 770, 4)  # boxes only for 300..770
    _write(root / "David" / "groundtruth_rect.txt", _boxes(471, 300))
    _touch_frames(root / "Board" / "img", 1, 698, 5)
    _write(root / "Board" / "groundtruth_rect.txt", _boxes(698), (", ", "\t"))
    _touch_frames(root / "Jogging" / "img", 1, 307, 4)
    _write(root / "Jogging" / "groundtruth_rect.1.txt", _boxes(307))
    _write(root / "Jogging" / "groundtruth_rect.2.txt", _boxes(307, 100))
    _touch_frames(root / "Human4" / "img", 1, 667, 4)
    open(root / "Human4" / "groundtruth_rect1.txt", "w").close()  # the empty stray file
    _write(root / "Human4" / "groundtruth_rect.2.txt", _boxes(667))
    _touch_frames(root / "Tiger1" / "img", 1, 354, 4)
    _write(root / "Tiger1" / "groundtruth_rect.txt", _boxes(354))
    _touch_frames(root / "Diving" / "img", 1, 231, 4)  # 231 images, 215 boxes
    _write(root / "Diving" / "groundtruth_rect.txt", _boxes(215))
    return str(root)


def test_otb_special_sequences(otb):
    ds = OTB(otb)
    assert sorted(ds.sequence_names()) == sorted(
        ["Basketball", "BlurCar1", "Board", "David", "Diving", "Human4_2", "Jogging_1",
         "Jogging_2", "Tiger1"])
    david = ds["David"]
    assert len(david) == 471 and david.frames[0].endswith(os.path.join("img", "0300.jpg"))
    assert david.ground_truth[0, 0] == 300 and david.frames[-1].endswith("0770.jpg")
    blur = ds["BlurCar1"]
    assert blur.frames[0].endswith("0247.jpg") and len(blur) == 742
    np.testing.assert_array_equal(blur.ground_truth, _boxes(742))  # tab and space rows
    board = ds["Board"]
    assert board.frames[0].endswith("00001.jpg")
    np.testing.assert_array_equal(board.ground_truth, _boxes(698))  # ", " and tab rows
    j1, j2 = ds["Jogging_1"], ds["Jogging_2"]
    assert j1.frames == j2.frames and j2.ground_truth[0, 0] == 100
    tiger = ds["Tiger1"]
    assert len(tiger) == 349 and tiger.frames[0].endswith("0006.jpg")
    assert tiger.ground_truth[0, 0] == 5  # the first 5 boxes are omitted too
    assert len(ds["Diving"]) == 215 and ds["Human4_2"].ground_truth.shape == (667, 4)


def test_otb_bad_input(otb, tmp_path):
    path = os.path.join(otb, "Basketball", "groundtruth_rect.txt")
    lines = open(path).read().splitlines()
    open(path, "w").write("\n".join(lines[:9] + ["1,2,3,4,5"] + lines[10:]) + "\n")
    with pytest.raises(DatasetError, match=r"groundtruth_rect.txt, line 10: expected 4"):
        OTB(otb)["Basketball"]
    open(path, "w").write("\n".join(lines[:-1]) + "\n")
    with pytest.raises(DatasetError, match="724 boxes, but the sequence has 725 frames"):
        OTB(otb)["Basketball"]
    os.remove(os.path.join(otb, "David", "img", "0770.jpg"))
    with pytest.raises(DatasetError, match="frame missing on disk.*0770.jpg"):
        OTB(otb)["David"]
    (tmp_path / "other" / "seq").mkdir(parents=True)
    with pytest.raises(DatasetError, match="does not look like OTB-100"):
        OTB(str(tmp_path / "other"))


@pytest.fixture
def uav(tmp_path):
    root = tmp_path / "UAV123"
    _touch_frames(root / "data_seq" / "UAV123" / "bird1", 1, 2437, 6)
    anno = root / "anno" / "UAV123"
    anno.mkdir(parents=True)
    _write(anno / "bird1_1.txt", _boxes(253))
    b2 = _boxes(703, 775)
    b2[10:20] = np.nan  # the target is absent there
    _write(anno / "bird1_2.txt", b2)
    return str(root)


def test_uav123_ranges_and_nan_rows(uav, tmp_path):
    ds = UAV123(uav)
    assert ds.sequence_names() == ["bird1_1", "bird1_2"]
    seq = ds["bird1_2"]
    assert len(seq) == 703 and seq.frames[0].endswith(os.path.join("bird1", "000775.jpg"))
    assert seq.frames[-1].endswith("001477.jpg") and seq.attributes["first_frame"] == 775
    np.testing.assert_array_equal(np.nonzero(seq.absent)[0], np.arange(10, 20))
    assert np.isnan(seq.ground_truth[10:20]).all() and seq.ground_truth[20, 0] == 795
    assert not ds["bird1_1"].absent.any()
    root_20l = os.path.join(uav, "anno", "UAV20L")
    os.makedirs(root_20l)
    _write(os.path.join(root_20l, "bird1.txt"), _boxes(2437))
    long = UAV123(uav, split="uav20l")
    assert long.sequence_names() == ["bird1"] and len(long["bird1"]) == 2437
    # Dataset_UAV123/UAV123 as the root works too
    os.makedirs(tmp_path / "Dataset_UAV123")
    os.rename(uav, tmp_path / "Dataset_UAV123" / "UAV123")
    assert len(UAV123(str(tmp_path / "Dataset_UAV123"))) == 2


def test_uav123_bad_input(uav, tmp_path):
    with open(os.path.join(uav, "anno", "UAV123", "bird1_1.txt"), "a") as f:
        f.write("1,2,3,4\n")
    with pytest.raises(DatasetError, match="254 lines, but the sequence has 253 frames"):
        UAV123(uav)["bird1_1"]
    with pytest.raises(DatasetError, match="does not look like UAV123"):
        UAV123(os.path.join(uav, "anno"))
