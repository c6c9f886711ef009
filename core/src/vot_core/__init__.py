"""vot-core: the thin core of vot (plugin system, runtime contract, geometry, weights, CLI).

Importing this package is cheap: heavy modules (torch, cv2) load only where they are used.
"""
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("vot-core")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.1.0"

from .structures import Box, Prediction, Sequence  # noqa: E402
from .tracker import BaseTracker, Refiner, Tracker  # noqa: E402

__all__ = ["Box", "Prediction", "Sequence", "Tracker", "Refiner", "BaseTracker", "__version__"]
