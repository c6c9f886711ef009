"""``vot export``: a training checkpoint becomes a small, reproducible release file."""
from __future__ import annotations

import hashlib
import os

import torch
from torch import nn

from vot_core.cli import main
from vot_core.weights import load_checkpoint, load_state_dict_strict


def training_checkpoint(path):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Linear(8, 2))
    torch.save({"meta": {"epoch": 3}, "state_dict": net.state_dict(),
                "optimizer": {"state": {}, "param_groups": []}}, path)
    return net


def test_export_keeps_the_network_in_float16_reproducibly(tmp_path, capsys):
    net = training_checkpoint(tmp_path / "epoch_3.pth")
    out = tmp_path / "release" / "tiny.pth"
    assert main(["export", str(tmp_path / "epoch_3.pth"), str(out)]) == 0
    printed = capsys.readouterr().out
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"sha256 {digest}" in printed and "float16" in printed
    released = load_checkpoint(out)
    assert list(released) == ["net"]  # no optimiser, no meta
    state = released["net"]
    assert state["0.weight"].dtype == torch.float16
    assert state["1.num_batches_tracked"].dtype == torch.int64  # integers untouched
    torch.testing.assert_close(state["0.weight"].float(), net.state_dict()["0.weight"],
                               rtol=1e-3, atol=1e-4)
    copy = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Linear(8, 2))
    load_state_dict_strict(copy, state)  # casts back to float32
    assert copy[0].weight.dtype == torch.float32
    assert oct(os.stat(out).st_mode & 0o044) == oct(0o044)  # readable by all
    assert main(["export", str(tmp_path / "epoch_3.pth"), str(out)]) == 0
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest  # same bytes again
    assert sorted(p.name for p in out.parent.iterdir()) == ["tiny.pth"]  # no temp file left


def test_export_float32_and_bad_input(tmp_path, capsys):
    training_checkpoint(tmp_path / "c.pth")
    assert main(["export", str(tmp_path / "c.pth"), str(tmp_path / "f32.pth"), "--dtype",
                 "float32"]) == 0
    assert load_checkpoint(tmp_path / "f32.pth")["net"]["0.weight"].dtype == torch.float32
    capsys.readouterr()
    assert main(["export", str(tmp_path / "missing.pth"), str(tmp_path / "x.pth")]) == 2
    assert "missing.pth" in capsys.readouterr().err
    assert not (tmp_path / "x.pth").exists()
