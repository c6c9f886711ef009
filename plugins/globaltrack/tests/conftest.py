"""Shared fixtures: one full-size QG-RCNN with variance-scaled random weights per session."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vot_globaltrack.preprocess import Preprocessor
from vot_globaltrack.qg_rcnn import QGRCNN, build_qg_rcnn
from vot_globaltrack.random_init import variance_scaled_

#: a small network input (long, short side) so a forward takes a fraction of a second
SMALL_SCALE = (128, 64)


@pytest.fixture(autouse=True)
def _two_threads():
    torch.set_num_threads(2)
    yield


def random_frame(seed: int, height: int = 90, width: int = 150) -> np.ndarray:
    """A frame with smooth structure (a bright rectangle on a gradient) plus noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    base = np.stack([xx * 255 / width, yy * 255 / height, np.full_like(xx, 90.0)], axis=-1)
    base[30:60, 50:90] = (240, 40, 40)
    return np.clip(base + rng.normal(0, 20, base.shape), 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def make_frame():
    """``make_frame(seed, height=90, width=150)`` -> an RGB uint8 frame."""
    return random_frame


@pytest.fixture(scope="session")
def small_scale():
    return SMALL_SCALE


@pytest.fixture(scope="session")
def scaled_network() -> QGRCNN:
    net = build_qg_rcnn(initialize=False)  # every tensor is filled below
    image = Preprocessor(SMALL_SCALE)(random_frame(0)).tensor
    return variance_scaled_(net, image, seed=0)


@pytest.fixture(scope="session")
def official_checkpoint(tmp_path_factory, scaled_network):
    """``scaled_network`` saved as the released file is: mmcv's ``{'meta', 'state_dict',
    'optimizer'}`` container in torch's legacy (pre-1.6, torch 1.1) serialization."""
    import collections

    state = collections.OrderedDict((k, v.clone()) for k, v in scaled_network.state_dict().items())
    ckpt = {
        "meta": {"mmdet_version": "1.0rc0+unknown", "config": "model = dict(type='QG_RCNN')\n",
                 "CLASSES": ("object",), "epoch": 12, "iter": 90000},
        "state_dict": state,
        "optimizer": {"state": {0: {"momentum_buffer": torch.zeros(3)}},
                      "param_groups": [{"lr": 0.0005, "momentum": 0.9, "weight_decay": 0.0001,
                                        "dampening": 0, "nesterov": False, "params": [0]}]},
    }
    path = tmp_path_factory.mktemp("weights") / "qg_rcnn_r50_fpn_coco_got10k_lasot.pth"
    torch.save(ckpt, path, _use_new_zipfile_serialization=False)
    return path
