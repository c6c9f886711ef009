import os
import time

import cv2
import numpy as np
import pytest

from vot_core.datasets import DatasetError
from vot_core.datasets.lasot import LaSOT, official_test_names


def _seq(root, name, n=5, fo=None, oov=None, nlp="a plane", jpg=False):
    cls = name.rsplit("-", 1)[0]
    d = os.path.join(root, cls, name)
    os.makedirs(os.path.join(d, "img"), exist_ok=True)
    for i in range(n):
        path = os.path.join(d, "img", f"{i + 1:08d}.jpg")
        if jpg:
            cv2.imwrite(path, np.full((12, 16, 3), (10 * i, 0, 255), np.uint8))
        else:
            open(path, "wb").close()
    gt = np.array([[1 + i, 2, 30 + i, 40] for i in range(n)])
    with open(os.path.join(d, "groundtruth.txt"), "w") as f:
        f.write("\n".join(",".join(str(v) for v in row) for row in gt) + "\n")
    fo = [0] * n if fo is None else fo
    oov = [0] * n if oov is None else oov
    with open(os.path.join(d, "full_occlusion.txt"), "w") as f:
        f.write(",".join(map(str, fo)))
    with open(os.path.join(d, "out_of_view.txt"), "w") as f:
        f.write(",".join(map(str, oov)) + "\n")
    if nlp is not None:
        with open(os.path.join(d, "nlp.txt"), "w") as f:
            f.write(nlp + "\n")
    return d, gt


@pytest.fixture
def lasot(tmp_path):
    root = str(tmp_path / "LaSOT")
    _seq(root, "airplane-1", 6, fo=[0, 0, 1, 0, 0, 0], oov=[0, 0, 0, 1, 1, 0], jpg=True)
    _seq(root, "airplane-2", 4)
    _seq(root, "airplane-9", 3, nlp=None)
    _seq(root, "rubicCube-1", 3)  # test set; class names keep their case
    _seq(root, "bear-3", 3)
    return root


def test_official_test_split_has_280_sequences_4_per_class():
    names = official_test_names()
    assert len(names) == 280
    assert len({n.rsplit("-", 1)[0] for n in names}) == 70
    assert {"airplane-1", "airplane-9", "rubicCube-1"} <= names and "airplane-2" not in names


def test_splits_flags_and_language(lasot):
    test = LaSOT(lasot)
    assert test.split == "test"
    assert test.sequence_names() == ["airplane-1", "airplane-9", "rubicCube-1"]
    assert LaSOT(lasot, split="train").sequence_names() == ["airplane-2", "bear-3"]
    assert len(LaSOT(lasot, split="all")) == 5
    seq = test["airplane-1"]
    assert len(seq) == 6 and seq.ground_truth.shape == (6, 4)
    np.testing.assert_array_equal(seq.ground_truth[:, 0], np.arange(1, 7))
    np.testing.assert_array_equal(seq.absent, [0, 0, 1, 1, 1, 0])
    np.testing.assert_array_equal(seq.attributes["out_of_view"], [0, 0, 0, 1, 1, 0])
    assert seq.language == "a plane" and seq.attributes["class"] == "airplane"
    assert seq.frames[0].endswith(os.path.join("airplane-1", "img", "00000001.jpg"))
    assert seq.frame(5).shape == (12, 16, 3) and seq.frame(5)[0, 0, 0] >= 250 and seq.frame(5)[0, 0, 2] < 60  # RGB
    assert test["airplane-9"].language is None
    assert test[-1].name == "rubicCube-1"
    with pytest.raises(KeyError):
        test["airplane-2"]


def test_archive_top_folder_and_vot_data(lasot, tmp_path, monkeypatch):
    os.rename(lasot, str(tmp_path / "LaSOTBenchmark"))
    os.makedirs(lasot)
    os.rename(str(tmp_path / "LaSOTBenchmark"), os.path.join(lasot, "LaSOTBenchmark"))
    monkeypatch.setenv("VOT_DATA", str(tmp_path))
    assert len(LaSOT(split="all")) == 5


def test_index_is_cached_and_invalidated(lasot, monkeypatch):
    assert len(LaSOT(lasot, split="all")) == 5
    calls = []
    real = LaSOT.build_index
    monkeypatch.setattr(LaSOT, "build_index", lambda self: calls.append(1) or real(self))
    assert len(LaSOT(lasot, split="all")) == 5 and not calls  # served from the cache
    _seq(lasot, "bear-7", 2)
    assert "bear-7" in LaSOT(lasot, split="all").sequence_names() and calls == [1]
    assert len(LaSOT(lasot, split="all", refresh=True)) == 6 and calls == [1, 1]


def test_1400_sequences_list_fast_once_cached(tmp_path):
    root = tmp_path / "big"
    for c in range(70):
        for k in range(1, 21):
            (root / f"class{c}" / f"class{c}-{k}" / "img").mkdir(parents=True)
    _seq(str(root), "class69-20", 2)  # one complete sequence is enough to load
    first = LaSOT(str(root), split="all")
    assert len(first) == 1400
    t = time.perf_counter()
    again = LaSOT(str(root), split="all")
    names = again.sequence_names()
    elapsed = time.perf_counter() - t
    assert len(names) == 1400 and elapsed < 0.5, elapsed
    assert again["class69-20"].ground_truth.shape == (2, 4)


def _error(root, split="test", name="airplane-1"):
    with pytest.raises(DatasetError) as info:
        LaSOT(root, split=split)[name]
    return str(info.value)


def test_bad_input_is_reported_with_file_and_line(lasot):
    d = os.path.join(lasot, "airplane", "airplane-1")
    gt = os.path.join(d, "groundtruth.txt")
    lines = open(gt).read().splitlines()
    open(gt, "w").write("\n".join(lines[:2] + ["5,6,x,8"] + lines[3:]) + "\n")
    msg = _error(lasot)
    assert gt in msg and "line 3" in msg and "5,6,x,8" in msg
    open(gt, "w").write("\n".join(lines[:2] + ["5,6,7"] + lines[3:]) + "\n")
    assert "line 3" in _error(lasot) and "expected 4 values" in _error(lasot)
    open(gt, "w").write("\n".join(lines[:5]) + "\n")
    msg = _error(lasot)
    assert gt in msg and "5 lines" in msg and "6 frames" in msg
    os.remove(gt)
    assert "missing ground-truth file" in _error(lasot)


def test_missing_frames_and_flags(lasot):
    d = os.path.join(lasot, "airplane", "airplane-9")
    open(os.path.join(d, "out_of_view.txt"), "w").write("0,0\n")
    msg = _error(lasot, name="airplane-9")
    assert "out_of_view.txt" in msg and "2 flags" in msg
    os.remove(os.path.join(d, "full_occlusion.txt"))
    assert "missing full_occlusion file" in _error(lasot, name="airplane-9")
    ds = LaSOT(lasot)  # index cached with 6 frames, then frames vanish
    os.remove(os.path.join(lasot, "airplane", "airplane-1", "img", "00000006.jpg"))
    with pytest.raises(DatasetError, match="frame missing on disk"):
        ds["airplane-1"]


def test_a_root_that_is_not_lasot(tmp_path):
    (tmp_path / "train" / "GOT-10k_Train_000001").mkdir(parents=True)
    (tmp_path / "train" / "list.txt").write_text("GOT-10k_Train_000001\n")
    with pytest.raises(DatasetError, match="does not look like LaSOT"):
        LaSOT(str(tmp_path))
    with pytest.raises(DatasetError, match="does not exist"):
        LaSOT(str(tmp_path / "nowhere"))
    with pytest.raises(DatasetError, match="VOT_DATA"):
        LaSOT()
    with pytest.raises(DatasetError, match="unknown split"):
        LaSOT(str(tmp_path), split="val")


def test_monkey_17_uses_its_2260_annotated_frames(tmp_path):
    """The toolkit keeps monkey-17's first 2,260 frames; its img/ folder holds more."""
    root = str(tmp_path / "LaSOT")
    d, gt = _seq(root, "monkey-17", 2260, oov=[0] * 2259 + [1])
    for i in (2261, 2262):
        open(os.path.join(d, "img", f"{i:08d}.jpg"), "wb").close()
    with open(os.path.join(d, "full_occlusion.txt"), "w") as f:
        f.write(",".join(["0"] * 2262))  # flags as long as the images: cut too
    seq = LaSOT(root)["monkey-17"]
    assert len(seq) == 2260 and seq.frames[-1].endswith("00002260.jpg")
    assert seq.absent.shape == (2260,) and seq.absent[-1] and seq.absent.sum() == 1
    np.testing.assert_array_equal(seq.ground_truth, gt)
    _seq(root, "monkey-9", 3)  # any other sequence with an extra image is an error
    open(os.path.join(root, "monkey", "monkey-9", "img", "00000004.jpg"), "wb").close()
    with pytest.raises(DatasetError, match="3 lines, but the sequence has 4 frames"):
        LaSOT(root)["monkey-9"]
