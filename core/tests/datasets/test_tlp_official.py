"""TLP in its published layout: ``<sequence>/img/00001.jpg`` and ``groundtruth_rect.txt`` with
``frame,x,y,w,h,isLost`` lines, where ``frame`` is the number of the image."""
import os

import numpy as np
import pytest

from vot_core.datasets import DatasetError
from vot_core.datasets.tlp import TLP


def _tlp(root, name, rows, first_image=1):
    d = os.path.join(root, name)
    os.makedirs(os.path.join(d, "img"))
    for i in range(len(rows)):
        open(os.path.join(d, "img", f"{first_image + i:05d}.jpg"), "wb").close()
    with open(os.path.join(d, "groundtruth_rect.txt"), "w") as f:
        f.write("".join(",".join(f"{v:g}" for v in r) + "\n" for r in rows))


def test_published_layout(tmp_path):
    rows = [[i + 1, 100 + i, 50, 40, 30, int(i >= 4)] for i in range(6)]
    _tlp(str(tmp_path), "Drone1", rows)
    seq = TLP(str(tmp_path))["Drone1"]
    assert seq.frames[0].endswith(os.path.join("Drone1", "img", "00001.jpg"))
    assert seq.frames[-1].endswith("00006.jpg") and len(seq) == 6
    np.testing.assert_array_equal(seq.ground_truth, np.array(rows, float)[:, 1:5])
    np.testing.assert_array_equal(seq.absent, [0, 0, 0, 0, 1, 1])


def test_frame_numbers_must_name_the_images(tmp_path):
    _tlp(str(tmp_path / "a"), "Off", [[i, 1, 2, 3, 4, 0] for i in range(3)])  # counts from 0
    with pytest.raises(DatasetError, match=r"groundtruth_rect.txt, line 1: frame number 0, but "
                                           r"the first image is number 1 \(00001.jpg\)"):
        TLP(str(tmp_path / "a"))["Off"]
    _tlp(str(tmp_path / "b"), "Late", [[i + 3, 1, 2, 3, 4, 0] for i in range(3)], first_image=3)
    assert TLP(str(tmp_path / "b"))["Late"].frames[0].endswith("00003.jpg")


def test_bad_is_lost_and_empty_files(tmp_path):
    _tlp(str(tmp_path / "a"), "Flag", [[1, 1, 2, 3, 4, 0], [2, 1, 2, 3, 4, 2]])
    with pytest.raises(DatasetError, match="line 2: isLost must be 0 or 1, got 2"):
        TLP(str(tmp_path / "a"))["Flag"]
    _tlp(str(tmp_path / "b"), "Empty", [[1, 1, 2, 3, 4, 0]])
    open(tmp_path / "b" / "Empty" / "groundtruth_rect.txt", "w").write("\n\n")
    with pytest.raises(DatasetError, match="groundtruth_rect.txt: the ground-truth file is empty"):
        TLP(str(tmp_path / "b"))["Empty"]
    _tlp(str(tmp_path / "c"), "Short", [[1, 1, 2, 3, 4, 0], [2, 1, 2, 3, 4, 0]])
    os.remove(tmp_path / "c" / "Short" / "img" / "00002.jpg")
    with pytest.raises(DatasetError, match="2 lines, but the sequence has 1 frames"):
        TLP(str(tmp_path / "c"))["Short"]
