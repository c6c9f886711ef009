"""The inference fast path (oneDNN fused linears, folded head) equals the plain network, and
training still runs the plain, differentiable composition."""
from __future__ import annotations

import pytest
import torch
from ostrack_helpers import TINY, randomize_

from vot_core import nn_fast
from vot_ostrack.ostrack import build_ostrack, template_center_mask
from vot_ostrack.tracker import OSTrackTracker

KEYS = ("score_map", "size_map", "offset_map", "pred_boxes", "backbone_feat")
pytestmark = pytest.mark.skipif(
    not nn_fast.available(),
    reason="this torch build has no oneDNN fused linear kernels, so the tracker runs the plain "
           "ops (tested in the other files)")


def inputs(seed=0, batch=1):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(batch, 3, 128, 128, generator=g),
            torch.randn(batch, 3, 256, 256, generator=g))


@pytest.mark.parametrize("ce", [True, False])
def test_frozen_fast_forward_equals_plain_forward(ce):
    model = randomize_(build_ostrack(ce_loc=(3, 6, 9) if ce else (), **TINY), seed=7).eval()
    nn_fast.freeze(model)
    z, x = inputs(1, batch=2)
    mask = template_center_mask(8, batch=2) if ce else None
    with torch.inference_mode():
        with torch.profiler.profile() as prof:
            fast = model(z, x, ce_template_mask=mask, return_last_attn=False)
        with nn_fast.reference_mode():
            plain = model(z, x, ce_template_mask=mask, return_last_attn=False)
    names = {e.name for e in prof.events()}
    assert {"mkldnn::_linear_pointwise", "mkldnn::_convolution_pointwise"} <= names
    assert "aten::addmm" not in names and "aten::native_batch_norm" not in names
    for a, b in zip(fast["removed_indexes_s"], plain["removed_indexes_s"]):
        assert torch.equal(a, b)
    for key in KEYS:
        err = float((fast[key] - plain[key]).abs().max() / plain[key].abs().max())
        assert err < 1e-5, (key, err)


def test_training_forward_is_the_plain_differentiable_one():
    model = randomize_(build_ostrack(drop_path_rate=0.0, **TINY), seed=3)
    nn_fast.freeze(model)  # even a frozen network trains on the plain path
    z, x = inputs(2)
    mask = template_center_mask(8)
    model.train()
    out = model(z, x, ce_template_mask=mask)
    with nn_fast.reference_mode():
        ref = model(z, x, ce_template_mask=mask)
    assert torch.equal(out["pred_boxes"], ref["pred_boxes"])
    out["pred_boxes"].sum().backward()
    assert model.backbone.blocks[0].mlp.fc1.weight.grad is not None
    assert model.box_head.conv1_size[1].weight.grad is not None  # (ctr: argmax only)


def test_tracker_network_is_frozen_and_follows_new_weights():
    tracker = OSTrackTracker(**{k: v for k, v in TINY.items()})
    assert nn_fast.is_frozen(tracker.network.backbone.blocks[0].attn.qkv)
    z, x = inputs(4)
    net = tracker.network
    with torch.inference_mode():
        net(z, x, ce_template_mask=tracker._mask)  # builds packed / folded weights
    randomize_(net, seed=11)  # in-place, as load_state_dict: the caches must be rebuilt
    with torch.inference_mode():
        fast = net(z, x, ce_template_mask=tracker._mask)
        with nn_fast.reference_mode():
            plain = net(z, x, ce_template_mask=tracker._mask)
    for key in KEYS:
        assert float((fast[key] - plain[key]).abs().max() / plain[key].abs().max()) < 1e-5


@pytest.mark.parametrize("ce_loc", [(3, 6, 9), (), (3, 11)])
def test_track_step_equals_forward(ce_loc):
    """Cached template tokens and the search-only last block give forward's outputs (also when
    the last block prunes, where the search-only shortcut does not apply)."""
    model = randomize_(build_ostrack(ce_loc=ce_loc, ce_keep_ratio=(0.7,) * len(ce_loc), **TINY),
                       seed=5).eval()
    nn_fast.freeze(model)
    z, x = inputs(6)
    mask = template_center_mask(8) if ce_loc else None
    with torch.inference_mode():
        full = model(z, x, ce_template_mask=mask, return_last_attn=False)
        step = model.track_step(model.backbone.embed_template(z), x, ce_template_mask=mask)
    assert "backbone_feat" not in step
    for a, b in zip(full["removed_indexes_s"], step["removed_indexes_s"]):
        assert torch.equal(a, b)
    assert len(step["removed_indexes_s"]) == len(ce_loc)
    for key in KEYS[:4]:
        assert float((full[key] - step[key]).abs().max() / full[key].abs().max()) < 1e-5, key
