"""TNL2K (Wang et al., CVPR 2021): ``<root>/<sequence>/imgs/*.jpg|png`` (sorted by name),
``groundtruth.txt`` (comma x,y,w,h) and ``language.txt`` (the description).

The test set unpacks to one folder of 700 sequences; the training set comes in several
parts: a root whose sub-folders hold sequences (one level deeper) is read too. Sequence
names are the folder names.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List

from ..structures import Sequence
from .base import (
    Dataset,
    DatasetError,
    check_frames_exist,
    check_length,
    expand_frames,
    frame_spec,
    list_images,
    read_boxes,
)


def _is_sequence(path: str) -> bool:
    return os.path.isdir(os.path.join(path, "imgs")) and \
        os.path.isfile(os.path.join(path, "groundtruth.txt"))


class TNL2K(Dataset):
    name = "tnl2k"
    folder = "TNL2K"

    def build_index(self) -> List[Dict[str, Any]]:
        folders = []
        for e in sorted(os.scandir(self.root), key=lambda e: e.name):
            if not e.is_dir():
                continue
            if _is_sequence(e.path):
                folders.append(e.name)
            else:  # a training part: TNL2K_train_subset_p1/<sequence>/
                folders += [os.path.join(e.name, s.name)
                            for s in sorted(os.scandir(e.path), key=lambda s: s.name)
                            if s.is_dir() and _is_sequence(s.path)]
        if not folders:
            raise DatasetError(f"{self.root} does not look like TNL2K: expected "
                               f"<sequence>/imgs/ and <sequence>/groundtruth.txt")
        return [{"name": os.path.basename(f), "dir": f,
                 "frames": frame_spec(list_images(os.path.join(self.root, f, "imgs")))}
                for f in folders]

    def load_entry(self, entry: Dict[str, Any]) -> Sequence:
        folder = os.path.join(self.root, entry["dir"])
        frames = expand_frames(os.path.join(folder, "imgs"), entry["frames"])
        check_frames_exist(frames, entry["name"])
        gt_path = os.path.join(folder, "groundtruth.txt")
        gt = read_boxes(gt_path, 4, "ground-truth file")
        check_length(gt, len(frames), gt_path)
        lang_path = os.path.join(folder, "language.txt")
        language = open(lang_path, encoding="utf-8", errors="replace").read().strip() \
            if os.path.isfile(lang_path) else None
        return Sequence(entry["name"], frames, gt, language=language, dataset=self.name)


__all__ = ["TNL2K"]
