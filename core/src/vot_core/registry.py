"""One mmengine ``Registry`` per component kind, all in the ``vot`` scope.

Components enter only through the plugin hooks (never by import side effects). A component may
be registered as an import string ``"pkg.module:Name"``; it is imported the first time it is
looked up, so ``vot --help`` and ``vot plugins`` never import torch.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable, Dict, Union

from mmengine.registry import Registry

Factory = Union[Callable[..., Any], str]


def import_string(target: str) -> Any:
    """Import ``"pkg.module:Attr"`` (or ``"pkg.module.Attr"``) and return the attribute."""
    module_name, sep, attr = target.partition(":")
    if not sep:
        module_name, _, attr = target.rpartition(".")
    module = importlib.import_module(module_name)
    obj = module
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


class LazyRegistry(Registry):
    """An mmengine ``Registry`` that also accepts import strings, resolved on first ``get``."""

    def __init__(self, name: str, **kwargs):
        super().__init__(name, scope="vot", **kwargs)
        self._lazy: Dict[str, str] = {}
        self.origins: Dict[str, str] = {}  # component name -> plugin that registered it

    def add(self, name: str, factory: Factory, origin: str = "") -> None:
        """Register ``factory`` under ``name``; a second registration of a name is an error."""
        if name in self._lazy or name in self._module_dict:
            raise KeyError(
                f"{self.name} '{name}' is registered twice "
                f"(first by '{self.origins.get(name, '?')}', again by '{origin or '?'}')")
        if isinstance(factory, str):
            self._lazy[name] = factory
        else:
            self.register_module(name=name, module=factory)
        self.origins[name] = origin

    def get(self, key: str):
        if isinstance(key, str) and key in self._lazy:
            target = self._lazy[key]
            try:
                factory = import_string(target)
            except Exception as exc:  # keep the entry: the next lookup reports it again
                origin = self.origins.get(key) or "?"
                raise ImportError(f"{self.name} '{key}' (registered by plugin '{origin}' as "
                                  f"'{target}') could not be imported: "
                                  f"{type(exc).__name__}: {exc}") from exc
            self.register_module(name=key, module=factory)
            del self._lazy[key]
        if isinstance(key, str) and key in self._module_dict:
            # direct hit: skip mmengine's lookup, whose debug log imports torch (seconds)
            return self._module_dict[key]
        return super().get(key)

    def names(self) -> list:
        """All registered names, resolved or not, sorted."""
        return sorted(set(self._module_dict) | set(self._lazy))

    def __contains__(self, key) -> bool:
        # only what was registered: mmengine's lookup would import any module named ``key``
        return key in self._lazy or key in self._module_dict

    def remove(self, name: str) -> None:
        """Forget ``name`` (used by tests that register components by hand)."""
        self._lazy.pop(name, None)
        self._module_dict.pop(name, None)
        self.origins.pop(name, None)


class EntryRegistry:
    """A name -> object table for registered values that are not factories (zoo entries)."""

    def __init__(self, name: str):
        self.name = name
        self._items: Dict[str, Any] = {}
        self.origins: Dict[str, str] = {}

    def add(self, name: str, item: Any, origin: str = "") -> None:
        if name in self._items:
            raise KeyError(f"{self.name} '{name}' is registered twice")
        self._items[name] = item
        self.origins[name] = origin

    def get(self, name: str) -> Any:
        return self._items.get(name)

    def names(self) -> list:
        return sorted(self._items)

    def __contains__(self, name) -> bool:
        return name in self._items

    def remove(self, name: str) -> None:
        self._items.pop(name, None)
        self.origins.pop(name, None)


BACKBONES = LazyRegistry("backbone")
TRACKERS = LazyRegistry("tracker")
REFINERS = LazyRegistry("refiner")
DATASETS = LazyRegistry("dataset")
MODELS = LazyRegistry("model")
WEIGHTS = EntryRegistry("weights")

#: hook name -> registry it fills
HOOK_REGISTRIES = {
    "register_backbones": BACKBONES,
    "register_trackers": TRACKERS,
    "register_refiners": REFINERS,
    "register_datasets": DATASETS,
    "register_weights": WEIGHTS,
    "register_models": MODELS,
}
