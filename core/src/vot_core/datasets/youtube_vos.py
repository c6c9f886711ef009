"""YouTube-VOS (Xu et al., ECCV 2018) as per-object sequences with masks.

Official layout: ``<root>/<split>/JPEGImages/<video>/<frame>.jpg``,
``<root>/<split>/Annotations/<video>/<frame>.png`` (palette PNGs: pixel value = object id,
0 = background; annotated every fifth frame) and ``<root>/<split>/meta.json``
(``{"videos": {video: {"objects": {id: {"category", "frames"}}}}}``).

Sequences follow Alpha-Refine's ``Youtube_VOS`` loader: for every video the annotated frames
(the union of its objects' ``frames`` in meta.json) are read once, and every object id found
in them becomes a sequence of the frames where it covers more than ``min_pixels`` pixels
(official: 1000), with the box ``xmin, ymin, xmax - xmin + 1, ymax - ymin + 1`` of its pixels;
``max_target_area`` drops objects whose first box covers the whole frame. Frames are read
lazily and each frame's mask (``seq.mask(i)``: pixels equal to the object id) is decoded only
when asked for. The official loader decodes the PNGs as grey levels; here the palette indices
are read (the ids of meta.json), which selects the same pixels for the released palette.
Building the index reads every annotation PNG once (minutes on the full train split); it is
cached.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional

import numpy as np

from ..structures import Sequence
from .base import Dataset, DatasetError, check_frames_exist


def read_index_png(path: str) -> np.ndarray:
    """A palette (or grey) PNG as its ``(H, W)`` uint8 index values."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            if im.mode not in ("P", "L", "1"):
                raise DatasetError(f"{path}: an annotation PNG must be palette or grey, "
                                   f"got mode {im.mode}")
            return np.asarray(im, dtype=np.uint8)
    except OSError as exc:
        raise DatasetError(f"cannot read annotation {path} ({exc})") from None


class ObjectMask:
    """``index -> (H, W) uint8`` mask of one object (pickles as its paths and id)."""

    def __init__(self, paths: List[str], object_id: int):
        self.paths, self.object_id = list(paths), int(object_id)

    def __call__(self, index: int) -> np.ndarray:
        return (read_index_png(self.paths[index]) == self.object_id).astype(np.uint8)


class YouTubeVOS(Dataset):
    name = "youtube_vos"
    splits = ("train",)
    default_split = "train"
    folder = "YouTube-VOS"

    def __init__(self, root: Optional[str] = None, split: Optional[str] = None,
                 min_pixels: int = 1000, min_length: int = 0, max_target_area: float = 1.0,
                 refresh: bool = False, cache: bool = True):
        self.min_pixels = int(min_pixels)
        self.min_length, self.max_target_area = int(min_length), float(max_target_area)
        super().__init__(root, split, refresh=refresh, cache=cache)
        self._entries = [e for e in self._entries if self._keep(e)]
        if not self._entries:
            raise DatasetError(f"{self.name}: no object is left after the length/area filters")

    def _keep(self, entry: Dict[str, Any]) -> bool:
        H, W = entry["image_size"]
        w, h = entry["boxes"][0][2:]
        ratio = np.sqrt(w * h / max(W * H, 1))
        return len(entry["boxes"]) >= self.min_length and ratio < self.max_target_area

    @property
    def split_dir(self) -> str:
        return os.path.join(self.root, self.split)

    def index_path(self) -> str:
        return super().index_path()[:-5] + f"-px{self.min_pixels}.json"

    def signature_paths(self) -> List[str]:
        base = self.split_dir
        return [self.root, base, os.path.join(base, "meta.json"),
                os.path.join(base, "Annotations")]

    def _meta(self) -> Dict[str, Any]:
        path = os.path.join(self.split_dir, "meta.json")
        if not os.path.isfile(path):
            raise DatasetError(f"{self.root} does not look like YouTube-VOS: missing {path}")
        try:
            with open(path) as f:
                return json.load(f)["videos"]
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"{path}: not a YouTube-VOS meta.json ({exc})") from None

    def build_index(self) -> List[Dict[str, Any]]:
        entries = []
        ann_dir = os.path.join(self.split_dir, "Annotations")
        for video, info in sorted(self._meta().items()):
            objects = info.get("objects", {})
            frames = sorted({f for o in objects.values() for f in o.get("frames", [])})
            per_object: Dict[int, Dict[str, list]] = {}
            size = None
            for frame in frames:
                labels = read_index_png(os.path.join(ann_dir, video, f"{frame}.png"))
                size = labels.shape
                counts = np.bincount(labels.reshape(-1), minlength=256)
                for obj in np.flatnonzero(counts[1:] > self.min_pixels) + 1:
                    ys, xs = np.nonzero(labels == obj)
                    box = [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1),
                           int(ys.max() - ys.min() + 1)]
                    track = per_object.setdefault(int(obj), {"frames": [], "boxes": []})
                    track["frames"].append(frame)
                    track["boxes"].append(box)
            for obj, track in sorted(per_object.items()):
                category = objects.get(str(obj), {}).get("category")
                entries.append({"name": f"{video}_{obj}", "video": video, "object": obj,
                                "frames": track["frames"], "boxes": track["boxes"],
                                "class": category, "image_size": list(size)})
        return entries

    def load_entry(self, entry: Dict[str, Any]) -> Sequence:
        video, names = entry["video"], entry["frames"]
        frames = [os.path.join(self.split_dir, "JPEGImages", video, f"{n}.jpg") for n in names]
        check_frames_exist(frames, entry["name"])
        masks = ObjectMask([os.path.join(self.split_dir, "Annotations", video, f"{n}.png")
                            for n in names], entry["object"])
        gt = np.asarray(entry["boxes"], dtype=np.float64).reshape(-1, 4)
        return Sequence(entry["name"], frames, gt, absent=np.zeros(len(gt), bool),
                        dataset=self.name, masks=masks,
                        attributes={"class": entry["class"], "object_id": entry["object"],
                                    "frame_names": list(names)})


__all__ = ["YouTubeVOS", "ObjectMask", "read_index_png"]
