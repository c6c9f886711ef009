import os

import numpy as np
import pytest
from vot_core.datasets import DatasetError
from vot_core.datasets.tlp import TLP
from vot_core.datasets.tnl2k import TNL2K


def _tnl(root, name, n, ext="jpg", language="the white car on the left"):
    d = os.path.join(root, name)
    os.makedirs(os.path.join(d, "imgs"))
    for i in range(n):
        open(os.path.join(d, "imgs", f"{i + 1:05d}.{ext}"), "wb").close()
    with open(os.path.join(d, "groundtruth.txt"), "w") as f:
        f.write("\n".join(f"{i},{i},10,12" for i in range(n)) + "\n")
    if language is not None:
        with open(os.path.join(d, "language.txt"), "w") as f:
            f.write(language + "\n")


def test_tnl2k_test_and_train_parts(tmp_path):
    test = tmp_path / "TNL2K_test"
    _tnl(str(test), "advSamp_Baseball_game_002-Done", 4)
    _tnl(str(test), "test_015_Sord_video_Q01_done", 3, ext="png", language=None)
    ds = TNL2K(str(test))
    assert ds.sequence_names() == ["advSamp_Baseball_game_002-Done",
                                   "test_015_Sord_video_Q01_done"]
    seq = ds[0]
    assert seq.language == "the white car on the left" and len(seq) == 4
    np.testing.assert_array_equal(seq.ground_truth[3], [3, 3, 10, 12])
    assert ds[1].frames[0].endswith("00001.png") and ds[1].language is None
    train = tmp_path / "TNL2K_train"
    _tnl(str(train / "TNL2K_train_subset_p1"), "a_seq", 2)
    _tnl(str(train / "TNL2K_train_subset_p2"), "b_seq", 2)
    assert TNL2K(str(train)).sequence_names() == ["a_seq", "b_seq"]


def test_tnl2k_bad_input(tmp_path):
    _tnl(str(tmp_path / "t"), "s", 3)
    open(tmp_path / "t" / "s" / "groundtruth.txt", "w").write("1,2,3,4\n1,2,3\n1,2,3,4\n")
    with pytest.raises(DatasetError, match=r"groundtruth.txt, line 2"):
        TNL2K(str(tmp_path / "t"))[0]
    with pytest.raises(DatasetError, match="does not look like TNL2K"):
        TNL2K(str(tmp_path / "t" / "s" / "imgs"))


def _tlp(root, name, rows):
    d = os.path.join(root, name)
    os.makedirs(os.path.join(d, "img"))
    for i in range(len(rows)):
        open(os.path.join(d, "img", f"{i + 1:05d}.jpg"), "wb").close()
    with open(os.path.join(d, "groundtruth_rect.txt"), "w") as f:
        f.write("\n".join(",".join(f"{v:g}" for v in r) for r in rows) + "\n")


def test_tlp_is_lost_flags(tmp_path):
    _tlp(str(tmp_path), "Alladin", [[i + 1, 10 + i, 20, 30, 40, int(i in (2, 3))]
                                    for i in range(6)])
    _tlp(str(tmp_path), "Bike", [[1, 2, 3, 4], [5, 6, 7, 8]])
    ds = TLP(str(tmp_path))
    assert ds.sequence_names() == ["Alladin", "Bike"]
    seq = ds["Alladin"]
    np.testing.assert_array_equal(seq.ground_truth[:, 0], 10 + np.arange(6))
    np.testing.assert_array_equal(seq.absent, [0, 0, 1, 1, 0, 0])
    assert ds["Bike"].ground_truth.tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]


def test_tlp_bad_input(tmp_path):
    _tlp(str(tmp_path), "Gap", [[1, 0, 0, 5, 5, 0], [3, 0, 0, 5, 5, 0]])
    with pytest.raises(DatasetError, match="line 2: frame number 3 does not follow 1"):
        TLP(str(tmp_path))["Gap"]
    _tlp(str(tmp_path / "x"), "Mixed", [[1, 0, 0, 5, 5, 0], [0, 0, 5, 5]])
    with pytest.raises(DatasetError, match="line 2: expected 6 values"):
        TLP(str(tmp_path / "x"))["Mixed"]
    (tmp_path / "y").mkdir()
    with pytest.raises(DatasetError, match="does not look like TLP"):
        TLP(str(tmp_path / "y"))
