"""Render the third-party plugin template (``vot new-plugin NAME``).

The template lives in ``vot_core/templates/plugin``: files end in ``.tmpl`` (so nothing
collects or lints them in place), ``__name__`` in a path and ``{{name}}`` / ``{{Class}}`` in a
file are replaced.
"""
from __future__ import annotations

import keyword
import re
from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent / "templates" / "plugin"


def class_name(name: str) -> str:
    """``my_tracker`` -> ``MyTrackerTracker``-style class name (``MyTracker``)."""
    return "".join(part.capitalize() for part in name.split("_")) or "Tracker"


def render_plugin(name: str, destination: Path) -> Path:
    """Write the package ``vot-NAME`` into ``destination/vot-NAME`` and return its path."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
        raise ValueError(f"plugin name '{name}' must be lower case letters, digits and '_' "
                         "and start with a letter")
    target = Path(destination) / f"vot-{name}"
    if target.exists():
        raise FileExistsError(f"{target} already exists; choose another name or folder")
    values = {"{{name}}": name, "{{Class}}": class_name(name) + "Tracker"}
    for src in sorted(TEMPLATE_DIR.rglob("*.tmpl")):
        rel = src.relative_to(TEMPLATE_DIR).as_posix()[: -len(".tmpl")].replace("__name__", name)
        text = src.read_text()
        for key, value in values.items():
            text = text.replace(key, value)
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    return target
