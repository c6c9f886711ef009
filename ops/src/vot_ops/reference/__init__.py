"""Pure-PyTorch reference kernels of vot-ops.

They define the semantics (each follows one official kernel, see the module docstrings), serve
as the test oracle for the compiled kernels and as the fallback when the extension is not
built. They are differentiable through ordinary autograd. Written for clarity, not speed.
"""
from __future__ import annotations

from .deform_conv import modulated_deform_conv2d
from .nms import batched_nms, nms
from .prroi_pool import prroi_pool
from .roi_align import roi_align

__all__ = ["batched_nms", "modulated_deform_conv2d", "nms", "prroi_pool", "roi_align"]
