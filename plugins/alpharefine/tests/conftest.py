"""Shared fixtures: a full-size SEcm_r34 with variance-scaled random weights (finite,
non-saturated outputs), built once per session."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from vot_alpharefine.secm import secm_resnet34


def randomized_state(net: torch.nn.Module, seed: int = 0, head_scale: float = 1e-3) -> dict:
    """Random weights scaled by fan-in, random BN statistics, small last layers (so the
    soft-argmax and the mask are not saturated)."""
    g = torch.Generator().manual_seed(seed)
    state = {k: v.clone() for k, v in net.state_dict().items()}
    for key, value in state.items():
        if key.endswith("num_batches_tracked"):
            value.fill_(0)
            continue
        if key.endswith("running_var"):
            value.copy_(torch.rand(value.shape, generator=g) * 0.5 + 0.75)
        elif key.endswith("running_mean"):
            value.copy_(torch.randn(value.shape, generator=g) * 0.1)
        elif value.dim() == 1:
            is_bn_weight = value.shape == state[key.replace("weight", "running_mean")].shape \
                if key.endswith("weight") and key.replace("weight", "running_mean") in state else False
            value.copy_(torch.randn(value.shape, generator=g) * 0.1 + (1.0 if is_bn_weight else 0.0))
        else:
            value.copy_(torch.randn(value.shape, generator=g) * (2.0 / value[0].numel()) ** 0.5)
        if re.search(r"conv5_|post2\.|post_corr\.6\.", key):
            value.mul_(head_scale)
    return state


@pytest.fixture(scope="session", autouse=True)
def one_thread():
    """One intra-op thread: on a shared 2-core machine two threads wait on each other."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def random_state():
    return randomized_state(secm_resnet34(init=False), seed=0)


@pytest.fixture(scope="session")
def random_net(random_state):
    """Shared, read-only: tests must not change its weights."""
    net = secm_resnet34(init=False)
    net.load_state_dict(random_state)
    return net.eval()


@pytest.fixture(scope="session")
def textured_frame():
    rng = np.random.default_rng(7)
    import cv2
    frame = (rng.random((180, 240, 3)) * 255).astype(np.uint8)
    return cv2.GaussianBlur(frame, (5, 5), 1.5)


@pytest.fixture(scope="session")
def random_weights_file(tmp_path_factory, random_state):
    """The random weights in a plain ``{'net': state_dict}`` file (fast to write and read)."""
    path = tmp_path_factory.mktemp("weights") / "secm_random.pth"
    torch.save({"net": random_state}, path)
    return str(path)


@pytest.fixture(scope="session")
def randomize():
    """:func:`randomized_state` for tests that build other variants."""
    return randomized_state
