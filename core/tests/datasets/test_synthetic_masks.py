"""Target masks: the Sequence API and the synthetic generator's rendered masks."""
import pickle

import cv2
import numpy as np
import pytest

from vot_core.datasets.synthetic import make_sequence
from vot_core.structures import Sequence


def test_sequence_mask_sources(tmp_path):
    frames = lambda i: np.zeros((6, 8, 3), np.uint8)  # noqa: E731
    plain = Sequence("a", frames, np.ones((3, 4)))
    assert not plain.has_masks and plain.mask(1) is None
    soft = np.zeros((6, 8), np.float32)
    soft[1:3, 2:5] = 0.7
    seq = Sequence("b", frames, np.ones((3, 4)),
                   masks=lambda i: None if i == 2 else (soft if i == 0 else soft[:, :, None] > 0))
    assert seq.has_masks
    m = seq.mask(0)
    assert m.dtype == np.uint8 and m.sum() == 6 and set(np.unique(m)) == {0, 1}
    np.testing.assert_array_equal(seq.mask(1), m)  # (H, W, 1) bool -> (H, W) 0/1
    assert seq.mask(2) is None
    with pytest.raises(IndexError, match="has 3 frames"):
        seq.mask(3)
    bad = Sequence("c", frames, np.ones((1, 4)), masks=lambda i: np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="must be HxW"):
        bad.mask(0)
    path = str(tmp_path / "m.png")
    cv2.imwrite(path, (m * 255).astype(np.uint8))
    from_files = Sequence("d", [path], np.ones((1, 4)), masks=[path])
    np.testing.assert_array_equal(from_files.mask(0), m)
    missing = Sequence("e", [path], np.ones((1, 4)), masks=[str(tmp_path / "nope.png")])
    with pytest.raises(OSError, match="cannot read mask"):
        missing.mask(0)


def _extent(mask):
    ys, xs = np.nonzero(mask)
    return np.array([xs.min(), ys.min(), xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min()])


@pytest.mark.parametrize("seed", [3, 11])
def test_synthetic_masks_follow_the_target(seed):
    seq = make_sequence(seed, 80, (96, 128), attributes=(
        "rotation", "scale_change", "partial_occlusion", "full_occlusion", "out_of_view",
        "camera_motion"), distractors=1)
    assert seq.has_masks
    cover, oov = seq.attributes["cover"], seq.attributes["out_of_view"]
    checked = 0
    for i in range(len(seq)):
        mask = seq.mask(i)
        assert mask.shape == (96, 128) and mask.dtype == np.uint8
        if oov[i] or seq.attributes["full_occlusion"][i]:
            assert mask.sum() == 0, i
        elif cover[i] == 8:  # fully visible: the mask's extent is the ground-truth box
            np.testing.assert_allclose(_extent(mask), seq.ground_truth[i], atol=2.0)
            checked += 1
        else:  # partly occluded: fewer pixels, all inside the box
            x, y, w, h = seq.ground_truth[i]
            ext = _extent(mask)
            assert ext[0] >= x - 1.5 and ext[1] >= y - 1.5
            assert ext[0] + ext[2] <= x + w + 1.5 and ext[1] + ext[3] <= y + h + 1.5
    assert checked > 20
    # a rotated rectangle fills at least half of its axis-aligned box
    i = int(np.flatnonzero(cover == 8)[0])
    assert seq.mask(i).sum() > 0.5 * seq.ground_truth[i, 2] * seq.ground_truth[i, 3]


def test_synthetic_masks_are_deterministic_and_pickle():
    a, b = make_sequence(5, 30, (64, 80)), make_sequence(5, 30, (64, 80))
    for i in (0, 17, 29):
        np.testing.assert_array_equal(a.mask(i), b.mask(i))
    copy = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(copy.mask(17), a.mask(17))
    np.testing.assert_array_equal(copy.frame(17), a.frame(17))
