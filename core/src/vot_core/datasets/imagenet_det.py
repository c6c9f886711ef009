"""ImageNet DET (ILSVRC2015 DET; Russakovsky et al., IJCV 2015) as one-frame sequences.

Official layout: ``<root>/Annotations/DET/train/<subset>/.../<image>.xml`` (Pascal-VOC XML)
and the image at the same relative path under ``<root>/Data/DET/train/`` with ``.JPEG``. The
train subsets are ``ILSVRC2013_train/<wnid>/`` and ``ILSVRC2014_train_0000`` ... ``_0006``.
Alpha-Refine's ``ImagenetDET`` reads them through pysot's links ``a`` ... ``h`` (``a`` =
ILSVRC2013_train; ``i``, the val link, is left out): when ``a`` exists, exactly those eight
are read, otherwise every folder under ``train/`` except ``i``. Split ``val`` reads
``Annotations/DET/val/*.xml``.

Every object becomes a sequence ``<image>_<k>`` of one frame (the same image is used as
template and search, like COCO) with box ``xmin, ymin, xmax - xmin, ymax - ymin``; empty
boxes and boxes narrower or lower than ``min_size`` (default 0, as the official loader) are
dropped. The index (about half a million rows) is cached as a ``.npz`` (no pickles).

``official_area_filter=True`` reproduces the official loader's target-size filter exactly,
bug included: it keeps an object when ``sqrt(x * y * w * h / (W * H)) < 1`` (the box's
corner enters the product, where ``sqrt(w * h / (W * H))`` was meant), which keeps mainly
objects touching the top or left border and drops most of the others.
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional

import numpy as np

from ..structures import Sequence
from .base import Dataset, DatasetError, npz_index
from .imagenet_vid import parse_voc_xml

PYSOT_SUBSETS = ("a", "b", "c", "d", "e", "f", "g", "h")


class ImageNetDET(Dataset):
    name = "imagenet_det"
    splits = ("train", "val")
    default_split = "train"
    folder = "ILSVRC2015"

    def __init__(self, root: Optional[str] = None, split: Optional[str] = None,
                 min_size: float = 0.0, official_area_filter: bool = False,
                 refresh: bool = False, cache: bool = True):
        self.min_size = float(min_size)
        super().__init__(root, split, refresh=refresh, cache=cache)
        if official_area_filter:
            e = self._entries
            W, H = e["image_size"][e["image"]].T.astype(np.float64)
            keep = np.sqrt(e["box"].prod(1) / np.maximum(W * H, 1)) < 1.0
            if not keep.any():
                raise DatasetError(f"{self.name}: no object passes the official area filter")
            for key in ("image", "object", "category", "box"):
                e[key] = e[key][keep]

    @property
    def annotation_dir(self) -> str:
        return os.path.join(self.root, "Annotations", "DET", self.split)

    @property
    def data_dir(self) -> str:
        return os.path.join(self.root, "Data", "DET", self.split)

    def subsets(self) -> List[str]:
        base = self.annotation_dir
        if not os.path.isdir(base):
            raise DatasetError(f"{self.root} does not look like ILSVRC2015 DET: missing {base}")
        if self.split != "train":
            return [""]
        if os.path.isdir(os.path.join(base, "a")):
            return [s for s in PYSOT_SUBSETS if os.path.isdir(os.path.join(base, s))]
        return sorted(e.name for e in os.scandir(base) if e.is_dir() and e.name != "i")

    def signature_paths(self) -> List[str]:
        base = self.annotation_dir
        return [self.root, base] + [os.path.join(base, s) for s in self.subsets() if s]

    def index_path(self) -> str:
        return super().index_path()[:-5] + f"-min{self.min_size:g}.npz"

    def _index(self, refresh: bool, cache: bool):
        return npz_index(self, refresh, cache)

    def _xml_files(self) -> List[str]:
        """Annotation files relative to the split folder, sorted within each subset."""
        base = self.annotation_dir
        out: List[str] = []
        for subset in self.subsets():
            found = []
            for folder, dirs, files in os.walk(os.path.join(base, subset), followlinks=True):
                dirs.sort()
                rel = os.path.relpath(folder, base)
                found += [os.path.normpath(os.path.join(rel, f)) for f in files
                          if f.endswith(".xml")]
            out += sorted(found)
        return out

    def build_index(self) -> Dict[str, np.ndarray]:
        files, sizes, rows, classes = [], [], [], {}
        for rel in self._xml_files():
            size, objects = parse_voc_xml(os.path.join(self.annotation_dir, rel))
            kept = [(k, o) for k, o in enumerate(objects)
                    if min(o["box"][2:]) > 0 and min(o["box"][2:]) >= self.min_size]
            if not kept:
                continue
            files.append(rel[:-4])
            sizes.append(size)
            for k, o in kept:
                cls = classes.setdefault(o["name"] or "", len(classes))
                rows.append((len(files) - 1, k, cls, *o["box"]))
        if not rows:
            raise DatasetError(f"{self.annotation_dir}: no ImageNet DET object found")
        table = np.asarray(rows, dtype=np.float64)
        return {"image": table[:, 0].astype(np.int64), "object": table[:, 1].astype(np.int64),
                "category": table[:, 2].astype(np.int64), "box": table[:, 3:7],
                "files": np.asarray(files), "categories": np.asarray(list(classes)),
                "image_size": np.asarray(sizes, dtype=np.int64).reshape(-1, 2)}

    def sequence_names(self) -> List[str]:
        e = self._entries
        return [f"{os.path.basename(str(e['files'][i]))}_{k}"
                for i, k in zip(e["image"].tolist(), e["object"].tolist())]

    def __len__(self) -> int:
        return len(self._entries["image"])

    def load(self, index: int) -> Sequence:
        e = self._entries
        stem = str(e["files"][e["image"][index]])
        path = os.path.join(self.data_dir, stem + ".JPEG")
        if not os.path.isfile(path):
            raise DatasetError(f"ImageNet DET image missing on disk: {path}")
        name = f"{os.path.basename(stem)}_{int(e['object'][index])}"
        return Sequence(name, [path], e["box"][index][None], absent=np.zeros(1, bool),
                        dataset=self.name,
                        attributes={"class": str(e["categories"][e["category"][index]])})


__all__ = ["ImageNetDET"]
