"""LaSOT (Fan et al., CVPR 2019): ``<root>/<class>/<class>-<k>/`` with ``img/00000001.jpg``,
``groundtruth.txt`` (x,y,w,h), ``full_occlusion.txt``, ``out_of_view.txt`` (one
comma-separated line of 0/1) and ``nlp.txt``.

Splits: ``test`` (Protocol II, 280 sequences), ``train`` (the other 1,120), ``all``. A root
with its own ``testing_set.txt`` / ``training_set.txt`` (one name per line, as the LaSOT
toolkit ships them; :func:`~vot_core.datasets.synthetic.write_lasot` writes them) uses those.
``absent = full_occlusion | out_of_view`` (pytracking's ``target_visible``); the flags are in
``attributes['full_occlusion']`` / ``['out_of_view']``, the class in ``attributes['class']``.

``monkey-17`` has more images than annotated frames: like the toolkit (and pytracking), only
its first 2,260 frames are used. Every other mismatch of frames and ground-truth lines is an
error naming the file.

Per-sequence attributes (14: illumination variation ... aspect ratio change) are not in the
dataset archive but in the evaluation toolkit (HengLan/LaSOT_Evaluation_Toolkit):
``annos/att/<sequence>.txt``, one comma-separated line of 14 flags 0/1 in the order of
``_tables.LASOT_ATTRIBUTES``. Pass ``attributes_root=`` (the toolkit, its ``annos`` or its
``att`` folder), or unpack the toolkit as ``LaSOT_Evaluation_Toolkit*`` inside or next to the
dataset root (or its ``annos/att`` inside the root), and each sequence gets
``attributes['tags']`` (the names of its set attributes) and ``attributes['attribute_names']``
(all 14, in the toolkit's order), which ``vot analyze`` breaks results down by. With an
explicit ``attributes_root`` a missing attribute file is an error; with a found one it is not.
"""
from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Optional, Set

from ..structures import Sequence
from ._tables import (
    LASOT_ANNOTATED_FRAMES,
    LASOT_ATTRIBUTES,
    LASOT_TEST,
    attribute_names,
    parse_table,
)
from .base import (
    Dataset,
    DatasetError,
    check_frames_exist,
    check_length,
    expand_frames,
    find_attribute_folder,
    frame_spec,
    list_images,
    read_boxes,
    read_flags,
    toolkit_attributes,
    toolkit_folders,
)

_SEQ = re.compile(r"^(.+)-(\d+)$")
TOOLKIT_PREFIX = "LaSOT_Evaluation_Toolkit"


def official_test_names() -> Set[str]:
    return {f"{row[0]}-{k}" for row in parse_table(LASOT_TEST) for k in row[1:]}


class LaSOT(Dataset):
    name = "lasot"
    splits = ("test", "train", "all")
    default_split = "test"
    folder = "LaSOT"

    def __init__(self, root: Optional[str] = None, split: Optional[str] = None,
                 refresh: bool = False, cache: bool = True,
                 attributes_root: Optional[str] = None):
        self._given_root: Optional[str] = None
        super().__init__(root, split, refresh, cache)
        self.attributes_root = attributes_root
        self.attribute_folder = find_attribute_folder(attributes_root, self._toolkit_candidates())

    def _toolkit_candidates(self) -> List[str]:
        """The root itself, then toolkit folders inside the root, the root given (when it held
        the archive's top folder) and the folder next to the root."""
        return [self.root] + toolkit_folders(
            [self.root, self._given_root, os.path.dirname(self.root)], TOOLKIT_PREFIX)

    def resolve_root(self, root: Optional[str]) -> str:
        root = super().resolve_root(root)
        self._given_root = root
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
        annotated = LASOT_ANNOTATED_FRAMES.get(entry["name"])
        if annotated is not None and len(gt) == annotated < len(frames):
            frames = frames[:annotated]  # the toolkit evaluates the annotated frames only
        check_length(gt, len(frames), gt_path)
        check_frames_exist(frames, entry["name"])
        flags = {}
        for key in ("full_occlusion", "out_of_view"):
            path = os.path.join(folder, f"{key}.txt")
            values = read_flags(path, f"{key} file").astype(bool)
            if annotated is not None and len(values) > len(frames) == annotated:
                values = values[:annotated]
            check_length(values, len(frames), path, "flags")
            flags[key] = values
        nlp = os.path.join(folder, "nlp.txt")
        language = open(nlp, encoding="utf-8", errors="replace").read().strip() \
            if os.path.isfile(nlp) else None
        return Sequence(entry["name"], frames, gt,
                        absent=flags["full_occlusion"] | flags["out_of_view"],
                        attributes={"class": entry["class"], **flags,
                                    **self.sequence_attributes(entry["name"])},
                        language=language, dataset=self.name)

    def sequence_attributes(self, name: str) -> Dict[str, Any]:
        """``tags`` and ``attribute_names`` from the toolkit's ``att/<name>.txt`` ({} if there
        is no attribute folder, or no file for ``name`` in a folder that was found)."""
        return toolkit_attributes(self.attribute_folder, f"{name}.txt",
                                  [n for _, n in attribute_names(LASOT_ATTRIBUTES)],
                                  required=self.attributes_root is not None)


__all__ = ["LaSOT", "official_test_names"]
