"""The evaluation runner: resume after a kill, run-folder protection, workers, rank sharding."""
from __future__ import annotations

import numpy as np
import pytest
from vot_core.datasets.synthetic import SyntheticDataset
from vot_core.evaluation import results as R
from vot_core.evaluation.runner import (
    EvalError,
    PipelineSpec,
    RunFolderError,
    dist_env,
    evaluate,
    shard,
)
from vot_core.plugins import get_plugin_manager
from vot_core.registry import TRACKERS
from vot_core.structures import Box, Prediction
from vot_core.tracker import BaseTracker

TYPE = "EvalTestDrift"


class DriftTracker(BaseTracker):
    """Moves the box by ``step`` px per frame plus a frame-dependent jitter; deterministic.
    ``crash = (k, f)`` raises KeyboardInterrupt (a kill) on frame ``f`` of the k-th sequence."""

    crash = None
    inits = 0

    def __init__(self, step: float = 1.0, device: str = "cpu", weights=None):
        self.step = step

    def initialize(self, frame, box):
        super().initialize(frame, box)
        type(self).inits += 1
        self.frame_no = 0

    def track(self, frame):
        self.frame_no += 1
        if type(self).crash == (type(self).inits, self.frame_no):
            raise KeyboardInterrupt("simulated kill")
        b = self.state
        self.state = Box(b.x + self.step + float(frame[..., 0].mean()) / 1000, b.y, b.w, b.h)
        return Prediction(self.state, score=1.0)


def config(step=1.0):
    return {"pipeline": {"tracker": {"type": TYPE, "step": step}}}


@pytest.fixture
def drift():
    get_plugin_manager()
    TRACKERS.add(TYPE, DriftTracker, origin="test")
    DriftTracker.crash, DriftTracker.inits = None, 0
    yield DriftTracker
    TRACKERS.remove(TYPE)
    DriftTracker.crash = None


@pytest.fixture(scope="module")
def data():
    return SyntheticDataset(split="tiny")  # 4 sequences of 30 frames


def box_files(folder):
    return {name: path.read_bytes() for name, path in R.list_sequences(folder, "lasot").items()}


def run(spec, data, folder, **kw):
    kw.setdefault("progress", False)
    return evaluate(spec, data, folder, dataset_name="synthetic", split="tiny", **kw)


def test_killed_and_resumed_run_equals_an_uninterrupted_one(tmp_path, drift, data):
    spec = PipelineSpec(config())
    ref = run(spec, data, tmp_path / "ref")
    names = ref.names
    assert ref.ran == names and ref.complete

    drift.inits, drift.crash = 0, (3, 10)  # killed on frame 10 of the third sequence
    folder = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        run(spec, data, folder)
    assert sorted(box_files(folder)) == sorted(names[:2])  # two whole sequences, nothing else
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["run.json"] + [f"{n}{s}" for n in names[:2] for s in (".txt", "_time.txt")])
    (folder / f".{names[2]}.txt{R.TMP_MARK}dead").write_text("1,2,")  # a writer killed mid-write

    drift.crash = None
    res = run(spec, data, folder)
    assert res.skipped == names[:2] and res.ran == names[2:]
    assert box_files(folder) == box_files(tmp_path / "ref")  # byte for byte
    for n in names:
        assert len(R.read_times(folder / f"{n}_time.txt")) == len(data[names.index(n)])
    assert not [p for p in folder.iterdir() if R.TMP_MARK in p.name]
    assert run(spec, data, folder).ran == []  # a third run has nothing to do


def test_a_different_config_never_overwrites_a_run_folder(tmp_path, drift, data):
    folder = tmp_path / "run"
    run(PipelineSpec(config(1.0)), data, folder, sequences=data.sequence_names()[:1])
    before = {p: p.read_bytes() for p in folder.rglob("*")}
    with pytest.raises(RunFolderError, match="differs in: pipeline"):
        run(PipelineSpec(config(2.0)), data, folder)
    with pytest.raises(RunFolderError, match="differs in: format"):
        run(PipelineSpec(config(1.0)), data, folder, fmt="got10k")
    assert {p: p.read_bytes() for p in folder.rglob("*")} == before
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(RunFolderError, match="not written by `vot eval`"):
        run(PipelineSpec(config()), data, foreign)
    assert (foreign / "notes.txt").read_text() == "mine"


def test_invalid_boxes_and_unknown_sequences_are_clear_errors(tmp_path, drift, data):
    first = data.sequence_names()[0]
    with pytest.raises(EvalError, match=rf"sequence '{first}' frame 1: .*invalid box"):
        run(PipelineSpec(config(float("nan"))), data, tmp_path / "nan")
    assert box_files(tmp_path / "nan") == {}
    with pytest.raises(ValueError, match="nope"):
        run(PipelineSpec(config()), data, tmp_path / "x", sequences=["nope"])


def test_progress_bars_over_sequences_and_frames(tmp_path, drift, data, capsys):
    run(PipelineSpec(config()), data, tmp_path / "p", sequences=data.sequence_names()[:1], progress=True)
    err = capsys.readouterr().err
    assert "sequences" in err and "1/1" in err and "frames" in err


def test_worker_processes_give_the_serial_results(tmp_path, data):
    from vot_core.baseline.ncc import NCCTracker
    spec = NCCTracker  # any picklable factory; the class keeps the spawned workers light
    serial = run(spec, data, tmp_path / "serial")
    # sequences travel to the spawned workers by pickling (each worker builds its own pipeline)
    parallel = run(spec, {n: data[i] for i, n in enumerate(serial.names)}, tmp_path / "par", workers=2)
    assert sorted(parallel.ran) == sorted(serial.names)
    assert box_files(tmp_path / "par") == box_files(tmp_path / "serial")


def test_shard_partitions_the_sequences():
    names = [f"s{i}" for i in range(7)]
    parts = [shard(names, r, 3) for r in range(3)]
    assert parts[0] == ["s0", "s3", "s6"] and sorted(sum(parts, [])) == names
    assert shard(names, 0, 1) == names
    with pytest.raises(ValueError, match="rank 3"):
        shard(names, 3, 3)


def test_dist_env_reads_torchrun_variables(monkeypatch):
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert dist_env() == (1, 2)
    monkeypatch.delenv("RANK")
    monkeypatch.delenv("WORLD_SIZE")
    assert dist_env() == (0, 1)


def test_two_ranks_on_separate_disks_rank0_gathers_everything(tmp_path, drift, data):
    """What torchrun does, without torchrun: ``gather`` stands in for all_gather_object."""
    spec = PipelineSpec(config())
    ref = run(spec, data, tmp_path / "ref")
    sent = {}

    def gather_rank1(payload):
        if payload is not None:
            sent[1] = payload
        return [None, payload]

    r1 = run(spec, data, tmp_path / "rank1", rank=1, world_size=2, gather=gather_rank1)
    assert r1.ran == ref.names[1::2] and sorted(sent[1]) == sorted(ref.names[1::2])
    r0 = run(spec, data, tmp_path / "rank0", rank=0, world_size=2,
             gather=lambda p: [p, None] if p is None else [p, sent[1]])
    assert r0.ran == ref.names[0::2] and r0.complete
    assert box_files(tmp_path / "rank0") == box_files(tmp_path / "ref")
    assert np.all([R.is_complete(tmp_path / "rank0", n, "lasot") for n in ref.names])


def test_a_missing_frame_names_sequence_frame_and_file(tmp_path, drift):
    from vot_core.evaluation.runner import DataError
    from vot_core.structures import Sequence
    from vot_core.video import write_image

    paths = [str(tmp_path / f"{i:08d}.jpg") for i in range(3)]
    for p in paths[:2]:
        write_image(p, np.zeros((40, 40, 3), np.uint8))
    seq = Sequence("gap", paths, np.tile([5.0, 5.0, 10.0, 10.0], (3, 1)))
    with pytest.raises(DataError, match=r"sequence 'gap' frame 2: .*00000002\.jpg"):
        run(PipelineSpec(config()), [seq], tmp_path / "out")
    assert box_files(tmp_path / "out") == {}
    bad = Sequence("nan-init", paths[:2], np.array([[np.nan, 5, 10, 10], [5, 5, 10, 10]]))
    with pytest.raises(DataError, match="not a valid init box"):
        run(PipelineSpec(config()), [bad], tmp_path / "out2")
