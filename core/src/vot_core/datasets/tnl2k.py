"""TNL2K (Wang et al., CVPR 2021): ``<root>/<sequence>/imgs/*.jpg|png`` (sorted by name),
``groundtruth.txt`` (comma x,y,w,h) and ``language.txt`` (the description).

The test set unpacks to one folder of 700 sequences; the training set comes in several
parts: a root whose sub-folders hold sequences (one level deeper) is read too. Sequence
names are the folder names (as in OSTrack's ``lib/test/evaluation/tnl2kdataset.py``).

Absent target: the ground truth marks it with an all-zero row ``0,0,0,0``; those frames are
``absent``. This is what the official evaluation toolkit (wangxiao5791509/TNL2K_evaluation_toolkit,
a copy of LaSOT's) uses: its ``annos/absent/<sequence>.txt`` flags (one per line) are exactly
the all-zero rows of its ``annos/gt_rect/<sequence>.txt`` (checked on all 700 test sequences
but ``advSamp_monitor_bikeyellow``, whose absent file has one line more), and its
``utils/calc_seq_err_robust.m`` removes those frames while dividing by all frames, so under
the ``tnl2k`` protocol they count as failures for success *and* precision. (Scored as invalid
ground truth instead, they would count as precise: centre error -1.)

Per-sequence attributes (17, camera motion ... modality switch) come with the toolkit, not
the dataset: ``annos/att/<sequence>_attribute.txt``, 17 flags 0/1 one per line (CRLF) in the
order of ``_tables.TNL2K_ATTRIBUTES``, after ``tar xzf annos/annos.tar.gz``. Pass
``attributes_root=`` (the toolkit, its ``annos`` or ``att`` folder) or unpack the toolkit as
``TNL2K_evaluation_toolkit*`` inside or next to the root (or ``annos/att`` inside the root);
sequences then get ``attributes['tags']`` and ``attributes['attribute_names']``.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

import numpy as np

from ..structures import Sequence
from ._tables import TNL2K_ATTRIBUTES, attribute_names
from .base import (
    Dataset,
    DatasetError,
    check_frames_exist,
    check_length,
    expand_frames,
    find_attribute_folder,
    frame_spec,
    list_images,
    read_boxes,
    toolkit_attributes,
    toolkit_folders,
)

TOOLKIT_PREFIX = "TNL2K_evaluation_toolkit"


def _is_sequence(path: str) -> bool:
    return os.path.isdir(os.path.join(path, "imgs")) and \
        os.path.isfile(os.path.join(path, "groundtruth.txt"))


def absent_rows(gt: np.ndarray) -> np.ndarray:
    """TNL2K's absent frames: ground-truth rows that are all zero."""
    return (np.asarray(gt) == 0).all(1)


class TNL2K(Dataset):
    name = "tnl2k"
    folder = "TNL2K"

    def __init__(self, root: Optional[str] = None, split: Optional[str] = None,
                 refresh: bool = False, cache: bool = True,
                 attributes_root: Optional[str] = None):
        super().__init__(root, split, refresh, cache)
        self.attributes_root = attributes_root
        bases = [self.root] + toolkit_folders([self.root, os.path.dirname(self.root)],
                                              TOOLKIT_PREFIX)
        self.attribute_folder = find_attribute_folder(attributes_root, bases)

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
        return Sequence(entry["name"], frames, gt, absent=absent_rows(gt),
                        attributes=self.sequence_attributes(entry["name"]),
                        language=language, dataset=self.name)

    def sequence_attributes(self, name: str) -> Dict[str, Any]:
        """``tags`` and ``attribute_names`` from the toolkit's ``att/<name>_attribute.txt``
        ({} without an attribute folder, or without a file in a folder that was found)."""
        return toolkit_attributes(self.attribute_folder, f"{name}_attribute.txt",
                                  [n for _, n in attribute_names(TNL2K_ATTRIBUTES)],
                                  required=self.attributes_root is not None)


__all__ = ["TNL2K", "absent_rows"]
