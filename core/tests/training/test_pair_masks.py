"""Masks through the pair pipeline: cut and flipped with the image, flagged, and trained on."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vot_core.datasets.synthetic import SyntheticDataset
from vot_core.structures import Sequence
from vot_core.training.pairs import PairDataset, PairSamplingConfig
from vot_core.training.transforms import PairTransform

AR = dict(crop_style="alpharefine", mode="symmetric", max_gap=50, min_visible=4,
          template=dict(factor=2.0, size=64),
          search=dict(factor=2.0, size=64, center_jitter=0.25, scale_jitter=0.25))


def _cfg(**changes):
    return PairSamplingConfig.from_dict({**AR, "samples_per_epoch": 16, **changes})


class Videos:
    """A list of sequences with the dataset interface."""

    name = "videos"

    def __init__(self, sequences):
        self.sequences = list(sequences)

    def __len__(self):
        return len(self.sequences)

    def __getitem__(self, i):
        return self.sequences[i]


def marked_sequence(n=8, with_masks=True, H=90, W=120, mask_shape=None):
    """The target's pixels are white, everything else black, and the mask marks the same
    pixels: a crop of the frame and the crop of the mask must agree pixel for pixel."""
    rng = np.random.default_rng(1)
    rects = [(int(rng.integers(5, 60)), int(rng.integers(5, 40)), int(rng.integers(15, 40)),
              int(rng.integers(10, 35))) for _ in range(n)]

    def mask(i):
        x, y, w, h = rects[i]
        m = np.zeros(mask_shape or (H, W), np.uint8)
        m[y:y + h, x:x + w // 2] = 1  # an L shape: not symmetric, so a wrong flip shows
        m[y + h // 2:y + h, x:x + w] = 1
        return m

    def frame(i):
        return np.repeat(mask(i)[:, :, None] * 255, 3, 2).astype(np.uint8) if mask_shape is None \
            else np.zeros((H, W, 3), np.uint8)

    return Sequence("marked", frame, np.asarray(rects, float),
                    masks=mask if with_masks else None)


@pytest.mark.parametrize("flips", [dict(flip_prob=0.0), dict(flip_prob=1.0),
                                   dict(flip_prob=0.0, crop_flip_prob=1.0)])
def test_search_mask_is_cut_and_flipped_with_the_image(flips):
    cfg = _cfg(masks=True, grayscale_prob=0.0, brightness=0.0, **flips)
    data = PairDataset([Videos([marked_sequence()])], config=cfg)
    for i in range(6):
        s = data[i]
        assert s["search_mask"].shape == (1, 64, 64) and s["search_mask"].dtype == torch.float32
        assert float(s["mask_flag"]) == 1.0
        assert set(s["search_mask"].unique().tolist()) <= {0.0, 1.0}
        image = s["search"][0] * 0.229 + 0.485  # un-normalise the red channel
        white, mask = (image >= 0.5).float()[None, None], s["search_mask"][None]
        # the two resizes round differently at the edge: equal up to one pixel of the edge
        grow = lambda m: F.max_pool2d(m, 3, 1, 1)  # noqa: E731
        assert bool((mask <= grow(white)).all() and (white <= grow(mask)).all()), i
        assert float((white != mask).float().mean()) < 0.03
        assert s["search_mask"].sum() > 100


def test_mask_flag_is_zero_with_a_zero_mask_for_box_only_sequences():
    cfg = _cfg(masks=True)
    data = PairDataset([Videos([marked_sequence(with_masks=False)]),
                        Videos([marked_sequence()])], config=cfg)
    flags = [float(data[i]["mask_flag"]) for i in range(16)]
    assert 0.0 in flags and 1.0 in flags
    for i in range(16):
        s = data[i]
        if float(s["mask_flag"]) == 0.0:
            assert float(s["search_mask"].abs().sum()) == 0.0
    batch = torch.utils.data.default_collate([data[i] for i in range(4)])
    assert batch["search_mask"].shape == (4, 1, 64, 64) and batch["mask_flag"].shape == (4,)


def test_masks_change_no_random_draw_and_stay_off_by_default():
    with_masks = PairDataset([Videos([marked_sequence()])], config=_cfg(masks=True))
    without = PairDataset([Videos([marked_sequence()])], config=_cfg())
    for i in range(5):
        a, b = with_masks[i], without[i]
        assert "search_mask" not in b and "mask_flag" not in b
        for key in ("template", "search", "template_box", "search_box"):
            assert torch.equal(a[key], b[key]), key


def test_a_mask_of_the_wrong_size_is_skipped_and_counted():
    bad = marked_sequence(mask_shape=(10, 10))
    data = PairDataset([Videos([bad]), Videos([marked_sequence()])], config=_cfg(masks=True))
    for i in range(8):
        assert float(data[i]["mask_flag"]) == 1.0  # only the good sequence gives pairs
    assert data.unreadable and all(k.startswith("videos/") for k in data.unreadable)


def test_min_length_applies_to_videos_without_masks():
    short = Videos([marked_sequence(n=8, with_masks=False)])
    cfg = _cfg(masks=True, min_length=20)
    with pytest.raises(Exception, match="no usable pair"):
        PairDataset([short], config=cfg)[0]
    assert float(PairDataset([Videos([marked_sequence(n=8)])], config=cfg)[0]["mask_flag"]) == 1


def test_transform_without_masks_keeps_its_old_signature():
    cfg = _cfg(masks=True)
    frames = [np.zeros((50, 60, 3), np.uint8)] * 2
    boxes = [np.array([10.0, 10, 20, 20])] * 2
    out = PairTransform(cfg)(frames, boxes, np.random.default_rng(0))
    assert float(out["mask_flag"]) == 0.0 and out["search_mask"].shape == (1, 64, 64)


class MaskNet(nn.Module):
    """A small encoder-decoder predicting the search crop's target mask (probabilities)."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 16, 3, 1, 1),
                                 nn.ReLU(), nn.Conv2d(16, 1, 3, 1, 1),
                                 nn.Upsample(scale_factor=2, mode="bilinear"))

    def forward(self, search):
        return self.net(search).sigmoid()


def test_mask_bce_on_synthetic_pairs_falls():
    """Alpha-Refine's mask term (BCE on flagged samples) on synthetic masks: it falls."""
    cfg = _cfg(masks=True, samples_per_epoch=64)
    data = PairDataset([SyntheticDataset(split="tiny")], config=cfg)
    batch = torch.utils.data.default_collate([data[i] for i in range(8)])
    assert bool((batch["mask_flag"] == 1).all())
    torch.manual_seed(0)
    model = MaskNet()
    opt = torch.optim.Adam(model.parameters(), lr=2e-2)
    losses = []
    for _ in range(10):
        flag = batch["mask_flag"] == 1
        loss = F.binary_cross_entropy(model(batch["search"])[flag], batch["search_mask"][flag])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.6 * losses[0], losses
