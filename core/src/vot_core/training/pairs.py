"""Template/search pair sampling across weighted datasets.

Each sample is a pure function of ``(seed, global_index)``: pick a dataset by weight, a
sequence uniformly, a template frame and a search frame of the same video within
``max_gap`` (``causal``: search strictly after the template, as OSTrack; ``symmetric``: either
side, as pytracking's ``interval``), visible frames only; single-image datasets (COCO) use the
same image twice. A frame that cannot be read is counted, reported once, and the pair is
drawn again, so one corrupt image never stops an epoch.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional, Sequence as Seq

import numpy as np
from torch.utils.data import Dataset

from ..structures import Sequence
from .transforms import CropConfig, PairTransform

logger = logging.getLogger("vot.training")


class TrainingDataError(ValueError):
    """The training data cannot be used (missing dataset, empty dataset, no usable pair)."""


@dataclass(frozen=True)
class PairSamplingConfig:
    """How pairs are drawn and turned into network inputs (all defaults in one place)."""

    samples_per_epoch: int = 60000
    max_gap: int = 200
    mode: str = "causal"            # 'causal' | 'symmetric'
    min_visible: int = 2            # video sequences need more visible frames than this
    gap_increase: int = 5           # widen the gap by this on each failed draw
    max_tries: int = 100
    seed: int = 42
    template: CropConfig = field(default_factory=lambda: CropConfig(factor=2.0, size=128))
    search: CropConfig = field(default_factory=lambda: CropConfig(
        factor=4.0, size=256, center_jitter=3.0, scale_jitter=0.25))
    grayscale_prob: float = 0.05    # joint, on both full frames
    flip_prob: float = 0.5          # joint flip of both full frames
    crop_flip_prob: float = 0.0     # per crop, independently
    brightness: float = 0.2         # per crop: multiply by U(1 - b, 1 + b)
    blur_prob: float = 0.0          # per crop Gaussian blur
    crop_style: str = "ostrack"

    @classmethod
    def from_dict(cls, cfg: Dict[str, Any]) -> "PairSamplingConfig":
        cfg = dict(cfg)
        known = {f.name for f in fields(cls)}
        unknown = set(cfg) - known
        if unknown:
            raise TrainingDataError(f"unknown pair-sampling keys {sorted(unknown)}; known: "
                                    f"{sorted(known)}")
        for role in ("template", "search"):
            if isinstance(cfg.get(role), dict):
                cfg[role] = CropConfig.from_dict(cfg[role])
        if cfg.get("mode", "causal") not in ("causal", "symmetric"):
            raise TrainingDataError(f"pair sampling mode must be 'causal' or 'symmetric', "
                                    f"got {cfg['mode']!r}")
        return cls(**cfg)


class PairDataset(Dataset):
    """A map-style dataset of ``samples_per_epoch`` pairs, indexed by global sample index."""

    def __init__(self, datasets: Seq[Any], weights: Optional[Seq[float]] = None,
                 config: Optional[PairSamplingConfig] = None, names: Optional[Seq[str]] = None):
        self.config = config or PairSamplingConfig()
        self.datasets = list(datasets)
        self.names = list(names or [getattr(d, "name", f"dataset{i}")
                                    for i, d in enumerate(self.datasets)])
        if not self.datasets:
            raise TrainingDataError("no training dataset given")
        for name, ds in zip(self.names, self.datasets):
            if len(ds) == 0:
                raise TrainingDataError(f"training dataset '{name}' is empty")
        w = np.asarray(weights if weights is not None else [1.0] * len(self.datasets), float)
        if w.shape != (len(self.datasets),) or (w < 0).any() or w.sum() <= 0:
            raise TrainingDataError(f"dataset weights {list(w)} must be non-negative, one per "
                                    "dataset, not all zero")
        self.probabilities = w / w.sum()
        self.transform = PairTransform(self.config)
        self.unreadable: Dict[str, int] = {}
        self._sequence_cache: Dict[tuple, Sequence] = {}

    def __len__(self) -> int:
        return self.config.samples_per_epoch

    # -- sampling ------------------------------------------------------------------------
    def _sequence(self, d: int, s: int) -> Sequence:
        key = (d, s)
        seq = self._sequence_cache.get(key)
        if seq is None:
            seq = self.datasets[d][s]
            if len(self._sequence_cache) < 4096:
                self._sequence_cache[key] = seq
        return seq

    def _draw_frames(self, seq: Sequence, rng: np.random.Generator) -> Optional[List[int]]:
        visible = np.flatnonzero(seq.visible)
        if len(seq) == 1:
            return [0, 0] if visible.size else None
        if visible.size <= self.config.min_visible:
            return None
        cfg = self.config
        gap = cfg.max_gap
        for _ in range(cfg.max_tries):
            if cfg.mode == "causal":
                candidates = visible[visible < len(seq) - 1]
                if candidates.size == 0:
                    return None
                t = int(rng.choice(candidates))
                window = visible[(visible > t) & (visible < t + gap + 1)]
            else:
                t = int(rng.choice(visible))
                window = visible[(np.abs(visible - t) <= gap)]
            if window.size:
                return [t, int(rng.choice(window))]
            gap += cfg.gap_increase
        return None

    def __getitem__(self, index: int) -> Dict[str, Any]:
        rng = np.random.default_rng([self.config.seed, int(index)])
        for _ in range(self.config.max_tries):
            d = int(rng.choice(len(self.datasets), p=self.probabilities))
            seq = self._sequence(d, int(rng.integers(len(self.datasets[d]))))
            frame_ids = self._draw_frames(seq, rng)
            if frame_ids is None:
                continue
            try:
                frames = [seq.frame(i) for i in frame_ids]
            except (OSError, ValueError) as exc:
                self._count_unreadable(self.names[d], seq.name, exc)
                continue
            boxes = [seq.ground_truth[i] for i in frame_ids]
            sample = self.transform(frames, boxes, rng)
            if sample is not None:
                return sample
        raise TrainingDataError(f"no usable pair after {self.config.max_tries} draws for sample "
                                f"{index}: check the datasets {self.names} (visible frames, boxes)")

    def _count_unreadable(self, dataset: str, sequence: str, exc: Exception) -> None:
        key = f"{dataset}/{sequence}"
        self.unreadable[key] = self.unreadable.get(key, 0) + 1
        if self.unreadable[key] == 1:
            logger.warning("skipping an unreadable frame in %s (%s); the pair is drawn again",
                           key, exc)
