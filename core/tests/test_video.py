"""vot_core.video: image reading, frame sources (file, folder, camera), atomic video writing."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from vot_core.video import (VideoError, VideoSource, VideoWriter, draw_prediction, read_image,
                            to_rgb, write_image)


def coloured(h=24, w=32):
    """An RGB image whose channels differ, so a BGR/RGB swap is visible."""
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = 200  # R
    img[..., 1] = np.arange(w, dtype=np.uint8)[None, :] * 4  # G ramp
    img[..., 2] = 30  # B
    return img


def test_read_image_rgb_order_and_formats(tmp_path):
    img = coloured()
    cv2.imwrite(str(tmp_path / "c.png"), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    out = read_image(tmp_path / "c.png")
    assert out.dtype == np.uint8 and out.shape == (24, 32, 3)
    np.testing.assert_array_equal(out, img)

    gray = (np.arange(24 * 32).reshape(24, 32) % 251).astype(np.uint8)
    cv2.imwrite(str(tmp_path / "g.png"), gray)
    g = read_image(tmp_path / "g.png")
    assert g.shape == (24, 32, 3)
    np.testing.assert_array_equal(g[..., 0], gray)
    np.testing.assert_array_equal(g[..., 2], gray)

    rgba = np.dstack([img, np.full((24, 32), 77, np.uint8)])
    cv2.imwrite(str(tmp_path / "a.png"), cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))
    a = read_image(tmp_path / "a.png")
    assert a.shape == (24, 32, 3)
    np.testing.assert_array_equal(a, img)

    deep = (gray.astype(np.uint16) * 256)
    cv2.imwrite(str(tmp_path / "d.png"), deep)
    np.testing.assert_array_equal(read_image(tmp_path / "d.png")[..., 1], gray)


def test_read_image_errors_name_the_file(tmp_path):
    with pytest.raises(VideoError, match="not found: .*missing.jpg"):
        read_image(tmp_path / "missing.jpg")
    bad = tmp_path / "corrupt.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 this is not a jpeg")
    with pytest.raises(VideoError, match="cannot decode image .*corrupt.jpg"):
        read_image(bad)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(VideoError, match="empty.png"):
        read_image(empty)


def test_to_rgb_rejects_odd_shapes():
    with pytest.raises(VideoError, match="shape"):
        to_rgb(np.zeros((4, 4, 2), np.uint8))
    with pytest.raises(VideoError, match="float"):
        to_rgb(np.zeros((4, 4, 3), np.float32))


def write_folder(folder, n=5, names=None):
    folder.mkdir(exist_ok=True)
    frames = []
    for i in range(n):
        f = coloured()
        f[0, 0] = (i, i, i)
        frames.append(f)
        name = names[i] if names else f"{i + 1:08d}.jpg"
        write_image(folder / name, f) if name.endswith(".png") else \
            cv2.imwrite(str(folder / name), cv2.cvtColor(f, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 100])
    return frames


def test_folder_source_natural_order_and_filtering(tmp_path):
    names = ["2.png", "10.png", "1.png"]
    write_folder(tmp_path / "seq", 3, names)
    (tmp_path / "seq" / "notes.txt").write_text("not an image")
    src = VideoSource(tmp_path / "seq", fps=12, allow_gaps=True)  # 1, 2, 10
    assert src.kind == "folder" and len(src) == 3 and src.fps == 12
    assert [f.name for f in src.files] == ["1.png", "2.png", "10.png"]
    frames = list(src)
    assert [int(f[0, 0, 0]) for f in frames] == [2, 0, 1]  # written in order 2.png=0, 10.png=1, 1.png=2
    assert all(f.shape == (24, 32, 3) and f.dtype == np.uint8 for f in frames)
    assert list(src)[0].shape == (24, 32, 3)  # iterating twice restarts


def test_folder_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(VideoError, match="has no images"):
        VideoSource(tmp_path / "empty")
    with pytest.raises(VideoError, match="not found: .*nowhere"):
        VideoSource(tmp_path / "nowhere")
    write_folder(tmp_path / "gaps", 4, ["00001.jpg", "00002.jpg", "00004.jpg", "00005.jpg"])
    with pytest.raises(VideoError, match=r"missing 1 numbered frame\(s\): 3"):
        VideoSource(tmp_path / "gaps")
    assert len(VideoSource(tmp_path / "gaps", allow_gaps=True)) == 4
    write_folder(tmp_path / "corrupt", 3)
    (tmp_path / "corrupt" / "00000002.jpg").write_bytes(b"garbage")
    src = VideoSource(tmp_path / "corrupt")
    with pytest.raises(VideoError, match="00000002.jpg"):
        list(src)


def test_video_round_trip_and_atomic_writer(tmp_path):
    path = tmp_path / "clip.mp4"
    frames = []
    for i in range(12):
        f = np.zeros((48, 64, 3), np.uint8)
        f[:, :, 0] = 220
        f[10:30, 5 + 3 * i:25 + 3 * i] = (0, 0, 255)
        frames.append(f)
    with VideoWriter(path, fps=15, size=(64, 48)) as writer:
        for f in frames:
            writer.write(f)
        assert not path.exists()  # only the temporary file exists while writing
        assert len(list(tmp_path.iterdir())) == 1
    assert path.is_file() and writer.frames == 12
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]
    src = VideoSource(path)
    assert src.kind == "file" and len(src) == 12 and abs(src.fps - 15) < 1e-6
    read = list(src)
    assert len(read) == 12 and read[0].shape == (48, 64, 3)
    # colour order survives (red background, blue square), up to compression
    assert read[5][40, 60, 0] > 180 and read[5][40, 60, 2] < 60
    assert read[5][20, 5 + 15 + 10, 2] > 180 and read[5][20, 5 + 15 + 10, 0] < 60


def test_writer_takes_size_from_first_frame_and_aborts_on_error(tmp_path):
    path = tmp_path / "v.mp4"
    with pytest.raises(RuntimeError, match="boom"):
        with VideoWriter(path, fps=10) as writer:
            writer.write(np.zeros((20, 30, 3), np.uint8))
            assert writer.size == (30, 20)
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []  # nothing half-written
    writer = VideoWriter(path, fps=10, size=(30, 20))
    with pytest.raises(VideoError, match="40x20"):
        writer.write(np.zeros((20, 40, 3), np.uint8))
    writer.abort()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(VideoError, match="does not exist"):
        VideoWriter(tmp_path / "no" / "v.mp4")


def test_unreadable_video_file(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42 definitely not a video" * 4)
    with pytest.raises(VideoError, match="bad.mp4"):
        VideoSource(bad)


def test_camera_index_forms(monkeypatch):
    opened = []

    class FakeCapture:
        def __init__(self, index):
            opened.append(index)
            self.frames = [np.full((8, 8, 3), (10, 20, 30), np.uint8)] * 2

        def isOpened(self):
            return True

        def get(self, prop):
            return 25.0 if prop == cv2.CAP_PROP_FPS else 0.0

        def read(self):
            return (True, self.frames.pop()) if self.frames else (False, None)

        def release(self):
            pass

    monkeypatch.setattr(cv2, "VideoCapture", FakeCapture)
    src = VideoSource("0")
    assert src.kind == "camera" and src.camera == 0 and src.fps == 25 and src.num_frames is None
    with pytest.raises(TypeError):
        len(src)
    frames = list(src)
    assert len(frames) == 2 and tuple(frames[0][0, 0]) == (30, 20, 10)  # BGR -> RGB
    assert VideoSource(1).camera == 1 and opened[-1] == 1

    class ClosedCapture(FakeCapture):
        def isOpened(self):
            return False

    monkeypatch.setattr(cv2, "VideoCapture", ClosedCapture)
    with pytest.raises(VideoError, match="cannot open camera 3"):
        VideoSource(3)


def test_draw_prediction_draws_box_and_score():
    frame = np.zeros((60, 80, 3), np.uint8)
    out = draw_prediction(frame, (20, 25, 30, 20), score=0.87, label="ncc")
    assert frame.sum() == 0  # the input is not modified
    assert tuple(out[45, 35]) == (0, 255, 0)  # bottom edge of the box, in green
    assert tuple(out[35, 20]) == (0, 255, 0)  # left edge
    assert out[35, 35].sum() == 0  # inside stays untouched
    assert out[:25].any()  # text above the box
    nan_box = draw_prediction(frame, (np.nan, 0, 1, 1), score=None)
    assert nan_box.sum() == 0
    with_fps = draw_prediction(frame, (40, 40, 10, 10), fps=123.4)
    assert with_fps[:15, :60].max() == 255 and with_fps[:15, 70:].sum() == 0  # top-left corner text
