"""Salient-object datasets (MSRA10K, ECSSD, HKU-IS) as one-frame sequences with masks.

Alpha-Refine trains on the three merged into one folder ``images/%08d.jpg`` + ``gt/%08d.png``
(its ``Saliency`` loader); pytracking reads each in its own release layout. Every layout is
recognised, for the root itself or for each of its sub-folders (their union, in folder order):

===============  =========================================  ==================================
layout           images                                     masks
===============  =========================================  ==================================
``alpharefine``  ``images/<stem>.jpg``                      ``gt/<stem>.png``
``msra10k``      ``Imgs/<stem>.jpg``                        ``Imgs/<stem>.png``
``ecssd``        ``images/<stem>.jpg``                      ``ground_truth_mask/<stem>.png``
``hkuis``        ``imgs/<stem>.png``                        ``gt/<stem>.png``
===============  =========================================  ==================================

Masks are grey PNGs; a pixel is target when it is at least ``threshold`` (128: the releases
store 0/255, where this equals the official ``== 255``). The box is the extent of the target
pixels, ``xmin, ymin, xmax - xmin + 1, ymax - ymin + 1`` (pytracking's ``masks_to_bboxes``);
images whose mask has ``min_area`` target pixels or fewer are dropped. Building the index reads
every mask once (cached); frames and masks are read lazily afterwards.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Tuple

import cv2
import numpy as np

from ..structures import Sequence
from .base import Dataset, DatasetError

#: layout -> (image folder, image extension, mask folder); checked in this order
LAYOUTS: Dict[str, Tuple[str, str, str]] = {
    "msra10k": ("Imgs", ".jpg", "Imgs"),
    "ecssd": ("images", ".jpg", "ground_truth_mask"),
    "hkuis": ("imgs", ".png", "gt"),
    "alpharefine": ("images", ".jpg", "gt"),
}


def detect_layout(folder: str) -> Optional[str]:
    """The :data:`LAYOUTS` name ``folder`` follows, or None."""
    for layout, (images, _, masks) in LAYOUTS.items():
        if os.path.isdir(os.path.join(folder, images)) and os.path.isdir(os.path.join(folder, masks)):
            return layout
    return None


def read_binary_mask(path: str, threshold: int = 128) -> np.ndarray:
    mask = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if mask is None:
        raise OSError(f"cannot read mask {path}")
    return (mask >= threshold).astype(np.uint8)


def mask_box(mask: np.ndarray) -> Optional[List[int]]:
    """``x, y, w, h`` of the nonzero pixels (inclusive extent), None for an empty mask."""
    cols, rows = np.flatnonzero(mask.any(0)), np.flatnonzero(mask.any(1))
    if cols.size == 0:
        return None
    return [int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)]


class BinaryMask:
    """``index -> (H, W) uint8`` mask read from one grey PNG (pickles as its path)."""

    def __init__(self, path: str, threshold: int = 128):
        self.path, self.threshold = path, int(threshold)

    def __call__(self, index: int) -> np.ndarray:
        return read_binary_mask(self.path, self.threshold)


class Saliency(Dataset):
    name = "saliency"
    splits = ()
    default_split = None
    folder = "saliency"

    def __init__(self, root: Optional[str] = None, split: Optional[str] = None,
                 threshold: int = 128, min_area: int = 0, refresh: bool = False,
                 cache: bool = True):
        self.threshold, self.min_area = int(threshold), int(min_area)
        super().__init__(root, split, refresh=refresh, cache=cache)

    def index_path(self) -> str:
        return super().index_path()[:-5] + f"-t{self.threshold}-a{self.min_area}.json"

    def sources(self) -> List[Tuple[str, str]]:
        """``(folder relative to root, layout)`` of every dataset under the root."""
        layout = detect_layout(self.root)
        if layout:
            return [(".", layout)]
        found = [(e.name, detect_layout(e.path)) for e in sorted(os.scandir(self.root),
                                                                 key=lambda e: e.name)
                 if e.is_dir()]
        found = [(name, layout) for name, layout in found if layout]
        if not found:
            raise DatasetError(
                f"{self.root} does not look like a saliency dataset: expected images/ + gt/ "
                f"(Alpha-Refine), Imgs/ (MSRA10K), images/ + ground_truth_mask/ (ECSSD) or "
                f"imgs/ + gt/ (HKU-IS), in the root or its sub-folders")
        return found

    def signature_paths(self) -> List[str]:
        out = [self.root]
        for folder, layout in self.sources():
            images, _, masks = LAYOUTS[layout]
            out += [os.path.join(self.root, folder, images), os.path.join(self.root, folder, masks)]
        return out

    def build_index(self) -> List[Dict[str, Any]]:
        entries = []
        for folder, layout in self.sources():
            images, ext, masks = LAYOUTS[layout]
            image_dir = os.path.join(self.root, folder, images)
            stems = sorted(n[:-len(ext)] for n in os.listdir(image_dir)
                           if n.lower().endswith(ext) and not n.startswith("."))
            for stem in stems:
                mask_rel = os.path.normpath(os.path.join(folder, masks, stem + ".png"))
                mask_path = os.path.join(self.root, mask_rel)
                if not os.path.isfile(mask_path):
                    continue  # an image without a mask (e.g. a stray file) is not a sample
                mask = read_binary_mask(mask_path, self.threshold)
                box = mask_box(mask)
                if box is None or int(mask.sum()) <= self.min_area:
                    continue
                prefix = "" if folder == "." else f"{folder}/"
                entries.append({"name": f"{prefix}{stem}", "layout": layout,
                                "image": os.path.normpath(os.path.join(folder, images, stem + ext)),
                                "mask": mask_rel, "box": box})
        return entries

    def load_entry(self, entry: Dict[str, Any]) -> Sequence:
        image = os.path.join(self.root, entry["image"])
        if not os.path.isfile(image):
            raise DatasetError(f"saliency image missing on disk: {image}")
        return Sequence(entry["name"], [image], np.asarray([entry["box"]], np.float64),
                        absent=np.zeros(1, bool), dataset=self.name,
                        masks=BinaryMask(os.path.join(self.root, entry["mask"]), self.threshold),
                        attributes={"layout": entry["layout"]})


__all__ = ["Saliency", "LAYOUTS", "detect_layout", "mask_box", "read_binary_mask"]
