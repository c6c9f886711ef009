"""VOT short-term sequences in the toolkit's ``default`` format.

``<root>/[sequences/]list.txt``; per sequence a ``sequence`` file (``key=value``: ``channels.
color=color/%08d.jpg``, ``length``, ...) or the legacy layout (``color/00000001.jpg`` or images
next to ``groundtruth.txt``); ``groundtruth.txt`` holds one region per line:

- ``x,y,w,h``: a rectangle;
- ``x1,y1,x2,y2,...`` (>= 6 even values): a polygon, turned into its axis-aligned bounding box
  (min/max of the corners, as pytracking does);
- ``m<x>,<y>,<w>,<h>,<rle...>`` (VOT2020+): a mask of ``w x h`` at offset ``(x, y)``, run-length
  encoded row by row starting with zeros; its bounding box is returned (an empty mask gives a
  NaN row, ``absent``);
- a single number or NaNs: a special/unknown region (NaN row).

Like the toolkit, a ground truth shorter than the sequence is padded with unknown (NaN) rows;
a longer one is an error. Per-frame ``*.tag`` / ``*.label`` files become boolean arrays in
``attributes['frame_tags']``; ``attributes['tags']`` lists those set on some frame.
"""
from __future__ import annotations

import glob
import os
from typing import Any, Dict, List, Optional

import numpy as np

from ..structures import Sequence
from .base import (
    Dataset,
    DatasetError,
    check_frames_exist,
    expand_frames,
    frame_spec,
    list_images,
    parse_row,
)


def rle_bounds(values: List[int], path: str, lineno: int) -> List[float]:
    """Bounding box ``x, y, w, h`` of a VOT mask ``x0, y0, w, h, rle...`` (NaN if empty)."""
    if len(values) < 4:
        raise DatasetError(f"{path}, line {lineno}: a mask needs x, y, w, h and its RLE")
    x0, y0, w, h = values[:4]
    runs = np.asarray(values[4:], dtype=np.int64)
    if (runs < 0).any() or runs.sum() > w * h:
        raise DatasetError(f"{path}, line {lineno}: the mask RLE covers {runs.sum()} pixels, "
                           f"more than its {w}x{h} region")
    ends = np.cumsum(runs)
    starts = ends - runs
    keep = (np.arange(len(runs)) % 2 == 1) & (runs > 0)  # odd runs are ones
    if w <= 0 or not keep.any():
        return [np.nan] * 4
    s, e = starts[keep], ends[keep] - 1  # first and last pixel of each run of ones
    row_s, row_e = s // w, e // w
    one_row = row_s == row_e  # a run over several rows spans every column in between
    x_min = np.where(one_row, s % w, 0).min()
    x_max = np.where(one_row, e % w, w - 1).max()
    return [float(x0 + x_min), float(y0 + row_s.min()),
            float(x_max - x_min + 1), float(row_e.max() - row_s.min() + 1)]


def parse_region(line: str, path: str, lineno: int) -> List[float]:
    """One ground-truth line (rectangle, polygon, mask or special) as ``x, y, w, h``."""
    text = line.strip()
    if text.startswith("m"):
        values = parse_row(text[1:], path, lineno, None)
        if any(v != int(v) for v in values):
            raise DatasetError(f"{path}, line {lineno}: mask values must be integers")
        return rle_bounds([int(v) for v in values], path, lineno)
    values = parse_row(text, path, lineno, None)
    if len(values) in (1, 2) or any(np.isnan(values)):
        return [np.nan] * 4
    if len(values) == 4:
        return values
    if len(values) >= 6 and len(values) % 2 == 0:
        xs, ys = values[0::2], values[1::2]
        return [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
    raise DatasetError(f"{path}, line {lineno}: {len(values)} values is neither a rectangle "
                       f"(4) nor a polygon (>= 6, even): {text!r}")


def read_metadata(path: str) -> Dict[str, str]:
    meta = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            key, sep, value = line.partition("=")
            if sep:
                meta[key.strip()] = value.strip()
    return meta


class VOT(Dataset):
    name = "vot"
    folder = "vot"

    def resolve_root(self, root: Optional[str]) -> str:
        root = super().resolve_root(root)
        seqs = os.path.join(root, "sequences")  # a toolkit workspace
        return seqs if os.path.isfile(os.path.join(seqs, "list.txt")) else root

    def signature_paths(self) -> List[str]:
        return [self.root, os.path.join(self.root, "list.txt")]

    def build_index(self) -> List[Dict[str, Any]]:
        list_file = os.path.join(self.root, "list.txt")
        if not os.path.isfile(list_file):
            raise DatasetError(f"{self.root} does not look like a VOT dataset: expected "
                               f"[sequences/]list.txt")
        entries = []
        for name in open(list_file).read().split():
            folder = os.path.join(self.root, name)
            if not os.path.isdir(folder):
                raise DatasetError(f"{list_file} names '{name}', but {folder} does not exist")
            meta_path = os.path.join(folder, "sequence")
            meta = read_metadata(meta_path) if os.path.isfile(meta_path) else {}
            pattern = meta.get("channels.color")
            if pattern:
                img_dir = os.path.join(folder, os.path.dirname(pattern))
            else:
                img_dir = os.path.join(folder, "color")
                img_dir = img_dir if os.path.isdir(img_dir) else folder
            spec = frame_spec(list_images(img_dir))
            length = meta.get("length")
            if length and int(length) < (len(spec.get("names", [])) or spec.get("count", 0)):
                spec = frame_spec([os.path.basename(p) for p in
                                   expand_frames(img_dir, spec, count=int(length))])
            entries.append({"name": name, "img": os.path.relpath(img_dir, self.root),
                            "frames": spec})
        return entries

    def load_entry(self, entry: Dict[str, Any]) -> Sequence:
        folder = os.path.join(self.root, entry["name"])
        frames = expand_frames(os.path.join(self.root, entry["img"]), entry["frames"])
        check_frames_exist(frames, entry["name"])
        gt_path = os.path.join(folder, "groundtruth.txt")
        if not os.path.isfile(gt_path):
            raise DatasetError(f"missing ground-truth file: {gt_path}")
        with open(gt_path) as f:
            lines = f.read().splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        if len(lines) > len(frames):
            raise DatasetError(f"{gt_path}: {len(lines)} lines, but the sequence has "
                               f"{len(frames)} frames")
        gt = np.full((len(frames), 4), np.nan)
        formats = set()
        for i, line in enumerate(lines):
            gt[i] = parse_region(line, gt_path, i + 1)
            formats.add("mask" if line.lstrip().startswith("m") else
                        "rectangle" if line.count(",") == 3 else "polygon")
        frame_tags = {}
        for tag_file in sorted(glob.glob(os.path.join(folder, "*.tag")) +
                               glob.glob(os.path.join(folder, "*.label"))):
            with open(tag_file) as f:
                flags = [line.strip() == "1" for line in f][:len(frames)]
            flags += [False] * (len(frames) - len(flags))
            frame_tags[os.path.splitext(os.path.basename(tag_file))[0]] = np.asarray(flags)
        attributes = {"frame_tags": frame_tags, "region_format": sorted(formats),
                      "tags": tuple(sorted(k for k, v in frame_tags.items() if v.any()))}
        return Sequence(entry["name"], frames, gt, absent=~np.isfinite(gt).all(1),
                        attributes=attributes, dataset=self.name)


__all__ = ["VOT", "parse_region", "rle_bounds"]
