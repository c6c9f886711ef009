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
    assert not model.backbone.conv1.weight.requires_grad  # frozen stem (official)
    assert model.backbone.layer2[0].conv1.weight.requires_grad
    model.backbone.requires_grad_(False)  # test speed only: train neck, heads, modulators
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


def _tiny():
    from vot_core.config import load_config
    from vot_core.plugins import get_plugin_manager

    get_plugin_manager()
    return load_config("globaltrack/tiny_synthetic")


def test_recipes_follow_the_official_scripts():
    from vot_core.config import load_config

    _tiny()
    coco = load_config("globaltrack/train_qg_rcnn_r50_fpn_coco")
    full = load_config("globaltrack/train_qg_rcnn_r50_fpn_coco_got10k_lasot")
    for cfg in (coco, full):
        assert cfg.model.type == "QGRCNNModel" and cfg.model.norm_eval and cfg.model.frozen_stages == 1
        assert cfg.optim_wrapper.optimizer == dict(type="SGD", lr=0.005, momentum=0.9,
                                                   weight_decay=1e-4)
        assert cfg.optim_wrapper.clip_grad == dict(max_norm=35, norm_type=2)
        warmup, steps = cfg.param_scheduler
        assert warmup["type"] == "LinearLR" and warmup["end"] == 500
        assert abs(warmup["start_factor"] - 1 / 3) < 1e-12
        assert steps["milestones"] == [8, 11] and cfg.train_cfg.max_epochs == 12
        sampling = cfg.train_data.sampling
        assert sampling.samples_per_epoch == 30000 and sampling.max_gap == 300
        assert sampling.mode == "causal" and cfg.train_data.batch_size == 1
        whole = sampling.whole_frame
        assert tuple(whole.scale) == (1333, 800) and whole.flip_prob == 0.5 and whole.photometric
        assert whole.inclusive_boxes and not whole.expand and not whole.crop_min_ious
        # neuron Seq2Pair frame choice (box + cover filters) and PairWrapper's 8 queries
        assert whole.frame_choice == "neuron" and whole.max_instances == 8
        coco_spec = cfg.train_data.datasets[0]
        assert coco_spec["per_image"] and coco_spec["min_image_side"] == 32
    assert [(d["type"], d["weight"]) for d in coco.train_data.datasets] == [("coco", 1.0)]
    assert coco.train_data.datasets[0]["min_size"] == full.train_data.datasets[0]["min_size"] == 1
    assert [(d["type"], d["weight"]) for d in full.train_data.datasets] == [
        ("coco", 0.4), ("got10k", 0.4), ("lasot", 0.2)]
    assert coco.load_from.endswith("qg_rcnn_r50_fpn_2x_20181010-443129e1.pth")
    assert full.load_from == "work_dirs/train_qg_rcnn_r50_fpn_coco/epoch_12.pth"
    assert full.pipeline.tracker.type == "GlobalTrack"


def test_tiny_recipe_lowers_the_loss_on_whole_synthetic_frames():
    from vot_core.registry import MODELS
    from vot_core.training.engine import build_dataloader

    cfg = _tiny()
    torch.manual_seed(0)
    model = MODELS.build(dict(cfg.model)).train()
    batch = next(iter(build_dataloader(dict(cfg.train_data))))
    assert batch["search"].shape[-2:] == (96, 128)
    # (K, 4) boxes per image (videos: K = 1), as the official unstacked gt_bboxes
    assert [b.shape for b in batch["search_box"]] == [(1, 4), (1, 4)]
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.SGD(params, lr=0.02, momentum=0.9)
    totals = []
    for _ in range(4):
        model.generator.manual_seed(0)  # the same sampled anchors and RoIs every step
        total = sum(model(**batch).values())
        optim.zero_grad()
        total.backward()
        torch.nn.utils.clip_grad_norm_(params, 35)
        optim.step()
        totals.append(float(total.detach()))
    # the proposals, hence the R-CNN samples, move with the network: not monotone at first
    assert totals[3] < totals[2] < totals[1] and totals[0] - totals[3] > 0.05, totals


def test_vot_train_writes_a_checkpoint_the_tracker_loads_strictly(tmp_path, make_frame):
    from vot_core.cli import main
    from vot_core.pipeline import build_pipeline

    cfg = _tiny()
    work = tmp_path / "work"
    code = main(["train", "globaltrack/tiny_synthetic", "--work-dir", str(work),
                 "--cfg-options", "train_data.sampling.samples_per_epoch=2"])  # one step
    assert code == 0
    ckpt = torch.load(work / "epoch_1.pth", map_location="cpu", weights_only=True)
    from vot_globaltrack.qg_rcnn import build_qg_rcnn

    official_names = build_qg_rcnn(initialize=False, depth=18, channels=32, fc_channels=128)
    assert set(ckpt["state_dict"]) == set(official_names.state_dict())
    initial = MODELS_build(cfg).state_dict()
    changed = [k for k, v in ckpt["state_dict"].items() if not torch.equal(v, initial[k])]
    assert "rpn_head.rpn_cls.weight" in changed  # it trained ...
    assert "backbone.conv1.weight" not in changed  # ... from the seeded initialisation, stem frozen
    pipe = build_pipeline(cfg, weights=str(work / "epoch_1.pth"))  # strict load
    tracker = pipe.tracker
    torch.testing.assert_close(tracker.network.rpn_head.rpn_cls.weight,
                               ckpt["state_dict"]["rpn_head.rpn_cls.weight"])
    frame = make_frame(0, 96, 128)
    pipe.initialize(frame, (50.0, 30.0, 40.0, 30.0))
    pred = pipe.track(make_frame(1, 96, 128))
    assert pred.score is None or 0.0 <= pred.score <= 1.0


def MODELS_build(cfg):
    from vot_core.registry import MODELS

    torch.manual_seed(42)  # the runner's seed: the same initial weights
    return MODELS.build(dict(cfg.model))


def test_official_load_from_file_loads_into_the_training_model(official_checkpoint):
    """Stage 1's ``load_from`` (mmcv container, legacy serialization) through mmengine's
    loader, strictly: the training model has the official parameter names."""
    from mmengine.runner.checkpoint import load_checkpoint

    from vot_globaltrack.training import QGRCNNModel

    model = QGRCNNModel(init_weights=False)
    load_checkpoint(model, str(official_checkpoint), map_location="cpu", strict=True)
    state = torch.load(official_checkpoint, map_location="cpu", weights_only=True)["state_dict"]
    torch.testing.assert_close(model.rpn_head.rpn_cls.weight, state["rpn_head.rpn_cls.weight"])


def test_coco_images_give_several_matched_queries_to_the_cross_query_loss(tmp_path, make_frame):
    """The recipe's COCO path end to end: per-image sequences, up to 8 matched queries per
    pair, the unstacked (K, 4) boxes of the collate and one loss over all the queries."""
    import json
    import os

    import cv2

    from vot_core.registry import MODELS
    from vot_core.training.engine import build_dataloader

    os.makedirs(tmp_path / "annotations")
    os.makedirs(tmp_path / "train2017")
    images, annotations = [], []
    for i, n in enumerate((11, 3)):  # 11 objects: 8 are kept; 3: all
        cv2.imwrite(str(tmp_path / "train2017" / f"{i}.jpg"), make_frame(i, 90, 150))
        images.append({"id": i, "file_name": f"{i}.jpg", "width": 150, "height": 90})
        for j in range(n):
            annotations.append({"id": 100 * i + j, "image_id": i, "category_id": 1,
                                "iscrowd": 0, "bbox": [5 + 9 * j, 4 + 5 * j, 20 + j, 14 + j]})
    with open(tmp_path / "annotations" / "instances_train2017.json", "w") as f:
        json.dump({"images": images, "annotations": annotations,
                   "categories": [{"id": 1, "name": "thing"}]}, f)
    cfg = _tiny()
    train_data = dict(cfg.train_data)
    recipe = load_recipe_coco_spec()
    train_data["datasets"] = [dict(recipe, root=str(tmp_path), cache=False)]
    train_data["sampling"] = dict(train_data["sampling"], samples_per_epoch=4)
    batch = next(iter(build_dataloader(train_data)))
    counts = sorted(len(b) for b in batch["template_box"])
    assert counts in ([3, 8], [8, 8], [3, 3]) and len(batch["search_box"]) == 2
    assert all(z.shape == x.shape for z, x in zip(batch["template_box"], batch["search_box"]))
    torch.manual_seed(0)
    model = MODELS.build(dict(cfg.model)).train()
    losses = model(**batch)
    assert set(losses) == {"loss_rpn_cls", "loss_rpn_bbox", "loss_cls", "loss_bbox"}
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    assert model.rpn_modulator.proj_out[0].weight.grad.abs().sum() > 0


def load_recipe_coco_spec():
    from vot_core.config import load_config

    spec = dict(load_config("globaltrack/train_qg_rcnn_r50_fpn_coco").train_data.datasets[0])
    spec.pop("weight")
    return spec
