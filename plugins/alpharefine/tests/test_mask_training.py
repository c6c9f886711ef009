"""The full recipe's data (seven datasets, masks) and the mask loss end to end: synthetic masks
cut by the pair pipeline reach AlphaRefineModel, which adds 1000 x BCE and lowers it."""
from __future__ import annotations

import inspect

import torch
from mmengine.optim import OptimWrapper

from vot_alpharefine.training import AlphaRefineModel
from vot_core.config import load_config
from vot_core.training.engine import build_pair_dataset


def test_recipe_samples_the_seven_official_datasets_with_masks():
    cfg = load_config("alpharefine/train_secm_r34")
    datasets = cfg.train_data.datasets
    assert [(d["type"], d["weight"]) for d in datasets] == [
        ("lasot", 1.0), ("got10k", 1.0), ("coco", 1.0), ("imagenet_vid", 1.0),
        ("imagenet_det", 1.0), ("youtube_vos", 2.0), ("saliency", 3.0)]
    sampling = cfg.train_data.sampling
    assert sampling.masks is True and sampling.min_length == 20 and sampling.min_visible == 4
    assert sampling.samples_per_epoch == 4000 * 32 and sampling.max_gap == 50
    from vot_core.plugins import get_plugin_manager
    from vot_core.registry import DATASETS

    get_plugin_manager()
    for d in datasets:  # a registered loader that takes the recipe's options
        options = {k: v for k, v in d.items() if k not in ("type", "weight")}
        inspect.signature(DATASETS.get(d["type"])).bind("root", **options)


def _batch(size, count, masks=True):
    cfg = load_config("alpharefine/train_tiny_synthetic")
    data = dict(cfg.train_data)
    sampling = dict(data["sampling"])
    sampling.update(samples_per_epoch=count, masks=masks,
                    template=dict(factor=2.0, size=size),
                    search=dict(factor=2.0, size=size, center_jitter=0.25, scale_jitter=0.25))
    data["sampling"] = sampling
    dataset = build_pair_dataset(data)
    samples = [dataset[i] for i in range(count)]
    return {k: torch.stack([s[k] for s in samples]) for k in samples[0]}


def test_mask_loss_is_added_for_mask_samples_and_falls():
    size = 64
    batch = _batch(size, 4)
    assert batch["search_mask"].shape == (4, 1, size, size) and bool((batch["mask_flag"] == 1).all())
    assert 0 < float(batch["search_mask"].mean()) < 0.7  # the target, about a quarter of the crop
    torch.manual_seed(0)
    model = AlphaRefineModel(variant="secm_compact", input_size=size, compact=dict(
        widths=(16, 32, 64), neck_channels=32, head_channels=32, with_mask=True))
    model.train()
    no_masks = {k: v for k, v in batch.items() if k != "search_mask"}
    with torch.no_grad():
        assert set(model(**no_masks, mode="loss")) == {"loss_corner"}
        zero_flags = model(**{**batch, "mask_flag": torch.zeros(4)}, mode="loss")
        assert set(zero_flags) == {"loss_corner"}
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=3e-3))
    history = []
    for _ in range(6):
        log = model.train_step(batch, optim)
        assert set(log) == {"loss", "loss_corner", "loss_mask"}
        history.append(float(log["loss_mask"].detach()))
    assert history[0] > 300  # 1000 x BCE of an untrained head (about 1000 x ln 2)
    assert history[-1] < 0.85 * history[0], history
