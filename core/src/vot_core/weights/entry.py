"""Model-zoo entries: one frozen record per released set of weights (as timm's PretrainedCfg)."""
from __future__ import annotations

import posixpath
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple


@dataclass(frozen=True)
class WeightsEntry:
    """A released checkpoint, registered by a plugin's ``register_weights`` hook.

    :param name: zoo name, e.g. ``"ostrack/vitb_256_mae_ce_32x4_ep300"``.
    :param url: the official download address (a direct link, or the release page where the
        file must be fetched by hand, e.g. Google Drive).
    :param sha256: hex digest of the released file (or a prefix of >= 8 digits); None if unknown.
    :param filename: the file name in the cache; defaults to the last part of ``url``.
    :param paper: citation or address of the paper.
    :param repo: the official repository.
    :param config: the named config the weights belong to (``"ostrack/vitb_256_mae_ce"``).
    :param notes: anything a user must know (container, training data, licence).
    :param converter: ``"pkg.module:function"`` mapping the loaded state_dict to this
        framework's layout, or None when the keys load unchanged.
    :param input_size: ``(template, search)`` or network input side(s), for reference.
    :param mean: normalisation mean the weights were trained with.
    :param std: normalisation std.
    :param state_dict_keys: keys of the container that may hold the state_dict, in order.
    :param extra: free-form extra facts.
    """

    name: str
    url: str
    sha256: Optional[str] = None
    filename: Optional[str] = None
    paper: str = ""
    repo: str = ""
    config: Optional[str] = None
    notes: str = ""
    converter: Optional[str] = None
    input_size: Optional[Tuple[int, ...]] = None
    mean: Tuple[float, float, float] = (0.485, 0.456, 0.406)
    std: Tuple[float, float, float] = (0.229, 0.224, 0.225)
    state_dict_keys: Tuple[str, ...] = ("net", "state_dict", "model")
    extra: Dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def file_name(self) -> str:
        """``filename``, or the last path component of ``url``, or ``<name>.pth``."""
        if self.filename:
            return self.filename
        path = urllib.parse.urlparse(self.url).path
        base = posixpath.basename(path)
        return base if base and "." in base else self.name.replace("/", "_") + ".pth"

    @property
    def direct_download(self) -> bool:
        """False for addresses that serve a web page rather than the file (Google Drive, Baidu)."""
        parsed = urllib.parse.urlparse(self.url)
        if parsed.scheme == "file":
            return True
        host = parsed.netloc.lower()
        return bool(host) and not any(h in host for h in ("drive.google.com", "pan.baidu.com", "onedrive", "1drv.ms"))
