"""``vot new-plugin NAME``: render a third-party tracker plugin package from the template."""
from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "new-plugin", help="create a tracker plugin package from the template",
        description="Write vot-NAME/ (pyproject with the `vot` entry point, a tracker, a named "
                    "config NAME/default and a test) into --output.")
    parser.add_argument("name", help="plugin name: lower case letters, digits and '_'")
    parser.add_argument("--output", default=".", help="folder to write vot-NAME/ into")
    return parser


def run(args) -> int:
    from ..template import render_plugin

    target = render_plugin(args.name, Path(args.output))
    print(f"wrote {target}\nnext: pip install -e {target} && vot plugins")
    return 0
