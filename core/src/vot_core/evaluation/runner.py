"""Run a pipeline over a dataset and write per-sequence results, resumably and in parallel.

- Each sequence runs on a freshly built pipeline (as pytracking does), so results do not depend
  on which sequences ran before: a killed run, rerun, gives byte-identical box files.
- Results are written atomically (:mod:`.results`); a sequence whose files exist is skipped.
- A run folder holds ``run.json`` (what produced it). Another pipeline, dataset, split or
  format writing into it raises :class:`RunFolderError`; nothing there is overwritten.
- ``workers > 1``: spawned worker processes pull sequence names from a queue, each building its
  own pipeline; with ``torchrun`` (``RANK``/``WORLD_SIZE``) sequences are sharded over ranks
  and rank 0 gathers every rank's files (so a non-shared disk works too).
- Times are seconds per frame around ``initialize``/``track`` only (image decoding excluded,
  as in the got10k toolkit and pytracking).
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import time
import traceback
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from typing import Sequence as Seq

import numpy as np

from . import results as R
from .sources import DatasetSpec, PipelineSpec, SequenceTable, describe_factory, sequence_table  # noqa: F401

MANIFEST = "run.json"


class EvalError(RuntimeError):
    """A sequence could not be tracked (tracker error, invalid box); names sequence and frame."""


class DataError(EvalError, ValueError):
    """The dataset's input is unusable: a frame missing or damaged, an invalid first box."""


class RunFolderError(FileExistsError):
    """The run folder holds results of something else; nothing was written."""


def shard(names: Seq[str], rank: int, world_size: int) -> List[str]:
    """Sequences of one rank: every ``world_size``-th name starting at ``rank``."""
    if world_size < 1 or not 0 <= rank < world_size:
        raise ValueError(f"rank {rank} is not in a world of size {world_size}")
    return list(names)[rank::world_size]


def dist_env() -> Tuple[int, int]:
    """``(RANK, WORLD_SIZE)`` as torchrun sets them; ``(0, 1)`` outside torchrun."""
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


def prepare_run_folder(folder: Path, manifest: Dict) -> None:
    """Create ``folder`` with ``run.json``, or check that an existing one matches."""
    path = folder / MANIFEST
    if path.is_file():
        old = json.loads(path.read_text())
        keys = ("pipeline", "dataset", "split", "format")
        diff = [k for k in keys if old.get(k) != manifest.get(k)]
        if diff:
            raise RunFolderError(
                f"{folder} holds results of a different run (differs in: {', '.join(diff)}); "
                "nothing was overwritten. Choose another --output, or delete the folder to redo it.")
        return
    if folder.is_dir() and any(p for p in folder.iterdir() if not p.name.startswith(".")):
        raise RunFolderError(f"{folder} exists and holds files not written by `vot eval` "
                             f"(no {MANIFEST}); nothing was overwritten. Choose another --output.")
    R.atomic_write_text(path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def prefetched_frames(seq, depth: int = 4) -> Iterator[np.ndarray]:
    """Frames of ``seq`` in order, decoded ``depth`` frames ahead by a helper thread (image
    decoding releases the GIL, so it overlaps with tracking)."""
    n = len(seq)
    if depth <= 0:
        yield from (seq.frame(i) for i in range(n))
        return
    with ThreadPoolExecutor(1) as pool:
        pending = deque(pool.submit(seq.frame, i) for i in range(min(depth, n)))
        for i in range(n):
            frame = pending.popleft().result()
            if i + depth < n:
                pending.append(pool.submit(seq.frame, i + depth))
            yield frame


def track_sequence(tracker, seq, on_frame: Optional[Callable[[], None]] = None):
    """Run ``tracker`` over ``seq``: (boxes (N, 4) with the init box first, seconds per frame)."""
    from ..structures import Box
    n = len(seq)
    boxes, times = np.zeros((n, 4)), np.zeros(n)
    init = seq.ground_truth[0]
    if not (np.isfinite(init).all() and init[2] > 0 and init[3] > 0):
        raise DataError(f"sequence '{seq.name}': the first ground-truth box {init.tolist()} is "
                        "not a valid init box")
    frames = prefetched_frames(seq)
    for i in range(n):
        try:
            frame = next(frames)
        except Exception as exc:
            raise DataError(f"sequence '{seq.name}' frame {i}: cannot read it: {exc}") from exc
        try:
            t0 = time.perf_counter()
            if i == 0:
                tracker.initialize(frame, Box.of(init))
                box = init
            else:
                box = np.asarray(Box.of(tracker.track(frame).box).tolist())
            times[i] = time.perf_counter() - t0
        except EvalError:
            raise
        except Exception as exc:
            raise EvalError(f"sequence '{seq.name}' frame {i}: {type(exc).__name__}: {exc}") from exc
        if not np.isfinite(box).all() or box[2] < 0 or box[3] < 0:
            raise EvalError(f"sequence '{seq.name}' frame {i}: the tracker returned an invalid box "
                            f"{box.tolist()} (NaN or negative size)")
        boxes[i] = box
        if on_frame is not None:
            on_frame()
    return boxes, times


def _set_threads(workers: int) -> None:
    import sys
    if "torch" in sys.modules and workers > 1:
        import torch
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // workers))


def _worker(pipeline_factory, dataset, names_q, events_q, folder: str, fmt: str, workers: int) -> None:
    try:
        _set_threads(workers)
        table = sequence_table(dataset)
        while True:
            name = names_q.get()
            if name is None:
                return
            tracker = pipeline_factory()
            boxes, times = track_sequence(tracker, table[name], lambda: events_q.put(("frame", 1)))
            R.write_sequence(folder, name, boxes, times, fmt)
            events_q.put(("done", name))
    except BaseException:
        events_q.put(("error", traceback.format_exc()))


@dataclass
class EvalResult:
    """What a run did: the folder, the sequences it ran now and those already there."""

    folder: Path
    format: str
    ran: List[str]
    skipped: List[str]
    names: List[str]
    rank: int = 0
    world_size: int = 1
    table: Any = field(default=None, repr=False)

    @property
    def complete(self) -> bool:
        return all(R.is_complete(self.folder, n, self.format) for n in self.names)


class _Progress:
    def __init__(self, enabled: bool, n_seq: int, n_frames: int):
        self.bars = []
        if enabled:
            from tqdm import tqdm
            self.bars = [tqdm(total=n_seq, desc="sequences", position=0, unit="seq"),
                         tqdm(total=n_frames, desc="frames", position=1, unit="fr", leave=False)]

    def frame(self, n: int = 1):
        if self.bars:
            self.bars[1].update(n)

    def sequence(self, name: str):
        if self.bars:
            self.bars[0].set_postfix_str(name)
            self.bars[0].update(1)

    def close(self):
        for b in reversed(self.bars):
            b.close()


def _run_serial(pipeline_factory, table, todo, folder, fmt, progress: _Progress) -> None:
    for name in todo:
        tracker = pipeline_factory()
        boxes, times = track_sequence(tracker, table[name], progress.frame)
        R.write_sequence(folder, name, boxes, times, fmt)
        progress.sequence(name)


def _run_parallel(pipeline_factory, dataset, todo, folder, fmt, workers, progress: _Progress) -> None:
    ctx = mp.get_context("spawn")
    names_q, events_q = ctx.Queue(), ctx.Queue()
    for name in todo:
        names_q.put(name)
    n_proc = min(workers, len(todo))
    for _ in range(n_proc):
        names_q.put(None)
    procs = [ctx.Process(target=_worker, daemon=True,
                         args=(pipeline_factory, dataset, names_q, events_q, str(folder), fmt, workers))
             for _ in range(n_proc)]
    for p in procs:
        p.start()
    done, error = 0, None
    try:
        while done < len(todo) and error is None:
            try:
                event = events_q.get(timeout=0.5)
            except Exception:  # queue.Empty: check the workers are alive
                if not any(p.is_alive() for p in procs) and events_q.empty():
                    error = "worker processes exited without finishing (killed?)"
                continue
            if event[0] == "frame":
                progress.frame(event[1])
            elif event[0] == "done":
                done += 1
                progress.sequence(event[1])
            else:
                error = event[1]
    finally:
        for p in procs:
            if error is not None and p.is_alive():
                p.terminate()
            p.join(timeout=10)
    if error is not None:
        raise EvalError(f"evaluation stopped, a worker failed:\n{error}")


def evaluate(pipeline_factory: Callable, dataset, output, *, dataset_name: str = "",
             split: Optional[str] = None, sequences: Optional[Seq[str]] = None, workers: int = 1,
             fmt: Optional[str] = None, progress: bool = True, rank: Optional[int] = None,
             world_size: Optional[int] = None, gather: Optional[Callable] = None,
             extra_manifest: Optional[Dict] = None) -> EvalResult:
    """Track every (selected) sequence of ``dataset`` with pipelines from ``pipeline_factory``
    and write the results under ``output``; sequences already there are skipped.

    ``dataset`` is a :class:`DatasetSpec` (or any picklable callable returning sequences) or a
    collection of sequences. ``rank``/``world_size`` default to torchrun's environment;
    ``gather(payload) -> [payload of each rank]`` defaults to ``torch.distributed``.
    """
    folder = Path(output)
    env_rank, env_world = dist_env()
    rank = env_rank if rank is None else rank
    world_size = env_world if world_size is None else world_size
    dataset_name = dataset_name or getattr(dataset, "name", "") or ""
    fmt = fmt or R.default_format(dataset_name)
    table = sequence_table(dataset)
    names = list(table.names)
    if sequences:
        unknown = [s for s in sequences if s not in set(names)]
        if unknown:
            raise ValueError(f"unknown sequences {unknown[:5]} in dataset '{dataset_name}'")
        names = [n for n in names if n in set(sequences)]
    manifest = {"pipeline": describe_factory(pipeline_factory), "dataset": dataset_name,
                "split": split, "format": fmt, **(extra_manifest or {})}
    own_group = False
    if world_size > 1 and gather is None:
        gather, own_group = _default_gather(world_size)
    if rank == 0:
        prepare_run_folder(folder, manifest)
        R.remove_stale_temporaries(folder)  # left by a killed writer (only rank 0: no races)
    if world_size > 1:
        gather(None)  # barrier: rank 0 has checked or created the folder
        if rank != 0:
            prepare_run_folder(folder, manifest)
    mine = shard(names, rank, world_size)
    todo = [n for n in mine if not R.is_complete(folder, n, fmt)]
    skipped = [n for n in mine if n not in todo]
    bar = _Progress(progress and rank == 0, len(todo), sum(len(table[n]) for n in todo))
    try:
        if workers > 1 and len(todo) > 1:
            source = dataset if (callable(dataset) and not hasattr(dataset, "__iter__")) else \
                {n: table[n] for n in todo}
            _run_parallel(pipeline_factory, source, todo, folder, fmt, workers, bar)
        else:
            _run_serial(pipeline_factory, table, todo, folder, fmt, bar)
    finally:
        bar.close()
    if world_size > 1:
        _gather_files(folder, mine, fmt, rank, gather)
        if own_group:
            import torch.distributed as dist
            dist.destroy_process_group()
    return EvalResult(folder, fmt, todo, skipped, names, rank, world_size, table)


def _default_gather(world_size: int) -> Tuple[Callable, bool]:
    """``all_gather_object`` over torchrun's process group (gloo; created here if needed)."""
    import torch.distributed as dist
    created = not dist.is_initialized()
    if created:
        dist.init_process_group(backend="gloo")

    def gather(payload):
        out = [None] * world_size
        dist.all_gather_object(out, payload)
        return out
    return gather, created


def _gather_files(folder: Path, mine: List[str], fmt: str, rank: int, gather: Callable) -> None:
    """Every rank sends the bytes of its sequences' files; rank 0 writes those it lacks."""
    payload = {}
    for name in mine:
        payload[name] = [(str(p.relative_to(folder)), p.read_text()) for p in R.result_paths(folder, name, fmt)]
    collected = gather(payload)
    if rank != 0:
        return
    for part in collected:
        for name, files in (part or {}).items():
            if R.is_complete(folder, name, fmt):
                continue
            for rel, text in reversed(files):  # time file first, box file (completion mark) last
                R.atomic_write_text(folder / rel, text)
