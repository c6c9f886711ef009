"""The ``vot`` command line: track on a generated video, plugins, demo, and every bad input.

Commands run in-process through ``main([...])`` (fast); one test runs the installed console
script, one checks in a fresh interpreter that ``--help`` and ``plugins`` import no torch.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import types
from importlib.metadata import EntryPoint
from pathlib import Path

import cv2
import numpy as np
import pytest

from vot_core import plugins as plugins_module
from vot_core.cli import COMMANDS, main
from vot_core.geometry import iou
from vot_core.hookspecs import hookimpl
from vot_core.registry import HOOK_REGISTRIES, TRACKERS
from vot_core.structures import Prediction
from vot_core.tracker import BaseTracker

SIZE = (120, 160)  # H, W


def moving_square_frames(n=40, seed=3):
    """RGB frames with a textured 26 px square moving over a blurred-noise background."""
    rng = np.random.default_rng(seed)
    H, W = SIZE
    background = cv2.GaussianBlur((rng.random((H, W, 3)) * 255).astype(np.uint8), (0, 0), 2)
    texture = cv2.resize(rng.integers(0, 256, (5, 5, 3), dtype=np.uint8), (26, 26),
                         interpolation=cv2.INTER_CUBIC)
    frames, boxes = [], []
    for t in range(n):
        x = int(round(15 + 2.0 * t))
        y = int(round(45 + 18 * np.sin(t / 7)))
        frame = background.copy()
        frame[y:y + 26, x:x + 26] = texture
        frames.append(frame)
        boxes.append((x, y, 26, 26))
    return frames, np.asarray(boxes, np.float64)


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """A short mp4 (mp4v) of the moving square and its true boxes."""
    frames, boxes = moving_square_frames()
    path = tmp_path_factory.mktemp("video") / "square.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 20.0, (SIZE[1], SIZE[0]))
    assert writer.isOpened()
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    return path, boxes


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    frames, boxes = moving_square_frames(n=12)
    path = tmp_path_factory.mktemp("frames") / "seq"
    path.mkdir()
    for i, f in enumerate(frames):
        cv2.imwrite(str(path / f"{i + 1:05d}.png"), cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    return path, boxes


def box_arg(box):
    return ",".join(f"{v:g}" for v in box)


def read_rows(path):
    return np.loadtxt(path, delimiter=",", ndmin=2)


# -- vot track ---------------------------------------------------------------------------------
def test_track_video_file(video, tmp_path, capsys):
    path, truth = video
    out = tmp_path / "run"
    rc = main(["track", str(path), "--pipeline", "core/ncc", "--init-box", box_arg(truth[0]),
               "--output", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert sorted(p.name for p in out.iterdir()) == ["boxes.txt", "scores.txt", "times.txt",
                                                       "video.mp4"]
    boxes = read_rows(out / "boxes.txt")
    assert boxes.shape == (len(truth), 4)
    np.testing.assert_allclose(boxes[0], truth[0])
    overlaps = iou(boxes, truth)
    assert overlaps.mean() > 0.5 and overlaps.mean() > 0.85, overlaps
    scores = np.loadtxt(out / "scores.txt")
    assert scores.shape == (len(truth),) and np.isnan(scores[0]) and (scores[1:] > 0.5).all()
    annotated = cv2.VideoCapture(str(out / "video.mp4"))
    assert int(annotated.get(cv2.CAP_PROP_FRAME_COUNT)) == len(truth)
    assert abs(annotated.get(cv2.CAP_PROP_FPS) - 20.0) < 1e-6
    annotated.release()
    assert re.search(r"tracked 40 frames .* [\d.]+ frames/s", captured.out)
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary leftovers


def test_track_image_folder_with_refiner_file_and_overrides(folder, tmp_path, capsys):
    """--refiner from a config file, --cfg-options, --no-video, an existing output folder."""
    from vot_core.registry import REFINERS

    class ShrinkRefiner:
        def __init__(self, pixels=1.0, weights=None, device="cpu"):
            self.pixels, self.weights = pixels, weights

        def initialize(self, frame, box):
            pass

        def refine(self, frame, prediction):
            b = prediction.box
            return Prediction((b.x, b.y, b.w - self.pixels, b.h), score=prediction.score)

    refiner_cfg = tmp_path / "shrink.py"
    refiner_cfg.write_text("refiner = dict(type='ShrinkRefiner', pixels=2.0)\n")
    REFINERS.add("ShrinkRefiner", ShrinkRefiner, origin="test")
    out = tmp_path / "existing"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    path, truth = folder
    try:
        rc = main(["track", str(path), "-p", "core/ncc", "--init-box", box_arg(truth[0]),
                   "--refiner", str(refiner_cfg), "--refiner-weights", "r.pth",
                   "--cfg-options", "pipeline.tracker.scales=[1.0]", "-o", str(out),
                   "--no-video", "-q"])
    finally:
        REFINERS.remove("ShrinkRefiner")
    assert rc == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["boxes.txt", "keep.txt", "scores.txt", "times.txt"]
    boxes = read_rows(out / "boxes.txt")
    assert len(boxes) == 12
    # the refiner shrank the width by 2 px per frame and fed it back; scale search was off
    np.testing.assert_allclose(boxes[1:, 2], truth[0, 2] - 2.0 * np.arange(1, 12), atol=1e-3)
    assert "Pipeline(NCCTracker -> ShrinkRefiner" in capsys.readouterr().out


# -- vot plugins / --version / --help ----------------------------------------------------------
def test_plugins_json(capsys):
    assert main(["plugins", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    core = next(p for p in report["plugins"] if p["name"] == "core")
    assert core["distribution"] == "vot-core" and core["version"] == report["vot_core"]
    assert "NCCTracker" in core["components"]["tracker"] and core["error"] is None
    assert report["plugins"][0]["name"] == "core"
    assert set(report["broken"]) == {p["name"] for p in report["plugins"] if p["error"]}


def test_plugins_text_and_version(capsys):
    assert main(["plugins"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"^core\s+vot-core \S+\s+ok$", text, re.M)
    assert re.search(r"tracker:\s+NCCTracker", text)
    assert main(["--version"]) == 0
    assert re.match(r"vot \(vot-core\) \d+\.\d+", capsys.readouterr().out)


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for name in ("track", "demo", "plugins", "eval", "analyze"):
        assert re.search(rf"^\s+{name}\s", text, re.M), name
    assert len(COMMANDS) == len(set(COMMANDS))


def test_unknown_command_and_missing_command(capsys):
    assert main(["trak", "x"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'trak'" in err and "Did you mean: track" in err
    assert main([]) == 2
    assert main(["track"]) == 2  # argparse usage error, no traceback
    assert "Traceback" not in capsys.readouterr().err


# -- vot demo ----------------------------------------------------------------------------------
def test_demo_falls_back_to_the_baseline_without_the_tiny_model(tmp_path, capsys, monkeypatch):
    from vot_core.cli import demo

    monkeypatch.setattr(demo, "DEFAULT_PIPELINES", ("nosuchplugin/tiny", "core/ncc"))
    assert main(["demo", "--output", str(tmp_path / "d"), "--frames", "5", "--quiet",
                 "--no-video"]) == 0
    assert "default pipeline: core/ncc (the NCC" in capsys.readouterr().out


def test_demo_writes_results_and_prints_auc(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--output", str(out), "--frames", "30", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"default pipeline: (ostrack/tiny_synthetic \(OSTrack-tiny|core/ncc \(the NCC)",
                     text), text
    auc = float(re.search(r"success AUC: ([\d.]+)%", text).group(1))
    fps = float(re.search(r"speed: ([\d.]+) frames/s", text).group(1))
    assert 0 < auc <= 100 and fps > 0
    assert sorted(p.name for p in out.iterdir()) == ["boxes.txt", "groundtruth.txt", "scores.txt",
                                                       "times.txt", "video.mp4"]
    boxes, truth = read_rows(out / "boxes.txt"), read_rows(out / "groundtruth.txt")
    assert boxes.shape == truth.shape == (30, 4)
    overlaps = np.nan_to_num(iou(boxes, truth))
    expected = np.mean([(overlaps > t).mean() for t in np.linspace(0, 1, 21)])
    assert abs(auc - 100 * expected) < 0.06  # the printed AUC is the files' AUC


# -- bad input: one clear line, exit code 2, nothing written ------------------------------------
def run_bad(capsys, args, out, expected):
    rc = main(args + ["--output", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "Traceback" not in err
    assert re.search(expected, err), err
    assert not out.exists(), sorted(out.iterdir())
    assert not list(out.parent.glob(f".{out.name}.tmp-*"))
    return err


@pytest.mark.parametrize("init_box, expected", [
    ("10,10,0,20", r"--init-box 10,10,0,20 is empty"),
    ("nan,10,20,20", r"NaN"),
    ("10,10,-5,20", r"empty or negative"),
    ("=-50,10,20,20", r"init box of .*square.mp4 .*lies outside the 160x120 frame"),
    ("500,10,20,20", r"lies outside the 160x120 frame"),
    ("10,10,20", r"is not four numbers"),
])
def test_bad_init_box(video, tmp_path, capsys, init_box, expected):
    path, _ = video
    flag = ["--init-box" + init_box] if init_box.startswith("=") else ["--init-box", init_box]
    run_bad(capsys, ["track", str(path), "-p", "core/ncc", *flag], tmp_path / "out", expected)


def test_bad_sources(tmp_path, capsys, folder):
    box = ["-p", "core/ncc", "--init-box", "1,1,10,10"]
    out = tmp_path / "out"
    run_bad(capsys, ["track", str(tmp_path / "nothing.mp4"), *box], out,
            r"video source not found: .*nothing.mp4")
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 8)
    run_bad(capsys, ["track", str(garbage), *box], out, r"garbage.mp4")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    run_bad(capsys, ["track", str(text), *box], out, r"notes.txt is not a video file")
    (tmp_path / "empty").mkdir()
    run_bad(capsys, ["track", str(tmp_path / "empty"), *box], out, r"folder .*empty has no images")
    gaps = tmp_path / "gaps"
    gaps.mkdir()
    src, _ = folder
    for i in (1, 2, 4):
        (gaps / f"{i:05d}.png").write_bytes((src / f"{i:05d}.png").read_bytes())
    run_bad(capsys, ["track", str(gaps), *box], out, r"missing 1 numbered frame.*: 3")


def test_corrupt_frame_midway_leaves_nothing(tmp_path, capsys, folder):
    src, truth = folder
    seq = tmp_path / "seq"
    seq.mkdir()
    for f in sorted(src.iterdir()):
        (seq / f.name).write_bytes(f.read_bytes())
    (seq / "00007.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "boxes.txt").write_text("old\n")
    args = ["track", str(seq), "-p", "core/ncc", "--init-box", box_arg(truth[0]), "-q"]
    run_bad(capsys, args, tmp_path / "new" / "nested", r"cannot decode image .*00007.png")
    assert not (tmp_path / "new").exists()  # the parent made for the output is removed again
    assert main(args + ["--output", str(existing)]) == 2
    assert [p.name for p in existing.iterdir()] == ["boxes.txt"]
    assert (existing / "boxes.txt").read_text() == "old\n"  # untouched


def test_bad_pipelines_and_configs(video, tmp_path, capsys):
    path, truth = video
    args = ["track", str(path), "--init-box", box_arg(truth[0])]
    out = tmp_path / "out"
    run_bad(capsys, args + ["-p", "core/ncx"], out, r"unknown config 'core/ncx'.*Did you mean: core/ncc")
    run_bad(capsys, args + ["-p", str(tmp_path / "missing.py")], out, r"config file not found: .*missing.py")
    typo_key = tmp_path / "typo_key.py"
    typo_key.write_text("pipeline = dict(tracker=dict(type='NCCTracker', serch_factor=3.0))\n")
    run_bad(capsys, args + ["-p", str(typo_key)], out,
            r"NCCTracker.*unknown parameter.*'serch_factor' \(did you mean 'search_factor'\?\)")
    typo_type = tmp_path / "typo_type.py"
    typo_type.write_text("pipeline = dict(tracker=dict(type='NCCTraker'))\n")
    run_bad(capsys, args + ["-p", str(typo_type)], out, r"unknown tracker type 'NCCTraker'.*NCCTracker")
    typo_section = tmp_path / "typo_section.py"
    typo_section.write_text("pipeline = dict(traker=dict(type='NCCTracker'))\n")
    run_bad(capsys, args + ["-p", str(typo_section)], out, r"unknown keys \['traker'\]")
    syntax = tmp_path / "syntax.py"
    syntax.write_text("pipeline = dict(tracker=dict(type='NCCTracker')\n")
    run_bad(capsys, args + ["-p", str(syntax)], out, r"config .*syntax.py could not be read")
    run_bad(capsys, args + ["-p", "core/ncc", "--cfg-options", "pipeline.tracker.scales=[]"], out,
            r"scales must be > 0")
    run_bad(capsys, args + ["-p", "core/ncc", "--weights", "w.pth"], out, r"NCCTracker has no weights")
    run_bad(capsys, args + ["-p", "core/ncc", "--refiner-weights", "r.pth"], out,
            r"1 --refiner-weights given for 0 --refiner")
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    assert main(args + ["-p", "core/ncc", "-o", str(a_file), "-q"]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err and a_file.read_text() == "x"
    assert not list(tmp_path.glob(".a_file.tmp-*"))


def test_select_without_display(video, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    path, _ = video
    run_bad(capsys, ["track", str(path), "-p", "core/ncc", "--select"], tmp_path / "out",
            r"--select needs a display .*--init-box")


def test_select_uses_the_roi_selector(video, tmp_path, capsys, monkeypatch):
    path, truth = video
    monkeypatch.setenv("DISPLAY", ":99")
    seen = {}

    def fake_select(window, image, **kwargs):
        seen["shape"] = image.shape
        return tuple(int(v) for v in truth[0])

    monkeypatch.setattr(cv2, "selectROI", fake_select)
    monkeypatch.setattr(cv2, "destroyWindow", lambda name: None)
    out = tmp_path / "sel"
    assert main(["track", str(path), "-p", "core/ncc", "--select", "-o", str(out), "-q",
                 "--no-video"]) == 0
    assert seen["shape"] == (120, 160, 3)
    np.testing.assert_allclose(read_rows(out / "boxes.txt")[0], truth[0])
    monkeypatch.setattr(cv2, "selectROI", lambda *a, **k: (0, 0, 0, 0))  # cancelled
    run_bad(capsys, ["track", str(path), "-p", "core/ncc", "--select"], tmp_path / "out2",
            r"no box was selected")


class ExplodingTracker(BaseTracker):
    """Crashes on the fifth frame: a bug, not bad input."""

    def __init__(self, weights=None, device="cpu"):
        self.count = 0

    def track(self, frame):
        self.count += 1
        if self.count == 5:
            raise ZeroDivisionError("tracker bug")
        return Prediction(self.state, score=1.0)


def test_crash_midway_shows_traceback_and_writes_nothing(video, tmp_path):
    path, truth = video
    cfg = tmp_path / "exploding.py"
    cfg.write_text("pipeline = dict(tracker=dict(type='ExplodingTracker'))\n")
    TRACKERS.add("ExplodingTracker", ExplodingTracker, origin="test")
    out = tmp_path / "out"
    try:
        with pytest.raises(ZeroDivisionError):  # bugs are not disguised as bad input
            main(["track", str(path), "-p", str(cfg), "--init-box", box_arg(truth[0]), "-o",
                  str(out), "-q"])
    finally:
        TRACKERS.remove("ExplodingTracker")
    assert not out.exists() and list(tmp_path.iterdir()) == [cfg]


# -- a plugin that raises while registering -----------------------------------------------------
@pytest.fixture
def broken_plugin_installed(monkeypatch):
    """A fresh plugin manager whose entry points are core plus a plugin that raises while
    registering its tracker; the global registries are restored afterwards."""
    from vot_core import builtin_plugin

    saved = []
    for reg in HOOK_REGISTRIES.values():
        state = {k: dict(getattr(reg, k)) for k in ("_lazy", "_module_dict", "_items", "origins")
                 if hasattr(reg, k)}
        saved.append((reg, state))
        for k in state:
            getattr(reg, k).clear()
    broken = types.ModuleType("vot_test_broken_plugin")

    @hookimpl
    def register_trackers(register):
        register("BrokenTracker", "vot_core.baseline.ncc:NCCTracker")
        raise RuntimeError("the broken plugin exploded")

    broken.register_trackers = register_trackers
    monkeypatch.setitem(sys.modules, "vot_test_broken_plugin", broken)
    eps = [EntryPoint("core", "vot_core.builtin_plugin", "vot"),
           EntryPoint("broken", "vot_test_broken_plugin", "vot")]
    monkeypatch.setattr(plugins_module, "entry_points", lambda group=None: eps)
    monkeypatch.setattr(plugins_module, "_MANAGER", None)
    monkeypatch.delenv("VOT_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.delenv("VOT_PLUGINS", raising=False)
    assert builtin_plugin  # imported for the entry point
    yield
    for reg, state in saved:
        for k, content in state.items():
            getattr(reg, k).clear()
            getattr(reg, k).update(content)


def test_plugin_raising_while_registering(broken_plugin_installed, video, tmp_path, capsys,
                                          monkeypatch):
    path, truth = video
    assert main(["plugins", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["broken"] == ["broken"]
    broken = next(p for p in report["plugins"] if p["name"] == "broken")
    assert "register_trackers: RuntimeError: the broken plugin exploded" in broken["error"]
    assert broken["components"] == {}

    cfg = tmp_path / "uses_broken.py"
    cfg.write_text("pipeline = dict(tracker=dict(type='BrokenTracker'))\n")
    args = ["track", str(path), "-p", str(cfg), "--init-box", box_arg(truth[0])]
    err = run_bad(capsys, args, tmp_path / "out", r"unknown tracker type 'BrokenTracker'")
    assert re.search(r"note: plugin 'broken' .*failed to load.*the broken plugin exploded", err)
    # the other plugins keep working
    assert main(["track", str(path), "-p", "core/ncc", "--init-box", box_arg(truth[0]), "-o",
                 str(tmp_path / "ok"), "-q", "--no-video"]) == 0

    monkeypatch.setenv("VOT_STRICT_PLUGINS", "1")
    monkeypatch.setattr(plugins_module, "_MANAGER", None)
    for reg in HOOK_REGISTRIES.values():
        for name in list(reg.names()):
            reg.remove(name)
    err = run_bad(capsys, ["track", str(path), "-p", "core/ncc", "--init-box", box_arg(truth[0])],
                  tmp_path / "out", r"plugin 'broken' failed .*the broken plugin exploded")


# -- fresh interpreters --------------------------------------------------------------------------
def test_console_script_runs(video, tmp_path):
    vot = Path(sys.executable).with_name("vot")
    command = [str(vot)] if vot.exists() else [sys.executable, "-m", "vot_core.cli"]
    done = subprocess.run(command + ["--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("vot (vot-core)")
    path, _ = video
    done = subprocess.run(command + ["track", str(path), "-p", "core/ncc", "--init-box",
                                     "500,1,5,5", "-o", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "lies outside" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_help_and_plugins_do_not_import_torch():
    """With every installed plugin: ``vot --help`` and ``vot plugins`` stay free of torch (the
    failure message shows the import chain that pulled it in)."""
    code = ("import sys, io, contextlib, traceback\n"
            "class Spy:\n"
            "    chain = None\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name in ('torch', 'timm') and Spy.chain is None:\n"
            "            Spy.chain = ''.join(f for f in traceback.format_stack()[-40:]\n"
            "                                if '<frozen' not in f)\n"
            "        return None\n"
            "sys.meta_path.insert(0, Spy())\n"
            "from vot_core.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['--help']) == 0\n"
            "    assert main(['plugins']) == 0\n"
            "    assert main(['plugins', '--json']) == 0\n"
            "print(Spy.chain or 'clean')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clean", "torch imported by:\n" + done.stdout



def test_track_source_from_a_generator_without_output():
    """The runner takes any iterable (no len, e.g. a camera) and calls back per frame."""
    from vot_core.pipeline import build_pipeline
    from vot_core.runner import track_source

    frames, truth = moving_square_frames(n=15)
    seen = []
    result = track_source(build_pipeline("core/ncc"), (f for f in frames), truth[0],
                          progress=False, on_frame=lambda i, f, p: seen.append(i))
    assert seen == list(range(15)) and result.output is None
    assert result.boxes.shape == (15, 4) and result.times.shape == (15,)
    assert iou(result.boxes, truth).mean() > 0.9 and result.fps > 0
    with pytest.raises(ValueError, match="no frames"):
        track_source(build_pipeline("core/ncc"), [], truth[0], progress=False)


def test_video_writing_runs_opencv_single_threaded_and_restores_it(tmp_path):
    """While the annotated video is written OpenCV uses one thread (its workers would compete
    with the tracker's torch threads); the caller's setting comes back afterwards, also after
    an error."""
    import cv2

    from vot_core.runner import track_source

    frames, truth = moving_square_frames(n=6)
    seen = []

    class Probe:
        def initialize(self, frame, box):
            self.box = box

        def track(self, frame):
            seen.append(cv2.getNumThreads())
            if len(seen) == 5:
                raise RuntimeError("boom")
            return Prediction(self.box)

    cv2.setNumThreads(2)
    try:
        track_source(Probe(), frames[:4], truth[0], output=tmp_path / "a", progress=False)
        assert seen == [1, 1, 1] and cv2.getNumThreads() == 2
        with pytest.raises(RuntimeError, match="boom"):
            track_source(Probe(), frames, truth[0], output=tmp_path / "b", progress=False)
        assert cv2.getNumThreads() == 2 and not (tmp_path / "b").exists()
        seen.clear()
        track_source(Probe(), frames[:3], truth[0], progress=False)  # no video: untouched
        assert seen == [2, 2]
    finally:
        cv2.setNumThreads(-1)


def test_interrupt_keeps_results_only_when_asked(tmp_path):
    """A camera run ends with Ctrl+C and keeps what it tracked; elsewhere it writes nothing."""
    from vot_core.pipeline import build_pipeline
    from vot_core.runner import track_source

    frames, truth = moving_square_frames(n=20)

    def camera():
        for i, f in enumerate(frames):
            if i == 8:
                raise KeyboardInterrupt
            yield f

    result = track_source(build_pipeline("core/ncc"), camera(), truth[0], output=tmp_path / "cam",
                          progress=False, stop_on_interrupt=True)
    assert len(result) == 8 and read_rows(tmp_path / "cam" / "boxes.txt").shape == (8, 4)
    assert len(np.loadtxt(tmp_path / "cam" / "scores.txt")) == 8
    with pytest.raises(KeyboardInterrupt):
        track_source(build_pipeline("core/ncc"), camera(), truth[0], output=tmp_path / "file",
                     progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cam"]
