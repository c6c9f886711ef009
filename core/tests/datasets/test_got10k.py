import os

import numpy as np
import pytest
from vot_core.datasets import DatasetError
from vot_core.datasets.got10k import GOT10k
from vot_core.datasets.synthetic import make_sequence, write_got10k

META = """[METAINFO]
url: https://youtu.be/xyz
begin: 00:00:01
end: 00:00:05
anno_fps: 10Hz
object_class: ichneumon
motion_class: walking
major_class: viverrine
root_class: animal
motion_adverb: slowly
resolution: (1280, 720)
"""


def _seq(base, name, n, gt_lines=None, labels=True):
    d = os.path.join(base, name)
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        open(os.path.join(d, f"{i + 1:08d}.jpg"), "wb").close()
    gt = [[10.5 + i, 20.25, 30.0, 40.1234] for i in range(n)]
    rows = gt[:gt_lines] if gt_lines else gt
    with open(os.path.join(d, "groundtruth.txt"), "w") as f:
        f.write("\n".join(",".join(f"{v:.4f}" for v in r) for r in rows) + "\n")
    if labels:
        open(os.path.join(d, "absence.label"), "w").write("\n".join(
            "1" if i == 2 else "0" for i in range(n)) + "\n")
        open(os.path.join(d, "cover.label"), "w").write("\n".join(
            "0" if i == 2 else "8" for i in range(n)) + "\n")
        open(os.path.join(d, "cut_by_image.label"), "w").write("\n".join("0" * n) + "\n")
    open(os.path.join(d, "meta_info.ini"), "w").write(META)
    return np.array(gt)


@pytest.fixture
def got(tmp_path):
    root = tmp_path / "GOT-10k"
    for split, names, gt_lines in (("val", ["GOT-10k_Val_000001", "GOT-10k_Val_000002"], None),
                                   ("test", ["GOT-10k_Test_000001"], 1),
                                   ("train", ["GOT-10k_Train_000001"], None)):
        base = str(root / split)
        for name in names:
            _seq(base, name, 5, gt_lines, labels=split != "test")
        (root / split / "list.txt").write_text("\n".join(names) + "\n")
    return str(root)


def test_val_sequence_labels_and_meta(got):
    ds = GOT10k(got, split="val")
    assert ds.sequence_names() == ["GOT-10k_Val_000001", "GOT-10k_Val_000002"]
    seq = ds[0]
    assert len(seq) == 5 and seq.ground_truth[1].tolist() == [11.5, 20.25, 30.0, 40.1234]
    np.testing.assert_array_equal(seq.absent, [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(seq.attributes["cover"], [8, 8, 0, 8, 8])
    assert not seq.attributes["cut_by_image"].any()
    assert seq.attributes["class"] == "ichneumon"
    assert seq.attributes["meta"]["resolution"] == "(1280, 720)"
    assert seq.attributes["meta"]["begin"] == "00:00:01"  # values keep their colons
    assert seq.frames[4].endswith("00000005.jpg")


def test_test_split_has_only_the_first_box(got):
    seq = GOT10k(got)["GOT-10k_Test_000001"]
    assert seq.ground_truth.shape == (5, 4) and seq.absent is None
    assert np.isfinite(seq.ground_truth[0]).all() and np.isnan(seq.ground_truth[1:]).all()


def test_root_may_be_the_split_folder(got):
    assert GOT10k(os.path.join(got, "train"), split="train").sequence_names() == \
        ["GOT-10k_Train_000001"]


def test_custom_folder_without_labels_or_list(tmp_path):
    gt = _seq(str(tmp_path / "mine"), "clip", 4, labels=False)
    seq = GOT10k(str(tmp_path / "mine"), split="val")["clip"]
    assert seq.absent is None
    np.testing.assert_array_equal(seq.ground_truth, np.round(gt, 4))


def test_bad_input(got, tmp_path):
    with open(os.path.join(got, "val", "list.txt"), "a") as f:
        f.write("GOT-10k_Val_000099\n")
    with pytest.raises(DatasetError, match="GOT-10k_Val_000099"):
        GOT10k(got, split="val")
    with pytest.raises(DatasetError, match="'train' is missing"):
        os.rename(os.path.join(got, "train"), os.path.join(got, "train_old"))
        GOT10k(got, split="train")
    d = os.path.join(got, "test", "GOT-10k_Test_000001")
    open(os.path.join(d, "groundtruth.txt"), "w").write("1,2,3,4\n1,2,3,4\n")
    with pytest.raises(DatasetError, match="2 lines, but the sequence has 5 frames"):
        GOT10k(got)[0]
    open(os.path.join(d, "groundtruth.txt"), "w").write("1,2,3,four\n")
    with pytest.raises(DatasetError, match="line 1"):
        GOT10k(got)[0]
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="does not look like GOT-10k"):
        GOT10k(str(tmp_path / "empty"), split="val")


def test_label_count_mismatch(got):
    d = os.path.join(got, "val", "GOT-10k_Val_000002")
    open(os.path.join(d, "cover.label"), "w").write("8\n8\n")
    with pytest.raises(DatasetError, match="cover.label: 2 labels"):
        GOT10k(got, split="val")[1]


def test_write_got10k_round_trip(tmp_path):
    seqs = [make_sequence(s, 40, size=(64, 96), attributes=["out_of_view", "partial_occlusion"])
            for s in (31, 32)]
    write_got10k(str(tmp_path), seqs, split="val")
    write_got10k(str(tmp_path), seqs[:1], split="test")
    ds = GOT10k(str(tmp_path), split="val")
    assert ds.sequence_names() == sorted(s.name for s in seqs)
    for seq in seqs:
        back = ds[seq.name]
        np.testing.assert_array_equal(back.ground_truth, seq.ground_truth)
        np.testing.assert_array_equal(back.absent, seq.absent)
        np.testing.assert_array_equal(back.attributes["cover"], seq.attributes["cover"])
        assert back.attributes["meta"]["resolution"] == "(96, 64)"
    test = GOT10k(str(tmp_path))[0]
    np.testing.assert_array_equal(test.ground_truth[0], seqs[0].ground_truth[0])
    assert np.isnan(test.ground_truth[1:]).all()
