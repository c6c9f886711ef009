"""TrackingNet (Müller et al., ECCV 2018): ``<root>/{TRAIN_0..TRAIN_11,TEST}/`` with
``anno/<video>.txt`` (x,y,w,h; **TEST: first frame only**, the other rows become NaN) and
``frames/<video>/0.jpg, 1.jpg, ...`` (numeric names, sorted as numbers).

Splits: ``test``, ``train`` (every ``TRAIN_k`` present) or one chunk ``TRAIN_k``.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List

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
)

CHUNKS = tuple(f"TRAIN_{k}" for k in range(12))


class TrackingNet(Dataset):
    name = "trackingnet"
    splits = ("test", "train") + CHUNKS
    default_split = "test"
    folder = "TrackingNet"

    def chunks(self) -> List[str]:
        if self.split == "test":
            return ["TEST"]
        if self.split == "train":
            return [c for c in CHUNKS if os.path.isdir(os.path.join(self.root, c))]
        return [self.split]

    def signature_paths(self) -> List[str]:
        paths = [self.root]
        for chunk in self.chunks():
            paths += [os.path.join(self.root, chunk, "anno"), os.path.join(self.root, chunk, "frames")]
        return paths

    def build_index(self) -> List[Dict[str, Any]]:
        chunks = self.chunks()
        if not chunks or not all(os.path.isdir(os.path.join(self.root, c, "anno")) for c in chunks):
            raise DatasetError(f"{self.root} does not look like TrackingNet split "
                               f"'{self.split}': expected {', '.join(chunks) or 'TRAIN_k'}"
                               f"/anno/<video>.txt and .../frames/<video>/0.jpg")
        entries = []
        for chunk in chunks:
            anno = os.path.join(self.root, chunk, "anno")
            for fname in sorted(f for f in os.listdir(anno) if f.endswith(".txt")):
                video = fname[:-4]
                folder = os.path.join(self.root, chunk, "frames", video)
                entries.append({"name": video, "chunk": chunk,
                                "frames": frame_spec(list_images(folder))})
        return entries

    def load_entry(self, entry: Dict[str, Any]) -> Sequence:
        chunk_dir = os.path.join(self.root, entry["chunk"])
        frames = expand_frames(os.path.join(chunk_dir, "frames", entry["name"]), entry["frames"])
        check_frames_exist(frames, entry["name"])
        gt_path = os.path.join(chunk_dir, "anno", entry["name"] + ".txt")
        gt = read_boxes(gt_path, 4, "annotation file")
        if entry["chunk"] == "TEST" and len(gt) == 1 and len(frames) > 1:
            gt = np.vstack([gt, np.full((len(frames) - 1, 4), np.nan)])
        check_length(gt, len(frames), gt_path)
        return Sequence(entry["name"], frames, gt, attributes={"chunk": entry["chunk"]},
                        dataset=self.name)


__all__ = ["TrackingNet", "CHUNKS"]
