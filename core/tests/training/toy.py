"""A small trainable pair model and an in-memory video dataset for the engine tests."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import nn

from vot_core.structures import Sequence


class ToyPairModel(BaseModel):
    """Shared conv encoder; the search features correlated with the pooled template predict
    the target box in the search crop (normalised xywh). No BatchNorm or dropout, so data
    parallel runs equal single-process runs with the doubled batch."""

    def __init__(self, width: int = 8):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, width, 3, 2, 1), nn.ReLU(),
                                      nn.Conv2d(width, width, 3, 2, 1), nn.ReLU())
        self.head = nn.Conv2d(width, 5, 1)

    def forward(self, template, search, template_box=None, search_box=None, mode="loss"):
        z = self.backbone(template).mean((2, 3), keepdim=True)
        x = self.backbone(search) * z
        out = self.head(x)                       # (B, 5, h, w): score + box
        b, _, h, w = out.shape
        weights = out[:, :1].flatten(2).softmax(-1)
        boxes = (out[:, 1:].flatten(2).sigmoid() * weights).sum(-1)
        if mode == "loss":
            return {"loss_l1": F.l1_loss(boxes, search_box)}
        return boxes


def toy_sequence(seed: int, n: int = 12, size: int = 96) -> Sequence:
    """A bright textured square moving over a noisy background."""
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 90, (size, size, 3), dtype=np.uint8)
    texture = rng.integers(150, 255, (20, 20, 3), dtype=np.uint8)
    start = rng.uniform(25, 50, 2)
    velocity = rng.uniform(-2, 2, 2)  # stays inside the frame for n <= 12
    boxes = np.array([[*(start + i * velocity), 20, 20] for i in range(n)])

    def frame(i: int) -> np.ndarray:
        img = background.copy()
        x, y = (int(round(v)) for v in boxes[i, :2])
        img[y:y + 20, x:x + 20] = texture
        return img

    return Sequence(f"toy{seed}", frame, boxes, num_frames=n)


class ToyVideos:
    """A registered-style dataset: ``ToyVideos(count, seed)`` of toy sequences."""

    def __init__(self, count: int = 8, seed: int = 0):
        self.sequences = [toy_sequence(seed * 1000 + i) for i in range(count)]
        self.name = "toy"

    def __len__(self):
        return len(self.sequences)

    def __getitem__(self, i):
        return self.sequences[i]


def register():
    from vot_core.registry import DATASETS, MODELS

    if "ToyPairModel" not in MODELS:
        MODELS.add("ToyPairModel", ToyPairModel, origin="tests")
    if "ToyVideos" not in DATASETS:
        DATASETS.add("ToyVideos", ToyVideos, origin="tests")


def config(work_dir: str, batch_size: int = 8, samples: int = 32, epochs: int = 2,
           lr: float = 1e-2, optimizer: str = "AdamW"):
    from mmengine.config import Config

    return Config(dict(
        model=dict(type="ToyPairModel"),
        train_data=dict(
            datasets=[dict(type="ToyVideos", count=6, weight=1.0)],
            batch_size=batch_size, num_workers=0,
            sampling=dict(samples_per_epoch=samples, max_gap=5, seed=3,
                          template=dict(factor=2.0, size=32),
                          search=dict(factor=4.0, size=64, center_jitter=1.0, scale_jitter=0.1))),
        optim_wrapper=dict(optimizer=dict(type=optimizer, lr=lr, weight_decay=1e-4),
                           paramwise_cfg=dict(custom_keys={"backbone": dict(lr_mult=0.1)})),
        train_cfg=dict(by_epoch=True, max_epochs=epochs),
        default_hooks=dict(logger=dict(type="LoggerHook", interval=1)),
        randomness=dict(seed=7),
        work_dir=work_dir,
    ))
