"""Template/search pair sampling across weighted datasets.

Each sample is a pure function of ``(seed, global_index)``: pick a dataset by weight, a
sequence uniformly, a template frame and a search frame of the same video within
``max_gap`` (``causal``: search strictly after the template, as OSTrack; ``symmetric``: either
side, as pytracking's ``interval``), visible frames only; single-image datasets (COCO) use the
same image twice. A frame that cannot be read is counted, reported once, and the pair is
drawn again, so one corrupt image never stops an epoch.

With ``masks=True`` every sample also carries the search frame's target mask (``search_mask``,
``mask_flag``; see :mod:`.transforms`): sequences with masks give theirs, the others an
all-zero mask with flag 0 (Alpha-Refine's ``SEMaskSampler``).

Whole-frame pairs with ``whole_frame.frame_choice='neuron'`` pick video frames as neuron's
``Seq2Pair`` (GlobalTrack): among the frames passing its box filter and GOT-10k's cover filter,
at most ``max_gap`` apart (its ``max_distance``); a sequence without two such frames is
replaced by another of the SAME dataset. With ``whole_frame.max_instances`` a still image's
``attributes['instances']`` (COCO ``per_image=True``) are all given to the transform.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional
from typing import Sequence as Seq

import numpy as np
from torch.utils.data import Dataset

from ..params import check_known
from ..structures import Sequence
from .transforms import CropConfig, PairTransform
from .whole_frame import (
    WholeFrameConfig,
    WholeFrameTransform,
    neuron_frame_pair,
    valid_video_frames,
)

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
    masks: bool = False             # add search_mask / mask_flag to each sample
    min_length: int = 0             # video sequences without masks need this many frames

    # whole frames instead of crops (GlobalTrack, DMTrack; see .whole_frame): the crop keys
    # above are then unused
    whole_frame: Optional[WholeFrameConfig] = None

    @classmethod
    def from_dict(cls, cfg: Dict[str, Any]) -> PairSamplingConfig:
        cfg = dict(cfg)
        check_known(cls, cfg, "pair-sampling config", error=TrainingDataError)
        for role in ("template", "search"):
            if isinstance(cfg.get(role), dict):
                cfg[role] = CropConfig.from_dict(cfg[role])
        if isinstance(cfg.get("whole_frame"), dict):
            cfg["whole_frame"] = WholeFrameConfig.from_dict(cfg["whole_frame"])
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
        self.transform = (WholeFrameTransform(self.config.whole_frame)
                          if self.config.whole_frame is not None else PairTransform(self.config))
        self.unreadable: Dict[str, int] = {}
        self._sequence_cache: Dict[tuple, Sequence] = {}
        self._first_frame_shapes: Dict[tuple, tuple] = {}

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
        if len(seq) < self.config.min_length and not (
                self.config.masks and getattr(seq, "has_masks", False)):
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

    def _neuron_frames(self, d: int, s: int, seq: Sequence,
                       rng: np.random.Generator) -> Optional[List[int]]:
        """neuron ``Seq2Pair``'s choice (see :mod:`.whole_frame`); the box filter uses the
        first frame's size, read once per sequence."""
        if len(seq) == 1:
            return [0, 0] if seq.visible.any() else None
        wf = self.config.whole_frame
        shape = self._first_frame_shapes.get((d, s))
        if shape is None and wf.video_box_filter:
            shape = self._first_frame_shapes[(d, s)] = tuple(seq.frame(0).shape[:2])
        valid = valid_video_frames(seq.ground_truth, shape or (1, 1),
                                   (seq.attributes or {}).get("cover"), seq.visible,
                                   box_filter=wf.video_box_filter)
        pair = neuron_frame_pair(valid, self.config.max_gap, rng)
        return None if pair is None else list(pair)

    def _boxes(self, seq: Sequence, frame_ids: List[int]) -> List[np.ndarray]:
        """Each frame's box; with ``whole_frame.max_instances`` a still image's instances."""
        wf = self.config.whole_frame
        instances = seq.attributes.get("instances") if seq.attributes else None
        if wf is not None and wf.max_instances > 0 and len(seq) == 1 and instances is not None:
            return [np.asarray(instances, np.float64).reshape(-1, 4)] * 2
        return [seq.ground_truth[i] for i in frame_ids]

    def __getitem__(self, index: int) -> Dict[str, Any]:
        rng = np.random.default_rng([self.config.seed, int(index)])
        wf = self.config.whole_frame
        neuron = wf is not None and wf.frame_choice == "neuron"
        d: Optional[int] = None
        for _ in range(self.config.max_tries):
            if d is None:
                d = int(rng.choice(len(self.datasets), p=self.probabilities))
            s = int(rng.integers(len(self.datasets[d])))
            seq = self._sequence(d, s)
            if neuron:
                try:
                    frame_ids = self._neuron_frames(d, s, seq, rng)
                except (OSError, ValueError) as exc:
                    self._count_unreadable(self.names[d], seq.name, exc)
                    d = None
                    continue
            else:
                frame_ids = self._draw_frames(seq, rng)
            if frame_ids is None:
                d = d if neuron else None  # Seq2Pair redraws within its dataset
                continue
            try:
                frames = [seq.frame(i) for i in frame_ids]
                masks = self._read_masks(seq, frame_ids, frames)
            except (OSError, ValueError) as exc:
                self._count_unreadable(self.names[d], seq.name, exc)
                d = None
                continue
            boxes = self._boxes(seq, frame_ids)
            if self.config.masks:
                sample = self.transform(frames, boxes, rng, masks=masks)
            else:
                sample = self.transform(frames, boxes, rng)
            if sample is not None:
                return sample
            d = None
        raise TrainingDataError(f"no usable pair after {self.config.max_tries} draws for sample "
                                f"{index}: check the datasets {self.names} (visible frames, boxes)")

    def _read_masks(self, seq: Sequence, frame_ids: List[int],
                    frames: List[np.ndarray]) -> Optional[List[Optional[np.ndarray]]]:
        """The search frame's mask (the template's is not used), checked against its frame."""
        if not (self.config.masks and getattr(seq, "has_masks", False)):
            return None
        mask = seq.mask(frame_ids[1])
        if mask is not None and mask.shape != frames[1].shape[:2]:
            raise ValueError(f"mask of frame {frame_ids[1]} is {mask.shape[1]}x{mask.shape[0]}, "
                             f"its frame {frames[1].shape[1]}x{frames[1].shape[0]}")
        return [None, mask]

    def _count_unreadable(self, dataset: str, sequence: str, exc: Exception) -> None:
        key = f"{dataset}/{sequence}"
        self.unreadable[key] = self.unreadable.get(key, 0) + 1
        if self.unreadable[key] == 1:
            logger.warning("skipping an unreadable frame in %s (%s); the pair is drawn again",
                           key, exc)
