"""Hook implementations of vot-dmtrack (registers nothing until its network is written)."""
from vot_core.hookspecs import hookimpl  # noqa: F401
