"""Network-free baseline trackers shipped with core (registered by ``builtin_plugin``)."""
from .ncc import NCCParams, NCCTracker

__all__ = ["NCCParams", "NCCTracker"]
