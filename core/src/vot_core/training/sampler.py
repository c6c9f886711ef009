"""A deterministic, rank-aware index sampler.

Epoch ``e`` covers the global indices ``e * N .. e * N + N - 1`` (N = samples per epoch); rank
``r`` of ``W`` takes every W-th of them starting at ``r``. A sample is a pure function of its
global index (see ``PairDataset``), so what each rank sees is fixed by (seed, epoch, rank), and
one process with batch ``W * B`` sees exactly the union of the ranks' batches of ``B``.
"""
from __future__ import annotations

from typing import Iterator, Optional

from torch.utils.data import Sampler


def _dist_info():
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class EpochIndexSampler(Sampler):
    """Yields this rank's global indices of the current epoch (``set_epoch`` sets it)."""

    def __init__(self, dataset, samples_per_epoch: Optional[int] = None, seed: int = 0,
                 rank: Optional[int] = None, world_size: Optional[int] = None):
        self.samples_per_epoch = int(samples_per_epoch or len(dataset))
        self.seed = seed  # kept for mmengine's sampler protocol; the dataset holds the seed
        self._rank, self._world = rank, world_size
        self.epoch = 0

    @property
    def rank_world(self):
        rank, world = _dist_info()
        return (self._rank if self._rank is not None else rank,
                self._world if self._world is not None else world)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        rank, world = self.rank_world
        return len(range(rank, self.samples_per_epoch, world))

    def __iter__(self) -> Iterator[int]:
        rank, world = self.rank_world
        start = self.epoch * self.samples_per_epoch
        return iter(range(start + rank, start + self.samples_per_epoch, world))
