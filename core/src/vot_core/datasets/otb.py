"""OTB-100 / OTB-2015 (Wu et al., TPAMI 2015): ``<root>/<Seq>/img/0001.jpg`` (Board: 5 digits,
KiteSurf: ``jpg/*.png``) and ``groundtruth_rect.txt`` whose delimiters vary (comma, tab,
space, even within one file: BlurCar1).

The official frame table (:data:`~vot_core.datasets._tables.OTB100`) gives each sequence's
frame range: David starts at 300, BlurCar1 at 247, BlurCar3 at 3, BlurCar4 at 18; Diving,
Football1, Freeman3 and Freeman4 have more images than boxes; the two-target videos Jogging
and Skating2 become ``Jogging_1/_2`` and ``Skating2_1/_2`` (``groundtruth_rect.1/.2.txt``);
``Human4_2`` reads ``groundtruth_rect.2.txt``; Tiger1 omits its first 5 frames and boxes.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List

from ..structures import Sequence
from ._tables import OTB100, parse_table
from .base import Dataset, DatasetError, check_frames_exist, check_length, read_boxes


class OTB(Dataset):
    name = "otb"
    folder = "OTB100"

    def build_index(self) -> List[Dict[str, Any]]:
        entries = []
        for name, img_dir, start, end, digits, ext, anno, omit in parse_table(OTB100):
            video = img_dir.split("/")[0]
            if not os.path.isdir(os.path.join(self.root, video)):
                continue
            entries.append({"name": name, "img": img_dir, "start": start + omit, "end": end,
                            "digits": digits, "ext": ext, "anno": f"{video}/{anno}",
                            "omit": omit})
        if not entries:
            raise DatasetError(f"{self.root} does not look like OTB-100: none of its sequence "
                               f"folders (Basketball/img, groundtruth_rect.txt, ...) is there")
        return entries

    def load_entry(self, entry: Dict[str, Any]) -> Sequence:
        folder = os.path.join(self.root, entry["img"])
        fmt = f"%0{entry['digits']}d.{entry['ext']}"
        frames = [os.path.join(folder, fmt % i) for i in range(entry["start"], entry["end"] + 1)]
        check_frames_exist(frames, entry["name"])
        gt_path = os.path.join(self.root, entry["anno"])
        gt = read_boxes(gt_path, 4, "ground-truth file")[entry["omit"]:]
        check_length(gt, len(frames), gt_path, f"boxes (after omitting {entry['omit']})"
                     if entry["omit"] else "boxes")
        return Sequence(entry["name"], frames, gt, dataset=self.name,
                        attributes={"first_frame": entry["start"]})


__all__ = ["OTB"]
