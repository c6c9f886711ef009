"""The dataset base class, the on-disk index cache and strict annotation readers.

A loader lists its sequences once (``build_index``: names, folders, frame-name patterns) and
caches that list as JSON under ``$VOT_CACHE/datasets/`` (default ``~/.cache/vot``), keyed by the
root and the modification times of the root and its sub-folders, so a dataset of 1,400
sequences lists in milliseconds afterwards. Annotations are read only when a sequence is
loaded (``dataset[i]`` or ``dataset['name']``); frames stay paths until read.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from typing import Any, Dict, Iterator, List, Optional, Union
from typing import Sequence as Seq

import numpy as np

from ..structures import Sequence

INDEX_VERSION = 1
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp")
_SPLIT = re.compile(r"[,\s;]+")


class DatasetError(ValueError):
    """A dataset on disk is missing, malformed or not the dataset it was named as."""


def cache_dir() -> str:
    """``$VOT_CACHE`` (default ``~/.cache/vot``)."""
    return os.environ.get("VOT_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "vot")


# -- readers ---------------------------------------------------------------------------------
def _lines(path: str, what: str) -> List[str]:
    if not os.path.isfile(path):
        raise DatasetError(f"missing {what}: {path}")
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def parse_row(text: str, path: str, lineno: int, ncols: Optional[int]) -> List[float]:
    """Numbers of one line (comma, tab, space or semicolon separated), or a DatasetError that
    names the file and the 1-based line."""
    parts = [p for p in _SPLIT.split(text.strip()) if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise DatasetError(f"{path}, line {lineno}: not numbers: {text.strip()!r}") from None
    if ncols is not None and len(values) != ncols:
        raise DatasetError(f"{path}, line {lineno}: expected {ncols} values, got "
                           f"{len(values)}: {text.strip()!r}")
    return values


def read_boxes(path: str, ncols: int = 4, what: str = "annotation file") -> np.ndarray:
    """An ``(N, ncols)`` float64 table, one row per line, any of the usual delimiters; NaN
    values are kept (UAV123 marks absent targets so). Errors name the file and line."""
    lines = _lines(path, what)
    rows = [parse_row(line, path, i + 1, ncols) for i, line in enumerate(lines)]
    if not rows:
        raise DatasetError(f"{path}: the {what} is empty")
    return np.asarray(rows, dtype=np.float64).reshape(-1, ncols)


def read_flags(path: str, what: str = "flag file") -> np.ndarray:
    """0/1 (or small integer) flags, one per line or all on one comma-separated line."""
    lines = _lines(path, what)
    values: List[float] = []
    for i, line in enumerate(lines):
        values.extend(parse_row(line, path, i + 1, None))
    if any(not math.isfinite(v) or v != int(v) for v in values):
        raise DatasetError(f"{path}: flags must be integers")
    return np.asarray(values, dtype=np.int64)


def check_length(values: np.ndarray, expected: int, path: str, what: str = "lines") -> None:
    if len(values) != expected:
        raise DatasetError(f"{path}: {len(values)} {what}, but the sequence has {expected} "
                           f"frames")


# -- per-sequence attributes of the evaluation toolkits ---------------------------------------
def find_attribute_folder(explicit: Optional[str], candidates: Seq[str]) -> Optional[str]:
    """The folder of per-sequence attribute files (``<toolkit>/annos/att``).

    ``explicit`` (a dataset's ``attributes_root``) may name the toolkit, its ``annos`` folder or
    the ``att`` folder itself, and must exist. Otherwise the first of ``candidates`` (toolkit
    folders where one is usually unpacked) that holds ``annos/att`` or ``att`` is used, or None.
    """
    if explicit is not None:
        base = os.path.abspath(os.path.expanduser(str(explicit)))
        if not os.path.isdir(base):
            raise DatasetError(f"attribute folder does not exist: {base}")
        for sub in (os.path.join("annos", "att"), "att"):
            if os.path.isdir(os.path.join(base, sub)):
                return os.path.join(base, sub)
        return base
    for base in candidates:
        for sub in (os.path.join("annos", "att"), "att"):
            if os.path.isdir(os.path.join(base, sub)):
                return os.path.join(base, sub)
    return None


def toolkit_folders(folders: Seq[Optional[str]], prefix: str) -> List[str]:
    """Sub-folders whose names start with ``prefix`` (``LaSOT_Evaluation_Toolkit``, also as
    ``..._Toolkit-master``) of each existing folder in ``folders``, sorted per folder."""
    out: List[str] = []
    for folder in dict.fromkeys(f for f in folders if f):
        try:
            out += sorted(e.path for e in os.scandir(folder)
                          if e.is_dir() and e.name.startswith(prefix))
        except OSError:
            pass
    return out


def read_attributes(path: str, names: Seq[str]) -> Dict[str, Any]:
    """The per-sequence attribute flags of an evaluation toolkit file (0/1, on one
    comma-separated line as LaSOT's or one per line as TNL2K's), as
    ``{'tags': (names set ...), 'attribute_names': (all names ...)}`` in the toolkit's order.
    Flags beyond ``names`` are named ``attribute <k>`` (1-based)."""
    flags = read_flags(path, "attribute file")
    if len(flags) < len(names):
        raise DatasetError(f"{path}: {len(flags)} attribute flags, expected {len(names)} "
                           f"({', '.join(names)})")
    if not set(flags.tolist()) <= {0, 1}:
        raise DatasetError(f"{path}: attribute flags must be 0 or 1, got "
                           f"{sorted(set(flags.tolist()) - {0, 1})}")
    all_names = tuple(names) + tuple(f"attribute {k + 1}" for k in range(len(names), len(flags)))
    return {"tags": tuple(n for n, f in zip(all_names, flags) if f),
            "attribute_names": all_names}


def toolkit_attributes(folder: Optional[str], file_name: str, names: Seq[str],
                       required: bool) -> Dict[str, Any]:
    """:func:`read_attributes` of ``folder/file_name``; {} without a folder, or without the file
    unless ``required`` (the folder was given explicitly), then a :class:`DatasetError`."""
    if folder is None:
        return {}
    path = os.path.join(folder, file_name)
    if not os.path.isfile(path):
        if required:
            raise DatasetError(f"missing attribute file: {path}")
        return {}
    return read_attributes(path, names)


# -- frames ----------------------------------------------------------------------------------
def list_images(folder: str) -> List[str]:
    """Image file names in ``folder``, sorted numerically when every stem is a number."""
    try:
        names = [e.name for e in os.scandir(folder)
                 if e.name.lower().endswith(IMAGE_EXTS) and not e.name.startswith(".")]
    except FileNotFoundError:
        raise DatasetError(f"missing frame folder: {folder}") from None
    stems = [os.path.splitext(n)[0] for n in names]
    if names and all(s.isdigit() for s in stems):
        return [n for _, n in sorted(zip((int(s) for s in stems), names))]
    return sorted(names)


def frame_spec(names: List[str]) -> Dict[str, Any]:
    """A compact description of frame names: a printf pattern when they are consecutive
    numbers of one width and extension, else the explicit list."""
    if names:
        stem, ext = os.path.splitext(names[0])
        if stem.isdigit():
            width = len(stem) if stem.startswith("0") or len(stem) > 1 else 0
            fmt = f"%0{width}d{ext}" if width else f"%d{ext}"
            start = int(stem)
            if all(n == fmt % (start + i) for i, n in enumerate(names)):
                return {"fmt": fmt, "start": start, "count": len(names)}
    return {"names": list(names)}


def expand_frames(folder: str, spec: Dict[str, Any], first: int = 0,
                  count: Optional[int] = None) -> List[str]:
    """Paths of frames ``first .. first + count`` of a :func:`frame_spec`."""
    if "names" in spec:
        names = spec["names"][first:None if count is None else first + count]
    else:
        n = spec["count"] - first if count is None else count
        names = [spec["fmt"] % (spec["start"] + first + i) for i in range(n)]
    return [os.path.join(folder, n) for n in names]


def spec_count(spec: Dict[str, Any]) -> int:
    return len(spec["names"]) if "names" in spec else int(spec["count"])


def check_frames_exist(paths: List[str], name: str) -> None:
    """Cheap check that the first and the last frame are on disk (cached indexes go stale)."""
    if not paths:
        raise DatasetError(f"sequence '{name}' has no frames")
    for p in (paths[0], paths[-1]):
        if not os.path.isfile(p):
            raise DatasetError(f"sequence '{name}': frame missing on disk: {p}")


# -- the base class --------------------------------------------------------------------------
def npz_index(dataset: Dataset, refresh: bool, cache: bool,
              required: Seq[str] = ()) -> Dict[str, np.ndarray]:
    """A table-shaped index (arrays, for datasets of 10^5+ items such as COCO) cached as an
    ``.npz`` (no pickles) at ``dataset.index_path()``, keyed by the dataset's signature;
    rebuilt with ``dataset.build_index()`` when stale, unreadable or lacking a ``required``
    array. Written atomically; a read-only cache only costs speed."""
    path, sig = dataset.index_path(), json.dumps(dataset._signature())
    if cache and not refresh and os.path.isfile(path):
        try:
            with np.load(path, allow_pickle=False) as z:
                if str(z["signature"]) == sig and set(required) <= set(z.files):
                    return {k: z[k] for k in z.files}
        except (OSError, ValueError, KeyError):
            pass
    index = dataset.build_index()
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


class Dataset:
    """A named, split dataset of :class:`~vot_core.structures.Sequence` objects.

    Subclasses set ``name``, ``splits``, ``default_split``, ``folder`` (the default folder
    under ``$VOT_DATA``) and implement ``build_index() -> [dict(name=..., ...)]`` (cheap,
    JSON-serialisable descriptions) and ``load_entry(entry) -> Sequence``.
    """

    name = ""
    splits: Seq[str] = ()
    default_split: Optional[str] = None
    folder = ""
    _positions: Optional[Dict[str, int]] = None

    def __init__(self, root: Optional[str] = None, split: Optional[str] = None,
                 refresh: bool = False, cache: bool = True):
        self.root = self.resolve_root(root)
        split = self.default_split if split is None else split
        if self.splits and split not in self.splits:
            raise DatasetError(f"{self.name}: unknown split {split!r}; choose one of "
                               f"{list(self.splits)}")
        self.split = split
        self._entries = self._index(refresh, cache)
        self._positions: Optional[Dict[str, int]] = None

    # -- subclass API ----------------------------------------------------------------------
    def build_index(self) -> List[Dict[str, Any]]:
        raise NotImplementedError

    def load_entry(self, entry: Dict[str, Any]) -> Sequence:
        raise NotImplementedError

    def signature_paths(self) -> List[str]:
        """Folders whose modification times invalidate the cached index."""
        out = [self.root]
        try:
            out += sorted(e.path for e in os.scandir(self.root) if e.is_dir())
        except OSError:
            pass
        return out

    # -- public API ------------------------------------------------------------------------
    def resolve_root(self, root: Optional[str]) -> str:
        if root is None:
            data = os.environ.get("VOT_DATA")
            if not data:
                raise DatasetError(f"{self.name}: no root given; pass root=... (--root) or set "
                                   f"VOT_DATA so that $VOT_DATA/{self.folder} is the dataset")
            root = os.path.join(data, self.folder)
        root = os.path.abspath(os.path.expanduser(str(root)))
        if not os.path.isdir(root):
            raise DatasetError(f"{self.name}: root folder does not exist: {root}")
        return root

    def sequence_names(self) -> List[str]:
        return [e["name"] for e in self._entries]

    def load(self, index: int) -> Sequence:
        return self.load_entry(self._entries[index])

    def __len__(self) -> int:
        return len(self.sequence_names())

    def __getitem__(self, key: Union[int, str]) -> Sequence:
        if isinstance(key, str):
            if self._positions is None:
                self._positions = {n: i for i, n in enumerate(self.sequence_names())}
            if key not in self._positions:
                raise KeyError(f"{self.name}: no sequence named {key!r} in split {self.split!r}")
            return self.load(self._positions[key])
        n = len(self)
        if not -n <= key < n:
            raise IndexError(f"{self.name} has {n} sequences, asked for {key}")
        return self.load(key % n)

    def __iter__(self) -> Iterator[Sequence]:
        for i in range(len(self)):
            yield self.load(i)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(root={self.root!r}, split={self.split!r}, n={len(self)})"

    # -- cache -----------------------------------------------------------------------------
    def _signature(self) -> List:
        sig = []
        for p in self.signature_paths():
            try:
                sig.append([os.path.relpath(p, self.root), os.stat(p).st_mtime_ns])
            except OSError:
                sig.append([p, None])
        return sig

    def index_path(self) -> str:
        key = hashlib.sha1(f"{self.root}|{type(self).__qualname__}".encode()).hexdigest()[:16]
        return os.path.join(cache_dir(), "datasets", f"{self.name}-{self.split}-{key}.json")

    def _index(self, refresh: bool, cache: bool) -> List[Dict[str, Any]]:
        path, sig = self.index_path(), self._signature()
        if cache and not refresh and os.path.isfile(path):
            try:
                with open(path) as f:
                    data = json.load(f)
                if data.get("version") == INDEX_VERSION and data.get("signature") == sig:
                    return data["entries"]
            except (OSError, ValueError):
                pass
        entries = self.build_index()
        if not entries:
            raise DatasetError(f"{self.name}: no sequences for split {self.split!r} under "
                               f"{self.root}")
        if cache:
            self._write_index(path, {"version": INDEX_VERSION, "root": self.root,
                                     "split": self.split, "signature": sig,
                                     "entries": entries})
        return entries

    @staticmethod
    def _write_index(path: str, data: Dict[str, Any]) -> None:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                json.dump(data, f, separators=(",", ":"))
            os.replace(tmp, path)
        except OSError:  # a read-only cache only costs speed
            pass
