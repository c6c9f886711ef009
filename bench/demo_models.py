"""The README table of `vot demo`'s models: success AUC, precision and frames per second on the
held-out synthetic-test suite, for the tiny tracker (with and without the tiny refiner) and the
two classical baselines, all measured in one run on the same machine (2 CPU threads).

    python bench/demo_models.py [--output bench-results] [--pipelines ...]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil

import torch

from vot_core.cli import main as vot

PIPELINES = {
    "OSTrack-tiny": ["-p", "ostrack/tiny_synthetic"],
    "OSTrack-tiny + Alpha-Refine-tiny": ["-p", "ostrack/tiny_synthetic", "--refiner",
                                         "alpharefine/tiny_synthetic"],
    "NCC baseline (core)": ["-p", "core/ncc"],
    "OpenCV MIL": ["-p", "core/opencv_mil"],
}


def run(output: str, names) -> None:
    torch.set_num_threads(2)
    folders = {}
    for name in names:
        folder = os.path.join(output, name.replace(" ", "_").replace("+", "and"))
        shutil.rmtree(folder, ignore_errors=True)
        code = vot(["eval", *PIPELINES[name], "-d", "synthetic", "--split", "test",
                    "--output", folder, "--quiet"])
        if code != 0:
            raise SystemExit(f"vot eval failed for {name}")
        folders[name] = folder
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        vot(["analyze", *folders.values(), "-d", "synthetic", "--split", "test", "--json",
             "--output", os.path.join(output, "analysis")])
    report = json.loads(buffer.getvalue())
    print("| pipeline | success AUC | precision | FPS (2 threads) |\n|---|---|---|---|")
    for name, folder in folders.items():
        row = next(r for r in report["trackers"] if r["name"] == os.path.basename(folder))
        summary = row["summary"]
        print(f"| {name} | {100 * summary['auc']:.1f} | {100 * summary['precision']:.1f} | "
              f"{row['fps']:.0f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", default="bench-results/demo-models")
    parser.add_argument("--pipelines", nargs="+", default=list(PIPELINES), choices=list(PIPELINES))
    args = parser.parse_args()
    run(args.output, args.pipelines)
