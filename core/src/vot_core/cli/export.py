"""``vot export CKPT OUTPUT``: a release file from a training checkpoint (the network only,
float16 by default), ready for ``--weights``, a package's assets or a zoo entry."""
from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("export", help="release a trained checkpoint's network weights",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", help="a checkpoint written by vot train (or any container)")
    parser.add_argument("output", help="the file to write ({'net': state_dict})")
    parser.add_argument("--dtype", default="float16", choices=["float32", "float16", "bfloat16"],
                        help="floating-point type of the stored tensors (default float16)")
    return parser


def run(args) -> int:
    import os

    from ..weights.export import export_weights

    path, sha256, count = export_weights(args.checkpoint, args.output, args.dtype)
    print(f"wrote {path} ({count} tensors, {args.dtype}, {os.path.getsize(path) / 1e6:.1f} MB)")
    print(f"sha256 {sha256}")
    return 0
