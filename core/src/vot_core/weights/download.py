"""Download weights into the cache (``$VOT_CACHE/weights``, default ``~/.cache/vot/weights``).

A download streams into a temporary file next to its destination, checks the length and the
sha256, and only then renames it into place, so an interrupted or corrupted download is never
mistaken for the cached file.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

from .errors import WeightsError

CHUNK = 1 << 20


def cache_dir() -> Path:
    """The vot cache folder: ``$VOT_CACHE`` or ``~/.cache/vot``."""
    return Path(os.environ.get("VOT_CACHE") or Path.home() / ".cache" / "vot").expanduser()


def weights_cache_dir() -> Path:
    """Where downloaded weights live: ``<cache_dir>/weights``."""
    return cache_dir() / "weights"


def sha256_file(path: os.PathLike, chunk: int = CHUNK) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_matches(actual: str, expected: Optional[str]) -> bool:
    """True when ``expected`` is empty or equals ``actual`` (a prefix of >= 8 hex digits, as
    timm and torch.hub put in file names, is accepted)."""
    if not expected:
        return True
    expected = expected.lower().strip()
    return len(expected) >= 8 and actual.startswith(expected)


def download(url: str, dest: os.PathLike, sha256: Optional[str] = None, progress: bool = True,
             timeout: float = 30.0, help_url: Optional[str] = None) -> Path:
    """Download ``url`` to ``dest`` atomically, checking the sha256 when one is given.

    Raises :class:`WeightsError` saying where to get the file and where to put it when the
    address cannot be reached, the transfer stops early, or the hash differs.
    """
    dest = Path(dest)
    manual = (f"Download it from {help_url or url} and put it at {dest} "
              f"(or pass the file's path instead of the name).")
    if os.environ.get("VOT_OFFLINE", "") not in ("", "0"):
        raise WeightsError(f"VOT_OFFLINE is set, so {url} was not downloaded. {manual}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    try:
        digest, received = hashlib.sha256(), 0
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response, os.fdopen(fd, "wb") as out:
                fd = -1
                total = response.headers.get("Content-Length")
                total = int(total) if total and total.isdigit() else None
                bar = _progress(total, dest.name, progress)
                try:
                    for block in iter(lambda: response.read(CHUNK), b""):
                        out.write(block)
                        digest.update(block)
                        received += len(block)
                        bar.update(len(block))
                finally:
                    bar.close()
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise WeightsError(f"could not download {url} ({reason}). {manual}") from exc
        if total is not None and received != total:
            raise WeightsError(f"the download of {url} stopped after {received} of {total} bytes. {manual}")
        actual = digest.hexdigest()
        if not hash_matches(actual, sha256):
            raise WeightsError(f"the file downloaded from {url} has sha256 {actual}, expected {sha256}: "
                               f"it is corrupted or not the released file. {manual}")
        os.replace(tmp, dest)
        tmp = None
        return dest
    finally:
        if fd != -1:
            os.close(fd)
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)


def _progress(total: Optional[int], name: str, enabled: bool):
    from tqdm.auto import tqdm
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=name, disable=not enabled,
                leave=False)
