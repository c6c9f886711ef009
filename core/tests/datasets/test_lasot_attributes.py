"""LaSOT per-sequence attributes from the evaluation toolkit's ``annos/att/<sequence>.txt``
(HengLan/LaSOT_Evaluation_Toolkit layout: one comma-separated line of 14 flags), and the
per-attribute table of ``vot analyze --dataset lasot``."""
import json
import os

import numpy as np
import pytest

from vot_core.cli import main
from vot_core.datasets import DatasetError
from vot_core.datasets.lasot import LaSOT
from vot_core.evaluation.protocols import evaluate as evaluate_arrays

#: flags as the toolkit writes them (airplane-1 and bear-3 are the toolkit's own values:
#: POC, ROT, SV, LR and POC, DEF, ROT, BC, SV, ARC)
FLAGS = {
    "airplane-1": "0,1,0,0,0,1,0,0,1,0,0,0,1,0",
    "airplane-9": "1,1,0,0,0,0,0,0,1,0,0,0,0,0",
    "bear-3": "0,1,1,0,0,1,1,0,1,0,0,0,0,1",
}


def _seq(root, name, n=6):
    d = os.path.join(root, name.rsplit("-", 1)[0], name)
    os.makedirs(os.path.join(d, "img"))
    for i in range(n):
        open(os.path.join(d, "img", f"{i + 1:08d}.jpg"), "wb").close()
    gt = np.array([[10 + 3 * i, 20, 40, 30] for i in range(n)], float)
    np.savetxt(os.path.join(d, "groundtruth.txt"), gt, fmt="%d", delimiter=",")
    fo = [0] * n
    oov = [0, 0, 0, 1, 1, 0][:n] if name == "airplane-1" else [0] * n
    for fname, flags in (("full_occlusion.txt", fo), ("out_of_view.txt", oov)):
        with open(os.path.join(d, fname), "w") as f:
            f.write(",".join(map(str, flags)))
    return gt


def _toolkit(folder, flags=FLAGS):
    att = os.path.join(folder, "annos", "att")
    os.makedirs(att)
    for name, line in flags.items():
        with open(os.path.join(att, f"{name}.txt"), "w") as f:
            f.write(line + "\n")
    return att


@pytest.fixture
def data(tmp_path):
    root = str(tmp_path / "LaSOT")
    gts = {n: _seq(root, n) for n in FLAGS}
    return root, gts


def test_toolkit_next_to_the_dataset_is_found(data, tmp_path):
    root, _ = data
    plain = LaSOT(root, split="all")
    assert plain.attribute_folder is None
    assert "tags" not in plain["airplane-1"].attributes  # only the per-frame flags
    att = _toolkit(str(tmp_path / "LaSOT_Evaluation_Toolkit"))
    ds = LaSOT(root, split="all")
    assert ds.attribute_folder == att
    seq = ds["airplane-1"]
    assert seq.attributes["tags"] == ("Partial Occlusion", "Rotation", "Scale Variation",
                                      "Low Resolution")
    names = seq.attributes["attribute_names"]
    assert len(names) == 14 and names[0] == "Illumination Variation"
    assert names[-1] == "Aspect Ratio Change"
    assert ds["bear-3"].attributes["tags"] == ("Partial Occlusion", "Deformation", "Rotation",
                                               "Background Clutter", "Scale Variation",
                                               "Aspect Ratio Change")
    np.testing.assert_array_equal(seq.absent, [0, 0, 0, 1, 1, 0])  # unchanged


@pytest.mark.parametrize("where", ["toolkit", "annos", "att"])
def test_explicit_attributes_root(data, tmp_path, where):
    root, _ = data
    att = _toolkit(str(tmp_path / "elsewhere" / "tk"))
    given = {"toolkit": os.path.dirname(os.path.dirname(att)), "annos": os.path.dirname(att),
             "att": att}[where]
    ds = LaSOT(root, split="all", attributes_root=given)
    assert ds.attribute_folder == att
    assert ds["airplane-9"].attributes["tags"] == ("Illumination Variation", "Partial Occlusion",
                                                   "Scale Variation")


def test_toolkit_inside_the_root_and_archive_top_folder(tmp_path):
    outer = tmp_path / "LaSOT"
    inner = str(outer / "LaSOTBenchmark")
    for n in FLAGS:
        _seq(inner, n)
    _toolkit(str(outer / "LaSOT_Evaluation_Toolkit-master"))  # a GitHub zip's folder name
    ds = LaSOT(str(outer), split="all")
    assert ds.root == inner and ds.sequence_names() == ["airplane-1", "airplane-9", "bear-3"]
    assert "Low Resolution" in ds["airplane-1"].attributes["tags"]
    os.makedirs(os.path.join(inner, "annos", "att"))  # the root's own annos/att comes first
    with open(os.path.join(inner, "annos", "att", "airplane-1.txt"), "w") as f:
        f.write("1,0,0,0,0,0,0,0,0,0,0,0,0,0\n")
    ds = LaSOT(str(outer), split="all")
    assert ds["airplane-1"].attributes["tags"] == ("Illumination Variation",)
    assert "tags" not in ds["bear-3"].attributes  # a found folder without its file: no tags


def test_bad_attribute_files(data, tmp_path):
    root, _ = data
    att = _toolkit(str(tmp_path / "tk"), {"airplane-1": "0,1,0", "bear-3": "0,1,2,0,0,0,0,0,0,0,0,0,0,0"})
    ds = LaSOT(root, split="all", attributes_root=str(tmp_path / "tk"))
    with pytest.raises(DatasetError, match="3 attribute flags, expected 14") as info:
        ds["airplane-1"]
    assert os.path.join(att, "airplane-1.txt") in str(info.value)
    with pytest.raises(DatasetError, match=r"must be 0 or 1, got \[2\]"):
        ds["bear-3"]
    with pytest.raises(DatasetError, match="missing attribute file: .*airplane-9.txt"):
        ds["airplane-9"]  # an explicit folder must have every file
    with pytest.raises(DatasetError, match="attribute folder does not exist"):
        LaSOT(root, split="all", attributes_root=str(tmp_path / "nowhere"))
    with open(os.path.join(att, "airplane-1.txt"), "w") as f:
        f.write("0,1,0,0,0,0,0,0,0,0,0,0,0,0,1\n")  # a 15th flag (an extended toolkit)
    seq = ds["airplane-1"]
    assert seq.attributes["tags"] == ("Partial Occlusion", "attribute 15")
    assert len(seq.attributes["attribute_names"]) == 15


def test_vot_analyze_lasot_per_attribute_table(data, tmp_path, capsys):
    root, gts = data
    _toolkit(str(tmp_path / "LaSOT_Evaluation_Toolkit"))
    run = tmp_path / "results" / "shifted"
    run.mkdir(parents=True)
    preds = {}
    for k, (name, gt) in enumerate(sorted(gts.items())):
        pred = gt.copy()
        pred[:, 0] += 4.0 * (k + 1) * np.arange(len(gt))  # drifts away, faster per sequence
        preds[name] = pred
        np.savetxt(run / f"{name}.txt", pred, fmt="%.2f", delimiter=",")
    args = ["analyze", str(run), "-d", "lasot", "--root", root, "--split", "all",
            "-o", str(tmp_path / "ana"), "--no-plots"]
    assert main(args + ["--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # the toolkit's order, only attributes some sequence has, with their sequence counts
    assert report["attributes"] == {"Illumination Variation": 1, "Partial Occlusion": 3,
                                    "Deformation": 1, "Rotation": 2, "Background Clutter": 1,
                                    "Scale Variation": 3, "Low Resolution": 1,
                                    "Aspect Ratio Change": 1}
    ds = LaSOT(root, split="all")
    per_attr = report["trackers"][0]["per_attribute"]
    for attr, members in (("Rotation", ["airplane-1", "bear-3"]), ("Deformation", ["bear-3"]),
                          ("Partial Occlusion", sorted(gts))):
        items = [dict(pred=preds[n], gt=ds[n].ground_truth, absent=ds[n].absent, name=n,
                      dataset="lasot") for n in members]
        expected = evaluate_arrays("lasot", items)
        assert per_attr[attr]["auc"] == pytest.approx(expected["auc"], abs=1e-12), attr
        assert per_attr[attr]["precision"] == pytest.approx(expected["precision"], abs=1e-12)
    assert per_attr["Rotation"]["auc"] != pytest.approx(per_attr["Deformation"]["auc"])
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "per attribute (AUC):" in text
    table = text.split("per attribute (AUC):")[1]
    assert table.index("Illumination Variation") < table.index("Aspect Ratio Change")
    assert "out_of_view" not in table  # the toolkit's attributes replace the per-frame flags
    rows = open(tmp_path / "ana" / "per_attribute.csv").read().splitlines()
    assert rows[0] == "Attribute,Seqs,shifted" and rows[2].startswith("Partial Occlusion,3,")


def test_dataset_option_passes_the_toolkit_folder_from_the_command_line(data, tmp_path, capsys):
    root, gts = data
    _toolkit(str(tmp_path / "elsewhere" / "toolkit"))  # not found by the automatic search
    run = tmp_path / "results" / "exact"
    run.mkdir(parents=True)
    for name, gt in gts.items():
        np.savetxt(run / f"{name}.txt", gt, fmt="%.2f", delimiter=",")
    args = ["analyze", str(run), "-d", "lasot", "--root", root, "--split", "all", "--json",
            "-o", str(tmp_path / "ana"), "--no-plots"]
    assert main(args) == 0
    assert "Rotation" not in json.loads(capsys.readouterr().out)["attributes"]
    given = str(tmp_path / "elsewhere" / "toolkit")
    assert main(args + ["--dataset-option", f"attributes_root={given}"]) == 0
    assert json.loads(capsys.readouterr().out)["attributes"]["Rotation"] == 2
    assert main(args + ["--dataset-option", "attributes_root=/nowhere/at/all"]) == 2
    assert "/nowhere/at/all" in capsys.readouterr().err
