"""Used by `nox -s template`: the installed third-party plugin is discovered and composes
with a refiner in a pipeline (run as a script, not collected by pytest)."""
import json
import subprocess
import sys

import numpy as np

from vot_core.pipeline import build_pipeline
from vot_core.plugins import get_plugin_manager

name = sys.argv[1]
listing = json.loads(subprocess.run([sys.executable, "-m", "vot_core.cli", "plugins", "--json"],
                                    check=True, capture_output=True, text=True).stdout)
entries = listing if isinstance(listing, list) else listing.get("plugins", [])
found = [p for p in entries if p.get("name") == name]
assert found and not found[0].get("error"), f"plugin {name} not listed or broken: {entries}"
assert get_plugin_manager().infos[name].components.get("tracker"), "it registered no tracker"

frames = []
for i in range(8):
    frame = np.full((160, 200, 3), 50, np.uint8)
    frame[40 + 2 * i:72 + 2 * i, 30 + 5 * i:62 + 5 * i] = (210, 40, 40)
    frames.append(frame)
pipeline = build_pipeline(f"{name}/default", refiners=[dict(type="AlphaRefine")])
pipeline.initialize(frames[0], (30, 40, 32, 32))
for frame in frames[1:]:
    prediction = pipeline.track(frame)
    assert np.isfinite(prediction.box.tolist()).all()
print(f"template plugin '{name}' discovered and composed with AlphaRefine: {pipeline}")
