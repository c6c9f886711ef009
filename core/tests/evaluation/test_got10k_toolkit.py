"""Our protocols against the got10k toolkit (PyPI ``got10k``) on the same files.

The toolkit is imported only here; without it (``pip install got10k``) these tests are skipped
with that reason. It implements the GOT-10k val protocol (compared exactly, edge cases
included) and an OTB protocol whose per-frame rules are the OTB MATLAB toolkit's except for
invalid ground truth (compared on clean inputs; the documented difference is asserted).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from vot_core.evaluation import analysis, results
from vot_core.evaluation.protocols import evaluate
from vot_core.structures import Sequence

os.environ.setdefault("MPLBACKEND", "Agg")
got10k = pytest.importorskip("got10k", reason="the got10k toolkit is not installed "
                                              "(pip install got10k) - cannot compare against it")
from got10k.experiments.got10k import ExperimentGOT10k  # noqa: E402
from got10k.experiments.otb import ExperimentOTB  # noqa: E402

W, H = 64, 48


def _sequences(seed: int):
    """Random boxes with the edge cases: boxes sticking out of the image, zero sizes, GT at
    x = 0, hidden (cover 0) frames, an IoU exactly 0.5, garbage on frame 1."""
    rng = np.random.default_rng(seed)
    out = []
    for k, n in enumerate((12, 7, 20)):
        xy = rng.uniform(0, 40, (n, 2)).round(3)
        wh = rng.uniform(4, 30, (n, 2)).round(3)
        gt = np.concatenate([xy, wh], 1)
        pred = gt + rng.normal(0, 4, gt.shape).round(3)
        pred[:, 2:] = np.abs(pred[:, 2:])
        pred[0] = [1, 1, 1, 1]  # the toolkit (and we) ignore frame 1
        pred[2] = [50, 40, 30, 30]  # sticks out of the 64x48 image: clipping matters
        pred[3, 2] = 0.0  # zero width
        gt[4, 0] = 0.0  # touches the left border
        gt[5] = [8, 8, 8, 8]
        pred[5] = [8, 8, 16, 8]  # IoU exactly 0.5
        cover = rng.integers(1, 9, n)
        cover[6] = 0  # hidden
        out.append((f"GOT-10k_Val_{k + 1:06d}", gt, pred, cover))
    return out


def _write_got10k_val(root: Path, seqs):
    base = root / "val"
    base.mkdir(parents=True)
    (base / "list.txt").write_text("\n".join(s[0] for s in seqs) + "\n")
    for name, gt, _, cover in seqs:
        d = base / name
        d.mkdir()
        for i in range(len(gt)):
            (d / f"{i + 1:08d}.jpg").write_bytes(b"")  # the report never opens images
        np.savetxt(d / "groundtruth.txt", gt, fmt="%.3f", delimiter=",")
        np.savetxt(d / "cover.label", cover, fmt="%d")
        np.savetxt(d / "absence.label", (cover == 0).astype(int), fmt="%d")
        np.savetxt(d / "cut_by_image.label", np.zeros(len(gt), int), fmt="%d")
        (d / "meta_info.ini").write_text(f"[METAINFO]\nurl: x\nresolution: ({W}, {H})\n")


def test_got10k_protocol_equals_the_toolkit(tmp_path):
    seqs = _sequences(0)
    _write_got10k_val(tmp_path / "data", seqs)
    run = tmp_path / "results" / "GOT-10k" / "ours"
    rng = np.random.default_rng(1)
    for name, _, pred, _ in seqs:  # written by our writer, read by both
        results.write_sequence(run, name, pred, rng.uniform(0.001, 0.05, len(pred)), "got10k")
    exp = ExperimentGOT10k(str(tmp_path / "data"), subset="val",
                           result_dir=str(tmp_path / "results"), report_dir=str(tmp_path / "reports"))
    theirs = exp.report(["ours"])["ours"]

    dataset = [Sequence(name, [f"{i}.jpg" for i in range(len(gt))], gt, absent=cover == 0,
                        attributes={"cover": cover, "resolution": f"({W}, {H})"}, dataset="got10k")
               for name, gt, _, cover in seqs]
    ours = analysis.analyze([run], dataset, protocol="got10k")["trackers"][0]
    s = ours["summary"]
    assert s["ao"] == theirs["overall"]["ao"]
    assert s["sr50"] == theirs["overall"]["sr"]
    assert s["curves"]["success"]["y"] == pytest.approx(theirs["overall"]["succ_curve"], abs=0)
    assert ours["fps"] == pytest.approx(theirs["overall"]["speed_fps"], rel=1e-12)
    for name, seq_wise in theirs["seq_wise"].items():
        assert ours["per_sequence"][name]["ao"] == seq_wise["ao"]
    assert 0.0 < s["sr75"] < s["sr50"]  # the server's SR0.75 (not in the toolkit)


class _FakeOTB:
    """The part of got10k's OTB dataset that ``ExperimentOTB.report`` uses."""

    def __init__(self, seqs):
        self.seq_names = [s[0] for s in seqs]
        self._annos = [s[1] for s in seqs]

    def __len__(self):
        return len(self._annos)

    def __iter__(self):
        return iter([(None, a) for a in self._annos])


def _otb_report(tmp_path, seqs):
    exp = ExperimentOTB.__new__(ExperimentOTB)  # skip the download in __init__
    exp.dataset = _FakeOTB(seqs)
    exp.result_dir, exp.report_dir = str(tmp_path / "res"), str(tmp_path / "rep")
    exp.nbins_iou, exp.nbins_ce = 21, 51
    folder = tmp_path / "res" / "ours"
    for name, _, pred in seqs:
        results.write_sequence(folder, name, pred, np.full(len(pred), 0.01), "lasot")
    return exp.report(["ours"])["ours"]["overall"]


def _clean_sequences(seed: int):
    rng = np.random.default_rng(seed)
    out = []
    for k, n in enumerate((15, 9, 30, 4)):
        gt = np.concatenate([rng.uniform(1, 60, (n, 2)), rng.uniform(3, 40, (n, 2))], 1).round(4)
        pred = (gt + rng.normal(0, 6, gt.shape)).round(4)
        pred[:, 2:] = np.abs(pred[:, 2:]) + 0.5
        out.append((f"seq{k}", gt, pred))
    return out


def test_otb_protocol_equals_the_toolkit_on_clean_inputs(tmp_path):
    seqs = _clean_sequences(2)
    theirs = _otb_report(tmp_path, seqs)
    ours = evaluate("otb", [dict(pred=p, gt=g, name=n) for n, g, p in seqs])
    # the MATLAB form divides by (frames + eps) and uses pixel-form IoU: equal to 1e-12
    assert ours["auc"] == pytest.approx(theirs["success_score"], rel=1e-12)
    assert ours["precision"] == pytest.approx(theirs["precision_score"], rel=1e-12)
    assert ours["op50"] == pytest.approx(theirs["success_rate"], rel=1e-12)
    assert ours["curves"]["success"]["y"] == pytest.approx(theirs["success_curve"], rel=1e-12)
    assert ours["curves"]["precision"]["y"] == pytest.approx(theirs["precision_curve"], rel=1e-12)


def test_otb_toolkits_differ_on_border_ground_truth(tmp_path):
    gt = np.array([[5, 5, 10, 10], [0, 5, 10, 10]], float)
    seqs = [("border", gt, gt.copy())]
    theirs = _otb_report(tmp_path, seqs)
    ours = evaluate("otb", [dict(pred=gt.copy(), gt=gt, name="border")])
    assert theirs["success_score"] == pytest.approx(20 / 21)  # got10k scores frame 2: IoU 1
    assert ours["auc"] == pytest.approx(20 / 21 / 2)  # the MATLAB toolkit: x = 0 is invalid


def test_vot_eval_got10k_results_are_read_by_the_toolkit(tmp_path, monkeypatch, capsys):
    """``vot eval`` on a GOT-10k val folder (written from the synthetic suite) writes files the
    official toolkit reads, and ``vot analyze`` reports the toolkit's AO and SR exactly."""
    from vot_core.cli import main
    from vot_core.datasets.hooks import DATASETS as LOADERS
    from vot_core.datasets.synthetic import make_suite, write_got10k
    from vot_core.plugins import get_plugin_manager
    from vot_core.registry import DATASETS

    get_plugin_manager()
    added = [n for n in ("got10k",) if n not in DATASETS.names()]
    for n in added:
        DATASETS.add(n, LOADERS[n], origin="test")
    try:
        write_got10k(str(tmp_path / "GOT10k"), make_suite("synthetic-tiny", limit=3), split="val")
        monkeypatch.chdir(tmp_path)
        run = tmp_path / "results" / "GOT-10k" / "ncc"
        args = ["-d", "got10k", "--root", str(tmp_path / "GOT10k"), "--split", "val"]
        assert main(["eval", "-p", "core/ncc", "-q", "-o", str(run)] + args) == 0
        assert (run / sorted(p.name for p in run.iterdir() if p.is_dir())[0]).is_dir()
        capsys.readouterr()
        assert main(["analyze", str(run), "--json", "-o", "ana"] + args) == 0
        ours = json.loads(capsys.readouterr().out)["trackers"][0]
    finally:
        for n in added:
            DATASETS.remove(n)
    exp = ExperimentGOT10k(str(tmp_path / "GOT10k"), subset="val",
                           result_dir=str(tmp_path / "results"), report_dir=str(tmp_path / "reports"))
    theirs = exp.report(["ncc"])["ncc"]["overall"]
    assert ours["summary"]["protocol"] == "got10k"
    assert ours["summary"]["ao"] == theirs["ao"] and ours["summary"]["sr50"] == theirs["sr"]
    assert ours["fps"] == pytest.approx(theirs["speed_fps"], rel=1e-9)
