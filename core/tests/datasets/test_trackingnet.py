import os

import numpy as np
import pytest
from vot_core.datasets import DatasetError
from vot_core.datasets.trackingnet import TrackingNet


def _video(root, chunk, name, n, first_only=False):
    frames = os.path.join(root, chunk, "frames", name)
    os.makedirs(frames, exist_ok=True)
    os.makedirs(os.path.join(root, chunk, "anno"), exist_ok=True)
    for i in range(n):
        open(os.path.join(frames, f"{i}.jpg"), "wb").close()
    rows = [[i, 2 * i, 10, 20] for i in range(1 if first_only else n)]
    with open(os.path.join(root, chunk, "anno", name + ".txt"), "w") as f:
        f.write("\n".join(",".join(f"{v:.2f}" for v in r) for r in rows) + "\n")


@pytest.fixture
def tn(tmp_path):
    root = str(tmp_path / "TrackingNet")
    _video(root, "TRAIN_0", "-3TIfnTSM6c_2", 12)
    _video(root, "TRAIN_0", "a0b1", 3)
    _video(root, "TRAIN_3", "zz_9", 4)
    _video(root, "TEST", "test_clip", 11, first_only=True)
    return root


def test_chunks_and_numeric_frame_order(tn):
    train = TrackingNet(tn, split="train")
    assert train.sequence_names() == ["-3TIfnTSM6c_2", "a0b1", "zz_9"]
    assert TrackingNet(tn, split="TRAIN_3").sequence_names() == ["zz_9"]
    seq = train["-3TIfnTSM6c_2"]
    assert [os.path.basename(f) for f in seq.frames[9:]] == ["9.jpg", "10.jpg", "11.jpg"]
    np.testing.assert_array_equal(seq.ground_truth[11], [11, 22, 10, 20])
    assert seq.attributes["chunk"] == "TRAIN_0"


def test_test_split_first_frame_only(tn):
    seq = TrackingNet(tn)[0]
    assert len(seq) == 11 and np.isnan(seq.ground_truth[1:]).all()
    np.testing.assert_array_equal(seq.ground_truth[0], [0, 0, 10, 20])


def test_bad_input(tn, tmp_path):
    with open(os.path.join(tn, "TRAIN_0", "anno", "a0b1.txt"), "a") as f:
        f.write("1,2,3,4\n")
    with pytest.raises(DatasetError, match="4 lines, but the sequence has 3 frames"):
        TrackingNet(tn, split="train")["a0b1"]
    with open(os.path.join(tn, "TRAIN_3", "anno", "ghost.txt"), "w") as f:
        f.write("1,2,3,4\n")
    with pytest.raises(DatasetError, match="missing frame folder"):
        TrackingNet(tn, split="TRAIN_3")
    with pytest.raises(DatasetError, match="does not look like TrackingNet"):
        TrackingNet(tn, split="TRAIN_5")
    with pytest.raises(DatasetError, match="unknown split"):
        TrackingNet(tn, split="val")
