"""Official (neuron ``Seq2Pair`` / ``Image2Pair`` + GlobalTrack ``PairWrapper``) whole-frame
sampling: the frame filters, the pair choice among valid frames, redraws within a dataset,
several query instances per still image, their collate and COCO's ``per_image`` sequences."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

from vot_core.datasets.coco import COCO
from vot_core.structures import Sequence
from vot_core.training.pairs import PairDataset, PairSamplingConfig
from vot_core.training.whole_frame import (
    WholeFrameConfig,
    collate_whole_frame,
    cover_ok,
    neuron_frame_pair,
    valid_video_frames,
    video_boxes_ok,
)

PLAIN = dict(flip_prob=0.0, random_interpolation=False, photometric=False,
             swap_channels_shared=False)


def _frames(n, h, w, seed=0):
    images = np.random.default_rng(seed).integers(0, 255, (n, h, w, 3), dtype=np.uint8)
    return lambda i: images[i]


def _video(name, boxes, h=60, w=80, cover=None):
    boxes = np.asarray(boxes, np.float64)
    attrs = {} if cover is None else {"cover": np.asarray(cover)}
    return Sequence(name, _frames(len(boxes), h, w), boxes, absent=np.zeros(len(boxes), bool),
                    attributes=attrs, num_frames=len(boxes))


def test_box_and_cover_filters_by_hand():
    shape = (100, 200)  # h, w
    boxes = np.array([[0, 0, 40, 30],     # ok
                      [0, 0, 10, 10],     # sides 10: ok, area 100
                      [0, 0, 9.5, 30],    # side < 10
                      [0, 0, 150, 40],    # 75 % of the width: ok
                      [0, 0, 151, 40],    # over 75 %
                      [0, 0, 50, 10],     # aspect 5: out ([0.2, 5))
                      [0, 0, 49.9, 10],   # aspect 4.99: ok
                      [0, 0, np.nan, 10]])
    assert video_boxes_ok(boxes, shape).tolist() == [1, 1, 0, 1, 0, 0, 1, 0]
    # cover > max(1, 0.3 * max): max 8 -> > 2.4; max 3 -> > 1
    assert cover_ok([0, 1, 2, 3, 8, 8]).tolist() == [0, 0, 0, 1, 1, 1]
    assert cover_ok([0, 1, 2, 3]).tolist() == [0, 0, 1, 1]
    cover = [8, 8, 8, 0, 8, 8, 8, 8]
    visible = [1, 1, 1, 1, 1, 1, 0, 1]
    assert valid_video_frames(boxes, shape).tolist() == [0, 1, 3, 6]
    assert valid_video_frames(boxes, shape, cover, visible).tolist() == [0, 1]  # 3: cover, 6
    assert valid_video_frames(boxes, shape, None, None, box_filter=False).tolist() == list(range(7))


def test_pair_choice_among_valid_frames():
    rng = np.random.default_rng(0)
    assert neuron_frame_pair(np.array([4]), 300, rng) is None
    assert neuron_frame_pair(np.array([3, 90]), 5, rng) == (3, 90)  # two: in order, any gap
    valid = np.array([0, 2, 5, 6, 40, 41])
    pairs = [neuron_frame_pair(valid, 4, rng) for _ in range(400)]
    assert all(z < x and x - z <= 4 and z in valid and x in valid for z, x in pairs)
    assert {(0, 2), (2, 5), (2, 6), (5, 6), (40, 41)} == set(pairs)
    # no two distinct frames close enough: any two, with replacement, either order
    far = [neuron_frame_pair(np.array([0, 100, 200]), 10, rng) for _ in range(300)]
    assert {z for z, _ in far} == {0, 100, 200} and any(z > x for z, x in far)
    assert any(z == x for z, x in far)


def test_neuron_choice_redraws_within_the_dataset_and_keeps_valid_frames():
    good = [[10, 10, 30, 20]] * 3 + [[10, 10, 4, 4], [14, 10, 30, 20], [12, 10, 30, 20]]
    bad = [[10, 10, 4, 4]] * 5 + [[10, 10, 30, 20]]         # one valid frame only
    dataset_a = [_video("bad", bad), _video("good_a", good, cover=[8, 8, 8, 8, 0, 8])]
    dataset_b = [_video("good_b", good, h=64, w=96)]
    wf = WholeFrameConfig(scale=(96, 64), frame_choice="neuron", **PLAIN)
    pairs = PairDataset([dataset_a, dataset_b], [0.5, 0.5],
                        PairSamplingConfig(samples_per_epoch=160, max_gap=300, whole_frame=wf))
    from_a, x1_b = 0, set()
    for i in range(len(pairs)):
        sample = pairs[i]
        a = sample["search_shape"].tolist() == [64, 85]  # 60 x 80 frames, scale 64 / 60
        from_a += int(a)
        sf = float(sample["search_scale"])
        for role in ("template", "search"):
            box = sample[f"{role}_box"].numpy() / sf
            assert box[2] - box[0] == pytest.approx(29, abs=1e-4)  # never the 4 x 4 box
            if a:  # never frame 4 of A (cover 0)
                assert box[0] != pytest.approx(14, abs=1e-4)
            else:
                x1_b.add(round(float(box[0])))
    assert x1_b == {10, 12, 14}
    # Seq2Pair replaces the bad sequence by another of dataset A: A keeps its weight 0.5
    # (redrawing the dataset too, as the 'gap' choice does, would give A 1/3)
    assert 0.38 < from_a / len(pairs) < 0.62, from_a
    assert pairs.unreadable == {}


def _still(n_boxes, seed=0):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 40, (n_boxes, 2))
    wh = rng.uniform(5, 30, (n_boxes, 2))
    boxes = np.concatenate([xy, wh], axis=1)
    return Sequence(f"img{n_boxes}", _frames(1, 80, 96, seed), boxes[:1],
                    absent=np.zeros(1, bool), attributes={"instances": boxes}, num_frames=1)


def _xyxy(boxes):
    out = boxes.copy()
    out[:, 2:] = out[:, :2] + out[:, 2:] - 1
    return out


def test_still_images_carry_up_to_max_instances_matched_queries():
    many, few = _still(11, 1), _still(3, 2)
    wf = WholeFrameConfig(scale=(96, 80), frame_choice="neuron", max_instances=8, **PLAIN)
    pairs = PairDataset([[many, few]], None, PairSamplingConfig(samples_per_epoch=40, whole_frame=wf))
    chosen = set()
    counts = set()
    for i in range(len(pairs)):
        s = pairs[i]
        z, x = s["template_box"], s["search_box"]
        assert z.shape == x.shape and torch.equal(z, x)  # the same instances, row by row
        counts.add(len(z))
        source = many if len(z) == 8 else few
        expected = _xyxy(source.attributes["instances"]).astype(np.float32)
        rows = [int(np.flatnonzero((np.abs(expected - b.numpy()) < 1e-4).all(1))[0]) for b in z]
        assert len(set(rows)) == len(rows)  # drawn without replacement
        if source is many:
            chosen.add(tuple(sorted(rows)))
    assert counts == {8, 3} and len(chosen) > 3  # different subsets of the 11
    batch = collate_whole_frame([pairs[0], pairs[1], pairs[2]])
    assert isinstance(batch["template_box"], list) and len(batch["search_box"]) == 3
    assert batch["search_shape"].shape == (3, 2)
    # videos keep one box, as (1, 4); without max_instances a still image gives its first box
    video = PairDataset([[_video("v", [[10, 10, 30, 20]] * 4)]], None,
                        PairSamplingConfig(samples_per_epoch=2, whole_frame=wf))
    assert video[0]["template_box"].shape == (1, 4)
    single = PairDataset([[many]], None, PairSamplingConfig(
        samples_per_epoch=2, whole_frame=WholeFrameConfig(scale=(96, 80), **PLAIN)))
    assert single[0]["template_box"].tolist() == pytest.approx(
        _xyxy(many.attributes["instances"][:1])[0].tolist(), abs=1e-4)


def test_config_checks_the_new_options():
    with pytest.raises(ValueError, match="frame_choice"):
        WholeFrameConfig(frame_choice="random")
    with pytest.raises(ValueError, match="max_instances"):
        WholeFrameConfig(max_instances=-1)


def test_coco_per_image_sequences(tmp_path):
    root = str(tmp_path)
    os.makedirs(os.path.join(root, "annotations"))
    os.makedirs(os.path.join(root, "val2017"))
    for f in ("a.jpg", "b.jpg", "c.jpg"):
        open(os.path.join(root, "val2017", f), "wb").close()
    data = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 640, "height": 480},
                   {"id": 2, "file_name": "b.jpg", "width": 640, "height": 31},
                   {"id": 3, "file_name": "c.jpg", "width": 100, "height": 100}],
        "categories": [{"id": 1, "name": "person"}, {"id": 5, "name": "dog"}],
        "annotations": [
            {"id": 7, "image_id": 1, "category_id": 5, "bbox": [1, 2, 30, 40], "iscrowd": 0},
            {"id": 8, "image_id": 3, "category_id": 1, "bbox": [5, 5, 9, 9], "iscrowd": 0},
            {"id": 9, "image_id": 1, "category_id": 1, "bbox": [0, 0, 0.5, 9], "iscrowd": 0},
            {"id": 10, "image_id": 2, "category_id": 1, "bbox": [3, 3, 20, 20], "iscrowd": 0},
            {"id": 11, "image_id": 1, "category_id": 1, "bbox": [50, 60, 1, 1], "iscrowd": 0},
            {"id": 12, "image_id": 1, "category_id": 1, "bbox": [9, 9, 90, 90], "iscrowd": 1},
        ]}
    with open(os.path.join(root, "annotations", "instances_val2017.json"), "w") as f:
        json.dump(data, f)
    ds = COCO(root, split="val2017", min_size=1, per_image=True, min_image_side=32)
    assert ds.sequence_names() == ["coco_img_a", "coco_img_c"]  # b: 31 px high
    seq = ds["coco_img_a"]
    assert len(seq) == 1 and seq.ground_truth.tolist() == [[1, 2, 30, 40]]
    assert seq.attributes["instances"].tolist() == [[1, 2, 30, 40], [50, 60, 1, 1]]
    assert seq.attributes["classes"] == ["dog", "person"] and seq.attributes["class"] == "dog"
    assert len(COCO(root, split="val2017", min_size=1, per_image=True)) == 3
    assert len(COCO(root, split="val2017", min_size=1)) == 4  # per annotation, as before
