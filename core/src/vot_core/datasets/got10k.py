"""GOT-10k (Huang et al., TPAMI 2021): ``<root>/{train,val,test}/list.txt`` and one folder per
sequence with ``00000001.jpg ...``, ``groundtruth.txt`` (x,y,w,h; **test: first frame only**,
the other rows become NaN), ``absence.label``, ``cover.label`` (0: hidden ... 8: fully
visible), ``cut_by_image.label`` and ``meta_info.ini`` (``key: value`` under ``[METAINFO]``).

The label files are optional (custom GOT-10k-style data often lacks them): without
``absence.label`` ``absent`` is None. ``root`` may also be a split folder itself.

Training subsets of the train folder (pytracking / OSTrack ``data_specs``): ``vottrain`` (the
videos VOT permits for training, minus ``votval``), ``votval``, and pytracking's ``ltrtrain`` /
``ltrval`` (its ``train`` / ``val`` split of the train folder), each a list of 0-based
positions in ``train/list.txt``. The list files are downloaded once (address and sha256 in
:data:`SUBSETS`) into ``$VOT_CACHE/splits/``, or given with ``subset_file=``.
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

_SPECS = ("https://raw.githubusercontent.com/botaoye/OSTrack/"
          "33b5e12586216b7fd0e95d255bd01ba44cbec759/lib/train/data_specs/")
#: training subsets of the train folder: list file (positions in train/list.txt), sha256
SUBSETS = {
    "vottrain": ("got10k_vot_train_split.txt",
                 "0a9e60f5628a536e48721d13c4c5b2dd8de0fef710c4463e293e92236df6385f"),
    "votval": ("got10k_vot_val_split.txt",
               "531f110c38b82b1a0d2aa6eaab1777cb304c75e4c757e7527ef4dc0cd1e72546"),
    # pytracking's own split of the train folder ('train' / 'val' in ltr), e.g. Alpha-Refine's
    "ltrtrain": ("got10k_train_split.txt",
                 "38a9b50a5717f6cf234bb3827cfc65e796247935f0782d1338f710abf0a0c2aa"),
    "ltrval": ("got10k_val_split.txt",
               "d73a3c4360fc52ffe364031834ad604d358b85af471eb8af00862104359328c0"),
}


def subset_file(split: str, progress: bool = False) -> str:
    """The cached list file of a training subset, downloaded (and its sha256 checked) once."""
    from ..weights.download import cache_dir, download, hash_matches, sha256_file

    filename, sha256 = SUBSETS[split]
    path = cache_dir() / "splits" / filename
    if not (path.is_file() and hash_matches(sha256_file(path), sha256)):
        download(_SPECS + filename, path, sha256=sha256, progress=progress)
    return str(path)


def read_subset(path: str, available: int) -> List[int]:
    """0-based positions, one per line; each must name one of ``available`` sequences."""
    positions = []
    with open(path) as f:
        for line_no, line in enumerate(f, 1):
            text = line.strip()
            if not text:
                continue
            if not text.isdigit() or int(text) >= available:
                raise DatasetError(f"{path} line {line_no}: {text!r} is not a position in the "
                                   f"{available} sequences of train/list.txt")
            positions.append(int(text))
    if not positions:
        raise DatasetError(f"{path}: empty subset list")
    return positions


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
    splits = ("train", "val", "test", *SUBSETS)
    default_split = "test"
    folder = "GOT-10k"

    def __init__(self, root: Optional[str] = None, split: Optional[str] = None,
                 subset_file: Optional[str] = None, refresh: bool = False, cache: bool = True):
        self.subset_path: Optional[str] = None
        if split in SUBSETS:
            self.subset_path = os.path.abspath(subset_file) if subset_file else None
            if self.subset_path and not os.path.isfile(self.subset_path):
                raise DatasetError(f"got10k: subset file does not exist: {self.subset_path}")
        elif subset_file:
            raise DatasetError(f"got10k: subset_file is for the splits {sorted(SUBSETS)}, "
                               f"not {split!r}")
        super().__init__(root, split, refresh=refresh, cache=cache)

    @property
    def split_dir(self) -> str:
        sub = os.path.join(self.root, "train" if self.split in SUBSETS else self.split)
        return sub if os.path.isdir(sub) else self.root

    def _subset_list(self) -> str:
        """The subset's list file: the one given, else the cached download."""
        if self.subset_path is None:
            self.subset_path = subset_file(self.split)
        return self.subset_path

    def signature_paths(self) -> List[str]:
        out = [self.root, self.split_dir]
        list_file = os.path.join(self.split_dir, "list.txt")
        if self.split in SUBSETS:
            out.append(self._subset_list())
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
        if self.split in SUBSETS:
            names = [names[i] for i in read_subset(self._subset_list(), len(names))]
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


__all__ = ["GOT10k", "SUBSETS", "read_meta_info", "subset_file"]
