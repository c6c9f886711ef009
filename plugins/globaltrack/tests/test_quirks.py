"""Hand-computed checks of the mmdetection v1 conventions GlobalTrack inherits."""
from __future__ import annotations

import math

import pytest
import torch

from vot_core.structures import Box
from vot_globaltrack.anchors import AnchorGenerator, base_anchors, grid_anchors
from vot_globaltrack.bbox_coder import MAX_RATIO, bbox2delta, delta2bbox
from vot_globaltrack.postprocess import legacy_nms, rcnn_detections, rpn_proposals
from vot_globaltrack.tracker import ltrb_inclusive, xywh_inclusive

BASE_ANCHORS = {
    4: [[-21, -9, 24, 12], [-14, -14, 17, 17], [-9, -21, 12, 24]],
    8: [[-41, -19, 48, 26], [-28, -28, 35, 35], [-19, -41, 26, 48]],
    16: [[-83, -37, 98, 52], [-56, -56, 71, 71], [-37, -83, 52, 98]],
    32: [[-165, -75, 196, 106], [-112, -112, 143, 143], [-75, -165, 106, 196]],
    64: [[-330, -149, 393, 212], [-224, -224, 287, 287], [-149, -330, 212, 393]],
}


@pytest.mark.parametrize("stride", sorted(BASE_ANCHORS))
def test_base_anchors(stride):
    assert base_anchors(stride).tolist() == BASE_ANCHORS[stride]


def test_grid_order_is_row_col_anchor():
    anchors = grid_anchors(base_anchors(4), 2, 3, 4)
    assert anchors.shape == (2 * 3 * 3, 4)
    # index = (row * 3 + col) * 3 + anchor; shift = (col * 4, row * 4)
    assert anchors[(1 * 3 + 2) * 3 + 1].tolist() == [-14 + 8, -14 + 4, 17 + 8, 17 + 4]
    assert anchors[(0 * 3 + 1) * 3 + 0].tolist() == [-21 + 4, -9, 24 + 4, 12]
    levels = AnchorGenerator()([(2, 3), (1, 2), (1, 1), (1, 1), (1, 1)], torch.device("cpu"))
    assert [a.shape[0] for a in levels] == [18, 6, 3, 3, 3]
    assert levels[4][0].tolist() == BASE_ANCHORS[64][0]


def test_delta2bbox_plus_one_and_clamps():
    rois = torch.tensor([[10.0, 20.0, 29.0, 59.0]])  # w = 20, h = 40, centre (19.5, 39.5)
    out = delta2bbox(rois, torch.tensor([[0.1, -0.25, math.log(2.0), 0.0]]))
    # gx = 19.5 + 20 * 0.1 = 21.5, gw = 40: x1 = 21.5 - 20 + 0.5 = 2, x2 = 21.5 + 20 - 0.5 = 41
    # gy = 39.5 - 10 = 29.5, gh = 40: y1 = 29.5 - 20 + 0.5 = 10, y2 = 29.5 + 20 - 0.5 = 49
    torch.testing.assert_close(out, torch.tensor([[2.0, 10.0, 41.0, 49.0]]))
    # dw is clamped at |log(16 / 1000)| = 4.1352 and the result to [0, W - 1] x [0, H - 1]
    assert MAX_RATIO == pytest.approx(4.135166556742356)
    big = delta2bbox(rois, torch.tensor([[0.0, 0.0, 10.0, -10.0]]))
    gw = 20 * math.exp(MAX_RATIO)
    gh = 40 * math.exp(-MAX_RATIO)
    torch.testing.assert_close(big, torch.tensor([[19.5 - gw / 2 + 0.5, 39.5 - gh / 2 + 0.5,
                                                   19.5 + gw / 2 - 0.5, 39.5 + gh / 2 - 0.5]]))
    clamped = delta2bbox(rois, torch.tensor([[0.0, 0.0, 10.0, 0.0]]), max_shape=(50, 100))
    torch.testing.assert_close(clamped, torch.tensor([[0.0, 20.0, 99.0, 49.0]]))
    # class-specific deltas with stds (0.1, 0.1, 0.2, 0.2): columns 4:8 decode class 1
    two = delta2bbox(rois, torch.tensor([[9.0, 9.0, 9.0, 9.0, 1.0, -2.5, 5 * math.log(2.0), 0.0]]),
                     stds=(0.1, 0.1, 0.2, 0.2))
    torch.testing.assert_close(two[:, 4:], torch.tensor([[2.0, 10.0, 41.0, 49.0]]))
    # bbox2delta is its inverse
    gt = torch.tensor([[2.0, 10.0, 41.0, 49.0]])
    torch.testing.assert_close(delta2bbox(rois, bbox2delta(rois, gt)), gt)


def test_legacy_nms_plus_one_strict_and_index_order():
    boxes = torch.tensor([[0.0, 0.0, 9.0, 9.0], [5.0, 0.0, 14.0, 9.0], [20.0, 20.0, 29.0, 29.0],
                          [0.0, 0.0, 9.0, 9.0]])
    scores = torch.tensor([0.2, 0.9, 0.5, 0.2 - 1e-3])
    # IoU(0, 1) with +1 pixels: 5 * 10 / (100 + 100 - 50) = 1/3 (without +1: 4*9/(81+81-36) = 0.286)
    assert legacy_nms(boxes, scores, 1 / 3 - 1e-6).tolist() == [1, 2]
    # kept indices come back in ascending index order, not by score
    assert legacy_nms(boxes, scores, 0.5).tolist() == [0, 1, 2]
    # strict ">": IoU exactly equal to the threshold is kept (box 3 == box 0: IoU 1)
    assert legacy_nms(boxes, scores, 1.0).tolist() == [0, 1, 2, 3]


def test_rpn_proposals_topk_per_level_nms_then_global_topk():
    # level 0: a 1x2 map with 1 anchor per cell (4 px anchors); level 1: 1x1 map
    a0 = torch.tensor([[0.0, 0.0, 9.0, 9.0], [1.0, 0.0, 10.0, 9.0]])
    a1 = torch.tensor([[30.0, 30.0, 49.0, 49.0]])
    cls0 = torch.tensor([[[2.0, 1.0]]])        # (A=1, H=1, W=2)
    cls1 = torch.tensor([[[1.5]]])
    reg0, reg1 = torch.zeros(4, 1, 2), torch.zeros(4, 1, 1)
    out = rpn_proposals([cls0, cls1], [reg0, reg1], [a0, a1], (100, 100), nms_pre=1000)
    # level 0: the two anchors overlap (IoU 90/110 = 0.82 > 0.7) -> only the best survives
    sig = torch.sigmoid(torch.tensor([2.0, 1.5]))
    torch.testing.assert_close(out, torch.tensor([[0.0, 0.0, 9.0, 9.0, sig[0]],
                                                  [30.0, 30.0, 49.0, 49.0, sig[1]]]))
    # nms_pre=1 keeps the top anchor of each level before NMS; max_num=1 keeps the global best
    out = rpn_proposals([cls0, cls1], [reg0, reg1], [a0, a1], (100, 100), nms_pre=1, max_num=1)
    assert out.shape == (1, 5) and out[0, 4] == sig[0]
    # the global top-k sorts by score: level 1 first when it scores higher
    out = rpn_proposals([cls0, torch.tensor([[[5.0]]])], [reg0, reg1], [a0, a1], (100, 100))
    assert out[:, 0].tolist() == [30.0, 0.0]


def test_rcnn_detections_score_threshold_nms_no_sort_and_rescale():
    proposals = torch.tensor([[0.0, 0.0, 19.0, 19.0, 0.9], [40.0, 40.0, 59.0, 59.0, 0.8],
                              [1.0, 1.0, 20.0, 20.0, 0.7], [70.0, 0.0, 89.0, 19.0, 0.6]])
    # object logits: rising scores (the output keeps this order: no sort below 1000 rows);
    # row 3 has an object score of exactly 0 (softmax underflow) and is dropped (score > 0)
    cls = torch.tensor([[0.0, -1.0], [0.0, 0.0], [0.0, 2.0], [0.0, -200.0]])
    reg = torch.zeros(4, 8)
    dets = rcnn_detections(proposals, cls, reg, img_shape=(100, 100), scale_factor=2.0)
    s = torch.softmax(cls, 1)[:, 1]
    assert s[3] == 0
    # rows 0 and 2 overlap with IoU 19*19/(400+400-361) = 0.82 > 0.5: row 2 (higher) wins;
    # the kept rows stay in proposal order [1, 2], not in score order [2, 1]
    torch.testing.assert_close(dets, torch.tensor([[20.0, 20.0, 29.5, 29.5, s[1]],
                                                   [0.5, 0.5, 10.0, 10.0, s[2]]]))
    # with max_per_img below the count they are sorted by score and truncated
    dets = rcnn_detections(proposals, cls, reg, (100, 100), 2.0, max_per_img=1)
    torch.testing.assert_close(dets, torch.tensor([[0.5, 0.5, 10.0, 10.0, s[2]]]))
    # boxes are clamped to img_shape (H=95, W=97) before the division by scale_factor:
    # gx = 94.5 + 10 * 0.5 = 99.5 -> x1 = 95, x2 = 104 -> 96; y1 = 95 -> 94, y2 = 104 -> 94
    far = torch.tensor([[90.0, 90.0, 99.0, 99.0, 0.5]])
    dets = rcnn_detections(far, torch.tensor([[0.0, 1.0]]),
                           torch.tensor([[0, 0, 0, 0, 5.0, 5.0, 0, 0]]), (95, 97), 2.0)
    torch.testing.assert_close(dets[0, :4], torch.tensor([95.0, 94.0, 96.0, 94.0]) / 2.0)


def test_inclusive_boxes():
    assert ltrb_inclusive(Box(10, 20, 30, 40)).tolist() == [10, 20, 39, 59]
    assert xywh_inclusive([10.0, 20.0, 39.0, 59.0, 0.9]) == Box(10, 20, 30, 40)
