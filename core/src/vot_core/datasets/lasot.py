"""LaSOT (Fan et al., CVPR 2019): ``<root>/<class>/<class>-<k>/`` with ``img/00000001.jpg``,
``groundtruth.txt`` (x,y,w,h), ``full_occlusion.txt``, ``out_of_view.txt`` (one
comma-separated line of 0/1) and ``nlp.txt``.

Splits: ``test`` (Protocol II, 280 sequences), ``train`` (the other 1,120), ``all``. A root
with its own ``testing_set.txt`` / ``training_set.txt`` (one name per line, as the LaSOT
toolkit ships them; :func:`~vot_core.datasets.synthetic.write_lasot` writes them) uses those.
``absent = full_occlusion | out_of_view`` (pytracking's ``target_visible``); the flags are in
``attributes['full_occlusion']`` / ``['out_of_view']``, the class in ``attributes['class']``.
"""
from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Optional, Set

from ..structures import Sequence
from ._tables import LASOT_TEST, parse_table
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

_SEQ = re.compile(r"^(.+)-(\d+)$")


def official_test_names() -> Set[str]:
    return {f"{row[0]}-{k}" for row in parse_table(LASOT_TEST) for k in row[1:]}


class LaSOT(Dataset):
    name = "lasot"
    splits = ("test", "train", "all")
    default_split = "test"
    folder = "LaSOT"

    def resolve_root(self, root: Optional[str]) -> str:
        root = super().resolve_root(root)
        for sub in ("LaSOTBenchmark", "LaSOT"):  # the archive's top folder
            if os.path.isdir(os.path.join(root, sub)) and not self._looks_like(root):
                return os.path.join(root, sub)
        return root

    @staticmethod
    def _looks_like(root: str) -> bool:
        try:
            return any(os.path.isfile(os.path.join(e.path, s.name, "groundtruth.txt"))
                       for e in os.scandir(root) if e.is_dir()
                       for s in os.scandir(e.path) if s.is_dir() and s.name.startswith(e.name + "-"))
        except OSError:
            return False

    def _list(self, fname: str) -> Optional[Set[str]]:
        path = os.path.join(self.root, fname)
        return set(open(path).read().split()) if os.path.isfile(path) else None

    def _keep(self, name: str, test: Set[str], train: Optional[Set[str]]) -> bool:
        if self.split == "test":
            return name in test
        if self.split == "train":
            return name in train if train is not None else name not in test
        return True

    def build_index(self) -> List[Dict[str, Any]]:
        if not self._looks_like(self.root):
            raise DatasetError(f"{self.root} does not look like LaSOT: expected "
                               f"<root>/<class>/<class>-<k>/groundtruth.txt")
        test = self._list("testing_set.txt") or official_test_names()
        train = self._list("training_set.txt")
        entries = []
        for cls in sorted(e.name for e in os.scandir(self.root) if e.is_dir()):
            cls_dir = os.path.join(self.root, cls)
            seqs = [s.name for s in os.scandir(cls_dir) if s.is_dir() and _SEQ.match(s.name)
                    and _SEQ.match(s.name).group(1) == cls]
            for seq in sorted(seqs, key=lambda n: int(_SEQ.match(n).group(2))):
                if not self._keep(seq, test, train):
                    continue
                img = os.path.join(cls_dir, seq, "img")
                entries.append({"name": seq, "dir": os.path.join(cls, seq), "class": cls,
                                "frames": frame_spec(list_images(img))})
        if not entries:
            raise DatasetError(f"{self.root}: no sequence of LaSOT split '{self.split}' is "
                               f"there; use split='all' for a custom LaSOT-style folder")
        return entries

    def load_entry(self, entry: Dict[str, Any]) -> Sequence:
        folder = os.path.join(self.root, entry["dir"])
        gt_path = os.path.join(folder, "groundtruth.txt")
        gt = read_boxes(gt_path, 4, "ground-truth file")
        frames = expand_frames(os.path.join(folder, "img"), entry["frames"])
        check_length(gt, len(frames), gt_path)
        check_frames_exist(frames, entry["name"])
        flags = {}
        for key in ("full_occlusion", "out_of_view"):
            path = os.path.join(folder, f"{key}.txt")
            values = read_flags(path, f"{key} file").astype(bool)
            check_length(values, len(frames), path, "flags")
            flags[key] = values
        nlp = os.path.join(folder, "nlp.txt")
        language = open(nlp, encoding="utf-8", errors="replace").read().strip() \
            if os.path.isfile(nlp) else None
        return Sequence(entry["name"], frames, gt,
                        absent=flags["full_occlusion"] | flags["out_of_view"],
                        attributes={"class": entry["class"], **flags},
                        language=language, dataset=self.name)


__all__ = ["LaSOT", "official_test_names"]
