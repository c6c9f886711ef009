"""Evaluation: metrics with named official protocols, result files, the runner and analysis.

- :mod:`.metrics`: float64 primitives (IoU variants, centre errors, curves, AUCs).
- :mod:`.protocols`: ``lasot``, ``tnl2k``, ``otb``, ``pytracking``, ``ostrack``, ``got10k``,
  ``trackingnet`` (each reproduces one official toolkit).
- :mod:`.results`: per-sequence result files in the official layouts, atomic writes, packing.
- :mod:`.runner`: ``evaluate(...)``: resumable, multi-process and torchrun-sharded runs;
  :mod:`.sources`: the picklable pipeline and dataset recipes its workers rebuild.
- :mod:`.analysis`: tables (terminal, CSV, Markdown), plots and per-attribute breakdowns.

Importing this package is cheap (no torch, no matplotlib).
"""
from .protocols import PROTOCOLS, EvaluationError, default_protocol, get_protocol
from .protocols import evaluate as evaluate_arrays
from .results import FORMATS, ResultFileError, read_boxes, write_sequence
from .runner import DataError, DatasetSpec, EvalError, PipelineSpec, RunFolderError, evaluate, shard

__all__ = ["PROTOCOLS", "EvaluationError", "default_protocol", "evaluate_arrays", "get_protocol",
           "FORMATS", "ResultFileError", "read_boxes", "write_sequence", "DataError", "DatasetSpec", "EvalError",
           "PipelineSpec", "RunFolderError", "evaluate", "shard"]
