"""TLP, Track Long and Prosper (Moudgil & Gandhi, ACCV 2018): 50 long HD videos,
``<root>/<sequence>/img/00001.jpg ...`` and ``groundtruth_rect.txt`` with one line per frame
``frame, x, y, w, h, isLost`` (files with only ``x, y, w, h`` are read too). Frames with
``isLost = 1`` are ``absent``; the frame numbers must count up from the first one.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List

import numpy as np

from ..structures import Sequence
from .base import (
    Dataset,
    DatasetError,
    _lines,
    check_frames_exist,
    check_length,
    expand_frames,
    frame_spec,
    list_images,
    parse_row,
)


class TLP(Dataset):
    name = "tlp"
    folder = "TLP"

    def build_index(self) -> List[Dict[str, Any]]:
        names = sorted(e.name for e in os.scandir(self.root) if e.is_dir()
                       and os.path.isfile(os.path.join(e.path, "groundtruth_rect.txt"))
                       and os.path.isdir(os.path.join(e.path, "img")))
        if not names:
            raise DatasetError(f"{self.root} does not look like TLP: expected "
                               f"<sequence>/img/ and <sequence>/groundtruth_rect.txt")
        return [{"name": n, "frames": frame_spec(list_images(os.path.join(self.root, n, "img")))}
                for n in names]

    def load_entry(self, entry: Dict[str, Any]) -> Sequence:
        folder = os.path.join(self.root, entry["name"])
        frames = expand_frames(os.path.join(folder, "img"), entry["frames"])
        check_frames_exist(frames, entry["name"])
        gt_path = os.path.join(folder, "groundtruth_rect.txt")
        lines = _lines(gt_path, "ground-truth file")
        rows = [parse_row(line, gt_path, i + 1, None) for i, line in enumerate(lines)]
        widths = {len(r) for r in rows}
        if not rows or not widths <= {4} and not widths <= {6}:
            bad = next((i for i, r in enumerate(rows) if len(r) != len(rows[0])), 0)
            raise DatasetError(f"{gt_path}, line {bad + 1}: expected 6 values "
                               f"(frame, x, y, w, h, isLost) or 4 (x, y, w, h) on every line")
        table = np.asarray(rows, dtype=np.float64)
        check_length(table, len(frames), gt_path)
        if table.shape[1] == 4:
            gt, lost = table, np.zeros(len(table), bool)
        else:
            steps = np.diff(table[:, 0])
            if (steps != 1).any():
                i = int(np.nonzero(steps != 1)[0][0]) + 2
                raise DatasetError(f"{gt_path}, line {i}: frame number {table[i - 1, 0]:g} "
                                   f"does not follow {table[i - 2, 0]:g}")
            gt, lost = table[:, 1:5], table[:, 5] != 0
        return Sequence(entry["name"], frames, gt, absent=lost, dataset=self.name)


__all__ = ["TLP"]
