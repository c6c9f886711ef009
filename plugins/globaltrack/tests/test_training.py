"""Training: hand-checked assigner/sampler/losses and a few SGD steps that lower the loss."""
from __future__ import annotations

import copy

import torch

from vot_globaltrack.losses import (
    TrainConfig,
    bbox_overlaps,
    max_iou_assign,
    random_sample,
    rcnn_targets,
    smooth_l1,
)


def test_overlaps_assigner_and_sampler():
    gt = torch.tensor([[0.0, 0.0, 9.0, 9.0]])
    boxes = torch.tensor([[0.0, 0.0, 9.0, 9.0], [0.0, 0.0, 9.0, 4.0], [5.0, 0.0, 14.0, 9.0],
                          [50.0, 50.0, 59.0, 59.0], [0.0, 0.0, 9.0, 6.0]])
    ious = bbox_overlaps(gt, boxes)[0]
    torch.testing.assert_close(ious, torch.tensor([1.0, 0.5, 50 / 150, 0.0, 0.7]))
    # pos >= 0.7, neg < 0.3, in between ignored (-1)
    assert max_iou_assign(bbox_overlaps(gt, boxes), 0.7, 0.3, 0.3).tolist() == [1, -1, -1, 0, 1]
    # a gt whose best overlap is below pos_iou still gets its best box(es) (>= min_pos_iou)
    assert max_iou_assign(bbox_overlaps(gt, boxes[1:4]), 0.7, 0.3, 0.3).tolist() == [1, -1, 0]
    pos, neg = random_sample(torch.tensor([1, 1, 1, 0, 0, -1]), 4, 0.5,
                             torch.Generator().manual_seed(0))
    assert pos.numel() == 2 and set(pos.tolist()) <= {0, 1, 2} and sorted(neg.tolist()) == [3, 4]
    torch.testing.assert_close(smooth_l1(torch.tensor([0.05, 2.0]), torch.zeros(2), 0.1),
                               torch.tensor([0.0125, 1.95]))


def test_rcnn_targets_add_the_ground_truth():
    gt = torch.tensor([[10.0, 10.0, 29.0, 29.0]])
    proposals = torch.tensor([[60.0, 60.0, 79.0, 79.0, 0.9], [11.0, 10.0, 30.0, 29.0, 0.8]])
    rois, labels, deltas = rcnn_targets(proposals, gt, TrainConfig(rcnn_num=8))
    assert labels.tolist() == [1, 1, 0]
    assert rois[0].tolist() == gt[0].tolist() and rois[2].tolist() == proposals[0, :4].tolist()
    # deltas of the shifted proposal: dx = -1 / 20 / 0.1 = -0.5
    torch.testing.assert_close(deltas, torch.tensor([[0.0, 0, 0, 0], [-0.5, 0, 0, 0]]))


def test_a_few_steps_lower_the_cross_query_loss(scaled_network):
    from vot_globaltrack.training import QGRCNNModel

    torch.manual_seed(0)
    cfg = dict(rpn_num=64, rcnn_num=16, proposal_nms_pre=50, proposal_nms_post=50,
               proposal_max_num=50)
    # the session's network: its BatchNorms are calibrated (an untrained ResNet-50 without
    # ImageNet weights explodes activations); the neck, heads and modulators get the official
    # initialisation
    model = QGRCNNModel(train_cfg=cfg, seed=0, network=copy.deepcopy(scaled_network)).train()
    assert not model.network.backbone.conv1.weight.requires_grad  # frozen stem (official)
    assert model.network.backbone.layer2[0].conv1.weight.requires_grad
    model.network.backbone.requires_grad_(False)  # test speed only: train neck, heads, modulators
    images = torch.randn(1, 3, 64, 128)  # the padded size of the tracker tests (kernel reuse)
    images[:, :, 20:44, 16:48] += 2.0   # the object
    boxes = torch.tensor([[16.0, 20.0, 47.0, 43.0]])
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.SGD(params, lr=1e-3)
    totals = []
    for _ in range(2):
        model.generator.manual_seed(0)  # the same samples every step: only the fit changes
        losses = model(images, images, boxes, [boxes[0:1]])
        assert set(losses) == {"loss_rpn_cls", "loss_rpn_bbox", "loss_cls", "loss_bbox"}
        total = sum(losses.values())
        optim.zero_grad()
        total.backward()
        torch.nn.utils.clip_grad_norm_(params, 35)
        optim.step()
        totals.append(float(total.detach()))
    assert totals[-1] < totals[0], totals
