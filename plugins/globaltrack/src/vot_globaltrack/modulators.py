"""The query-guided modulators of GlobalTrack (official ``modules/modulators.py``).

Both take the query RoI feature ``z`` (1, 256, 7, 7): RoIAlign of the first-frame box on
P2..P5 (level by box size, finest scale 56), see :meth:`QGRCNN.roi_features`.

* :class:`RPNModulator`, per pyramid level k (P2..P6): ``proj_out[k](proj_modulator[k](z) * P_k)``;
  ``proj_modulator[k]`` is a 7x7 valid conv turning ``z`` into a (1, 256, 1, 1) vector that
  scales every channel of ``P_k`` (a depthwise 1x1 correlation), ``proj_out[k]`` a 1x1 conv.
* :class:`RCNNModulator`: ``proj_out(proj_x(x) * proj_z(z))`` on the 7x7 RoI features of the
  proposals, the product elementwise over 256x7x7.

Neither has a non-linearity or a normalisation. The query terms do not change during a
sequence, so :meth:`learn` is separate from :meth:`inference` and the tracker caches it.
"""
from __future__ import annotations

from typing import List, Sequence

from torch import Tensor, nn


class RPNModulator(nn.Module):
    """Query-guided modulation of the search pyramid (one kernel per level)."""

    def __init__(self, channels: int = 256, roi_out_size: int = 7, featmap_num: int = 5):
        super().__init__()
        self.proj_modulator = nn.ModuleList(nn.Conv2d(channels, channels, roi_out_size)
                                            for _ in range(featmap_num))
        self.proj_out = nn.ModuleList(nn.Conv2d(channels, channels, 1) for _ in range(featmap_num))

    def learn(self, z: Tensor) -> List[Tensor]:
        """(1, C, 7, 7) query feature -> one (1, C, 1, 1) channel weighting per level."""
        return [proj(z) for proj in self.proj_modulator]

    def inference(self, feats_x: Sequence[Tensor], modulators: Sequence[Tensor]) -> List[Tensor]:
        return [out(m * x) for out, m, x in zip(self.proj_out, modulators, feats_x)]

    def forward(self, z: Tensor, feats_x: Sequence[Tensor]) -> List[Tensor]:
        return self.inference(feats_x, self.learn(z))

    def init_weights(self, std: float = 0.01) -> None:
        for conv in list(self.proj_modulator) + list(self.proj_out):
            nn.init.normal_(conv.weight, 0, std)
            nn.init.zeros_(conv.bias)


class RCNNModulator(nn.Module):
    """Query-guided modulation of the proposals' RoI features."""

    def __init__(self, channels: int = 256):
        super().__init__()
        self.proj_z = nn.Conv2d(channels, channels, 3, padding=1)
        self.proj_x = nn.Conv2d(channels, channels, 3, padding=1)
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def learn(self, z: Tensor) -> Tensor:
        return self.proj_z(z)

    def inference(self, x: Tensor, modulator: Tensor) -> Tensor:
        return self.proj_out(self.proj_x(x) * modulator)

    def forward(self, z: Tensor, x: Tensor) -> Tensor:
        return self.inference(x, self.learn(z))

    def init_weights(self, std: float = 0.01) -> None:
        for conv in (self.proj_z, self.proj_x, self.proj_out):
            nn.init.normal_(conv.weight, 0, std)
            nn.init.zeros_(conv.bias)
