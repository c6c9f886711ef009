"""Build and run mmengine's ``Runner`` from a vot training config.

A training config (mmengine ``Config``) holds:

``model``           ``dict(type=<registered model>, ...)`` (a plugin's ``BaseModel``)
``train_data``      ``dict(datasets=[dict(type=<dataset>, weight=w, ...)], batch_size=...,
                    num_workers=..., sampling=dict(<PairSamplingConfig keys>))``; with
                    ``sampling.whole_frame`` the pairs are whole frames (``.whole_frame``) and
                    each batch is padded to its largest image
``optim_wrapper``, ``param_scheduler``, ``train_cfg``, ``default_hooks``, ``custom_hooks``,
``randomness``, ``env_cfg``, ``log_processor``, ``visualizer``: as in any OpenMMLab project
(``paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)})`` for per-group rates,
``clip_grad``, ``type='AmpOptimWrapper'`` on GPUs, ``custom_hooks=[dict(type='EMAHook')]``).
"""
from __future__ import annotations

import os
import os.path as osp
from typing import Any, Dict, Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dist import is_main_process
from mmengine.runner import Runner, set_random_seed
from torch.utils.data import DataLoader

from ..pipeline import build_component
from ..registry import DATASETS, MODELS
from .hooks import ProgressBarHook
from .pairs import PairDataset, PairSamplingConfig, TrainingDataError
from .sampler import EpochIndexSampler
from .whole_frame import pair_collate_fn


class TrainingConfigError(ValueError):
    """The training config or a resume checkpoint does not fit."""


def _plain_message_hub(state: Dict[str, Any]) -> Dict[str, Any]:
    """mmengine's message hub holds ``HistoryBuffer`` objects (numpy arrays and bound methods
    inside): store their numbers as plain lists so checkpoints load with
    ``torch.load(weights_only=True)`` and no class has to be allowed (PITFALLS.md)."""
    scalars = {}
    for key, buf in state["log_scalars"].items():
        logs, counts = buf.data
        scalars[key] = {"log": [float(v) for v in logs], "count": [int(v) for v in counts],
                        "max_length": int(buf.max_length)}
    info = {k: (v.item() if isinstance(v, np.generic) else v)
            for k, v in state["runtime_info"].items()}
    return {"log_scalars": scalars, "runtime_info": info,
            "resumed_keys": dict(state["resumed_keys"])}


def _message_hub_from_plain(state: Dict[str, Any]) -> Dict[str, Any]:
    from mmengine.logging import HistoryBuffer

    scalars = {k: HistoryBuffer(v["log"], v["count"], v["max_length"])
               for k, v in state["log_scalars"].items()}
    return {**state, "log_scalars": scalars}


def build_pair_dataset(train_data: Dict[str, Any]) -> PairDataset:
    """The weighted pair dataset of ``train_data`` (datasets built from the registry)."""
    specs = list(train_data.get("datasets") or [])
    if not specs:
        raise TrainingDataError("train_data.datasets is empty: name at least one dataset")
    datasets, weights, names = [], [], []
    for spec in specs:
        spec = dict(spec)
        weights.append(float(spec.pop("weight", 1.0)))
        name = spec.get("type", "?")
        try:
            datasets.append(build_component(DATASETS, spec))
        except (OSError, ValueError) as exc:
            raise TrainingDataError(f"training dataset {name} ({spec}) is not usable: {exc}") from exc
        names.append(f"{name}:{spec.get('split', spec.get('suite', ''))}".rstrip(":"))
    sampling = PairSamplingConfig.from_dict(dict(train_data.get("sampling", {})))
    return PairDataset(datasets, weights, sampling, names)


def build_dataloader(train_data: Dict[str, Any]) -> DataLoader:
    unknown = set(train_data) - {"datasets", "sampling", "batch_size", "num_workers"}
    if unknown:
        raise TrainingConfigError(f"unknown train_data keys {sorted(unknown)}")
    dataset = build_pair_dataset(train_data)
    workers = int(train_data.get("num_workers", 0))
    return DataLoader(dataset, batch_size=int(train_data.get("batch_size", 32)),
                      sampler=EpochIndexSampler(dataset), num_workers=workers,
                      persistent_workers=False, drop_last=True, pin_memory=False,
                      collate_fn=pair_collate_fn(dataset.config))


class VotRunner(Runner):
    """mmengine's Runner with atomic checkpoints and a resume check against the config."""

    def save_checkpoint(self, out_dir: str, filename: str, *args, meta: Optional[dict] = None,
                        **kwargs) -> None:
        meta = dict(meta or {})
        meta["vot_model"] = _model_signature(self.cfg)
        partial = f"{filename}.partial"
        hub = self.message_hub
        original = hub.state_dict
        hub.state_dict = lambda: _plain_message_hub(original())
        try:
            super().save_checkpoint(out_dir, partial, *args, meta=meta, **kwargs)
        finally:
            del hub.state_dict
        if is_main_process():  # mmengine writes checkpoints on rank 0 only
            os.replace(osp.join(out_dir, partial), osp.join(out_dir, filename))

    def resume(self, filename: str, *args, **kwargs) -> None:
        meta = torch.load(filename, map_location="cpu", weights_only=True).get("meta", {})
        saved, current = meta.get("vot_model"), _model_signature(self.cfg)
        if saved is not None and saved != current:
            raise TrainingConfigError(
                f"cannot resume from {filename}: it was trained with model {saved}, this config "
                f"builds {current}. Use another --work-dir or the matching config.")
        hub = self.message_hub
        original = hub.load_state_dict
        hub.load_state_dict = lambda state: original(_message_hub_from_plain(state))
        try:
            super().resume(filename, *args, **kwargs)
        finally:
            del hub.load_state_dict


    def wrap_model(self, model_wrapper_cfg, model):
        """On CPUs, data parallel needs ``device_ids=None`` (mmengine always passes the local
        rank, which only GPUs accept)."""
        if self.distributed and not torch.cuda.is_available() and model_wrapper_cfg is None:
            from mmengine.model import MMDistributedDataParallel

            return MMDistributedDataParallel(
                module=model, device_ids=None, broadcast_buffers=False,
                find_unused_parameters=self.cfg.get("find_unused_parameters", False))
        return super().wrap_model(model_wrapper_cfg, model)


def _init_cpu_process_group(launcher: str, backend: str) -> None:
    """mmengine's ``pytorch`` and ``slurm`` launchers call ``torch.cuda.set_device``, which
    fails without a GPU: on CPUs start the (gloo) process group here (for SLURM from its task
    variables); the Runner then reuses it."""
    import torch.distributed as dist

    if torch.cuda.is_available() or dist.is_initialized():
        return
    if launcher == "slurm":
        _slurm_environment()
    if launcher in ("pytorch", "slurm"):
        dist.init_process_group(backend=backend)


def _slurm_environment() -> None:
    """``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` (first host of the job unless
    set) and ``MASTER_PORT`` (29500 unless set) from ``srun``'s task variables, as mmengine's
    SLURM launcher derives them."""
    missing = [k for k in ("SLURM_PROCID", "SLURM_NTASKS", "SLURM_NODELIST") if k not in os.environ]
    if missing:
        raise TrainingConfigError(f"--launcher slurm needs {', '.join(missing)} (start the job "
                                  "with srun)")
    os.environ["RANK"] = os.environ["SLURM_PROCID"]
    os.environ["WORLD_SIZE"] = os.environ["SLURM_NTASKS"]
    os.environ["LOCAL_RANK"] = os.environ.get("SLURM_LOCALID", "0")
    if "MASTER_ADDR" not in os.environ:
        import subprocess

        try:
            hosts = subprocess.run(["scontrol", "show", "hostname", os.environ["SLURM_NODELIST"]],
                                   capture_output=True, text=True, check=False).stdout.split()
        except OSError:
            hosts = []
        if not hosts:
            raise TrainingConfigError("--launcher slurm: 'scontrol show hostname' named no host; "
                                      "set MASTER_ADDR")
        os.environ["MASTER_ADDR"] = hosts[0]
    os.environ.setdefault("MASTER_PORT", "29500")


def _model_signature(cfg) -> str:
    model = (cfg or {}).get("model", {}) if cfg is not None else {}
    return repr(sorted((k, repr(v)) for k, v in dict(model).items()))


def _launcher(requested: Optional[str]) -> str:
    if requested:
        return requested
    return "pytorch" if int(os.environ.get("WORLD_SIZE", "1")) > 1 else "none"


def build_runner(cfg: Config, work_dir: Optional[str] = None, resume: Any = False,
                 launcher: Optional[str] = None, device: Optional[str] = None) -> VotRunner:
    """A ready ``VotRunner``: ``resume`` is ``False``, ``True`` (latest in work_dir) or a path."""
    cfg = cfg.copy()
    for key in ("model", "train_data"):
        if key not in cfg:
            raise TrainingConfigError(f"training config has no '{key}'")
    on_gpu = device != "cpu" and torch.cuda.is_available()
    launcher = _launcher(launcher)
    env_cfg = dict(cfg.get("env_cfg", {}))
    env_cfg.setdefault("dist_cfg", dict(backend="nccl" if on_gpu else "gloo"))
    _init_cpu_process_group(launcher, env_cfg["dist_cfg"].get("backend", "gloo"))
    seed = dict(cfg.get("randomness", {})).get("seed", 42)
    if seed is not None:  # the model's initial weights follow the seed, on every rank
        set_random_seed(int(seed))
    model = build_component(MODELS, dict(cfg.model))
    train_cfg = dict(cfg.get("train_cfg", dict(by_epoch=True, max_epochs=1)))
    hooks = dict(cfg.get("default_hooks", {}))
    hooks.setdefault("checkpoint", dict(type="CheckpointHook", interval=1, max_keep_ckpts=3))
    hooks.setdefault("logger", dict(type="LoggerHook", interval=10))
    work_dir = work_dir or cfg.get("work_dir") or osp.join("work_dirs", "train")
    return VotRunner(
        model=model, work_dir=work_dir,
        train_dataloader=build_dataloader(dict(cfg.train_data)),
        train_cfg=train_cfg,
        optim_wrapper=cfg.get("optim_wrapper", dict(optimizer=dict(type="AdamW", lr=1e-4))),
        param_scheduler=cfg.get("param_scheduler"),
        default_hooks=hooks,
        custom_hooks=list(cfg.get("custom_hooks", [])) + [ProgressBarHook()],
        load_from=resume if isinstance(resume, str) else cfg.get("load_from"),
        resume=bool(resume),
        launcher=launcher, env_cfg=env_cfg,
        randomness=dict(cfg.get("randomness", dict(seed=42))),
        log_processor=cfg.get("log_processor", dict(by_epoch=train_cfg.get("by_epoch", True))),
        visualizer=cfg.get("visualizer"),
        default_scope="mmengine",
        cfg=cfg,
    )
