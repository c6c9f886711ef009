"""GOT-10k (Huang et al., TPAMI 2021): ``<root>/{train,val,test}/list.txt`` and one folder per
sequence with ``00000001.jpg ...``, ``groundtruth.txt`` (x,y,w,h; **test: first frame only**,
the other rows become NaN), ``absence.label``, ``cover.label`` (0: hidden ... 8: fully
visible), ``cut_by_image.label`` and ``meta_info.ini`` (``key: value`` under ``[METAINFO]``).

The label files are optional (custom GOT-10k-style data often lacks them): without
``absence.label`` ``absent`` is None. ``root`` may also be a split folder itself.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

import numpy as np

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
    read_flags,
)

LABELS = ("absence", "cover", "cut_by_image")


def read_meta_info(path: str) -> Dict[str, str]:
    """``meta_info.ini`` as a dict (GOT-10k writes ``key: value`` lines, not strict INI)."""
    meta: Dict[str, str] = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            key, sep, value = line.partition(":")
            if sep and not line.lstrip().startswith("["):
                meta[key.strip()] = value.strip()
    return meta


class GOT10k(Dataset):
    name = "got10k"
    splits = ("train", "val", "test")
    default_split = "test"
    folder = "GOT-10k"

    @property
    def split_dir(self) -> str:
        sub = os.path.join(self.root, self.split)
        return sub if os.path.isdir(sub) else self.root

    def signature_paths(self) -> List[str]:
        out = [self.root, self.split_dir]
        list_file = os.path.join(self.split_dir, "list.txt")
        return out + ([list_file] if os.path.isfile(list_file) else [])

    def build_index(self) -> List[Dict[str, Any]]:
        base = self.split_dir
        if base == self.root and not os.path.isfile(os.path.join(base, "list.txt")) and \
                any(os.path.isdir(os.path.join(self.root, s)) for s in self.splits):
            raise DatasetError(f"{self.root}: GOT-10k split folder '{self.split}' is missing")
        list_file = os.path.join(base, "list.txt")
        if os.path.isfile(list_file):
            names = open(list_file).read().split()
        else:
            names = sorted(e.name for e in os.scandir(base)
                           if e.is_dir() and os.path.isfile(os.path.join(e.path, "groundtruth.txt")))
        if not names:
            raise DatasetError(f"{base} does not look like GOT-10k: expected list.txt and "
                               f"<sequence>/groundtruth.txt")
        entries = []
        for name in names:
            folder = os.path.join(base, name)
            if not os.path.isdir(folder):
                raise DatasetError(f"{list_file} names '{name}', but {folder} does not exist")
            entries.append({"name": name, "dir": os.path.relpath(folder, self.root),
                            "frames": frame_spec(list_images(folder))})
        return entries

    def load_entry(self, entry: Dict[str, Any]) -> Sequence:
        folder = os.path.join(self.root, entry["dir"])
        frames = expand_frames(folder, entry["frames"])
        check_frames_exist(frames, entry["name"])
        gt_path = os.path.join(folder, "groundtruth.txt")
        gt = read_boxes(gt_path, 4, "ground-truth file")
        if self.split == "test" and len(gt) == 1 and len(frames) > 1:
            gt = np.vstack([gt, np.full((len(frames) - 1, 4), np.nan)])
        check_length(gt, len(frames), gt_path)
        attributes: Dict[str, Any] = {}
        for label in LABELS:
            path = os.path.join(folder, f"{label}.label")
            if os.path.isfile(path):
                values = read_flags(path, f"{label}.label")
                check_length(values, len(frames), path, "labels")
                attributes[label] = values.astype(bool) if label != "cover" else values
        meta_path = os.path.join(folder, "meta_info.ini")
        if os.path.isfile(meta_path):
            meta = read_meta_info(meta_path)
            attributes["meta"] = meta
            if "object_class" in meta:
                attributes["class"] = meta["object_class"]
        absent: Optional[np.ndarray] = attributes.get("absence")
        return Sequence(entry["name"], frames, gt, absent=absent, attributes=attributes,
                        dataset=self.name)


__all__ = ["GOT10k", "read_meta_info"]
