"""vot-alpharefine: a vot plugin. Importing it is cheap; networks load on first use."""
__version__ = "0.1.0"
