"""TNL2K in the official layout: all-zero ground-truth rows are absent frames (as the
toolkit's ``annos/absent`` files), the ``tnl2k`` protocol removes them but counts them, and
the toolkit's ``annos/att/<sequence>_attribute.txt`` (17 flags, one per line, CRLF)."""
import json
import os

import numpy as np
import pytest

from vot_core.cli import main
from vot_core.datasets import DatasetError
from vot_core.datasets.tnl2k import TNL2K
from vot_core.evaluation.protocols import evaluate as evaluate_arrays

BOX = [10, 10, 20, 20]
ABSENT = (3, 4)


def _sequence(root, name, n=10, ext="png"):
    d = os.path.join(root, name)
    os.makedirs(os.path.join(d, "imgs"))
    for i in range(n):
        open(os.path.join(d, "imgs", f"{i + 1:05d}.{ext}"), "wb").close()
    gt = np.array([[0, 0, 0, 0] if i in ABSENT else BOX for i in range(n)], float)
    with open(os.path.join(d, "groundtruth.txt"), "w") as f:
        f.write("\n".join(",".join(f"{v:g}" for v in r) for r in gt) + "\n")
    with open(os.path.join(d, "language.txt"), "w") as f:
        f.write("the red ball\n")
    return gt


def _attribute_file(folder, name, flags, blank_lines=0):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"{name}_attribute.txt"), "wb") as f:
        f.write(b"".join(b"%d\r\n" % v for v in flags) + b"\r\n" * blank_lines)


def _prediction(n=10):
    pred = np.array([BOX] * n, float)
    pred[list(ABSENT)] = [100, 100, 20, 20]  # anything: those frames are removed
    pred[7, 0] += 30  # IoU 0, centre error 30 px (1.5 box widths)
    return pred


def test_all_zero_rows_are_absent(tmp_path):
    _sequence(str(tmp_path / "TNL2K_test"), "INF_jump")
    seq = TNL2K(str(tmp_path / "TNL2K_test"))["INF_jump"]
    np.testing.assert_array_equal(np.nonzero(seq.absent)[0], ABSENT)
    assert seq.language == "the red ball" and seq.attributes == {}
    assert seq.frames[0].endswith(os.path.join("imgs", "00001.png"))


def test_tnl2k_protocol_counts_absent_frames_as_failures(tmp_path):
    _sequence(str(tmp_path / "t"), "s")
    seq = TNL2K(str(tmp_path / "t"))[0]
    item = dict(pred=_prediction(), gt=seq.ground_truth, absent=seq.absent, name="s",
                dataset="tnl2k")
    r = evaluate_arrays("tnl2k", [item])
    # the toolkit: 8 frames kept, 7 overlaps 1 and one 0, divided by all 10 frames
    # success(t) = 7/10 for t < 1, 0 at t = 1 -> AUC = 20 * 0.7 / 21
    assert r["auc"] == pytest.approx(20 * 0.7 / 21, abs=1e-12)
    assert r["precision"] == pytest.approx(0.7, abs=1e-12)  # 7 of 10 within 20 px
    assert r["norm_precision"] == pytest.approx(0.7, abs=1e-12)  # mean over 0..0.5
    # without the absent flags the zero rows are invalid GT: a failed overlap, but centre
    # error -1, i.e. "precise" (what the loader got wrong before it set absent)
    wrong = evaluate_arrays("tnl2k", [dict(item, absent=None)])
    assert wrong["auc"] == pytest.approx(r["auc"]) and wrong["precision"] == pytest.approx(0.9)
    # pytracking-style scoring fails those frames too (invisible: centre error inf)
    py = evaluate_arrays("pytracking", [item])
    assert py["precision"] == pytest.approx(0.7, abs=1e-12)


def test_toolkit_attributes(tmp_path):
    root = str(tmp_path / "TNL2K_test")
    _sequence(root, "INF_jump")
    _sequence(root, "advSamp_Baseball_game_002-Done")
    att = str(tmp_path / "TNL2K_evaluation_toolkit" / "annos" / "att")
    # INF_jump's file in the toolkit: 17 flags then 18 blank CRLF lines
    _attribute_file(att, "INF_jump", [0, 0, 1, 0, 0, 0, 1] + [0] * 10, blank_lines=18)
    _attribute_file(att, "advSamp_Baseball_game_002-Done", [1] + [0] * 13 + [1, 0, 0])
    ds = TNL2K(root)
    assert ds.attribute_folder == att
    assert ds["INF_jump"].attributes["tags"] == ("Deformation", "Partial Occlusion")
    adv = ds["advSamp_Baseball_game_002-Done"].attributes
    assert adv["tags"] == ("Camera Motion", "Adversarial Samples")
    assert len(adv["attribute_names"]) == 17 and adv["attribute_names"][-1] == "Modality Switch"
    np.testing.assert_array_equal(np.nonzero(ds["INF_jump"].absent)[0], ABSENT)

    _attribute_file(att, "INF_jump", [0, 1] * 5)
    with pytest.raises(DatasetError, match="INF_jump_attribute.txt: 10 attribute flags, "
                                           "expected 17"):
        TNL2K(root)["INF_jump"]
    os.remove(os.path.join(att, "INF_jump_attribute.txt"))
    assert TNL2K(root)["INF_jump"].attributes == {}  # found folder, no file: no attributes
    with pytest.raises(DatasetError, match="missing attribute file"):
        TNL2K(root, attributes_root=str(tmp_path / "TNL2K_evaluation_toolkit"))["INF_jump"]


def test_vot_analyze_tnl2k(tmp_path, capsys):
    root = str(tmp_path / "TNL2K_test")
    names = ["a_seq", "b_seq"]
    for k, n in enumerate(names):
        _sequence(root, n)
        _attribute_file(str(tmp_path / "TNL2K_evaluation_toolkit" / "annos" / "att"), n,
                        [1, 0, 0, 1] + [0] * 10 + [k, 0, 0])
    run = tmp_path / "run"
    run.mkdir()
    for n in names:
        np.savetxt(run / f"{n}.txt", _prediction(), fmt="%d", delimiter=",")
    assert main(["analyze", str(run), "-d", "tnl2k", "--root", root, "--json", "--no-plots",
                 "-o", str(tmp_path / "ana")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["protocol"] == "tnl2k"
    assert report["attributes"] == {"Camera Motion": 2, "Full Occlusion": 2,
                                    "Adversarial Samples": 1}
    s = report["trackers"][0]["summary"]
    assert s["auc"] == pytest.approx(20 * 0.7 / 21) and s["precision"] == pytest.approx(0.7)
    assert report["trackers"][0]["per_attribute"]["Adversarial Samples"]["norm_precision"] == \
        pytest.approx(0.7)
