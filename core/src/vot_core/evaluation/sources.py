"""What a run is made of, in picklable form: the pipeline and dataset recipes that worker
processes rebuild, their description in ``run.json``, and lazy name -> sequence tables."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple


@dataclass
class PipelineSpec:
    """A picklable recipe for ``build_pipeline`` (what every worker process calls)."""

    config: Any
    weights: Optional[str] = None
    device: str = "cpu"
    refiners: Tuple = ()
    refiner_weights: Tuple = ()
    overrides: Optional[Dict] = None

    def __call__(self):
        from ..pipeline import build_pipeline
        return build_pipeline(self.config, weights=self.weights, refiners=self.refiners,
                              refiner_weights=self.refiner_weights, device=self.device,
                              overrides=self.overrides)

    def describe(self) -> Dict:
        from ..config import load_config
        cfg = load_config(self.config, self.overrides)
        return {"config": json.loads(json.dumps(cfg.to_dict(), sort_keys=True, default=str)),
                "weights": self.weights, "refiners": [str(r) for r in self.refiners],
                "refiner_weights": [str(w) for w in self.refiner_weights]}


@dataclass
class DatasetSpec:
    """A picklable recipe for a registered dataset: ``DATASETS[name](root=..., split=...)``."""

    name: str
    root: Optional[str] = None
    split: Optional[str] = None
    options: Dict = field(default_factory=dict)

    def __call__(self):
        from ..plugins import get_plugin_manager
        from ..registry import DATASETS
        get_plugin_manager()
        if self.name not in DATASETS.names():  # not `in`: mmengine's lookup imports modules
            raise ValueError(f"unknown dataset '{self.name}'; registered: {', '.join(DATASETS.names())}")
        kwargs = dict(self.options)
        if self.root is not None:
            kwargs["root"] = self.root
        if self.split is not None:
            kwargs["split"] = self.split
        return DATASETS.get(self.name)(**kwargs)


def describe_factory(factory: Callable) -> Dict:
    """What identifies a pipeline factory in ``run.json``."""
    if hasattr(factory, "describe"):
        return factory.describe()
    if isinstance(factory, functools.partial):
        return {"factory": _qualname(factory.func), "args": repr(factory.args),
                "kwargs": repr(sorted(factory.keywords.items()))}
    return {"factory": _qualname(factory)}


def _qualname(obj) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


class SequenceTable:
    """``name -> Sequence`` over a dataset, loading each sequence once, on first use.

    ``dataset`` is a callable recipe (called here), a :class:`~vot_core.datasets.Dataset`
    (``sequence_names()`` + ``dataset[name]``), a mapping or an iterable of sequences.
    """

    def __init__(self, dataset):
        if callable(dataset) and not hasattr(dataset, "__iter__"):
            dataset = dataset()
        self._cache: Dict[str, Any] = {}
        if hasattr(dataset, "sequence_names") and hasattr(dataset, "__getitem__"):
            self.names = list(dataset.sequence_names())
            positions = {n: i for i, n in enumerate(self.names)}
            self._load = lambda name: dataset[positions[name]]
            return
        items = dataset.items() if isinstance(dataset, dict) else ((s.name, s) for s in dataset)
        for name, seq in items:
            if name in self._cache:
                raise ValueError(f"dataset lists sequence '{name}' twice")
            self._cache[name] = seq
        self.names = list(self._cache)
        self._load = self._cache.__getitem__

    def __getitem__(self, name: str):
        if name not in self._cache:
            self._cache[name] = self._load(name)
        return self._cache[name]

    def __contains__(self, name) -> bool:
        return name in set(self.names)

    def __iter__(self):
        return iter(self.names)


def sequence_table(dataset) -> SequenceTable:
    return dataset if isinstance(dataset, SequenceTable) else SequenceTable(dataset)
