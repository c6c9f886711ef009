"""Loads the compiled kernels (``vot_ops._C``) and decides, per call, whether to use them.

Without the extension (not built, or ``VOT_OPS_DISABLE_EXTENSION=1``) or without kernels for a
tensor's device, the wrappers run the pure-PyTorch references and warn once per process.
"""
from __future__ import annotations

import os
import warnings
from typing import Optional

import torch


class VotOpsFallbackWarning(UserWarning):
    """The compiled vot-ops kernels are not available; the slow reference is used."""


_LOAD_ERROR: Optional[BaseException] = None
_LOADED = False
if os.environ.get("VOT_OPS_DISABLE_EXTENSION", "").strip().lower() in ("1", "true", "yes", "on"):
    _LOAD_ERROR = RuntimeError("disabled by VOT_OPS_DISABLE_EXTENSION")
else:
    try:
        from . import _C  # noqa: F401  (registers torch.ops.vot_ops.*)

        _LOADED = True
    except ImportError as error:  # not built, or built against another torch
        _LOAD_ERROR = error

_OPS = ("roi_align", "nms", "batched_nms", "modulated_deform_conv2d", "prroi_pool")
# (op, device type) -> has a compiled kernel; computed once so torch.compile sees constants
_KERNELS = {
    (op, dev): _LOADED and torch._C._dispatch_has_kernel_for_dispatch_key(f"vot_ops::{op}", key)
    for op in _OPS
    for dev, key in (("cpu", "CPU"), ("cuda", "CUDA"))
}
_warned = False


def extension_loaded() -> bool:
    """True when the compiled library is loaded (``torch.ops.vot_ops.*`` exist)."""
    return _LOADED


def has_kernel(op: str, device: torch.device) -> bool:
    """True when the compiled library has a kernel of ``op`` for ``device``."""
    return _LOADED and _KERNELS.get((op, device.type), False)


def use_compiled(op: str, device: torch.device) -> bool:
    """Whether to call the compiled kernel; warns once per process when falling back."""
    global _warned
    if has_kernel(op, device):
        return True
    if not _warned:
        _warned = True
        reason = (f"the extension failed to load ({_LOAD_ERROR})" if not _LOADED
                  else f"it has no {device.type} kernels")
        warnings.warn(
            f"vot_ops: using the pure-PyTorch reference kernels because {reason}. They give the "
            "same results but are much slower; build the extension with "
            "`pip install --no-build-isolation ./ops` (VOT_OPS_CUDA=1 for CUDA kernels).",
            VotOpsFallbackWarning,
            stacklevel=3,
        )
    return False
