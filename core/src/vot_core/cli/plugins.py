"""``vot plugins [--json]``: installed plugins, their versions, components and load errors.

Discovery reads entry points and each plugin's ``plugin.py`` (import strings only), so this
command imports no torch and stays fast with every plugin installed.
"""
from __future__ import annotations

import argparse
import json


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "plugins", help="list installed plugins and what they register",
        description="List every plugin of the `vot` entry-point group: distribution, version, "
                    "registered components, and the error of any plugin that failed to load.")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    return parser


def plugin_report() -> dict:
    """What ``vot plugins --json`` prints."""
    from .. import __version__
    from ..plugins import get_plugin_manager

    manager = get_plugin_manager()
    infos = sorted(manager.infos.values(), key=lambda i: (i.name != "core", i.name))
    plugins = [info.as_dict() for info in infos]
    return {"vot_core": __version__, "plugins": plugins,
            "broken": [p["name"] for p in plugins if p["error"]]}


def run(args) -> int:
    report = plugin_report()
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    print(f"vot-core {report['vot_core']}: {len(report['plugins'])} plugin(s)")
    for plugin in report["plugins"]:
        status = "BROKEN" if plugin["error"] else "ok"
        dist = f"{plugin['distribution']} {plugin['version']}".strip() or "?"
        print(f"{plugin['name']:<14} {dist:<28} {status}")
        if plugin["error"]:
            print(f"    error: {plugin['error']}")
        for kind, names in sorted(plugin["components"].items()):
            print(f"    {kind + ':':<10} {', '.join(sorted(names))}")
    return 0
