"""Pipeline: a tracker plus zero or more refiners, built from config; itself a Tracker.

Per frame: the tracker predicts, each refiner refines in order, then (unless
``feedback=False``) the final box goes back to the tracker through ``correct()``.
"""
from __future__ import annotations

import difflib
import inspect
from typing import Any, Dict, List, Optional, Union
from typing import Sequence as Seq

import numpy as np

from .config import Config, ConfigError, load_config
from .registry import REFINERS, TRACKERS, LazyRegistry
from .structures import Box, Prediction

PIPELINE_KEYS = {"tracker", "refiners", "feedback"}


def build_component(registry: LazyRegistry, cfg: Dict[str, Any], **defaults) -> Any:
    """Build ``cfg['type']`` from ``registry`` with ``cfg``'s other keys as arguments.

    ``defaults`` (e.g. ``device``) are passed only where the factory accepts them and the
    config does not set them. Unknown types name the close matches.
    """
    from .plugins import get_plugin_manager

    get_plugin_manager()
    cfg = dict(cfg)
    if "type" not in cfg:
        raise ConfigError(f"{registry.name} config {cfg} has no 'type'")
    name = cfg.pop("type")
    if not isinstance(name, str):
        factory = name
    else:
        if name not in registry:
            close = difflib.get_close_matches(name, registry.names(), n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise ConfigError(f"unknown {registry.name} type '{name}'.{hint} "
                              f"Registered: {', '.join(registry.names()) or 'none'}")
        factory = registry.get(name)
    try:
        params = inspect.signature(factory).parameters
        accepts_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    except (TypeError, ValueError):
        params, accepts_any = {}, True
    for key, value in defaults.items():
        if key not in cfg and (accepts_any or key in params):
            cfg[key] = value
    try:
        return factory(**cfg)
    except TypeError as exc:
        raise ConfigError(f"{registry.name} '{name}' rejected its config: {exc}") from exc


class Pipeline:
    """A tracker and its refiners, used exactly like a tracker."""

    def __init__(self, tracker, refiners: Seq[Any] = (), feedback: bool = True):
        self.tracker = tracker
        self.refiners = list(refiners)
        self.feedback = feedback

    def initialize(self, frame: np.ndarray, box: Union[Box, Seq[float]]) -> None:
        box = Box.of(box).validate(frame.shape, what="init box")
        self.tracker.initialize(frame, box)
        for refiner in self.refiners:
            refiner.initialize(frame, box)

    def track(self, frame: np.ndarray) -> Prediction:
        prediction = self.tracker.track(frame)
        if not self.refiners:
            return prediction
        for refiner in self.refiners:
            prediction = refiner.refine(frame, prediction)
        if self.feedback:
            self.tracker.correct(prediction.box)
        return prediction

    def correct(self, box: Union[Box, Seq[float]]) -> None:
        self.tracker.correct(Box.of(box))

    def __repr__(self) -> str:
        names = [type(self.tracker).__name__] + [type(r).__name__ for r in self.refiners]
        return f"Pipeline({' -> '.join(names)}, feedback={self.feedback})"


def _refiner_cfg_from(source: Union[str, Dict, Config]) -> List[Dict]:
    """Refiner configs from a dict or a named/path config (its ``pipeline.refiners`` or
    ``refiner``)."""
    if isinstance(source, dict) and "type" in source:
        return [dict(source)]
    cfg = load_config(source)
    if "refiner" in cfg:
        return [dict(cfg.refiner)]
    if "pipeline" in cfg and cfg.pipeline.get("refiners"):
        return [dict(r) for r in cfg.pipeline.refiners]
    raise ConfigError(f"config '{source}' defines no refiner ('refiner' or 'pipeline.refiners')")


def build_refiner(source: Union[str, Dict, Config], weights: Optional[str] = None,
                  device: str = "cpu") -> Any:
    """One refiner from a name, path or dict (a refiner config's ``refiner``), e.g. to refine
    a tracker object built in Python: ``Pipeline(my_tracker, [build_refiner('alpharefine/...')])``.
    """
    cfgs = _refiner_cfg_from(source)
    if len(cfgs) != 1:
        raise ConfigError(f"config '{source}' defines {len(cfgs)} refiners; name one")
    if weights is not None:
        cfgs[0]["weights"] = str(weights)
    return build_component(REFINERS, cfgs[0], device=device)


def build_pipeline(config: Union[str, Dict, Config], weights: Optional[str] = None,
                   refiners: Seq[Union[str, Dict]] = (), refiner_weights: Seq[Optional[str]] = (),
                   device: str = "cpu", overrides=None) -> Pipeline:
    """Build a :class:`Pipeline` from a named config, a path, a ``Config`` or a dict.

    ``weights`` replaces the tracker's ``weights``; each entry of ``refiners`` (a name, path or
    dict) appends refiners, with the matching ``refiner_weights``.
    """
    cfg = load_config(config, overrides)
    if "pipeline" not in cfg:
        raise ConfigError(f"config '{config}' has no 'pipeline' (expected "
                          "pipeline = dict(tracker=dict(type=...), refiners=[...]))")
    pipe = dict(cfg.pipeline)
    unknown = set(pipe) - PIPELINE_KEYS
    if unknown:
        raise ConfigError(f"pipeline of '{config}' has unknown keys {sorted(unknown)}; "
                          f"allowed: {sorted(PIPELINE_KEYS)}")
    if "tracker" not in pipe:
        raise ConfigError(f"pipeline of '{config}' has no 'tracker'")
    tracker_cfg = dict(pipe["tracker"])
    if weights is not None:
        tracker_cfg["weights"] = str(weights)
    refiner_cfgs = [dict(r) for r in pipe.get("refiners") or []]
    extra: List[Dict] = []
    for source in refiners:
        extra.extend(_refiner_cfg_from(source))
    for i, w in enumerate(refiner_weights):
        if w is not None and i < len(extra):
            extra[i]["weights"] = str(w)
    tracker = build_component(TRACKERS, tracker_cfg, device=device)
    built = [build_component(REFINERS, r, device=device) for r in refiner_cfgs + extra]
    return Pipeline(tracker, built, feedback=bool(pipe.get("feedback", True)))
