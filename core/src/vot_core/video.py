"""Video I/O with OpenCV: read images, iterate frames, write annotated MP4 files.

Frames are RGB uint8 (H, W, 3) everywhere in vot; OpenCV's BGR is converted here and only here.
Every error names the file or folder it is about (``VideoError``), and the writer never leaves a
half-written file under its final name.
"""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator, List, Optional, Tuple, Union
from typing import Sequence as Seq

import cv2
import numpy as np

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
VIDEO_EXTENSIONS = (".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv",
                    ".flv", ".ts", ".mts", ".3gp", ".ogv", ".gif", ".mjpeg", ".mjpg", ".y4m")
DEFAULT_FPS = 30.0


def default_mode(directory: bool = False) -> int:
    """Permissions a plain ``open``/``mkdir`` would give under the current umask (temporary
    files from :mod:`tempfile` are private, which the final file should not be)."""
    mask = os.umask(0)
    os.umask(mask)
    return (0o777 if directory else 0o666) & ~mask


class VideoError(OSError):
    """A video, image folder, image or camera could not be read or written."""


def to_rgb(image: np.ndarray, order: str = "RGB", what: str = "frame") -> np.ndarray:
    """Any 2-D (grayscale), 3-channel or 4-channel uint8 image -> RGB uint8 (H, W, 3).

    ``order`` is the channel order of a colour input: ``"RGB"`` or ``"BGR"`` (OpenCV).
    """
    image = np.asarray(image)
    if image.dtype != np.uint8:
        if image.dtype == np.uint16:
            image = (image >> 8).astype(np.uint8)
        else:
            raise VideoError(f"{what}: expected uint8 pixels, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise VideoError(f"{what}: expected an H x W, H x W x 3 or H x W x 4 image, "
                         f"got shape {image.shape}")
    bgr = order.upper() == "BGR"
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB if bgr else cv2.COLOR_RGBA2RGB)
    if bgr:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(image)


def read_image(path: Union[str, os.PathLike]) -> np.ndarray:
    """Read an image file as RGB uint8 (H, W, 3); grayscale, RGBA and 16-bit files are converted
    (the pixels ``cv2.imread`` + ``BGR2RGB`` of the official trackers give).

    Raises ``VideoError`` naming the file when it is missing or cannot be decoded.
    """
    path = Path(path)
    if not path.is_file():
        raise VideoError(f"image file not found: {path}")
    data = np.fromfile(str(path), dtype=np.uint8)
    # IMREAD_COLOR as cv2.imread in the official trackers: 3 channels, 8 bits, EXIF orientation
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise VideoError(f"cannot decode image {path} ({data.size} bytes): corrupt or not an image")
    return to_rgb(image, order="BGR", what=str(path))


def list_images(folder: Union[str, os.PathLike]) -> List[Path]:
    """Image files of ``folder`` (by extension), in natural order (``2.jpg`` before ``10.jpg``)."""
    folder = Path(folder)
    files = [f for f in folder.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS]
    return sorted(files, key=_natural_key)


def _natural_key(path: Path):
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


def _numbering_gaps(files: Seq[Path]) -> List[int]:
    """Frame numbers missing from a folder whose image names are plain numbers."""
    numbers = []
    for f in files:
        if not f.stem.isdigit():
            return []
        numbers.append(int(f.stem))
    if len(numbers) < 2:
        return []
    present = set(numbers)
    return [n for n in range(min(numbers), max(numbers) + 1) if n not in present]


@contextlib.contextmanager
def _quiet_opencv():
    """Silence OpenCV's (and FFmpeg's) own messages while probing a source: a failure gets one
    clear ``VideoError`` instead of backend noise."""
    logging = getattr(getattr(cv2, "utils", None), "logging", None)
    previous = logging.getLogLevel() if logging is not None else None
    env = os.environ.get("OPENCV_FFMPEG_LOGLEVEL")
    if env is None:
        os.environ["OPENCV_FFMPEG_LOGLEVEL"] = "-8"  # AV_LOG_QUIET
    if logging is not None:
        logging.setLogLevel(logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        if logging is not None:
            logging.setLogLevel(previous)
        if env is None:
            os.environ.pop("OPENCV_FFMPEG_LOGLEVEL", None)


def _is_camera_index(source) -> bool:
    if isinstance(source, bool):
        return False
    if isinstance(source, int):
        return True
    return isinstance(source, str) and source.strip().isdigit() and not Path(source).exists()


class VideoSource:
    """Frames of a video file, an image folder or a webcam, as RGB uint8 arrays.

    ``VideoSource("clip.mp4")``, ``VideoSource("frames/")`` (image files in natural order),
    ``VideoSource(0)`` or ``VideoSource("0")`` (camera index). ``len()`` is known for files and
    folders (for a video, OpenCV's frame count); ``fps`` is the file's rate, or ``fps`` for a
    folder. A folder whose numbered frames have gaps is an error unless ``allow_gaps``.
    """

    def __init__(self, source: Union[str, os.PathLike, int], fps: Optional[float] = None,
                 allow_gaps: bool = False):
        self.source = source
        self.files: Optional[List[Path]] = None
        self.camera: Optional[int] = None
        self._count: Optional[int] = None
        self._fps = fps
        if _is_camera_index(source):
            self.kind = "camera"
            self.camera = int(source)
            self.name = f"camera{self.camera}"
            cap = self._open()
            self._fps = fps or cap.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS
            cap.release()
            return
        path = Path(source)
        self.path = path
        self.name = path.stem if path.is_file() else path.name
        if path.is_dir():
            self.kind = "folder"
            self.files = list_images(path)
            if not self.files:
                raise VideoError(f"image folder {path} has no images "
                                 f"(looked for {', '.join(IMAGE_EXTENSIONS)})")
            gaps = _numbering_gaps(self.files)
            if gaps and not allow_gaps:
                shown = ", ".join(str(g) for g in gaps[:5]) + (" ..." if len(gaps) > 5 else "")
                raise VideoError(f"image folder {path} is missing {len(gaps)} numbered frame(s): "
                                 f"{shown} (pass allow_gaps=True / --allow-gaps to track anyway)")
            self._count = len(self.files)
            self._fps = fps or DEFAULT_FPS
        elif path.is_file():
            self.kind = "file"
            if path.suffix.lower() in IMAGE_EXTENSIONS:
                raise VideoError(f"{path} is a single image; pass the folder of frames instead")
            if path.suffix.lower() not in VIDEO_EXTENSIONS:
                # OpenCV's FFmpeg would happily "play" e.g. a .txt file as a terminal recording
                raise VideoError(f"{path} is not a video file (extension '{path.suffix}'; "
                                 f"supported: {', '.join(VIDEO_EXTENSIONS)})")
            cap = self._open()
            count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
            self._count = count if count > 0 else None
            self._fps = fps or cap.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS
            ok, _ = cap.read()
            cap.release()
            if not ok:
                raise VideoError(f"video file {path} has no readable frame "
                                 "(corrupt, empty or a codec OpenCV cannot decode)")
        else:
            raise VideoError(f"video source not found: {path} (expected a video file, an image "
                             "folder or a camera index)")

    def _open(self) -> cv2.VideoCapture:
        if self.camera is not None:
            with _quiet_opencv():
                cap = cv2.VideoCapture(self.camera)
            if not cap.isOpened():
                raise VideoError(f"cannot open camera {self.camera}")
            return cap
        with _quiet_opencv():
            cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            raise VideoError(f"cannot open video file {self.path}: not a video OpenCV can read")
        return cap

    @property
    def fps(self) -> float:
        return float(self._fps)

    def __len__(self) -> int:
        if self._count is None:
            raise TypeError(f"the number of frames of {self.name} is not known")
        return self._count

    @property
    def num_frames(self) -> Optional[int]:
        """Frame count, or ``None`` where unknown (cameras, some streams)."""
        return self._count

    def __iter__(self) -> Iterator[np.ndarray]:
        if self.files is not None:
            for f in self.files:
                yield read_image(f)
            return
        cap = self._open()
        try:
            index = 0
            while True:
                ok, frame = cap.read()
                if not ok:
                    break
                if frame is None or frame.size == 0:
                    raise VideoError(f"{self.name}: frame {index} could not be decoded")
                yield to_rgb(frame, order="BGR", what=f"{self.name} frame {index}")
                index += 1
        finally:
            cap.release()

    def __repr__(self) -> str:
        return f"VideoSource({self.source!r}, kind={self.kind}, frames={self._count}, fps={self.fps:g})"


def write_image(path: Union[str, os.PathLike], image: np.ndarray) -> None:
    """Write an RGB uint8 image (the extension picks the format)."""
    path = Path(path)
    ok, data = cv2.imencode(path.suffix or ".png", cv2.cvtColor(to_rgb(image), cv2.COLOR_RGB2BGR))
    if not ok:
        raise VideoError(f"cannot encode image {path}")
    data.tofile(str(path))


class VideoWriter:
    """Write RGB frames to an MP4 file (``mp4v``), atomically.

    Frames go to a temporary name in the same folder, renamed to ``path`` by ``close()``; an
    exception inside ``with VideoWriter(...)`` (or ``abort()``) deletes the temporary file.
    ``size`` is ``(width, height)``; when ``None`` it is taken from the first frame.
    """

    def __init__(self, path: Union[str, os.PathLike], fps: float = DEFAULT_FPS,
                 size: Optional[Tuple[int, int]] = None, fourcc: str = "mp4v"):
        self.path = Path(path)
        self.fps = float(fps) if fps and fps > 0 else DEFAULT_FPS
        self.size = tuple(int(s) for s in size) if size is not None else None
        self.fourcc = fourcc
        self.frames = 0
        self._writer = None
        if not self.path.parent.is_dir():
            raise VideoError(f"cannot write {self.path}: folder {self.path.parent} does not exist")
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=self.path.suffix or ".mp4",
                                   dir=self.path.parent)
        os.close(fd)
        self._tmp = Path(tmp)
        if self.size is not None:
            self._open()

    def _open(self) -> None:
        # one FFmpeg encoder thread: its threads would otherwise keep the cores busy while the
        # tracker's torch threads run (measured on 2 cores: 5-20 instead of 100+ frames/s)
        key = "OPENCV_FFMPEG_WRITER_OPTIONS"
        previous = os.environ.get(key)
        if previous is None:
            os.environ[key] = "threads;1"
        try:
            writer = cv2.VideoWriter(str(self._tmp), cv2.VideoWriter_fourcc(*self.fourcc),
                                     self.fps, self.size)
        finally:
            if previous is None:
                os.environ.pop(key, None)
        if not writer.isOpened():
            self.abort()
            raise VideoError(f"cannot open a {self.fourcc} video writer for {self.path}")
        self._writer = writer

    def write(self, frame: np.ndarray) -> None:
        """Append one RGB (or grayscale) uint8 frame of the writer's size."""
        frame = to_rgb(frame)
        h, w = frame.shape[:2]
        if self.size is None:
            self.size = (w, h)
            self._open()
        if (w, h) != self.size:
            raise VideoError(f"{self.path}: frame {self.frames} is {w}x{h}, the video is "
                             f"{self.size[0]}x{self.size[1]}")
        if self._writer is None:
            raise VideoError(f"{self.path}: writer is closed")
        self._writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        self.frames += 1

    def close(self) -> Path:
        """Finish the file and move it to its final name."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        if self._tmp.exists():
            if self.frames == 0:
                self.abort()
                raise VideoError(f"{self.path}: no frames were written")
            os.chmod(self._tmp, default_mode())
            os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Discard everything written so far."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        try:
            self._tmp.unlink()
        except FileNotFoundError:
            pass

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def draw_prediction(frame: np.ndarray, box, score: Optional[float] = None,
                    label: Optional[str] = None, color: Tuple[int, int, int] = (0, 255, 0),
                    thickness: int = 2, fps: Optional[float] = None) -> np.ndarray:
    """A copy of the RGB ``frame`` with ``box`` (x, y, w, h) drawn and ``label``/``score`` above it,
    and the tracker's frame rate ``fps`` in the top-left corner when given.

    A box with NaN values is skipped (nothing to draw), the text is still written.
    """
    out = to_rgb(frame).copy()
    if fps is not None and np.isfinite(fps):
        _text(out, f"{fps:.1f} fps", (255, 255, 255))
    x, y, w, h = (float(v) for v in np.asarray(box, dtype=np.float64).reshape(4))
    finite = all(np.isfinite(v) for v in (x, y, w, h))
    if finite:
        p1 = (int(round(x)), int(round(y)))
        p2 = (int(round(x + w)), int(round(y + h)))
        cv2.rectangle(out, p1, p2, color, thickness, cv2.LINE_AA)
    parts = [p for p in (label, None if score is None else f"{score:.2f}") if p]
    if parts:
        _text(out, " ".join(parts), color, (x, y, w, h) if finite else None)
    return out


def _text(image: np.ndarray, text: str, color, box=None) -> None:
    """Write ``text`` on a black strip above ``box`` (below it at the top edge), or in the
    top-left corner without a box."""
    scale = max(0.4, min(image.shape[:2]) / 600)
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    if box is not None:
        x, y, w, h = box
        tx = int(min(max(x, 0), max(image.shape[1] - tw, 0)))
        ty = int(y) - 4 if y - th - 4 >= 0 else int(y + h) + th + 4
    else:
        tx, ty = 2, th + 2
    ty = int(min(max(ty, th + 1), image.shape[0] - base - 1))
    cv2.rectangle(image, (tx, ty - th - 2), (tx + tw + 2, ty + base), (0, 0, 0), -1)
    cv2.putText(image, text, (tx + 1, ty), cv2.FONT_HERSHEY_SIMPLEX, scale, color, 1, cv2.LINE_AA)


#: name used in DESIGN notes
annotate = draw_prediction
