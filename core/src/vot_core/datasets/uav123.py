"""UAV123 (Mueller et al., ECCV 2016): ``<root>/data_seq/UAV123/<video>/000001.jpg`` and
``<root>/anno/UAV123/<sequence>.txt`` (comma x,y,w,h; ``NaN,NaN,NaN,NaN`` rows while the
target is absent, which become ``absent`` frames).

Several long videos are split into sequences by frame range (``bird1_1`` = frames 1-253 of
``bird1``, ``car1_2`` = 751-1627 of ``car1``, ...): the official table
(:data:`~vot_core.datasets._tables.UAV123`) gives each range. Sequence names are the
annotation file stems (``bird1_1``), as the MATLAB and got10k toolkits name results.
Split ``uav20l`` reads the 20 long sequences (``anno/UAV20L/<video>.txt``, whole videos).
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

import numpy as np

from ..structures import Sequence
from ._tables import UAV123 as TABLE
from ._tables import parse_table
from .base import Dataset, DatasetError, check_frames_exist, check_length, read_boxes


class UAV123(Dataset):
    name = "uav123"
    splits = ("uav123", "uav20l")
    default_split = "uav123"
    folder = "UAV123"

    def resolve_root(self, root: Optional[str]) -> str:
        root = super().resolve_root(root)
        nested = os.path.join(root, "UAV123")  # Dataset_UAV123/UAV123/...
        if not os.path.isdir(os.path.join(root, "data_seq")) and os.path.isdir(nested):
            return nested
        return root

    def build_index(self) -> List[Dict[str, Any]]:
        seq_root = os.path.join(self.root, "data_seq", "UAV123")
        anno_root = os.path.join(self.root, "anno", self.anno_folder)
        if not (os.path.isdir(seq_root) and os.path.isdir(anno_root)):
            raise DatasetError(f"{self.root} does not look like UAV123: expected "
                               f"data_seq/UAV123/<video>/ and anno/{self.anno_folder}/"
                               f"<sequence>.txt")
        if self.split == "uav20l":
            return [{"name": f[:-4], "video": f[:-4], "start": 1, "end": None}
                    for f in sorted(os.listdir(anno_root)) if f.endswith(".txt")]
        return [{"name": name, "video": video, "start": start, "end": end}
                for name, video, start, end in parse_table(TABLE)
                if os.path.isfile(os.path.join(anno_root, name + ".txt"))]

    @property
    def anno_folder(self) -> str:
        return "UAV20L" if self.split == "uav20l" else "UAV123"

    def load_entry(self, entry: Dict[str, Any]) -> Sequence:
        folder = os.path.join(self.root, "data_seq", "UAV123", entry["video"])
        gt_path = os.path.join(self.root, "anno", self.anno_folder, entry["name"] + ".txt")
        gt = read_boxes(gt_path, 4, "annotation file")
        end = entry["end"] or len(gt)  # UAV20L: the whole video
        frames = [os.path.join(folder, f"{i:06d}.jpg") for i in range(entry["start"], end + 1)]
        check_frames_exist(frames, entry["name"])
        check_length(gt, len(frames), gt_path)
        absent = ~np.isfinite(gt).all(1)
        return Sequence(entry["name"], frames, gt, absent=absent, dataset=self.name,
                        attributes={"video": entry["video"], "first_frame": entry["start"]})


__all__ = ["UAV123"]
