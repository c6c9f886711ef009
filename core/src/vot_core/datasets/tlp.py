"""TLP, Track Long and Prosper (Moudgil & Gandhi, ACCV 2018): 50 long HD videos,
``<root>/<sequence>/img/00001.jpg ...`` (5 digits, from 1) and ``groundtruth_rect.txt`` with
one comma-separated line per frame ``frame, x, y, w, h, isLost`` (files with only ``x, y, w,
h`` are read too). Frames with ``isLost = 1`` are ``absent``; the frame numbers must count up
by one from the number of the first image (``frame`` is the image's number).

Sources (the TLP site's own description could not be retrieved): the pytracking-style
``TLPDataset`` loaders of OSTrack-derived repositories (``lib/test/evaluation/tlpdataset.py``:
boxes are columns 1-4, ``target_visible = isLost == 0``, frames ``img/{:05d}.jpg`` for 1..N),
a pytracking fork's ``TLPDatasetClass`` (50 sequences, ``startFrame`` 1, ``nz`` 5, ``jpg``, boxes
= columns 1-4) and a ``TLP_V2`` training loader that maps ``frame`` to ``img/{frame:05d}.jpg``
and documents the last column as "isLost, where 1 means target object is not at all
visible".
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
        if not rows:
            raise DatasetError(f"{gt_path}: the ground-truth file is empty")
        widths = {len(r) for r in rows}
        if not widths <= {4} and not widths <= {6}:
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
            first = entry["frames"].get("start")
            if first is not None and table[0, 0] != first:
                raise DatasetError(f"{gt_path}, line 1: frame number {table[0, 0]:g}, but the "
                                   f"first image is number {first} ({os.path.basename(frames[0])})")
            bad = ~np.isin(table[:, 5], (0, 1))
            if bad.any():
                i = int(np.nonzero(bad)[0][0])
                raise DatasetError(f"{gt_path}, line {i + 1}: isLost must be 0 or 1, got "
                                   f"{table[i, 5]:g}")
            gt, lost = table[:, 1:5], table[:, 5] != 0
        return Sequence(entry["name"], frames, gt, absent=lost, dataset=self.name)


__all__ = ["TLP"]
