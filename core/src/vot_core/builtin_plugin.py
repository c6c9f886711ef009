"""Core's own components, registered through the same hooks as any plugin.

This module only names import strings: it imports no torch, so discovery stays cheap.
"""
from .hookspecs import hookimpl


@hookimpl
def register_trackers(register):
    register("NCCTracker", "vot_core.baseline.ncc:NCCTracker")
    register("OpenCVMILTracker", "vot_core.baseline.opencv_mil:OpenCVMILTracker")


@hookimpl
def register_backbones(register):
    register("TimmBackbone", "vot_core.backbones:TimmBackbone")


from .datasets.hooks import register_datasets  # noqa: E402,F401  (core's dataset loaders)
