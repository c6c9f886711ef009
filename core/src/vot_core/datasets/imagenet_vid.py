"""ImageNet VID (ILSVRC2015 VID; Russakovsky et al., IJCV 2015) as tracklet sequences.

Official layout: ``<root>/Data/VID/<split>/[<set>/]<video>/000000.JPEG`` with one Pascal-VOC
XML per frame in ``<root>/Annotations/VID/<split>/[<set>/]<video>/000000.xml``; the train split
has set folders (``ILSVRC2015_VID_train_0000`` ...), val does not. Every object carries a
``trackid``, ``name`` (WordNet id), ``bndbox`` (``xmin ymin xmax ymax``) and ``occluded``.

Sequences follow pytracking's ``ImagenetVID`` (used by Alpha-Refine's training): one per
tracklet, from the first frame where its ``trackid`` appears to the frame before the first
frame that lacks it; boxes are ``xmin, ymin, xmax - xmin, ymax - ymin``; a frame is visible
when ``occluded`` is 0 and the box is not empty. ``max_target_area`` drops tracklets whose
first box covers the whole image (``sqrt(box area / image area) >= max_target_area``) and
``min_length`` short ones. Parsing the XMLs takes minutes on the full dataset, once: the
index (boxes included, as the official ``cache.json``) is cached.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ..structures import Sequence
from .base import Dataset, DatasetError, check_frames_exist, expand_frames, frame_spec


def parse_voc_xml(path: str) -> Tuple[Tuple[int, int], List[Dict[str, Any]]]:
    """``(width, height)`` and the objects of one ILSVRC (Pascal-VOC style) annotation file:
    dicts with ``name``, ``trackid`` (None in DET), ``box`` (``x, y, w, h``), ``occluded``."""
    try:
        root = ET.parse(path).getroot()
        size = (int(root.findtext("size/width")), int(root.findtext("size/height")))
        objects = []
        for obj in root.findall("object"):
            x1, y1, x2, y2 = (int(float(obj.findtext(f"bndbox/{k}")))
                              for k in ("xmin", "ymin", "xmax", "ymax"))
            objects.append({"name": obj.findtext("name"), "trackid": obj.findtext("trackid"),
                            "box": [x1, y1, x2 - x1, y2 - y1],
                            "occluded": (obj.findtext("occluded") or "0").strip() != "0"})
    except (ET.ParseError, OSError, TypeError, ValueError) as exc:
        raise DatasetError(f"{path}: not an ILSVRC annotation file ({exc})") from None
    return size, objects


def video_tracklets(xml_paths: List[str]) -> Tuple[Tuple[int, int], List[Dict[str, Any]]]:
    """The tracklets of one video (its XMLs in frame order), grouped as pytracking does:
    in order of first appearance, each running while consecutive frames contain it."""
    parsed = [parse_voc_xml(p) for p in xml_paths]
    size = parsed[0][0]
    starts: Dict[str, int] = {}
    for f, (_, objects) in enumerate(parsed):
        for obj in objects:
            starts.setdefault(obj["trackid"], f)
    tracklets = []
    for trackid, start in starts.items():
        boxes, visible, name = [], [], None
        for f in range(start, len(parsed)):
            obj = next((o for o in parsed[f][1] if o["trackid"] == trackid), None)
            if obj is None:
                break
            name = name or obj["name"]
            boxes.append(obj["box"])
            visible.append(0 if obj["occluded"] else 1)
        tracklets.append({"trackid": trackid, "start": start, "boxes": boxes,
                          "visible": visible, "class": name})
    return size, tracklets


class ImageNetVID(Dataset):
    name = "imagenet_vid"
    splits = ("train", "val")
    default_split = "train"
    folder = "ILSVRC2015"

    def __init__(self, root: Optional[str] = None, split: Optional[str] = None,
                 min_length: int = 0, max_target_area: float = 1.0, refresh: bool = False,
                 cache: bool = True):
        self.min_length, self.max_target_area = int(min_length), float(max_target_area)
        super().__init__(root, split, refresh=refresh, cache=cache)
        self._entries = [e for e in self._entries if self._keep(e)]
        if not self._entries:
            raise DatasetError(f"{self.name}: no tracklet is left after the length/area filters")

    def _keep(self, entry: Dict[str, Any]) -> bool:
        W, H = entry["image_size"]
        w, h = entry["boxes"][0][2:]
        ratio = np.sqrt(max(w, 0) * max(h, 0) / max(W * H, 1))
        return len(entry["boxes"]) >= self.min_length and ratio < self.max_target_area

    @property
    def annotation_dir(self) -> str:
        return os.path.join(self.root, "Annotations", "VID", self.split)

    @property
    def data_dir(self) -> str:
        return os.path.join(self.root, "Data", "VID", self.split)

    def signature_paths(self) -> List[str]:
        out = [self.root, self.annotation_dir]
        try:
            out += sorted(e.path for e in os.scandir(self.annotation_dir) if e.is_dir())
        except OSError:
            pass
        return out

    def _video_dirs(self) -> List[str]:
        """Video folders relative to the annotation split folder (``set/video`` or ``video``)."""
        base = self.annotation_dir
        if not os.path.isdir(base):
            raise DatasetError(f"{self.root} does not look like ILSVRC2015 VID: missing {base}")
        videos = []
        for entry in sorted(os.scandir(base), key=lambda e: e.name):
            if not entry.is_dir():
                continue
            children = sorted(os.scandir(entry.path), key=lambda e: e.name)
            if any(c.name.endswith(".xml") for c in children):
                videos.append(entry.name)
            else:
                videos += [f"{entry.name}/{c.name}" for c in children if c.is_dir()]
        return videos

    def build_index(self) -> List[Dict[str, Any]]:
        entries = []
        for video in self._video_dirs():
            folder = os.path.join(self.annotation_dir, video)
            xmls = sorted(n for n in os.listdir(folder) if n.endswith(".xml"))
            if not xmls:
                continue
            size, tracklets = video_tracklets([os.path.join(folder, n) for n in xmls])
            stems = [n[:-4] for n in xmls]
            for t in tracklets:
                names = [f"{s}.JPEG" for s in stems[t["start"]:t["start"] + len(t["boxes"])]]
                entries.append({"name": f"{os.path.basename(video)}_{t['trackid']}",
                                "dir": video, "frames": frame_spec(names),
                                "boxes": t["boxes"], "visible": t["visible"],
                                "class": t["class"], "image_size": list(size)})
        return entries

    def load_entry(self, entry: Dict[str, Any]) -> Sequence:
        frames = expand_frames(os.path.join(self.data_dir, entry["dir"]), entry["frames"])
        check_frames_exist(frames, entry["name"])
        gt = np.asarray(entry["boxes"], dtype=np.float64).reshape(-1, 4)
        visible = np.asarray(entry["visible"], bool) & (gt[:, 2] > 0) & (gt[:, 3] > 0)
        return Sequence(entry["name"], frames, gt, absent=~visible, dataset=self.name,
                        attributes={"class": entry["class"],
                                    "image_size": tuple(entry["image_size"])})


__all__ = ["ImageNetVID", "parse_voc_xml", "video_tracklets"]
