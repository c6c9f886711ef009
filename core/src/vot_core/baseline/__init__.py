"""Network-free baseline trackers shipped with core (registered by ``builtin_plugin``)."""
from .ncc import NCCParams, NCCTracker
from .noisy_oracle import NoisyOracleTracker

__all__ = ["NCCParams", "NCCTracker", "NoisyOracleTracker"]
