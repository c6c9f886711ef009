"""Build a dataset by its registered name: ``build_dataset('lasot', root, split='test')``."""
from __future__ import annotations

from typing import Optional

from ..registry import DATASETS, import_string
from .base import Dataset, DatasetError
from .hooks import DATASETS as DATASET_CLASSES


def build_dataset(name: str, root: Optional[str] = None, split: Optional[str] = None,
                  **options) -> Dataset:
    """The loader registered as ``name`` (plugins included), opened on ``root``/``split``.

    Core's own loaders are found even when the plugin manager has not run (notebooks, tests).
    """
    from ..plugins import get_plugin_manager

    get_plugin_manager()
    if name in DATASETS:
        cls = DATASETS.get(name)
    elif name in DATASET_CLASSES:
        cls = import_string(DATASET_CLASSES[name])
    else:
        known = sorted(set(DATASETS.names()) | set(DATASET_CLASSES))
        raise DatasetError(f"unknown dataset {name!r}; registered: {known}")
    if split is not None:
        options["split"] = split
    return cls(root, **options)


__all__ = ["build_dataset", "DATASET_CLASSES"]
