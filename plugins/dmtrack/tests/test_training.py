"""DMTrack-GS training: FCOS targets and the official losses by hand; the loss falls."""
from __future__ import annotations

import math

import pytest
import torch

from vot_dmtrack.decode import fcos_points
from vot_dmtrack.random_init import variance_scaled_init_
from vot_dmtrack.training import (
    DMTrackModel,
    centerness_target,
    fcos_losses,
    fcos_targets,
    iou_loss,
)


def test_fcos_targets_centre_sampling_and_regress_ranges():
    points = [fcos_points(8, 8, 8), fcos_points(4, 4, 16), fcos_points(2, 2, 32)]
    gt = torch.tensor([8.0, 8.0, 56.0, 40.0])  # 48 x 32 box, centre (32, 24)
    positive, targets = fcos_targets(points, (8, 16, 32), gt)
    p3 = positive[:64].view(8, 8)
    # P3: strictly inside the centre region (32 +- 12, 24 +- 12) (clipped to the box), and
    # max(l, t, r, b) <= 64: points x in {28, 36}, y in {20, 28}
    rows, cols = torch.nonzero(p3, as_tuple=True)
    assert set((cols * 8 + 4).tolist()) == {28, 36} and set((rows * 8 + 4).tolist()) == {20, 28}
    assert int(p3.sum()) == 4
    assert not positive[64:].any()  # max(l, t, r, b) <= 64 everywhere: never P4 / P5
    i = 2 * 8 + 3  # point (28, 20)
    assert targets[i].tolist() == [20.0, 12.0, 28.0, 20.0]
    wide = [fcos_points(32, 32, 8), fcos_points(16, 16, 16), fcos_points(8, 8, 32)]
    big = torch.tensor([0.0, 0.0, 200.0, 180.0])  # centre (100, 90): distances > 64 -> P4 / P5
    pos_big, targets_big = fcos_targets(wide, (8, 16, 32), big)
    assert not pos_big[:1024].any() and pos_big[1024:].any()
    assert (targets_big[pos_big].max(-1).values > 64).all()


def test_centerness_and_iou_loss_by_hand():
    ltrb = torch.tensor([[2.0, 1.0, 8.0, 3.0]])
    assert centerness_target(ltrb).item() == pytest.approx(math.sqrt(2 / 8 * 1 / 3))
    pred = torch.tensor([[0.0, 0.0, 4.0, 4.0]])
    target = torch.tensor([[2.0, 0.0, 6.0, 4.0]])  # IoU = 8 / 24
    assert iou_loss(pred, target, torch.tensor([0.5])).item() == pytest.approx(-math.log(1 / 3) * 0.5)


def test_losses_without_positives_are_focal_only():
    cls = [torch.zeros(1, 2, 2, 2)]
    reg = [torch.ones(1, 4, 2, 2)]
    ctr = [torch.zeros(1, 1, 2, 2)]
    losses = fcos_losses(cls, reg, ctr, (8,), torch.tensor([100.0, 100.0, 110.0, 110.0]))
    # 8 negatives at p = 0.5: (1 - 0.25) * 0.5^2 * ln 2 each, / (0 + 1)
    assert losses["loss_cls"].item() == pytest.approx(8 * 0.75 * 0.25 * math.log(2), rel=1e-5)
    assert losses["loss_bbox"].item() == 0 and losses["loss_centerness"].item() == 0


def test_training_steps_reduce_the_loss():
    torch.manual_seed(0)
    model = variance_scaled_init_(DMTrackModel(head_channels=32, mid_channels=4), seed=0)
    model.backbone.requires_grad_(False)  # keeps the test fast; the head and controller learn
    template = torch.randn(2, 3, 64, 64) * 0.3
    search = torch.randn(2, 3, 64, 64) * 0.3
    template[:, :, 16:48, 20:44] += 2.0
    search[:, :, 8:40, 24:48] += 2.0
    tbox = torch.tensor([[20.0, 16.0, 43.0, 47.0]] * 2)  # [x1, y1, x2, y2] input pixels
    sbox = torch.tensor([[24.0, 8.0, 47.0, 39.0]] * 2)
    optim = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    totals = []
    for _ in range(4):
        losses = model(template, search, tbox, sbox, mode="loss")
        total = sum(losses.values())
        assert set(losses) == {"loss_cls", "loss_bbox", "loss_centerness"}
        assert losses["loss_bbox"].item() > 0  # the box has positives on P3
        optim.zero_grad()
        total.backward()
        optim.step()
        totals.append(total.item())
    assert totals[-1] < 0.8 * totals[0], totals
    outs = model(template, search, tbox, sbox, mode="predict")
    assert len(outs) == 2 and outs[0][0][0].shape == (1, 2, 8, 8)
    assert set(model.state_dict()) == set(__import__("vot_dmtrack.dmtrack", fromlist=["x"])
                                          .build_dmtrack(32, 4).state_dict())


def _tiny():
    from vot_core.config import load_config
    from vot_core.plugins import get_plugin_manager

    get_plugin_manager()
    return load_config("dmtrack/tiny_synthetic")


def test_training_configs_build_the_model_through_the_registry():
    from vot_core.config import load_config
    from vot_core.registry import MODELS

    tiny = _tiny()
    model = MODELS.build(dict(tiny.model))
    assert isinstance(model, DMTrackModel) and model.controller.mid_channels == 4
    recipe = load_config("dmtrack/train_dmtrackgs_dla34_fpn")
    assert recipe.optim_wrapper.optimizer.lr == 2.5e-4 and recipe.train_cfg.max_epochs == 48
    assert recipe.optim_wrapper.paramwise_cfg == dict(bias_lr_mult=2.0, bias_decay_mult=0.0,
                                                      norm_decay_mult=1.0)
    assert recipe.optim_wrapper.clip_grad == dict(max_norm=35, norm_type=2)
    assert recipe.train_data.sampling.samples_per_epoch == 30000
    assert [(d["type"], d["weight"]) for d in recipe.train_data.datasets] == [
        ("coco", 0.5), ("lasot", 0.5)]
    assert recipe.train_data.datasets[0]["min_size"] == 1  # official: w, h >= 1
    warmup, steps = recipe.param_scheduler
    assert warmup["type"] == "ConstantLR" and warmup["end"] == 500
    assert abs(warmup["factor"] - 0.001 / 3) < 1e-15 and steps["milestones"] == [44, 46]
    # whole images as the official extra_full: rescaled into (1333, 800), not the config's 900
    whole = recipe.train_data.sampling.whole_frame
    assert tuple(whole.scale) == (1333, 800) and whole.inclusive_boxes and whole.flip_prob == 0.5
    assert whole.photometric and whole.swap_channels_each and whole.swap_channels_shared
    assert whole.expand and tuple(whole.crop_min_ious) == (0.1, 0.3, 0.5, 0.7, 0.9)
    assert recipe.train_data.batch_size == 1 and recipe.train_data.sampling.max_gap == 300


def test_tiny_recipe_lowers_the_loss_on_whole_synthetic_frames():
    from vot_core.registry import MODELS
    from vot_core.training.engine import build_dataloader

    cfg = _tiny()
    torch.manual_seed(0)
    model = MODELS.build(dict(cfg.model)).train()
    batch = next(iter(build_dataloader(dict(cfg.train_data, batch_size=1))))  # test speed
    # expanded / cropped frames rescaled into (long 96, short 64), padded to multiples of 32
    height, width = batch["search"].shape[-2:]
    assert batch["search"].shape[:2] == (1, 3) and height % 32 == 0 and width % 32 == 0
    for h, w in batch["search_shape"].tolist():
        assert max(h, w) <= 96 and min(h, w) <= 64 and (max(h, w) >= 95 or min(h, w) >= 63)
        assert h <= height and w <= width
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.Adam(params, lr=1e-2)
    totals = []
    for _ in range(3):
        losses = model(**batch)
        total = sum(losses.values())
        optim.zero_grad()
        total.backward()
        optim.step()
        totals.append(float(total.detach()))
    # the IoU loss starts clamped at -ln(1e-6) (ReLU distances start near 0, as the official
    # head's), so the fall comes from the focal and centerness terms
    assert totals[2] < totals[1] < totals[0] and totals[0] - totals[2] > 2e-3, totals


def test_vot_train_writes_a_checkpoint_the_tracker_loads_strictly(tmp_path):
    import numpy as np

    from vot_core.cli import main
    from vot_core.pipeline import build_pipeline
    from vot_core.registry import MODELS

    cfg = _tiny()
    work = tmp_path / "work"
    code = main(["train", "dmtrack/tiny_synthetic", "--work-dir", str(work),
                 "--cfg-options", "train_data.sampling.samples_per_epoch=2"])  # one step
    assert code == 0
    state = torch.load(work / "epoch_1.pth", map_location="cpu", weights_only=True)["state_dict"]
    torch.manual_seed(42)  # the runner's seed: the same initial weights
    initial = MODELS.build(dict(cfg.model)).state_dict()
    assert set(state) == set(initial)  # the official key names
    assert not torch.equal(state["bbox_head.fcos_cls.weight"], initial["bbox_head.fcos_cls.weight"])
    pipe = build_pipeline(cfg, weights=str(work / "epoch_1.pth"))  # strict load
    torch.testing.assert_close(pipe.tracker.network.bbox_head.fcos_cls.weight,
                               state["bbox_head.fcos_cls.weight"])
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)
    pipe.initialize(frame, (40.0, 30.0, 30.0, 20.0))
    pred = pipe.track(frame)
    assert 0.0 <= pred.score <= 1.0 and pred.box.w > 0
