"""COCO instances (Lin et al., ECCV 2014) as one-frame "sequences" for training pairs.

``<root>/annotations/instances_<split>.json`` with images in ``<root>/<split>/`` (or
``<root>/images/<split>/``); ``split`` is e.g. ``train2017``. Every annotation becomes a
sequence ``coco_<annotation id>`` of one frame; crowd annotations (``iscrowd = 1``) and boxes
narrower or lower than ``min_size`` pixels (default 8: they vanish in a template crop) are
dropped. COCO boxes are already ``x, y, w, h``. The index (hundreds of thousands of rows) is
cached as a ``.npz`` (no pickles) beside the JSON indexes.
"""
from __future__ import annotations

import json
import os
from typing import Dict, List, Optional

import numpy as np

from ..structures import Sequence
from .base import Dataset, DatasetError


class COCO(Dataset):
    name = "coco"
    splits = ("train2017", "val2017", "train2014", "val2014")
    default_split = "train2017"
    folder = "coco"

    def __init__(self, root: Optional[str] = None, split: Optional[str] = None,
                 min_size: float = 8.0, refresh: bool = False, cache: bool = True):
        self.min_size = float(min_size)
        super().__init__(root, split, refresh=refresh, cache=cache)

    @property
    def annotation_file(self) -> str:
        return os.path.join(self.root, "annotations", f"instances_{self.split}.json")

    def image_dir(self) -> str:
        for cand in (os.path.join(self.root, self.split),
                     os.path.join(self.root, "images", self.split)):
            if os.path.isdir(cand):
                return cand
        raise DatasetError(f"{self.root}: no image folder {self.split}/ or images/{self.split}/")

    def signature_paths(self) -> List[str]:
        return [self.annotation_file]

    def index_path(self) -> str:
        return super().index_path()[:-5] + f"-min{self.min_size:g}.npz"

    def _index(self, refresh: bool, cache: bool):
        path, sig = self.index_path(), json.dumps(self._signature())
        if cache and not refresh and os.path.isfile(path):
            try:
                with np.load(path, allow_pickle=False) as z:
                    if str(z["signature"]) == sig:
                        return {k: z[k] for k in z.files}
            except (OSError, ValueError, KeyError):
                pass
        index = self.build_index()
        index["signature"] = np.asarray(sig)
        if cache:
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                tmp = path + f".{os.getpid()}.tmp.npz"
                np.savez(tmp, **index)
                os.replace(tmp, path)
            except OSError:
                pass
        return index

    def build_index(self) -> Dict[str, np.ndarray]:
        path = self.annotation_file
        if not os.path.isfile(path):
            raise DatasetError(f"{self.root} does not look like COCO: missing {path}")
        try:
            with open(path) as f:
                data = json.load(f)
            images = {im["id"]: im["file_name"] for im in data["images"]}
            cats = {c["id"]: c["name"] for c in data.get("categories", [])}
            anns = data["annotations"]
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"{path}: not a COCO instances file ({exc})") from None
        files = sorted(set(images.values()))
        file_pos = {f: i for i, f in enumerate(files)}
        cat_ids = sorted(cats)
        cat_pos = {c: i for i, c in enumerate(cat_ids)}
        rows = [(a["id"], file_pos[images[a["image_id"]]], cat_pos.get(a.get("category_id"), -1),
                 *a["bbox"]) for a in anns
                if not a.get("iscrowd", 0) and a["image_id"] in images
                and a["bbox"][2] >= self.min_size and a["bbox"][3] >= self.min_size]
        if not rows:
            raise DatasetError(f"{path}: no annotation is left after dropping crowds and "
                               f"boxes under {self.min_size:g} px")
        table = np.asarray(rows, dtype=np.float64)
        return {"ann_id": table[:, 0].astype(np.int64), "image": table[:, 1].astype(np.int64),
                "category": table[:, 2].astype(np.int64), "box": table[:, 3:7],
                "files": np.asarray(files), "categories": np.asarray([cats[c] for c in cat_ids]
                                                                      or [""])}

    def sequence_names(self) -> List[str]:
        return [f"coco_{a}" for a in self._entries["ann_id"].tolist()]

    def __len__(self) -> int:
        return len(self._entries["ann_id"])

    def load(self, index: int) -> Sequence:
        e = self._entries
        path = os.path.join(self.image_dir(), str(e["files"][e["image"][index]]))
        if not os.path.isfile(path):
            raise DatasetError(f"COCO image missing on disk: {path}")
        cat = int(e["category"][index])
        return Sequence(f"coco_{int(e['ann_id'][index])}", [path], e["box"][index][None],
                        absent=np.zeros(1, bool), dataset=self.name,
                        attributes={"class": str(e["categories"][cat]) if cat >= 0 else None})


__all__ = ["COCO"]
