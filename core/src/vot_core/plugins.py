"""Plugin discovery: the ``vot`` entry-point group, loaded in isolation, into the registries.

- Each entry point loads in its own try/except; a broken plugin is recorded (name, version,
  error) and skipped, the rest keep working. ``VOT_STRICT_PLUGINS=1`` makes a failure fatal.
- ``VOT_DISABLE_PLUGIN_AUTOLOAD=1`` turns discovery off (tests register plugins by hand);
  ``VOT_PLUGINS=a,b`` is an allow-list of entry-point names (core's built-in
  plugin is always loaded, as with autoload disabled).
- Misspelled hook implementations are caught by ``check_pending``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Dict, List, Optional

import pluggy

from . import hookspecs
from .registry import HOOK_REGISTRIES

GROUP = "vot"


class PluginError(RuntimeError):
    """A plugin failed to load or to register (fatal only with ``VOT_STRICT_PLUGINS=1``)."""


@dataclass
class PluginInfo:
    """What ``vot plugins`` reports for one plugin."""

    name: str
    distribution: str = ""
    version: str = ""
    components: Dict[str, List[str]] = field(default_factory=dict)
    error: Optional[str] = None

    def as_dict(self) -> Dict[str, Any]:
        return {"name": self.name, "distribution": self.distribution, "version": self.version,
                "components": self.components, "error": self.error}


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


class PluginManager:
    """Wraps ``pluggy.PluginManager`` for project ``vot`` and fills the registries."""

    def __init__(self):
        self.pm = pluggy.PluginManager(GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.infos: Dict[str, PluginInfo] = {}
        self._registered_hooks: set = set()

    # -- discovery --------------------------------------------------------------------------
    def load_entry_points(self) -> None:
        """Load every ``vot`` entry point (respecting the allow-list), each in isolation."""
        allow = os.environ.get("VOT_PLUGINS")
        allowed = {a.strip() for a in allow.split(",") if a.strip()} if allow else None
        for ep in entry_points(group=GROUP):
            if allowed is not None and ep.name not in allowed and ep.name != "core":
                continue
            if ep.name in self.infos:
                continue
            dist = getattr(ep, "dist", None)
            info = PluginInfo(ep.name, dist.metadata["Name"] if dist else "",
                              dist.version if dist else "")
            self.infos[ep.name] = info
            try:
                module = ep.load()
            except Exception as exc:  # isolate: report and keep going
                self._fail(info, exc)
                continue
            if self._register(module, info):
                self._fill(ep.name)

    def add(self, plugin: Any, name: str, distribution: str = "", version: str = "") -> PluginInfo:
        """Register a plugin object or module by hand (tests, notebooks)."""
        info = PluginInfo(name, distribution, version)
        self.infos[name] = info
        if self._register(plugin, info):
            self._fill(name)
        return info

    def _register(self, plugin: Any, info: PluginInfo) -> bool:
        """Register with pluggy and validate its hooks; on failure, unregister it again (a
        plugin left registered with a misspelled hook would fail every later check)."""
        try:
            self.pm.register(plugin, name=info.name)
            self.pm.check_pending()
        except Exception as exc:
            if self.pm.get_plugin(info.name) is not None:
                self.pm.unregister(name=info.name)
            self._fail(info, exc, where="hook validation")
            return False
        return True

    def remove(self, name: str) -> None:
        """Unregister a plugin and forget every component it registered."""
        info = self.infos.pop(name, None)
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin)
        if info:
            for reg in HOOK_REGISTRIES.values():
                for comp in info.components.get(reg.name, []):
                    reg.remove(comp)

    # -- registration ------------------------------------------------------------------------
    def _fill(self, plugin_name: str) -> None:
        """Call each registration hook of one plugin; a raising hook marks the plugin broken."""
        info = self.infos[plugin_name]
        plugin = self.pm.get_plugin(plugin_name)
        for hook_name, registry in HOOK_REGISTRIES.items():
            caller = getattr(self.pm.hook, hook_name)
            for impl in caller.get_hookimpls():
                if impl.plugin is not plugin:
                    continue
                added: List[str] = []

                def register(name, factory, _reg=registry, _added=added, _hook=hook_name):
                    if not isinstance(name, str) or not name:
                        raise PluginError(f"plugin '{plugin_name}': {_hook} got a name "
                                          f"that is not a non-empty string: {name!r}")
                    _reg.add(name, factory, origin=plugin_name)
                    _added.append(name)

                try:
                    impl.function(register=register)
                except Exception as exc:
                    for comp in added:
                        registry.remove(comp)
                    self._fail(info, exc, where=hook_name)
                    return
                if added:
                    info.components.setdefault(registry.name, []).extend(added)

    def _fail(self, info: PluginInfo, exc: BaseException, where: str = "import") -> None:
        info.error = f"{where}: {type(exc).__name__}: {exc}"
        for reg in HOOK_REGISTRIES.values():
            for comp in info.components.get(reg.name, []):
                reg.remove(comp)
        info.components = {}
        if _flag("VOT_STRICT_PLUGINS"):
            raise PluginError(f"plugin '{info.name}' failed ({info.error}); "
                              "VOT_STRICT_PLUGINS=1 makes this fatal") from exc


_MANAGER: Optional[PluginManager] = None


def get_plugin_manager() -> PluginManager:
    """The process-wide manager; entry points are discovered on first use unless disabled."""
    global _MANAGER
    if _MANAGER is None:
        _MANAGER = PluginManager()
        if not _flag("VOT_DISABLE_PLUGIN_AUTOLOAD"):
            _MANAGER.load_entry_points()
        else:
            # core's own components are always available
            from . import builtin_plugin
            _MANAGER.add(builtin_plugin, "core", "vot-core", _core_version())
    return _MANAGER


def _core_version() -> str:
    from . import __version__
    return __version__


def load_plugins() -> PluginManager:
    """Alias used by entry points into the library (CLI, pipeline builders)."""
    return get_plugin_manager()
