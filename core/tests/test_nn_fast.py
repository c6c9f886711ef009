"""vot_core.nn_fast: the fused oneDNN inference paths equal the plain layers (GEMM rounding
only), fall back to them wherever a gradient is needed, and follow parameter updates."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from vot_core import nn_fast

pytestmark = pytest.mark.skipif(not nn_fast.available(),
                                reason="this torch build has no oneDNN fused linear kernels")


def rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max() / b.abs().max())


def mlp(seed: int = 0):
    torch.manual_seed(seed)
    return nn.Linear(48, 96), nn.Linear(96, 48)


@pytest.mark.parametrize("frozen", [False, True])
def test_fused_layers_equal_plain_composition(frozen):
    fc1, fc2 = mlp()
    if frozen:
        nn_fast.freeze(fc1), nn_fast.freeze(fc2)
    x, res = torch.randn(2, 37, 48), torch.randn(2, 37, 48)
    with torch.no_grad():
        gelu_ref = res + fc2(nn.functional.gelu(fc1(x)))
        h = fc1(x)
        quick_ref = res + fc2(h * torch.sigmoid(1.702 * h))
        assert rel(nn_fast.gelu_mlp(fc1, fc2, x, residual=res), gelu_ref) < 1e-5
        assert rel(nn_fast.quick_gelu_mlp(fc1, fc2, x, residual=res), quick_ref) < 1e-5
        assert rel(nn_fast.quick_gelu_mlp(fc1, fc2, x), quick_ref - res) < 1e-5
        assert rel(nn_fast.linear(fc1, x, "gelu"), nn.functional.gelu(fc1(x))) < 1e-5
        with torch.profiler.profile() as prof:  # the fused kernels really ran
            nn_fast.gelu_mlp(fc1, fc2, x, residual=res)
        names = [e.name for e in prof.events()]
        assert names.count("mkldnn::_linear_pointwise") == 2 and "aten::addmm" not in names
        with nn_fast.reference_mode():  # the plain composition, bit for bit
            assert torch.equal(nn_fast.gelu_mlp(fc1, fc2, x, residual=res), gelu_ref)
            assert torch.equal(nn_fast.quick_gelu_mlp(fc1, fc2, x, residual=res), quick_ref)


def test_gradients_use_the_plain_path():
    fc1, fc2 = nn_fast.freeze(mlp()[0]), mlp(1)[1]
    x = torch.randn(5, 48, requires_grad=True)
    y = nn_fast.gelu_mlp(fc1, fc2, x, residual=x)
    assert torch.equal(y, x + fc2(nn.functional.gelu(fc1(x))))
    y.sum().backward()
    assert fc1.weight.grad is not None and x.grad is not None


def test_frozen_weights_follow_parameter_updates():
    fc1, fc2 = mlp()
    nn_fast.freeze(fc1), nn_fast.freeze(fc2)
    x = torch.randn(7, 48)
    with torch.inference_mode():
        nn_fast.quick_gelu_mlp(fc1, fc2, x)  # packs
    with torch.no_grad():
        fc1.weight.mul_(-2.0)  # an in-place update (optimizer step, load_state_dict)
    fc2.load_state_dict({"weight": torch.randn(48, 96), "bias": torch.randn(48)})
    with torch.inference_mode():
        h = fc1(x)
        want = fc2(h * torch.sigmoid(1.702 * h))
        assert rel(nn_fast.quick_gelu_mlp(fc1, fc2, x), want) < 1e-5
    nn_fast.unfreeze(fc1)
    assert not nn_fast.is_frozen(fc1) and nn_fast.is_frozen(fc2)


def conv_bn_relu(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU())


def test_conv_branches_equal_separate_branches():
    torch.manual_seed(0)
    owner = nn.Module()
    owner.a = nn.Sequential(conv_bn_relu(24, 16), conv_bn_relu(16, 8), nn.Conv2d(8, 1, 1))
    owner.b = nn.Sequential(conv_bn_relu(24, 16), conv_bn_relu(16, 8), nn.Conv2d(8, 2, 1))
    for m in owner.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.2), m.running_var.uniform_(0.5, 2.0)
            m.weight.data.normal_(1, 0.2), m.bias.data.normal_(0, 0.1)
    owner.eval()
    x = torch.randn(2, 24, 9, 9)
    assert not nn_fast.can_fuse_eval(owner, x)  # not frozen
    nn_fast.freeze(owner)
    with torch.inference_mode():
        assert nn_fast.can_fuse_eval(owner, x)
        got = nn_fast.conv_branches(owner, [list(owner.a), list(owner.b)], x)
        for out, branch in zip(got, (owner.a, owner.b)):
            assert out.shape == branch(x).shape
            assert rel(out, branch(x)) < 1e-5
    owner.train()
    assert not nn_fast.can_fuse_eval(owner, x)  # BatchNorm uses batch statistics
