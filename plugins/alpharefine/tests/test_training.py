"""Training: the paper's losses (corner MSE + 1000 x mask BCE on mask samples) and a few
steps of the recipe on synthetic data, where the loss falls."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper

from vot_alpharefine.secm import secm_resnet34
from vot_alpharefine.training import AlphaRefineModel, corner_targets
from vot_core.config import load_config
from vot_core.training.engine import build_pair_dataset


def test_corner_targets_are_clamped_crop_pixel_corners():
    box = torch.tensor([[0.25, 0.25, 0.5, 0.5], [-0.1, 0.9, 0.3, 0.3]])
    targets = corner_targets(box).tolist()
    assert targets[0] == [64.0, 64.0, 192.0, 192.0]
    assert targets[1] == pytest.approx([0.0, 230.4, 51.2, 256.0], rel=1e-6)  # clamped to [0, 256]


def test_losses_are_corner_mse_plus_1000_mask_bce_on_mask_samples(random_state):
    model = AlphaRefineModel()
    model.load_state_dict(random_state)
    assert list(model.state_dict()) == list(secm_resnet34(init=False).state_dict())
    model.eval()
    g = torch.Generator().manual_seed(0)
    template, search = torch.randn(2, 3, 256, 256, generator=g), torch.randn(2, 3, 256, 256, generator=g)
    box = torch.tensor([[0.25, 0.3, 0.5, 0.4], [0.2, 0.2, 0.6, 0.6]])
    masks = (torch.rand(2, 1, 256, 256, generator=g) > 0.5).float()
    with torch.no_grad():
        out = model(template, search, mode="predict")
        corner_only = model(template, search, None, box)
        losses = model(template, search, None, box, search_mask=masks, mask_flag=torch.tensor([0, 1]))
    expected_corner = ((out["corner"] - corner_targets(box)) ** 2).mean()
    expected_mask = 1000 * F.binary_cross_entropy(out["mask"][1:], masks[1:])
    assert set(corner_only) == {"loss_corner"}
    torch.testing.assert_close(corner_only["loss_corner"], expected_corner)
    torch.testing.assert_close(losses["loss_corner"], expected_corner)
    torch.testing.assert_close(losses["loss_mask"], expected_mask)


def test_recipe_steps_on_synthetic_pairs_lower_the_loss():
    cfg = load_config("alpharefine/train_tiny_synthetic")
    assert cfg.optim_wrapper.optimizer == dict(type="Adam", lr=1e-3, weight_decay=0.0)
    assert cfg.param_scheduler[0]["step_size"] == 8 and cfg.param_scheduler[0]["gamma"] == 0.5
    dataset = build_pair_dataset(dict(cfg.train_data))
    samples = [dataset[i] for i in range(2)]
    batch = {k: torch.stack([s[k] for s in samples]) for k in samples[0]}
    assert batch["template"].shape == (2, 3, 256, 256) and batch["search_box"].shape == (2, 4)
    torch.manual_seed(0)
    model = AlphaRefineModel()
    model.train()
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    history = []
    for _ in range(4):
        log = model.train_step(batch, optim)
        history.append(float(log["loss"].detach()))
    assert all(torch.isfinite(torch.tensor(history)))
    assert history[-1] < 0.5 * history[0], history
