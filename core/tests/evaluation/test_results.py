"""Result files: official layouts, atomic writes, strict readers, submission zips."""
from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest
from vot_core.evaluation import results as R

BOXES = np.array([[1.5, 2.25, 10.0, 20.0], [3.0, 4.0, 11.125, 0.0], [0.0, 0.0, 5.0, 6.0]])
TIMES = np.array([0.01, 0.002, 0.003])


@pytest.mark.parametrize("fmt,box_rel,time_rel", [
    ("lasot", "seq.txt", "seq_time.txt"),
    ("trackingnet", "seq.txt", "seq_time.txt"),
    ("got10k", "seq/seq_001.txt", "seq/seq_time.txt"),
    ("vot", "seq/seq_001.txt", "seq/seq_001_time.value"),
])
def test_layouts_and_round_trip(tmp_path, fmt, box_rel, time_rel):
    R.write_sequence(tmp_path, "seq", BOXES, TIMES, fmt)
    assert (tmp_path / box_rel).is_file() and (tmp_path / time_rel).is_file()
    assert R.is_complete(tmp_path, "seq", fmt)
    boxes, times = R.read_sequence(tmp_path, "seq", fmt)
    if fmt == "vot":  # frame 1 is the initialization code "1"
        assert (tmp_path / box_rel).read_text().splitlines()[0] == "1"
        np.testing.assert_array_equal(boxes[1:], BOXES[1:])
    else:
        np.testing.assert_array_equal(boxes, BOXES)
    np.testing.assert_allclose(times, TIMES)
    assert list(R.list_sequences(tmp_path, fmt)) == ["seq"]
    assert R.detect_format(tmp_path) == ("lasot" if fmt == "trackingnet" else fmt)


def test_got10k_files_use_the_toolkit_number_format(tmp_path):
    R.write_sequence(tmp_path, "s", BOXES, TIMES, "got10k")
    assert (tmp_path / "s" / "s_001.txt").read_text().splitlines()[0] == "1.500,2.250,10.000,20.000"
    assert (tmp_path / "s" / "s_time.txt").read_text().splitlines()[0] == "0.01000000"


@pytest.mark.parametrize("line,message", [
    ("1,2,nan,4", "line 2: NaN"),
    ("1,2,-3,4", "line 2: negative size"),
    ("1,2,3", "line 2: expected 4 values"),
    ("1,2,abc,4", "line 2: not numbers"),
    ("", "line 2: empty line"),
])
def test_reader_rejects_bad_lines_naming_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.txt"
    path.write_text(f"1,2,3,4\n{line}\n5,6,7,8\n")
    with pytest.raises(R.ResultFileError, match=message) as info:
        R.read_boxes(path)
    assert str(path) in str(info.value)


def test_reader_accepts_official_variants(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("1\t2\t3\t4\n5 6 7 8\n0,0,10,0,10,10,0,10\n2\n")  # tabs, spaces, polygon, code
    np.testing.assert_array_equal(R.read_boxes(path), [[1, 2, 3, 4], [5, 6, 7, 8], [0, 0, 10, 10], [0, 0, 0, 0]])
    with pytest.raises(R.ResultFileError, match="not found"):
        R.read_boxes(tmp_path / "missing.txt")


def test_atomic_write_leaves_old_file_or_nothing(tmp_path, monkeypatch):
    target = tmp_path / "a.txt"
    target.write_text("old\n")

    def killed(src, dst):
        raise KeyboardInterrupt("killed during rename")

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        R.atomic_write_text(target, "new\n")
    monkeypatch.undo()
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]  # no temporary left


def test_stale_temporaries_are_removed(tmp_path):
    (tmp_path / "sub").mkdir()
    stale = tmp_path / "sub" / f".x.txt{R.TMP_MARK}abc"
    stale.write_text("half")
    keep = tmp_path / "sub" / "x.txt"
    keep.write_text("1,2,3,4\n")
    assert R.remove_stale_temporaries(tmp_path) == [stale]
    assert keep.is_file() and not stale.exists()


def test_write_refuses_mismatched_times(tmp_path):
    with pytest.raises(ValueError, match="3 boxes but 2 times"):
        R.write_sequence(tmp_path, "s", BOXES, TIMES[:2], "lasot")
    with pytest.raises(ValueError, match="unknown result format"):
        R.write_sequence(tmp_path, "s", BOXES, TIMES, "otb2013")


def test_submission_zips(tmp_path):
    for name in ("b_video", "a_video"):
        R.write_sequence(tmp_path / "tn", name, BOXES, TIMES, "trackingnet")
        R.write_sequence(tmp_path / "got", name, BOXES, TIMES, "got10k")
    z1 = R.pack_trackingnet(tmp_path / "tn", ["a_video", "b_video"], tmp_path / "tn1.zip")
    z2 = R.pack_trackingnet(tmp_path / "tn", ["a_video", "b_video"], tmp_path / "tn2.zip")
    assert z1.read_bytes() == z2.read_bytes()  # deterministic
    with zipfile.ZipFile(z1) as zf:
        assert zf.namelist() == ["a_video.txt", "b_video.txt"]
        assert zf.read("a_video.txt") == (tmp_path / "tn" / "a_video.txt").read_bytes()
    zg = R.pack_got10k(tmp_path / "got", ["a_video"], tmp_path / "got.zip")
    with zipfile.ZipFile(zg) as zf:
        assert zf.namelist() == ["a_video/a_video_001.txt", "a_video/a_video_time.txt"]
    with pytest.raises(R.ResultFileError, match="missing"):
        R.pack_trackingnet(tmp_path / "tn", ["c_video"], tmp_path / "tn3.zip")
    assert not (tmp_path / "tn3.zip").exists()


def test_default_formats():
    assert R.default_format("got10k") == "got10k"
    assert R.default_format("trackingnet") == "trackingnet"
    assert R.default_format("vot2020") == "vot"
    assert R.default_format("lasot") == R.default_format("synthetic") == "lasot"
