"""The inference fast path (oneDNN fused linears, scaled-SiLU QuickGELU, folded corner head)
equals the plain network; training runs the plain, differentiable composition."""
from __future__ import annotations

import pytest
import torch
from helpers import random_state_dict

from vot_core import nn_fast
from vot_simtrack.simtrack import build_simtrack
from vot_simtrack.tracker import SimTrackTracker

pytestmark = pytest.mark.skipif(
    not nn_fast.available(),
    reason="this torch build has no oneDNN fused linear kernels, so the tracker runs the plain "
           "ops (tested in the other files)")


def inputs(seed=0, batch=1):
    g = torch.Generator().manual_seed(seed)
    box = torch.tensor([[0.3, 0.2, 0.4, 0.5]] * batch)
    return (torch.randn(batch, 3, 112, 112, generator=g),
            torch.randn(batch, 3, 224, 224, generator=g), box)


def rel(a, b):
    return float((a - b).abs().max() / b.abs().max())


def test_frozen_fast_forward_equals_plain_forward(tiny_model):
    nn_fast.freeze(tiny_model)
    t, s, box = inputs(1, batch=2)
    with torch.inference_mode():
        fast = tiny_model(t, s, box)
        tokens = tiny_model.backbone.embed_template(t, box)
        with torch.profiler.profile() as prof:  # the per-frame step: every layer fused
            tiny_model.track_step(*tokens, s)
        with nn_fast.reference_mode():
            plain = tiny_model(t, s, box)
    names = {e.name for e in prof.events()}
    assert {"mkldnn::_linear_pointwise", "mkldnn::_convolution_pointwise"} <= names
    assert "aten::addmm" not in names and "aten::native_batch_norm" not in names
    for key in plain:
        assert rel(fast[key], plain[key]) < 1e-5, key


def test_training_forward_is_the_plain_differentiable_one(tiny_arch):
    model = build_simtrack(tiny_arch)
    model.load_state_dict(random_state_dict(model.state_dict(), seed=2))
    nn_fast.freeze(model).train()
    t, s, box = inputs(3)
    out = model(t, s, box)["pred_boxes"]
    with nn_fast.reference_mode():
        assert torch.equal(out, model(t, s, box)["pred_boxes"])
    out.sum().backward()
    block = model.backbone.visual.transformer.resblocks[0]
    assert block.mlp.c_fc.weight.grad is not None and block.attn.in_proj_weight.grad is not None


def test_tracker_network_is_frozen_and_follows_new_weights(tiny_arch):
    tracker = SimTrackTracker.from_network(build_simtrack(tiny_arch))
    net = tracker.network
    assert nn_fast.is_frozen(net.box_head) and nn_fast.is_frozen(net.bottleneck)
    t, s, box = inputs(4)
    with torch.inference_mode():
        net(t, s, box)  # builds packed / folded weights
    net.load_state_dict(random_state_dict(net.state_dict(), seed=9))
    with torch.inference_mode():
        fast = net(t, s, box)
        with nn_fast.reference_mode():
            plain = net(t, s, box)
    for key in plain:
        assert rel(fast[key], plain[key]) < 1e-5, key
