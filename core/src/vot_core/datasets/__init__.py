"""Dataset loaders (official on-disk layouts) and the synthetic benchmark generator.

Loaders are registered through the ``register_datasets`` hook (see :mod:`.hooks`) and built by
name with :func:`vot_core.datasets.registry.build_dataset`; importing this package is cheap
(submodules load on first use).
"""
from __future__ import annotations

import importlib

from .base import Dataset, DatasetError, read_boxes

_LAZY = {
    "make_sequence": "synthetic", "make_suite": "synthetic", "SUITES": "synthetic",
    "write_lasot": "synthetic", "write_got10k": "synthetic", "EFFECTS": "synthetic",
    "SyntheticDataset": "synthetic", "LaSOT": "lasot", "GOT10k": "got10k",
    "TrackingNet": "trackingnet", "OTB": "otb", "UAV123": "uav123", "TNL2K": "tnl2k",
    "VOT": "vot", "TLP": "tlp", "COCO": "coco", "ImageNetVID": "imagenet_vid",
    "ImageNetDET": "imagenet_det", "YouTubeVOS": "youtube_vos", "Saliency": "saliency",
    "build_dataset": "registry",
    "DATASET_CLASSES": "registry",
}

__all__ = ["Dataset", "DatasetError", "read_boxes", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
