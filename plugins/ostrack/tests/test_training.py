"""OSTrack's training model: official losses, CE warm-up, and a micro model that learns."""
from __future__ import annotations

import math

import pytest
import torch

from vot_ostrack.training import OSTrackModel, ce_keep_rate

MICRO = dict(template_size=32, search_size=64, patch_size=8, embed_dim=32, depth=2, num_heads=2,
             head_channels=16, ce_loc=[1], ce_keep_ratio=[0.7], drop_path_rate=0.0)


def test_ce_warm_up_follows_the_official_schedule():
    # 1-based epochs, start 20, warm 80, base 0.7 (vitb_256_mae_ce_32x4_ep300)
    assert ce_keep_rate(1, 20, 80, 0.7) == 1.0
    assert ce_keep_rate(19, 20, 80, 0.7) == 1.0
    assert ce_keep_rate(20, 20, 80, 0.7) == pytest.approx(1.0)
    assert ce_keep_rate(60, 20, 80, 0.7) == pytest.approx(0.7 + 0.3 * (math.cos(math.pi / 2) + 1) / 2)
    assert ce_keep_rate(100, 20, 80, 0.7) == 0.7
    assert ce_keep_rate(300, 20, 80, 0.7) == 0.7


def test_losses_are_weighted_as_the_paper():
    torch.manual_seed(0)
    model = OSTrackModel(**MICRO)
    z, x = torch.randn(3, 3, 32, 32), torch.randn(3, 3, 64, 64)
    box = torch.tensor([[0.4, 0.4, 0.2, 0.3]] * 3)
    losses = model(z, x, None, box)
    assert set(losses) == {"loss_giou", "loss_l1", "loss_focal", "iou"}
    unweighted = OSTrackModel(**MICRO, loss_weights=dict(giou=1.0, l1=1.0, focal=1.0))
    unweighted.load_state_dict(model.state_dict())
    raw = unweighted(z, x, None, box)
    torch.testing.assert_close(losses["loss_giou"], 2 * raw["loss_giou"])
    torch.testing.assert_close(losses["loss_l1"], 5 * raw["loss_l1"])
    torch.testing.assert_close(losses["loss_focal"], raw["loss_focal"])


def test_state_dict_names_match_the_tracker_network():
    from vot_ostrack.ostrack import build_ostrack

    net_kwargs = {k: v for k, v in MICRO.items() if k != "drop_path_rate"}
    network = build_ostrack(**net_kwargs)
    model = OSTrackModel(**MICRO)
    assert list(model.state_dict()) == list(network.state_dict())
    network.load_state_dict(model.state_dict(), strict=True)


def test_micro_model_learns_on_synthetic_pairs():
    """A few iterations of the real pipeline (pairs, crops, losses, AdamW): the loss falls."""
    from vot_core.datasets.synthetic import make_suite
    from vot_core.training.pairs import PairDataset, PairSamplingConfig
    from vot_core.training.transforms import CropConfig

    torch.manual_seed(0)
    sampling = PairSamplingConfig(samples_per_epoch=8, max_gap=10, seed=1,
                                  template=CropConfig(2.0, 32),
                                  search=CropConfig(4.0, 64, center_jitter=1.0, scale_jitter=0.1))
    pairs = PairDataset([make_suite("synthetic-tiny")], config=sampling)
    batch = torch.utils.data.default_collate([pairs[i] for i in range(8)])
    model = OSTrackModel(**MICRO)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)
    history = []
    for _ in range(25):
        losses = model(batch["template"], batch["search"], batch["template_box"],
                       batch["search_box"])
        total = sum(v for k, v in losses.items() if k.startswith("loss"))
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        history.append(float(total.detach()))
    assert history[-1] < 0.6 * history[0], history
