"""The training engine: loss falls, exact resume, data parallel equals the doubled batch."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import toy  # noqa: E402

from vot_core.training.engine import TrainingConfigError, build_runner  # noqa: E402
from vot_core.training.pairs import PairDataset, PairSamplingConfig  # noqa: E402


@pytest.fixture(autouse=True)
def registered():
    toy.register()


def _params(runner):
    model = runner.model.module if hasattr(runner.model, "module") else runner.model
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_pairs_are_a_function_of_the_index():
    dataset = PairDataset([toy.ToyVideos(4)], config=PairSamplingConfig(
        samples_per_epoch=10, max_gap=3, template=toy.config("x").train_data.sampling.template
        and PairSamplingConfig().template))
    a, b = dataset[5], dataset[5]
    assert torch.equal(a["search"], b["search"]) and torch.equal(a["search_box"], b["search_box"])
    assert not torch.equal(dataset[6]["search"], a["search"])
    # causal sampling: boxes are normalised and the target lies inside the search crop
    box = a["search_box"]
    assert 0 <= float(box[0]) < 1 and 0 < float(box[2]) < 1


def test_loss_falls(tmp_path):
    cfg = toy.config(str(tmp_path), samples=48, epochs=6, lr=3e-2)
    runner = build_runner(cfg)
    losses = []

    from mmengine.hooks import Hook

    class Record(Hook):
        def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
            losses.append(float(outputs["loss"].detach()))

    runner.register_hook(Record())
    runner.train()
    per_epoch = torch.tensor(losses).reshape(6, -1).mean(1)
    assert per_epoch[-1] < 0.8 * per_epoch[0], per_epoch


def test_resume_equals_uninterrupted(tmp_path):
    full = build_runner(toy.config(str(tmp_path / "full"), epochs=2))
    full.train()
    expected = _params(full)

    first = build_runner(toy.config(str(tmp_path / "split"), epochs=1))
    first.train()
    assert (tmp_path / "split" / "epoch_1.pth").is_file()
    assert not list((tmp_path / "split").glob("*.partial"))
    resumed = build_runner(toy.config(str(tmp_path / "split"), epochs=2), resume=True)
    resumed.train()
    got = _params(resumed)
    for key, value in expected.items():
        torch.testing.assert_close(got[key], value, rtol=0, atol=0, msg=key)


def test_resume_from_another_config_is_refused(tmp_path):
    build_runner(toy.config(str(tmp_path), epochs=1)).train()
    cfg = toy.config(str(tmp_path), epochs=2)
    cfg.model = dict(type="ToyPairModel", width=4)
    runner = build_runner(cfg, resume=str(tmp_path / "epoch_1.pth"))
    with pytest.raises(TrainingConfigError, match="cannot resume"):
        runner.train()


DDP_SCRIPT = """
import sys, torch
sys.path.insert(0, {here!r})
import toy
toy.register()
from vot_core.training.engine import build_runner
runner = build_runner(toy.config({work!r}, batch_size={batch}, samples=32, epochs=1, optimizer="SGD"),
                      launcher={launcher!r})
runner.train()
model = runner.model.module if hasattr(runner.model, 'module') else runner.model
if runner.rank == 0:
    torch.save(model.state_dict(), {out!r})
"""


@pytest.mark.slow
def test_two_process_gloo_equals_doubled_batch(tmp_path):
    # SGD: Adam would turn float noise on a zero-gradient parameter into full-size steps
    single = build_runner(toy.config(str(tmp_path / "single"), batch_size=8, samples=32, epochs=1,
                                     optimizer="SGD"))
    single.train()
    expected = _params(single)

    script = tmp_path / "ddp.py"
    out = tmp_path / "ddp.pt"
    script.write_text(DDP_SCRIPT.format(here=str(HERE), work=str(tmp_path / "ddp"), batch=4,
                                        out=str(out), launcher=None))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RANK", "WORLD_SIZE"))}
    env.update(CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                           "--master_port", "29517", str(script)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    got = torch.load(out, weights_only=True)
    for key, value in expected.items():
        torch.testing.assert_close(got[key], value, rtol=1e-5, atol=1e-6, msg=key)


@pytest.mark.slow
def test_slurm_tasks_on_cpus_equal_the_doubled_batch(tmp_path):
    """Two tasks as ``srun`` starts them (SLURM_* variables, no torchrun) train as one process
    with the doubled batch; the process group comes from the SLURM variables."""
    single = build_runner(toy.config(str(tmp_path / "single"), batch_size=8, samples=32, epochs=1,
                                     optimizer="SGD"))
    single.train()
    expected = _params(single)
    script, out = tmp_path / "slurm.py", tmp_path / "slurm.pt"
    script.write_text(DDP_SCRIPT.format(here=str(HERE), work=str(tmp_path / "slurm"), batch=4,
                                        out=str(out), launcher="slurm"))
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_", "SLURM_"))}
    base.update(CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1", SLURM_NTASKS="2",
                SLURM_NODELIST="localhost", MASTER_ADDR="127.0.0.1", MASTER_PORT="29519")
    procs = [subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              env=dict(base, SLURM_PROCID=str(rank), SLURM_LOCALID=str(rank)))
             for rank in range(2)]
    logs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), logs[0][-3000:] + logs[1][-3000:]
    got = torch.load(out, weights_only=True)
    for key, value in expected.items():
        torch.testing.assert_close(got[key], value, rtol=1e-5, atol=1e-6, msg=key)


def test_slurm_launcher_without_srun_variables_is_a_clear_error(monkeypatch):
    from vot_core.training.engine import _slurm_environment

    monkeypatch.delenv("SLURM_PROCID", raising=False)
    with pytest.raises(TrainingConfigError, match="needs SLURM_PROCID.*srun"):
        _slurm_environment()


class BrokenFrames(toy.ToyVideos):
    """Toy videos whose frame 3 cannot be read (as a corrupt JPEG would)."""

    def __getitem__(self, i):
        seq = super().__getitem__(i)
        read = seq.frames

        def frame(k):
            if k == 3:
                raise OSError(f"corrupt image {seq.name}/{k:08d}.jpg")
            return read(k)

        seq.frames = frame
        return seq


def test_corrupt_frames_are_skipped_and_counted(tmp_path):
    from vot_core.registry import DATASETS

    DATASETS.add("BrokenFrames", BrokenFrames, origin="tests")
    try:
        cfg = toy.config(str(tmp_path), epochs=1)
        cfg.train_data.datasets = [dict(type="BrokenFrames", count=6)]
        runner = build_runner(cfg)
        runner.train()
        skipped = runner.train_dataloader.dataset.unreadable
        assert skipped and sum(skipped.values()) >= 1
        assert (tmp_path / "epoch_1.pth").is_file()
    finally:
        DATASETS.remove("BrokenFrames")


def test_empty_or_missing_dataset_is_a_clear_error(tmp_path):
    from vot_core.training.pairs import TrainingDataError

    cfg = toy.config(str(tmp_path))
    cfg.train_data.datasets = [dict(type="ToyVideos", count=0)]
    with pytest.raises(TrainingDataError, match="empty"):
        build_runner(cfg)
    cfg.train_data.datasets = [dict(type="NoSuchDataset")]
    with pytest.raises(Exception, match="NoSuchDataset"):
        build_runner(cfg)


def test_checkpoint_loads_through_the_weights_loader(tmp_path):
    """What `vot train` writes is what `vot track --weights` reads: tensors only."""
    build_runner(toy.config(str(tmp_path), epochs=1)).train()
    checkpoint = torch.load(tmp_path / "epoch_1.pth", weights_only=True)
    model = toy.ToyPairModel()
    model.load_state_dict(checkpoint["state_dict"], strict=True)
