"""``vot eval`` and ``vot analyze`` end to end: core baseline tracker on the synthetic suite."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from vot_core.cli import main
from vot_core.datasets.synthetic import SyntheticDataset
from vot_core.evaluation import results as R
from vot_core.evaluation.protocols import evaluate as evaluate_arrays
from vot_core.plugins import get_plugin_manager
from vot_core.registry import DATASETS
from vot_core.structures import Sequence

EVAL = ["eval", "-p", "core/ncc", "-d", "synthetic", "--split", "tiny", "-q"]


@pytest.fixture
def synthetic():
    """The ``synthetic`` dataset (registered by core's plugin; by hand if not yet)."""
    get_plugin_manager()
    added = "synthetic" not in DATASETS.names()
    if added:
        DATASETS.add("synthetic", "vot_core.datasets.synthetic:SyntheticDataset", origin="test")
    yield SyntheticDataset(split="tiny")
    if added:
        DATASETS.remove("synthetic")


def test_eval_and_analyze_end_to_end(tmp_path, monkeypatch, capsys, synthetic):
    monkeypatch.chdir(tmp_path)
    assert main(EVAL) == 0
    out = capsys.readouterr().out
    run = tmp_path / "results" / "synthetic-tiny" / "core_ncc"
    assert "4 sequences tracked, 0 already there" in out and "AUC" in out
    assert sorted(R.list_sequences(run, "lasot")) == sorted(synthetic.sequence_names())
    assert main(EVAL) == 0 and "0 sequences tracked, 4 already there" in capsys.readouterr().out

    other = ["--cfg-options", "pipeline.tracker.search_factor=2.0"]
    assert main(EVAL + other + ["-o", "results/ncc_sf2"]) == 0
    capsys.readouterr()
    before = {p: p.read_bytes() for p in run.rglob("*")}
    assert main(EVAL + other + ["-o", str(run)]) == 2  # another config into the same folder
    assert "holds results of a different run" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in run.rglob("*")} == before

    assert main(["analyze", str(run), "results/ncc_sf2", "-d", "synthetic", "--split", "tiny",
                 "-o", "ana"]) == 0
    text = capsys.readouterr().out
    assert "core_ncc" in text and "ncc_sf2" in text and "per attribute (AUC)" in text
    for name in ("success.png", "precision.png", "norm_precision.png"):
        assert (tmp_path / "ana" / name).read_bytes()[:4] == b"\x89PNG"
    assert "| Tracker | AUC |" in (tmp_path / "ana" / "results.md").read_text()
    rows = list(csv.reader(open(tmp_path / "ana" / "results.csv")))
    assert rows[0][:4] == ["Tracker", "AUC", "P", "NP"] and len(rows) == 3
    assert (tmp_path / "ana" / "per_attribute.csv").is_file()

    assert main(["analyze", str(run), "-d", "synthetic", "--split", "tiny", "--json", "-o", "j"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["protocol"] == "lasot" and report["num_sequences"] == 4
    summary = report["trackers"][0]["summary"]
    # the numbers are those of the protocol on the files and the dataset's ground truth
    items = [dict(pred=R.read_boxes(run / f"{s.name}.txt"), gt=s.ground_truth, absent=s.absent,
                  name=s.name, dataset=s.dataset) for s in synthetic]
    expected = evaluate_arrays("lasot", items)
    for key in ("auc", "precision", "norm_precision", "op50", "op75", "ao"):
        assert summary[key] == pytest.approx(expected[key], abs=1e-15), key
    assert rows[1][1] == f"{100 * expected['auc']:.2f}"
    assert 0.0 < summary["auc"] < 1.0 and report["trackers"][0]["fps"] > 0

    assert main(["analyze", str(run), "-d", "synthetic", "--split", "tiny", "--json",
                 "--protocol", "got10k", "-o", "g"]) == 0
    g = json.loads(capsys.readouterr().out)["trackers"][0]["summary"]
    assert g["auc"] is None and 0.0 < g["sr75"] <= g["sr50"] <= 1.0


def test_analyze_reports_missing_results_and_unknown_protocols(tmp_path, monkeypatch, capsys, synthetic):
    monkeypatch.chdir(tmp_path)
    first = synthetic.sequence_names()[0]
    assert main(EVAL + ["--sequences", first, "-o", "one"]) == 0
    capsys.readouterr()
    assert main(["analyze", "one", "-d", "synthetic", "--split", "tiny"]) == 2
    assert "no results for 3 of 4 sequences" in capsys.readouterr().err
    assert main(["analyze", "one", "-d", "synthetic", "--split", "tiny", "--sequences", first,
                 "--no-plots", "-o", "a"]) == 0
    assert main(["analyze", "one", "-d", "synthetic", "--split", "tiny", "--protocol", "vot"]) == 2
    assert "unknown protocol 'vot'" in capsys.readouterr().err


def test_withheld_ground_truth_packs_the_submission_zip(tmp_path, monkeypatch, capsys, synthetic):
    # as the TrackingNet and GOT-10k loaders give test sequences: rows after the first are NaN
    seqs = [Sequence(s.name, s.frames, np.vstack([s.ground_truth[:1], np.full((len(s) - 1, 4), np.nan)]),
                     dataset="trackingnet") for s in list(synthetic)[:2]]
    DATASETS.add("evaltest-withheld", lambda split=None: seqs, origin="test")
    try:
        monkeypatch.chdir(tmp_path)
        assert main(["eval", "-p", "core/ncc", "-d", "evaltest-withheld", "--format", "trackingnet",
                     "-q", "-o", "tn"]) == 0
        assert "submission: tn/trackingnet_submission.zip" in capsys.readouterr().out
        assert main(["analyze", "tn", "-d", "evaltest-withheld"]) == 2
        assert "withheld annotations" in capsys.readouterr().err
    finally:
        DATASETS.remove("evaltest-withheld")
    import zipfile
    with zipfile.ZipFile(tmp_path / "tn" / "trackingnet_submission.zip") as zf:
        assert sorted(zf.namelist()) == sorted(f"{s.name}.txt" for s in seqs)
        first = np.loadtxt(zf.open(f"{seqs[0].name}.txt"), delimiter=",")
    assert len(first) == len(seqs[0]) and np.allclose(first[0], seqs[0].ground_truth[0], atol=1e-4)
