"""``vot analyze RESULT_DIR... --dataset NAME [--root DIR] [--protocol P] [--json]``.

Scores result folders (written by ``vot eval`` or official raw results in LaSOT/GOT-10k/VOT
layouts) under a named protocol; prints the comparison table (or, with ``--json``, only the
report as JSON) and writes ``results.csv``, ``results.md``, ``per_attribute.csv``,
``report.json`` and ``success.png`` / ``precision.png`` / ``norm_precision.png`` into ``--output``.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "analyze", help="score result folders: table, CSV/Markdown, plots, per-attribute",
        description="Compare result folders on a dataset under a named protocol (lasot, tnl2k, "
                    "otb, pytracking, ostrack, got10k, trackingnet; default: the dataset's).")
    parser.add_argument("result_dirs", nargs="+", metavar="RESULT_DIR",
                        help="run folders (one per tracker)")
    parser.add_argument("--dataset", "-d", required=True, metavar="NAME", help="registered dataset")
    parser.add_argument("--root", metavar="DIR", help="dataset folder (default: under $VOT_DATA)")
    parser.add_argument("--split", metavar="S", help="dataset split")
    parser.add_argument("--protocol", metavar="P", help="evaluation protocol")
    parser.add_argument("--sequences", nargs="+", metavar="NAME", help="only these sequences")
    parser.add_argument("--dataset-option", action="append", default=[], metavar="KEY=VALUE",
                        help="keyword of the dataset loader (repeatable), e.g. "
                             "attributes_root=/data/LaSOT_Evaluation_Toolkit")
    parser.add_argument("--output", "-o", metavar="DIR",
                        help="folder for tables and plots (default: analysis/<dataset>[-<split>]-<protocol>)")
    parser.add_argument("--no-plots", action="store_true", help="do not draw the PNG plots")
    parser.add_argument("--json", action="store_true", help="print the report as JSON only")
    return parser


def run(args) -> int:
    from ..config import parse_overrides
    from ..evaluation import analysis
    from ..evaluation.protocols import default_protocol, get_protocol
    from ..evaluation.runner import DatasetSpec

    protocol = args.protocol or default_protocol(args.dataset)
    get_protocol(protocol)  # unknown names fail before any work
    dataset = DatasetSpec(args.dataset, args.root, args.split,
                          options=parse_overrides(args.dataset_option))
    report = analysis.analyze(args.result_dirs, dataset, protocol=protocol,
                              dataset_name=args.dataset, sequences=args.sequences)
    part = args.dataset + (f"-{args.split}" if args.split else "")
    out = Path(args.output) if args.output else Path("analysis") / f"{part}-{protocol}"
    files = analysis.write_outputs(report, out, plots=not args.no_plots)
    if args.json:
        print(json.dumps(analysis.json_ready(report), allow_nan=False))
        return 0
    print(analysis.render_text(report))
    print("\nwrote " + ", ".join(str(p) for p in files.values()))
    return 0
