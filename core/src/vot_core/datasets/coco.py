"""COCO instances (Lin et al., ECCV 2014) as one-frame "sequences" for training pairs.

``<root>/annotations/instances_<split>.json`` with images in ``<root>/<split>/`` (or
``<root>/images/<split>/``); ``split`` is e.g. ``train2017``. Every annotation becomes a
sequence ``coco_<annotation id>`` of one frame; crowd annotations (``iscrowd = 1``) and boxes
narrower or lower than ``min_size`` pixels (default 8: they vanish in a template crop) are
dropped. COCO boxes are already ``x, y, w, h``. The index (hundreds of thousands of rows) is
cached as a ``.npz`` (no pickles) beside the JSON indexes.

``per_image=True`` gives one sequence ``coco_img_<file stem>`` per IMAGE instead, for
whole-frame trainers whose still-image pair carries several query objects (GlobalTrack's
neuron ``COCODetection`` + ``Image2Pair``): its ``ground_truth`` is the image's first kept
annotation and ``attributes['instances']`` holds all of them, ``(K, 4)`` ``x, y, w, h`` in
annotation order (``attributes['classes']`` their class names). ``min_image_side`` then drops
images whose shorter side (the JSON's ``width`` / ``height``) is below it (neuron: 32).
"""
from __future__ import annotations

import json
import os
from typing import Dict, List, Optional

import numpy as np

from ..structures import Sequence
from .base import Dataset, DatasetError, npz_index


class COCO(Dataset):
    name = "coco"
    splits = ("train2017", "val2017", "train2014", "val2014")
    default_split = "train2017"
    folder = "coco"
    _images: Optional[List[np.ndarray]] = None  # per_image: annotation rows of each image

    def __init__(self, root: Optional[str] = None, split: Optional[str] = None,
                 min_size: float = 8.0, refresh: bool = False, cache: bool = True,
                 per_image: bool = False, min_image_side: float = 0.0):
        self.min_size = float(min_size)
        self.per_image = bool(per_image)
        self.min_image_side = float(min_image_side)
        super().__init__(root, split, refresh=refresh, cache=cache)
        self._images = self._group_by_image() if self.per_image else None

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
        return npz_index(self, refresh, cache, required=("image_size",))

    def build_index(self) -> Dict[str, np.ndarray]:
        path = self.annotation_file
        if not os.path.isfile(path):
            raise DatasetError(f"{self.root} does not look like COCO: missing {path}")
        try:
            with open(path) as f:
                data = json.load(f)
            images = {im["id"]: im["file_name"] for im in data["images"]}
            sizes = {im["file_name"]: (im.get("height", 0), im.get("width", 0))
                     for im in data["images"]}
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
                "files": np.asarray(files),
                "image_size": np.asarray([sizes[f] for f in files], np.int64).reshape(-1, 2),
                "categories": np.asarray([cats[c] for c in cat_ids]
                                                                      or [""])}

    def _group_by_image(self) -> List[np.ndarray]:
        """Annotation rows of each kept image (images in file order, rows in annotation
        order)."""
        e = self._entries
        order = np.argsort(e["image"], kind="stable")
        images, starts = np.unique(e["image"][order], return_index=True)
        groups = np.split(order, starts[1:])
        short_side = e["image_size"].min(axis=1)
        return [g for i, g in zip(images.tolist(), groups)
                if short_side[i] >= self.min_image_side]

    def _image_name(self, rows: np.ndarray) -> str:
        file = str(self._entries["files"][self._entries["image"][rows[0]]])
        return f"coco_img_{os.path.splitext(os.path.basename(file))[0]}"

    def sequence_names(self) -> List[str]:
        if self._images is not None:
            return [self._image_name(rows) for rows in self._images]
        return [f"coco_{a}" for a in self._entries["ann_id"].tolist()]

    def __len__(self) -> int:
        if self._images is not None:
            return len(self._images)
        return len(self._entries["ann_id"])

    def _class(self, row: int) -> Optional[str]:
        cat = int(self._entries["category"][row])
        return str(self._entries["categories"][cat]) if cat >= 0 else None

    def load(self, index: int) -> Sequence:
        e = self._entries
        if self._images is not None:
            rows = self._images[index]
            path = os.path.join(self.image_dir(), str(e["files"][e["image"][rows[0]]]))
            if not os.path.isfile(path):
                raise DatasetError(f"COCO image missing on disk: {path}")
            classes = [self._class(int(r)) for r in rows]
            return Sequence(self._image_name(rows), [path], e["box"][rows[:1]],
                            absent=np.zeros(1, bool), dataset=self.name,
                            attributes={"instances": e["box"][rows].copy(), "classes": classes,
                                        "class": classes[0]})
        path = os.path.join(self.image_dir(), str(e["files"][e["image"][index]]))
        if not os.path.isfile(path):
            raise DatasetError(f"COCO image missing on disk: {path}")
        cat = int(e["category"][index])
        return Sequence(f"coco_{int(e['ann_id'][index])}", [path], e["box"][index][None],
                        absent=np.zeros(1, bool), dataset=self.name,
                        attributes={"class": str(e["categories"][cat]) if cat >= 0 else None})


__all__ = ["COCO"]
