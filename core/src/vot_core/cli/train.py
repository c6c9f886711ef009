"""``vot train CONFIG``: train a network with the core engine (mmengine's Runner).

Works under ``torchrun`` (data parallel; NCCL on GPUs, gloo on CPUs) and with mmengine's
launchers (``--launcher pytorch|slurm|mpi``). The checkpoints (``WORK_DIR/epoch_N.pth``) load
directly with ``vot track --weights`` and ``vot eval``.
"""
from __future__ import annotations

import argparse
import os


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("train", help="train a network from a config",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("config", help="a named config (ostrack/...) or a .py file")
    parser.add_argument("--work-dir", help="checkpoints and logs (default work_dirs/<config>)")
    parser.add_argument("--resume", nargs="?", const=True, default=False, metavar="CKPT",
                        help="resume from CKPT, or from the latest checkpoint in --work-dir")
    parser.add_argument("--cfg-options", nargs="+", default=[], metavar="KEY=VALUE",
                        help="override config entries, e.g. train_cfg.max_epochs=10")
    parser.add_argument("--device", choices=["cpu", "cuda"], help="default: cuda if available")
    parser.add_argument("--launcher", choices=["none", "pytorch", "slurm", "mpi"],
                        help="distributed launcher (default: pytorch under torchrun)")
    return parser


def run(args) -> int:
    if args.device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = ""  # before torch initialises CUDA
    from ..config import load_config
    from ..training.engine import build_runner

    cfg = load_config(args.config, args.cfg_options)
    name = os.path.splitext(os.path.basename(str(args.config)))[0]
    work_dir = args.work_dir or cfg.get("work_dir") or os.path.join("work_dirs", name)
    runner = build_runner(cfg, work_dir=work_dir, resume=args.resume, launcher=args.launcher,
                          device=args.device)
    runner.train()
    print(f"checkpoints in {work_dir} (use one with: vot track ... --weights "
          f"{os.path.join(work_dir, 'epoch_N.pth')})")
    return 0
