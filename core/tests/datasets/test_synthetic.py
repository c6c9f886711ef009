import pickle
import time

import cv2
import numpy as np
import pytest
from vot_core.datasets import DatasetError
from vot_core.datasets.lasot import LaSOT
from vot_core.datasets.synthetic import (
    EFFECTS,
    SUITES,
    SyntheticDataset,
    make_sequence,
    make_suite,
    sequence_name,
    write_lasot,
)


def test_same_seed_same_frames_and_boxes():
    a, b = make_sequence(11, 60, difficulty="hard"), make_sequence(11, 60, difficulty="hard")
    assert a.name == b.name == sequence_name(11)
    np.testing.assert_array_equal(a.ground_truth, b.ground_truth)
    np.testing.assert_array_equal(a.absent, b.absent)
    for i in (59, 0, 31):  # any order: frames are rendered without state
        np.testing.assert_array_equal(a.frame(i), b.frame(i))
    c = make_sequence(12, 60, difficulty="hard")
    assert not np.array_equal(a.frame(0), c.frame(0))


def test_frames_pickle_as_their_recipe():
    seq = make_sequence(5, 40, size=(96, 128))
    clone = pickle.loads(pickle.dumps(seq.frames))
    assert len(pickle.dumps(seq.frames)) < 2000
    np.testing.assert_array_equal(clone(17), seq.frame(17))


def test_frame_format_and_speed():
    seq = make_sequence(3, 50, size=(120, 160), difficulty="hard")
    f = seq.frame(0)
    assert f.shape == (120, 160, 3) and f.dtype == np.uint8
    t = time.perf_counter()
    for i in range(len(seq)):
        seq.frame(i)
    per_frame = (time.perf_counter() - t) / len(seq)
    assert per_frame < 0.02, per_frame  # ~1 ms when the machine is idle


def test_suites_have_disjoint_seeds_and_unique_names():
    ranges = [set(spec.seeds) for spec in SUITES.values()]
    for i in range(len(ranges)):
        for j in range(i + 1, len(ranges)):
            assert not ranges[i] & ranges[j]
    assert {"synthetic-train", "synthetic-test", "synthetic-demo"} <= set(SUITES)
    seqs = make_suite("synthetic-tiny")
    spec = SUITES["synthetic-tiny"]
    assert [s.attributes["seed"] for s in seqs] == list(spec.seeds)
    assert len({s.name for s in seqs}) == len(seqs)
    assert all(len(s) == spec.num_frames for s in seqs)
    with pytest.raises(KeyError, match="unknown synthetic suite"):
        make_suite("synthetic-nope")


def test_clean_sequence_box_matches_rendered_target():
    seq = make_sequence(21, 30, size=(120, 160), attributes=())
    assert seq.attributes["tags"] == () and not seq.absent.any()
    scene = seq.frames.scene
    for i in (0, 15, 29):
        frame = seq.frame(i).astype(int)
        diff = np.abs(frame - scene.background.astype(int)).sum(2) > 0
        ys, xs = np.nonzero(diff)
        x, y, w, h = seq.ground_truth[i]
        # the pixels that changed span the box (to within the anti-aliased edge pixel)
        assert abs(xs.min() - x) <= 1.0 and abs(xs.max() + 1 - (x + w)) <= 1.0
        assert abs(ys.min() - y) <= 1.0 and abs(ys.max() + 1 - (y + h)) <= 1.0


@pytest.mark.parametrize("seed", range(6))
def test_out_of_view_flags_agree_with_boxes(seed):
    seq = make_sequence(seed, 150, size=(96, 128), attributes=["out_of_view", "rotation"])
    H, W = 96, 128
    oov = seq.attributes["out_of_view"]
    assert "out_of_view" in seq.attributes["tags"] and oov.sum() >= 4
    assert not seq.absent[0] and (seq.ground_truth[0, 2:] > 0).all()
    # absent frames: LaSOT's 0,0,0,0 box, and the true box really is outside the frame
    np.testing.assert_array_equal(seq.ground_truth[oov], 0.0)
    full = seq.attributes["full_box"][oov]
    outside = (full[:, 0] + full[:, 2] <= 1) | (full[:, 0] >= W - 1) | \
        (full[:, 1] + full[:, 3] <= 1) | (full[:, 1] >= H - 1)
    assert outside.all()
    np.testing.assert_array_equal(seq.absent, oov | seq.attributes["full_occlusion"])
    # visible frames: boxes clipped to the frame (partly outside targets are cut at the border)
    gt = seq.ground_truth[~oov]
    assert (gt[:, 2:] >= 1).all() and (gt[:, :2] >= 0).all()
    assert (gt[:, 0] + gt[:, 2] <= W + 1e-6).all() and (gt[:, 1] + gt[:, 3] <= H + 1e-6).all()
    cut = (seq.attributes["full_box"][~oov, 2:] - gt[:, 2:] > 0.01).any(1)
    assert cut.any()  # the exit ramps produce partly visible targets


def test_occlusion_effects_are_recorded_and_drawn():
    seq = make_sequence(4, 300, size=(120, 160),
                        attributes=["full_occlusion", "partial_occlusion"])
    fo, cover = seq.attributes["full_occlusion"], seq.attributes["cover"]
    assert {"full_occlusion", "partial_occlusion"} <= set(seq.attributes["tags"])
    assert fo.sum() >= 3 and ((cover > 0) & (cover < 8)).sum() >= 10
    np.testing.assert_array_equal(cover[fo], 0)
    assert seq.absent[fo].all() and (seq.ground_truth[fo, 2:] > 0).all()
    occ = seq.frames.scene.occluder
    i = int(np.nonzero(fo)[0][0])
    x, y, w, h = seq.ground_truth[i]
    assert occ[i, 0] <= x and occ[i, 1] <= y and occ[i, 2] >= x + w and occ[i, 3] >= y + h
    frame = seq.frame(i)
    x0, y0, x1, y1 = occ[i]
    np.testing.assert_array_equal(frame[y0:y1, x0:x1],
                                  seq.frames.scene.occluder_tex[y0:y1, x0:x1])


def test_every_effect_can_be_requested():
    seq = make_sequence(9, 400, size=(96, 128), attributes=EFFECTS)
    assert set(seq.attributes["tags"]) == set(EFFECTS)
    sc = seq.frames.scene
    assert len(sc.distractors) >= 1 and sc.blur.max() > 0 and np.ptp(sc.gain) > 0.2
    assert np.ptp(sc.camera) > 0 and np.ptp(sc.target[:, 4]) > 1  # camera moves, target turns
    ratio = sc.target[:, 2] / sc.target[:, 3]
    assert ratio.max() / ratio.min() > 1.1  # aspect changes
    steps = np.hypot(*np.diff(sc.target[:, :2], axis=0).T)
    assert steps.max() > 0.2 * 96  # an abrupt jump
    for i in range(0, 400, 37):
        assert seq.frame(i).shape == (96, 128, 3)


def test_bad_options():
    with pytest.raises(ValueError, match="unknown synthetic effects"):
        make_sequence(0, attributes=["teleport"])
    with pytest.raises(ValueError, match="difficulty"):
        make_sequence(0, difficulty="insane")


def test_long_sequences_are_cheap():
    t = time.perf_counter()
    seq = make_sequence(400_000, 3000)
    assert len(seq) == 3000 and seq.ground_truth.shape == (3000, 4)
    assert time.perf_counter() - t < 2.0


def test_write_lasot_round_trip(tmp_path):
    seqs = make_suite("synthetic-tiny")[:2] + [
        make_sequence(77, 60, size=(96, 128), attributes=["out_of_view", "full_occlusion"])]
    names = write_lasot(str(tmp_path), seqs)
    ds = LaSOT(str(tmp_path), split="test")
    assert sorted(ds.sequence_names()) == sorted(names)
    for seq in seqs:
        back = ds[seq.name]
        np.testing.assert_array_equal(back.ground_truth, seq.ground_truth)
        np.testing.assert_array_equal(back.absent, seq.absent)
        np.testing.assert_array_equal(back.attributes["out_of_view"],
                                      seq.attributes["out_of_view"])
        assert back.language == seq.language and len(back) == len(seq)
        img = cv2.imread(back.frames[len(seq) - 1])[..., ::-1].astype(float)
        assert np.abs(img - seq.frame(len(seq) - 1)).mean() < 4.0  # JPEG quality 95
    # the same folder through the registered synthetic dataset
    again = SyntheticDataset(str(tmp_path))
    assert len(again) == 3
    np.testing.assert_array_equal(again[seqs[2].name].ground_truth, seqs[2].ground_truth)
    with pytest.raises(DatasetError, match="split"):
        LaSOT(str(tmp_path), split="train")


def test_in_memory_synthetic_dataset():
    ds = SyntheticDataset(split="tiny")
    assert len(ds) == len(SUITES["synthetic-tiny"].seeds)
    name = ds.sequence_names()[2]
    seq = ds[name]
    assert seq.name == name and seq.dataset == "synthetic"
    np.testing.assert_array_equal(ds[2].ground_truth, seq.ground_truth)
    with pytest.raises(DatasetError, match="unknown synthetic split"):
        SyntheticDataset(split="nope")
    default = SyntheticDataset()
    assert default.split == "test" and len(default) == len(SUITES["synthetic-test"].seeds)
