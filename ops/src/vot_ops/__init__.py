"""vot-ops: compiled kernels for vot (package skeleton)."""
__version__ = "0.1.0"
