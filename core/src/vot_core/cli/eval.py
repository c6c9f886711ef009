"""``vot eval --pipeline NAME_OR_FILE --dataset NAME [--root DIR] ...``: run a benchmark.

Writes per-sequence results in the benchmark's official format into the run folder
(``--output``, default ``results/<dataset>[-<split>]/<pipeline>``), skipping sequences already
there, then prints the scores under the dataset's protocol (or packs the submission zip for
test splits whose ground truth is withheld). Under ``torchrun`` sequences are sharded over
ranks and rank 0 reports.
"""
from __future__ import annotations

import argparse
import os
import re
from pathlib import Path


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "eval", help="run a pipeline over a dataset and write official-format results",
        description="Track every sequence of a dataset and write per-sequence results and "
                    "per-frame times (atomically; a rerun skips finished sequences). Parallel "
                    "with --workers; across machines with torchrun (sequences sharded by RANK).")
    parser.add_argument("--pipeline", "-p", required=True, metavar="NAME_OR_FILE",
                        help="named config (e.g. core/ncc) or a .py config file")
    parser.add_argument("--dataset", "-d", required=True, metavar="NAME",
                        help="registered dataset (e.g. lasot, got10k, synthetic)")
    parser.add_argument("--root", metavar="DIR", help="dataset folder (default: under $VOT_DATA)")
    parser.add_argument("--split", metavar="S", help="dataset split (e.g. test, val, tiny)")
    parser.add_argument("--sequences", nargs="+", metavar="NAME", help="only these sequences")
    parser.add_argument("--dataset-option", action="append", default=[], metavar="KEY=VALUE",
                        help="keyword of the dataset loader (repeatable), e.g. "
                             "attributes_root=/data/LaSOT_Evaluation_Toolkit")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="worker processes, each with its own pipeline (default 1)")
    parser.add_argument("--output", "-o", metavar="DIR",
                        help="run folder (default: results/<dataset>[-<split>]/<pipeline>)")
    parser.add_argument("--device", default="cpu",
                        help="cpu, cuda or cuda:N (default cpu); under torchrun 'cuda' means "
                             "cuda:LOCAL_RANK")
    parser.add_argument("--weights", metavar="PATH", help="tracker checkpoint or zoo name")
    parser.add_argument("--refiner", action="append", default=[], metavar="NAME_OR_FILE",
                        help="append a refiner (named config or file); repeatable")
    parser.add_argument("--refiner-weights", action="append", default=[], metavar="PATH",
                        help="checkpoint of the matching --refiner; repeatable")
    parser.add_argument("--cfg-options", nargs="+", default=[], metavar="KEY=VALUE",
                        help="override config keys, e.g. pipeline.tracker.search_factor=3")
    parser.add_argument("--format", dest="result_format",
                        choices=["lasot", "got10k", "trackingnet", "vot"],
                        help="result file format (default: the dataset's official one)")
    parser.add_argument("--protocol", help="protocol of the final report (default: the dataset's)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    return parser


def pipeline_label(pipeline: str) -> str:
    """A folder name for a pipeline: ``core/ncc`` -> ``core_ncc``, ``x/my.py`` -> ``my``."""
    p = Path(pipeline)
    text = p.stem if p.suffix == ".py" else pipeline
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "pipeline"


def default_output(args) -> Path:
    part = args.dataset + (f"-{args.split}" if args.split else "")
    return Path("results") / part / pipeline_label(args.pipeline)


def run(args) -> int:
    from .. import __version__
    from ..config import parse_overrides
    from ..evaluation import analysis, results
    from ..evaluation.runner import DatasetSpec, PipelineSpec, evaluate

    if args.workers < 1:
        raise ValueError(f"--workers must be >= 1, got {args.workers}")
    device = args.device
    if device == "cuda" and "LOCAL_RANK" in os.environ:  # torchrun: one GPU per local rank
        device = f"cuda:{int(os.environ['LOCAL_RANK'])}"
    pipeline = PipelineSpec(args.pipeline, weights=args.weights, device=device,
                            refiners=tuple(args.refiner), refiner_weights=tuple(args.refiner_weights),
                            overrides=parse_overrides(args.cfg_options) or None)
    dataset = DatasetSpec(args.dataset, args.root, args.split,
                          options=parse_overrides(args.dataset_option))
    output = Path(args.output) if args.output else default_output(args)
    res = evaluate(pipeline, dataset, output, dataset_name=args.dataset, split=args.split,
                   sequences=args.sequences, workers=args.workers, fmt=args.result_format,
                   progress=not args.quiet,
                   extra_manifest={"name": output.name, "device": device,
                                   "vot_core": __version__})
    if res.rank != 0:
        return 0
    where = f" on rank 0 of {res.world_size} (all ranks' results gathered)" if res.world_size > 1 else ""
    print(f"{output}: {len(res.ran)} sequences tracked{where}, {len(res.skipped)} already there "
          f"({res.format} format)")
    if not res.complete:
        return 0
    table = res.table
    withheld = any(analysis.ground_truth_withheld(table[n]) for n in res.names)
    if withheld:
        if res.format == "trackingnet":
            print(f"submission: {results.pack_trackingnet(output, res.names, output / 'trackingnet_submission.zip')}")
        elif res.format == "got10k":
            print(f"submission: {results.pack_got10k(output, res.names, output / 'got10k_submission.zip')}")
        else:
            print("ground truth is withheld for this split: no scores")
        return 0
    report = analysis.analyze([output], table, protocol=args.protocol, dataset_name=args.dataset,
                              sequences=res.names)
    print(analysis.render_text(report))
    return 0
