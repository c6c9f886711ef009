"""Per-sequence result files in each benchmark's official layout, written atomically.

============  ==========================================================================
format        files for sequence ``S`` under a run folder
============  ==========================================================================
``lasot``     ``S.txt`` (comma ``x,y,w,h`` per frame, frame 1 = init box) + ``S_time.txt``;
              what the LaSOT/TNL2K MATLAB toolkits, OTB tools and pytracking read
``got10k``    ``S/S_001.txt`` (comma, ``%.3f`` as the got10k toolkit) + ``S/S_time.txt``
``trackingnet`` ``S.txt`` + ``S_time.txt``; :func:`pack_trackingnet` zips the ``S.txt`` files
              for the evaluation server (and :func:`pack_got10k` the GOT-10k test folders)
``vot``       ``S/S_001.txt`` (VOT toolkit text trajectory: ``1`` = initialization on frame 1,
              then ``x,y,w,h``) + ``S/S_001_time.value``
============  ==========================================================================

Every file is written to a temporary name in the same folder and renamed into place, so a
killed run leaves either the complete file or none. Readers reject NaN and negative sizes,
naming the file and line.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import numpy as np

PathLike = Union[str, os.PathLike]
FORMATS = ("lasot", "got10k", "trackingnet", "vot")
TMP_MARK = ".tmp-"


class ResultFileError(ValueError):
    """A result file is missing, malformed, or holds invalid boxes (message names file and line)."""


def default_format(dataset: str) -> str:
    """The official result format of a dataset name (``lasot``'s for the OPE benchmarks)."""
    d = (dataset or "").lower()
    for fmt in ("got10k", "trackingnet", "vot"):
        if d.startswith(fmt):
            return fmt
    return "lasot"


def atomic_write_text(path: PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TMP_MARK}", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def remove_stale_temporaries(folder: PathLike) -> List[Path]:
    """Delete temporary files a killed writer left behind (names ``.X.tmp-*``)."""
    removed = []
    folder = Path(folder)
    if folder.is_dir():
        for p in folder.rglob(f".*{TMP_MARK}*"):
            if p.is_file():
                p.unlink()
                removed.append(p)
    return removed


def _format_rows(boxes: np.ndarray, fmt: str) -> str:
    return "".join(",".join(fmt % v for v in row) + "\n" for row in boxes)


def _box_text(boxes: np.ndarray, fmt: str) -> str:
    if fmt == "got10k":
        return _format_rows(boxes, "%.3f")
    if fmt == "vot":
        return "1\n" + _format_rows(boxes[1:], "%.4f")
    return _format_rows(boxes, "%.4f")


def _time_text(times: np.ndarray) -> str:
    return "".join(f"{t:.8f}\n" for t in times)


def result_paths(folder: PathLike, name: str, fmt: str) -> Tuple[Path, Path]:
    """(box file, time file) of sequence ``name`` in ``folder`` for result format ``fmt``."""
    folder = Path(folder)
    if fmt == "got10k":
        return folder / name / f"{name}_001.txt", folder / name / f"{name}_time.txt"
    if fmt == "vot":
        return folder / name / f"{name}_001.txt", folder / name / f"{name}_001_time.value"
    if fmt in ("lasot", "trackingnet"):
        return folder / f"{name}.txt", folder / f"{name}_time.txt"
    raise ValueError(f"unknown result format '{fmt}'; known: {', '.join(FORMATS)}")


def write_sequence(folder: PathLike, name: str, boxes, times, fmt: str) -> Path:
    """Write one sequence's boxes (N, 4) and per-frame seconds (N,); the box file goes last so
    its presence means the sequence is complete."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    times = np.asarray(times, dtype=np.float64).reshape(-1)
    if len(times) != len(boxes):
        raise ValueError(f"sequence '{name}': {len(boxes)} boxes but {len(times)} times")
    box_path, time_path = result_paths(folder, name, fmt)
    atomic_write_text(time_path, _time_text(times))
    atomic_write_text(box_path, _box_text(boxes, fmt))
    return box_path


def is_complete(folder: PathLike, name: str, fmt: str) -> bool:
    """True when both files of ``name`` exist (they are only ever created whole)."""
    return all(p.is_file() for p in result_paths(folder, name, fmt))


def _parse_line(text: str, path: Path, lineno: int) -> List[float]:
    parts = [p for p in text.replace("\t", ",").replace(" ", ",").split(",") if p != ""]
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise ResultFileError(f"{path} line {lineno}: not numbers: {text!r}") from None


def read_boxes(path: PathLike, allow_invalid: bool = False) -> np.ndarray:
    """Read a box file (comma, tab or space separated ``x,y,w,h``; VOT special lines and
    polygons too) as (N, 4) float64. NaN values and negative sizes raise
    :class:`ResultFileError` naming the file and line unless ``allow_invalid``."""
    path = Path(path)
    if not path.is_file():
        raise ResultFileError(f"result file not found: {path}")
    rows = []
    with open(path) as fh:
        lines = fh.read().splitlines()
    while lines and not lines[-1].strip():  # trailing blank lines are harmless
        lines.pop()
    for lineno, line in enumerate(lines, 1):
        text = line.strip()
        if not text:
            raise ResultFileError(f"{path} line {lineno}: empty line")
        vals = _parse_line(text, path, lineno)
        if len(vals) == 1:  # VOT special code (1 init, 0 unknown, 2 failure): no box
            rows.append([0.0, 0.0, 0.0, 0.0])
            continue
        if len(vals) >= 6 and len(vals) % 2 == 0:  # VOT polygon -> its bounding box
            xs, ys = vals[0::2], vals[1::2]
            vals = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
        if len(vals) != 4:
            raise ResultFileError(f"{path} line {lineno}: expected 4 values x,y,w,h, got {len(vals)}")
        if not allow_invalid:
            if any(np.isnan(v) for v in vals):
                raise ResultFileError(f"{path} line {lineno}: NaN in box {vals}")
            if vals[2] < 0 or vals[3] < 0:
                raise ResultFileError(f"{path} line {lineno}: negative size in box {vals}")
        rows.append(vals)
    return np.asarray(rows, dtype=np.float64).reshape(-1, 4)


def read_times(path: PathLike) -> Optional[np.ndarray]:
    """Per-frame seconds (first column when several repetitions); None if the file is absent."""
    path = Path(path)
    if not path.is_file():
        return None
    out = []
    with open(path) as fh:
        for lineno, line in enumerate(fh, 1):
            vals = _parse_line(line.strip(), path, lineno)
            out.append(vals[0] if vals else np.nan)
    return np.asarray(out, dtype=np.float64)


def detect_format(folder: PathLike) -> str:
    """Guess the format of a folder without a run manifest (official raw results)."""
    folder = Path(folder)
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        if (sub / f"{sub.name}_001.txt").is_file():
            return "vot" if (sub / f"{sub.name}_001_time.value").is_file() else "got10k"
    return "lasot"


def read_sequence(folder: PathLike, name: str, fmt: str) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """(boxes, times) of one sequence; a missing box file raises :class:`ResultFileError`."""
    box_path, time_path = result_paths(folder, name, fmt)
    if not box_path.is_file() and fmt == "lasot":
        alt = Path(folder) / f"{name}_001.txt"  # pytracking run-id style
        box_path = alt if alt.is_file() else box_path
    return read_boxes(box_path), read_times(time_path)


def pack_trackingnet(folder: PathLike, names: List[str], zip_path: PathLike) -> Path:
    """The TrackingNet submission zip: one ``<video>.txt`` per sequence at the archive root."""
    return _pack([(result_paths(folder, n, "trackingnet")[0], f"{n}.txt") for n in names], zip_path)


def pack_got10k(folder: PathLike, names: List[str], zip_path: PathLike) -> Path:
    """The GOT-10k test submission zip: ``<seq>/<seq>_001.txt`` and ``<seq>/<seq>_time.txt``."""
    entries = []
    for n in names:
        box, tim = result_paths(folder, n, "got10k")
        entries += [(box, f"{n}/{box.name}"), (tim, f"{n}/{tim.name}")]
    return _pack(entries, zip_path)


def _pack(entries, zip_path: PathLike) -> Path:
    zip_path = Path(zip_path)
    missing = [str(src) for src, _ in entries if not Path(src).is_file()]
    if missing:
        raise ResultFileError(f"cannot pack {zip_path}: missing {', '.join(missing[:5])}"
                              + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""))
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{zip_path.name}{TMP_MARK}", dir=zip_path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for src, arc in entries:
                info = zipfile.ZipInfo(arc, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, Path(src).read_bytes())
        os.replace(tmp, zip_path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return zip_path


def list_sequences(folder: PathLike, fmt: str) -> Dict[str, Path]:
    """Sequence names with a complete box file in ``folder``."""
    folder = Path(folder)
    out = {}
    if fmt in ("got10k", "vot"):
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            box = sub / f"{sub.name}_001.txt"
            if box.is_file():
                out[sub.name] = box
    else:
        for f in sorted(folder.glob("*.txt")):
            if not f.name.endswith("_time.txt") and not f.name.startswith("."):
                out[f.stem] = f
    return out
