"""Weights: find, download, read and strictly load checkpoints.

``load_checkpoint`` accepts a path, an http(s)/file URL (cached under ``$VOT_CACHE``, sha256
checked) or a zoo name registered by a plugin. It reads with ``torch.load(weights_only=True)``
and, for checkpoints that pickled training objects, with a restricted unpickler that never runs
pickled code (see :mod:`vot_core.weights.unpickler`).
"""
from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Optional, Union
from typing import Sequence as Seq

from .download import cache_dir, download, sha256_file, weights_cache_dir
from .entry import WeightsEntry
from .errors import WeightsError

_UNPICKLER_NAMES = ("PickledObject", "RestrictedUnpickler", "find_placeholders", "restricted_pickle")


def __getattr__(name: str):
    """The unpickler imports torch: load it on first use so that plugin discovery (zoo entries)
    stays free of torch."""
    if name in _UNPICKLER_NAMES:
        from . import unpickler

        return getattr(unpickler, name)
    raise AttributeError(f"module 'vot_core.weights' has no attribute '{name}'")

Source = Union[str, os.PathLike]

__all__ = [
    "WeightsEntry", "WeightsError", "PickledObject", "RestrictedUnpickler", "load_checkpoint",
    "extract_state_dict", "load_state_dict_strict", "load_weights", "resolve_weights", "get_entry",
    "cache_dir", "weights_cache_dir", "download", "sha256_file", "find_placeholders",
]


def _is_url(source: str) -> bool:
    return urllib.parse.urlparse(source).scheme in ("http", "https", "file", "ftp")


def get_entry(name: str) -> Optional[WeightsEntry]:
    """The registered zoo entry ``name`` (plugins are discovered on first use), or None."""
    from ..registry import WEIGHTS
    if name not in WEIGHTS:
        from ..plugins import get_plugin_manager
        get_plugin_manager()
    return WEIGHTS.get(name)


def resolve_weights(name_or_path: Source, progress: bool = True) -> Path:
    """A local file for a path, URL or zoo name, downloading into the cache when needed."""
    source = os.fspath(name_or_path)
    path = Path(source).expanduser()
    if path.is_file():
        return path
    if _is_url(source):
        dest = weights_cache_dir() / (Path(urllib.parse.urlparse(source).path).name or "weights.pth")
        return dest if dest.is_file() else download(source, dest, progress=progress)
    entry = get_entry(source)
    if entry is None:
        from ..registry import WEIGHTS
        known = ", ".join(WEIGHTS.names()) or "none registered"
        raise WeightsError(f"weights '{source}' not found: no such file ({path.resolve()}), and not a URL or "
                           f"a registered zoo name (registered: {known})")
    dest = weights_cache_dir() / entry.file_name
    if dest.is_file():
        return dest
    where = f"{entry.url}" + (f" (official repository: {entry.repo})" if entry.repo else "")
    if not entry.direct_download:
        raise WeightsError(f"weights '{entry.name}' cannot be downloaded automatically. Download "
                           f"{entry.file_name} from {where} and put it at {dest}, or pass its path.")
    return download(entry.url, dest, sha256=entry.sha256, progress=progress, help_url=where)


def load_checkpoint(source: Source, map_location: Any = "cpu", progress: bool = True) -> Dict[str, Any]:
    """Load a checkpoint (path, URL or zoo name) without running pickled code.

    First ``torch.load(weights_only=True)``. If that refuses the pickle (training objects such
    as OSTrack's ``Settings`` or Alpha-Refine's ``NetConstructor``), the restricted unpickler
    reads it, in the zip or the legacy format, and unknown objects become
    :class:`PickledObject` placeholders.
    """
    import torch

    path = resolve_weights(source, progress=progress)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file
        device = map_location if isinstance(map_location, str) else "cpu"
        return dict(load_file(str(path), device=device))
    if _is_torchscript(path):  # torch.load would hand it to torch.jit.load, which runs its code
        raise WeightsError(f"{path} is a TorchScript archive, not a checkpoint; it is not loaded")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception:  # noqa: BLE001 - refused pickled objects (or unreadable): try the inert reader
        pass
    try:
        from .unpickler import restricted_pickle

        return torch.load(path, map_location=map_location, weights_only=False, pickle_module=restricted_pickle)
    except Exception as exc:  # noqa: BLE001 - any failure becomes one clear error
        raise WeightsError(f"cannot read checkpoint {path}: {type(exc).__name__}: {exc}") from exc


def _is_torchscript(path: Path) -> bool:
    import zipfile
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any(name.endswith("/constants.pkl") or name == "constants.pkl" for name in archive.namelist())


def _is_state_dict(obj: Any) -> bool:
    import torch
    return isinstance(obj, Mapping) and len(obj) > 0 and all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in obj.items())


def extract_state_dict(ckpt: Any, keys: Iterable[str] = ("net", "state_dict", "model"),
                       strip_prefix: str = "module.") -> Dict[str, Any]:
    """The state_dict inside a checkpoint container.

    Returns the first of ``keys`` holding a mapping of tensors (``{'net': ...}`` of
    OSTrack/pytracking, mmdetection's ``{'state_dict': ...}``, MAE's ``{'model': ...}``), or the
    checkpoint itself when it is a flat state_dict. A ``strip_prefix`` that every key carries
    (DataParallel's ``module.``) is removed.
    """
    if not isinstance(ckpt, Mapping):
        raise WeightsError(f"a checkpoint must be a dict, got {type(ckpt).__name__}")
    state = None
    for key in keys:
        if key in ckpt and _is_state_dict(ckpt[key]):
            state = ckpt[key]
            break
    if state is None:
        if _is_state_dict(ckpt):
            state = ckpt
        else:
            top = ", ".join(f"{k!r}: {type(v).__name__}" for k, v in list(ckpt.items())[:12])
            raise WeightsError(f"no state_dict found under {tuple(keys)} and the checkpoint is not a flat "
                               f"state_dict; its top level holds {{{top}}}")
    if strip_prefix and all(k.startswith(strip_prefix) for k in state):
        state = type(state)((k[len(strip_prefix):], v) for k, v in state.items())
    return dict(state)


def _names(items: Seq[str], first: int) -> str:
    shown = ", ".join(items[:first])
    return shown + (f", ... ({len(items) - first} more)" if len(items) > first else "")


def load_state_dict_strict(module, state_dict: Mapping, source: str = "checkpoint", first: int = 5) -> None:
    """``module.load_state_dict(state_dict, strict=True)`` with a readable error.

    On any difference raises :class:`WeightsError` listing the counts and the first ``first``
    missing, unexpected and wrong-shape keys (with both shapes), which names the variant a
    wrong checkpoint belongs to.
    """
    own = module.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    wrong = [f"{k} (checkpoint {tuple(state_dict[k].shape)}, model {tuple(own[k].shape)})"
             for k in own if k in state_dict and hasattr(state_dict[k], "shape")
             and tuple(state_dict[k].shape) != tuple(own[k].shape)]
    if missing or unexpected or wrong:
        lines = [f"{source} does not match {type(module).__name__} "
                 f"({len(state_dict)} keys in the checkpoint, {len(own)} in the model):"]
        if missing:
            lines.append(f"  {len(missing)} missing: {_names(missing, first)}")
        if unexpected:
            lines.append(f"  {len(unexpected)} unexpected: {_names(unexpected, first)}")
        if wrong:
            lines.append(f"  {len(wrong)} wrong shape: {_names(wrong, first)}")
        lines.append("  Is it a checkpoint of another variant or model? Check the config against the weights.")
        raise WeightsError("\n".join(lines))
    module.load_state_dict(state_dict, strict=True)


def load_weights(module, source: Source, keys: Optional[Iterable[str]] = None,
                 converter: Union[None, str, Callable[[Dict[str, Any]], Dict[str, Any]]] = None,
                 map_location: Any = "cpu") -> Dict[str, Any]:
    """Load ``source`` (path, URL or zoo name) strictly into ``module``; returns the checkpoint.

    The state_dict is taken with :func:`extract_state_dict`; a ``converter`` (callable or import
    string, defaulting to the zoo entry's) maps it to the module's layout first.
    """
    entry = None
    source_str = os.fspath(source)
    if not Path(source_str).expanduser().is_file() and not _is_url(source_str):
        entry = get_entry(source_str)
    ckpt = load_checkpoint(source, map_location=map_location)
    state = extract_state_dict(ckpt, keys or (entry.state_dict_keys if entry else ("net", "state_dict", "model")))
    converter = converter if converter is not None else (entry.converter if entry else None)
    if isinstance(converter, str):
        from ..registry import import_string
        converter = import_string(converter)
    if converter is not None:
        state = converter(state)
    load_state_dict_strict(module, state, source=f"weights '{source_str}'")
    return ckpt
