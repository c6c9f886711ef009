"""Plugin manager: isolation of broken plugins, the environment switches, hook validation.

Plugins here are in-test modules added with ``PluginManager().add`` or fake entry points; the
global registries are snapshotted and restored so nothing leaks into other tests.
"""
from __future__ import annotations

import sys
import types
from importlib.metadata import EntryPoint

import pytest

from vot_core import plugins as plugins_module
from vot_core.hookspecs import hookimpl
from vot_core.plugins import PluginError, PluginManager, get_plugin_manager
from vot_core.registry import HOOK_REGISTRIES, REFINERS, TRACKERS


class DummyTracker:
    def __init__(self, weights=None, device="cpu"):
        self.device = device


@pytest.fixture
def clean_registries():
    """Empty registries for the test; the previous content is restored afterwards."""
    saved = []
    for reg in HOOK_REGISTRIES.values():
        state = {k: dict(getattr(reg, k)) for k in ("_lazy", "_module_dict", "_items", "origins")
                 if hasattr(reg, k)}
        saved.append((reg, state))
        for k in state:
            getattr(reg, k).clear()
    yield
    for reg, state in saved:
        for k, content in state.items():
            getattr(reg, k).clear()
            getattr(reg, k).update(content)


def make_plugin(name, trackers=(), refiners=(), raise_in=None, misspelled=False):
    """A plugin module registering ``trackers``/``refiners`` (names -> DummyTracker)."""
    module = types.ModuleType(name)

    @hookimpl
    def register_trackers(register):
        for t in trackers:
            register(t, DummyTracker)
        if raise_in == "trackers":
            raise RuntimeError(f"{name} exploded while registering")

    @hookimpl
    def register_refiners(register):
        for r in refiners:
            register(r, "vot_core.baseline.ncc:NCCTracker")

    module.register_trackers = register_trackers
    module.register_refiners = register_refiners
    if misspelled:
        @hookimpl
        def register_tracker(register):  # the spec is register_trackers
            register("Never", DummyTracker)
        module.register_tracker = register_tracker
    return module


def test_add_registers_components(clean_registries):
    pm = PluginManager()
    info = pm.add(make_plugin("good", trackers=["GoodT"], refiners=["GoodR"]), "good", "vot-good", "1.2")
    assert info.error is None
    assert info.components == {"tracker": ["GoodT"], "refiner": ["GoodR"]}
    assert TRACKERS.get("GoodT") is DummyTracker
    assert TRACKERS.origins["GoodT"] == "good"
    # lazy import string resolves on first lookup
    assert "GoodR" in REFINERS and REFINERS.get("GoodR").__name__ == "NCCTracker"
    pm.remove("good")
    assert "GoodT" not in TRACKERS and "GoodR" not in REFINERS and "good" not in pm.infos


def test_plugin_raising_while_registering_is_isolated(clean_registries):
    pm = PluginManager()
    bad = pm.add(make_plugin("bad", trackers=["HalfDone"], raise_in="trackers"), "bad")
    good = pm.add(make_plugin("good", trackers=["GoodT"]), "good")
    assert bad.error is not None
    assert "register_trackers" in bad.error and "exploded while registering" in bad.error
    assert "HalfDone" not in TRACKERS  # what it registered before raising is rolled back
    assert bad.components == {}
    assert good.error is None and "GoodT" in TRACKERS


def test_duplicate_component_name_is_reported(clean_registries):
    pm = PluginManager()
    pm.add(make_plugin("first", trackers=["Same"]), "first")
    second = pm.add(make_plugin("second", trackers=["Same"]), "second")
    assert second.error is not None and "registered twice" in second.error
    assert TRACKERS.origins["Same"] == "first"


def test_misspelled_hookimpl_is_caught_and_does_not_break_later_plugins(clean_registries):
    pm = PluginManager()
    info = pm.add(make_plugin("typo", trackers=["TypoT"], misspelled=True), "typo")
    assert info.error is not None and "register_tracker" in info.error
    assert "TypoT" not in TRACKERS
    later = pm.add(make_plugin("later", trackers=["LaterT"]), "later")
    assert later.error is None, later.error
    assert "LaterT" in TRACKERS


def test_strict_mode_makes_failures_fatal(clean_registries, monkeypatch):
    monkeypatch.setenv("VOT_STRICT_PLUGINS", "1")
    pm = PluginManager()
    with pytest.raises(PluginError, match="exploded while registering") as excinfo:
        pm.add(make_plugin("bad", trackers=["X"], raise_in="trackers"), "bad")
    assert "Traceback" not in str(excinfo.value)  # one clear message; the cause is chained
    assert "X" not in TRACKERS


# -- entry-point discovery ---------------------------------------------------------------------
@pytest.fixture
def fake_entry_points(monkeypatch):
    """Install in-test modules as ``vot`` entry points; returns a function taking name->module."""
    added = []

    def install(points):
        eps = []
        for name, module in points.items():
            if module is None:
                value = f"vot_missing_plugin_{name}.plugin"
            else:
                value = f"vot_test_ep_{name}"
                monkeypatch.setitem(sys.modules, value, module)
                added.append(value)
            eps.append(EntryPoint(name=name, value=value, group="vot"))
        monkeypatch.setattr(plugins_module, "entry_points",
                            lambda group=None: [e for e in eps if group in (None, e.group)])

    return install


def test_plugin_failing_to_import_is_reported_and_rest_work(clean_registries, fake_entry_points):
    fake_entry_points({"broken": None, "fine": make_plugin("fine", trackers=["FineT"])})
    pm = PluginManager()
    pm.load_entry_points()
    assert pm.infos["broken"].error.startswith("import: ModuleNotFoundError")
    assert "vot_missing_plugin_broken" in pm.infos["broken"].error
    assert pm.infos["fine"].error is None and "FineT" in TRACKERS


def test_allow_list(clean_registries, fake_entry_points, monkeypatch):
    from vot_core import builtin_plugin

    fake_entry_points({"core": builtin_plugin, "a": make_plugin("a", trackers=["AT"]),
                       "b": make_plugin("b", trackers=["BT"]),
                       "broken": None})
    monkeypatch.setenv("VOT_PLUGINS", "a, broken")
    pm = PluginManager()
    pm.load_entry_points()
    assert set(pm.infos) == {"core", "a", "broken"}  # core's built-ins are always loaded
    assert "AT" in TRACKERS and "BT" not in TRACKERS and "NCCTracker" in TRACKERS


def test_strict_mode_on_import_failure(clean_registries, fake_entry_points, monkeypatch):
    fake_entry_points({"broken": None})
    monkeypatch.setenv("VOT_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError, match="broken"):
        PluginManager().load_entry_points()


def test_disable_autoload_keeps_only_core(clean_registries, fake_entry_points, monkeypatch):
    fake_entry_points({"other": make_plugin("other", trackers=["OtherT"])})
    monkeypatch.setattr(plugins_module, "_MANAGER", None)
    monkeypatch.setenv("VOT_DISABLE_PLUGIN_AUTOLOAD", "1")
    pm = get_plugin_manager()
    assert list(pm.infos) == ["core"]
    assert pm.infos["core"].error is None
    assert "NCCTracker" in TRACKERS and "OtherT" not in TRACKERS
    assert get_plugin_manager() is pm  # one manager per process


def test_autoload_discovers_entry_points(clean_registries, fake_entry_points, monkeypatch):
    from vot_core import builtin_plugin

    fake_entry_points({"core": builtin_plugin, "other": make_plugin("other", trackers=["OtherT"])})
    monkeypatch.setattr(plugins_module, "_MANAGER", None)
    monkeypatch.delenv("VOT_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.delenv("VOT_PLUGINS", raising=False)
    pm = get_plugin_manager()
    assert set(pm.infos) == {"core", "other"}
    assert {"NCCTracker", "OtherT"} <= set(TRACKERS.names())


def test_real_installed_core_plugin_metadata():
    """The installed vot-core distribution declares its built-in plugin (entry point 'core')."""
    from importlib.metadata import entry_points

    eps = {ep.name: ep for ep in entry_points(group="vot")}
    assert eps["core"].value == "vot_core.builtin_plugin"
    info = get_plugin_manager().infos["core"]
    assert info.error is None and info.distribution == "vot-core"
    assert "NCCTracker" in info.components["tracker"]


def test_component_that_fails_to_import_names_plugin_and_target(clean_registries):
    pm = PluginManager()
    module = types.ModuleType("lazy")

    @hookimpl
    def register_trackers(register):
        register("NeedsMissingPackage", "vot_missing_package.tracker:Tracker")

    module.register_trackers = register_trackers
    assert pm.add(module, "lazy").error is None  # registration itself imports nothing
    for _ in range(2):  # the entry stays, so the second lookup explains the same way
        with pytest.raises(ImportError, match="tracker 'NeedsMissingPackage' \\(registered by plugin "
                                              "'lazy' as 'vot_missing_package.tracker:Tracker'\\)"):
            TRACKERS.get("NeedsMissingPackage")
    assert "NeedsMissingPackage" in TRACKERS
