"""vot-ops: compiled kernels for vot (CPU C++ and CUDA, with autograd) and their pure-PyTorch
references.

Ops: :func:`roi_align` (+ :func:`multilevel_roi_align`, :func:`map_roi_levels`), :func:`nms`,
:func:`batched_nms`, :func:`modulated_deform_conv2d` (+ :func:`split_offset_mask`) and
:func:`prroi_pool`. The compiled ops are also ``torch.ops.vot_ops.*`` with fake kernels for
``torch.compile`` / ``torch.export``. Without the compiled library the same functions run the
references in :mod:`vot_ops.reference` (one :class:`VotOpsFallbackWarning`).
"""
from __future__ import annotations

from . import reference
from ._extension import VotOpsFallbackWarning, extension_loaded, has_kernel
from .deform_conv import modulated_deform_conv2d, split_offset_mask
from .nms import batched_nms, nms
from .prroi_pool import prroi_pool
from .roi_align import map_roi_levels, multilevel_roi_align, roi_align

__version__ = "0.1.0"

if extension_loaded():
    from ._fake import register as _register_fake

    _register_fake()

__all__ = [
    "VotOpsFallbackWarning",
    "batched_nms",
    "extension_loaded",
    "has_kernel",
    "map_roi_levels",
    "modulated_deform_conv2d",
    "multilevel_roi_align",
    "nms",
    "prroi_pool",
    "reference",
    "roi_align",
    "split_offset_mask",
]
