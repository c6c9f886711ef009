"""Configs: mmengine ``Config`` files shipped inside packages, addressable by name.

``ostrack/vitb_256_mae_ce_32x4_ep300`` resolves to ``configs/vitb_256_mae_ce_32x4_ep300.py``
inside the package of the ``ostrack`` entry point (found from metadata, nothing is imported);
``core/...`` resolves inside vot_core. A path to a ``.py`` file works too. ``_base_``
inheritance is mmengine's; overrides are ``key.sub=value`` strings or a dict.
"""
from __future__ import annotations

import difflib
import importlib.util
import os
from importlib.metadata import entry_points
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Union

from mmengine.config import Config, DictAction


class ConfigError(ValueError):
    """A config could not be found or is not valid."""


def _package_configs_dir(prefix: str) -> Optional[Path]:
    module = None
    if prefix == "core":
        return Path(__file__).parent / "configs"
    for ep in entry_points(group="vot"):
        if ep.name == prefix:
            module = ep.value.split(":")[0]
            break
    if module is None:
        return None
    top = module.split(".")[0]
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "configs"


def available_configs() -> List[str]:
    """Every named config of every installed package (``prefix/name``)."""
    names = []
    prefixes = ["core"] + sorted({ep.name for ep in entry_points(group="vot")} - {"core"})
    for prefix in prefixes:
        folder = _package_configs_dir(prefix)
        if folder and folder.is_dir():
            for f in sorted(folder.rglob("*.py")):
                rel = f.relative_to(folder).with_suffix("")
                if not any(part.startswith("_") for part in rel.parts):
                    names.append(f"{prefix}/{rel.as_posix()}")
    return names


def resolve_config_path(name_or_path: Union[str, os.PathLike]) -> Path:
    """Path of a config given by file path or by ``prefix/name``; clear error if unknown."""
    path = Path(name_or_path)
    if path.suffix == ".py":
        if path.is_file():
            return path
        raise ConfigError(f"config file not found: {path}")
    text = str(name_or_path)
    if "/" in text:
        prefix, rest = text.split("/", 1)
        folder = _package_configs_dir(prefix)
        if folder is not None:
            candidate = folder / f"{rest}.py"
            if candidate.is_file():
                return candidate
    known = available_configs()
    close = difflib.get_close_matches(text, known, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise ConfigError(f"unknown config '{text}'.{hint} Known configs: {', '.join(known) or 'none'}")


def parse_overrides(items: Optional[Iterable[str]]) -> Dict:
    """``['a.b=1', 'c=[1,2]']`` -> ``{'a.b': 1, 'c': [1, 2]}`` (mmengine's DictAction rules)."""
    out: Dict = {}
    for item in items or []:
        if "=" not in item:
            raise ConfigError(f"override '{item}' is not of the form key=value")
        key, value = item.split("=", 1)
        out[key] = DictAction._parse_iterable(value)
    return out


def load_config(name_or_path: Union[str, os.PathLike, Config, dict],
                overrides: Optional[Union[Dict, Iterable[str]]] = None) -> Config:
    """Load a config by name, path, ``Config`` or plain dict, then apply ``overrides``."""
    if isinstance(name_or_path, Config):
        cfg = name_or_path
    elif isinstance(name_or_path, dict):
        cfg = Config(name_or_path)
    else:
        path = resolve_config_path(name_or_path)
        try:
            cfg = Config.fromfile(str(path))
        except Exception as exc:
            raise ConfigError(f"config {path} could not be read: {exc}") from exc
    if overrides:
        opts = overrides if isinstance(overrides, dict) else parse_overrides(overrides)
        cfg.merge_from_dict(opts)
    return cfg
