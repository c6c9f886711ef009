"""Deterministic synthetic tracking benchmark (tests, ``vot demo``, training smoke runs).

``make_sequence(seed)`` draws a scene (textured target on a textured background, with the
effects of :data:`EFFECTS`) from ``numpy.random.default_rng(seed)``; frames are rendered on
demand (about a millisecond at 240x320), so a sequence costs nothing until it is read and the
same seed always gives the same pixels.

Ground-truth convention (documented, tested):
- the box is the axis-aligned box around the (possibly rotated) target, **clipped to the
  frame**, rounded to 0.01 px; the unclipped box is ``attributes['full_box']``;
- ``out_of_view`` frames (the clipped box is under 1 px wide or high) have box ``0, 0, 0, 0``
  (the LaSOT convention for absent targets);
- ``full_occlusion`` frames keep the target's box (an occluder covers it entirely);
- ``absent = full_occlusion | out_of_view``; ``attributes['cover']`` is the GOT-10k visible
  ratio bin (0 = hidden, 8 = fully visible);
- ``seq.mask(i)`` is the target's visible pixels (the warped texture minus the occluder), so
  mask-supervised training (Alpha-Refine) can run on synthetic data.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple
from typing import Sequence as Seq

import cv2
import numpy as np

from ..structures import Sequence
from . import _scene
from ._scene import DIFFICULTY, EFFECTS, PATTERNS  # noqa: F401  (public re-exports)
from .base import Dataset, DatasetError

__all__ = ["EFFECTS", "SUITES", "SuiteSpec", "make_sequence", "make_suite", "write_lasot",
           "write_got10k", "SyntheticDataset", "sequence_name"]


def _choose(seed: int) -> Tuple[np.random.Generator, str, int]:
    """The planning generator (first child of the seed) and the target's pattern and colour;
    textures come from a second child, drawn only when a frame is first rendered."""
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[0])
    pattern = PATTERNS[int(rng.integers(len(PATTERNS)))]
    colour = int(rng.integers(len(_scene.COLOURS)))
    return rng, pattern, colour


def sequence_name(seed: int) -> str:
    """The name ``make_sequence(seed)`` gives (LaSOT-style ``<class>-<k>``), without rendering."""
    return f"{_choose(seed)[1]}-{seed}"


def make_scene(seed: int, num_frames: int, size: Tuple[int, int], difficulty: str,
               attributes: Optional[Iterable[str]], distractors: Optional[int]) -> _scene.Scene:
    """Draw every texture and per-frame state of one sequence."""
    if difficulty not in DIFFICULTY:
        raise ValueError(f"difficulty must be one of {sorted(DIFFICULTY)}, got {difficulty!r}")
    rng, pattern, colour = _choose(seed)
    prob, mag = DIFFICULTY[difficulty]
    draws = rng.random(len(EFFECTS))
    if attributes is None:
        wanted = {e for e, d in zip(EFFECTS, draws) if d < prob}
    else:
        wanted = set(attributes)
        unknown = wanted - set(EFFECTS)
        if unknown:
            raise ValueError(f"unknown synthetic effects {sorted(unknown)}; known: {EFFECTS}")
    if distractors:
        wanted.add("distractors")
    n, (H, W) = int(num_frames), (int(size[0]), int(size[1]))
    if n < 1 or H < 16 or W < 16:
        raise ValueError(f"need num_frames >= 1 and size >= 16x16, got {n}, {size}")
    margin = max(4, int(0.1 * min(H, W))) if "camera_motion" in wanted else 0
    target = _scene.plan_object(rng, n, (H, W), mag, wanted, rng.uniform(0.12, 0.22))
    timeline = _scene.Timeline(n)
    present = set(wanted) & {"fast_motion", "scale_change", "aspect_change", "rotation"}
    if "out_of_view" in wanted and _scene.add_exit(rng, target, (H, W), timeline):
        present.add("out_of_view")
    _, clipped = _scene.visible_box(target, (H, W))
    n_part = 1 + n // 400 if "partial_occlusion" in wanted else 0
    n_full = 1 + n // 800 if "full_occlusion" in wanted else 0
    occ, done = _scene.occluders(rng, clipped, n_part, n_full, timeline, (H, W))
    present |= {k for k, v in done.items() if v}
    gain, blur = np.ones(n), np.zeros(n)
    if "illumination" in wanted:
        t = np.arange(n)
        amp = 0.35 * mag
        gain = 1 + amp * np.sin(2 * np.pi * t / rng.uniform(40, 120) + rng.uniform(0, 6.3))
        step = int(rng.integers(min(6, n - 1), n)) if n > 6 else n
        gain[step:] *= rng.choice([0.6, 1.5])
        gain = np.clip(gain, 0.3, 1.8)
        present.add("illumination")
    if "motion_blur" in wanted:
        for _ in range(1 + n // 200):
            s = int(rng.integers(1, max(2, n)))
            blur[s:s + int(rng.integers(5, 25))] = rng.uniform(1.0, 2.5) * mag
        present.add("motion_blur")
    camera = np.zeros((n, 2), np.int64)
    if margin:
        for k in range(2):
            camera[:, k] = np.rint(_scene._fold(_scene._walk(rng, n, 0.6 * mag) + margin,
                                                0, 2 * margin))
        present.add("camera_motion")
    scene = _scene.Scene((H, W), pattern, colour, tuple(sorted(present)), margin,
                         target, camera, gain, blur, occ)
    if "distractors" in wanted:
        for _ in range(distractors or int(rng.integers(1, 4))):
            scene.distractors.append(_scene.plan_object(
                rng, n, (H, W), mag, wanted - {"fast_motion"}, rng.uniform(0.1, 0.22)))
        scene.tags = tuple(sorted(present | {"distractors"}))
    return scene


def make_textures(seed: int, scene: _scene.Scene) -> None:
    """Fill the scene's textures from the seed's second child generator."""
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
    (H, W), m = scene.size, scene.margin
    scene.background = _scene.make_background(rng, H + 2 * m, W + 2 * m)
    scene.target_tex = _scene.make_target_texture(rng, scene.pattern, scene.colour)
    scene.occluder_tex = _scene.make_occluder(rng, H, W)
    scene.distractor_tex = [_scene.look_alike(rng, scene.target_tex) for _ in scene.distractors]


def _warp(tex: np.ndarray, state: np.ndarray, H: int, W: int):
    """The texture rotated and scaled to ``state``, cut to its ROI inside an ``H x W`` frame:
    ``(x0, y0, x1, y1, warped)``, or ``None`` when nothing of it lands in the frame."""
    cx, cy, w, h, ang = state
    ew, eh = _scene.extent(state[None])
    x0, y0 = max(int(np.floor(cx - ew[0] / 2)) - 1, 0), max(int(np.floor(cy - eh[0] / 2)) - 1, 0)
    x1, y1 = min(int(np.ceil(cx + ew[0] / 2)) + 1, W), min(int(np.ceil(cy + eh[0] / 2)) + 1, H)
    if x1 <= x0 or y1 <= y0 or w < 0.5 or h < 0.5:
        return None
    ph, pw = tex.shape[:2]
    a = np.deg2rad(ang)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    lin = rot @ np.diag([w / pw, h / ph])
    # pixel centres at +0.5: dst_idx = lin (src_idx + 0.5 - patch/2) + centre - 0.5 - roi origin
    offset = lin @ np.array([0.5 - pw / 2, 0.5 - ph / 2]) + np.array([cx - 0.5 - x0, cy - 0.5 - y0])
    M = np.hstack([lin, offset[:, None]]).astype(np.float64)
    border = (0,) * (tex.shape[2] if tex.ndim == 3 else 1)
    warped = cv2.warpAffine(tex, M, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    return x0, y0, x1, y1, warped


def _paste(frame: np.ndarray, tex: np.ndarray, state: np.ndarray) -> None:
    """Alpha-blend a rotated, scaled RGBA texture into ``frame`` (in place, ROI only)."""
    H, W = frame.shape[:2]
    placed = _warp(tex, state, H, W)
    if placed is None:
        return
    x0, y0, x1, y1, warped = placed
    alpha = warped[..., 3:].astype(np.float32) * (1 / 255)
    roi = frame[y0:y1, x0:x1]
    roi[...] = (roi + (warped[..., :3] - roi.astype(np.float32)) * alpha).astype(np.uint8)


class SyntheticFrames:
    """``index -> RGB uint8 frame`` for one scene; pickles as its recipe (cheap, exact)."""

    def __init__(self, recipe: Dict):
        self.recipe = recipe
        self.scene = make_scene(**recipe)
        self._textured = False

    def __getstate__(self):
        return {"recipe": self.recipe}

    def __setstate__(self, state):
        self.__init__(state["recipe"])

    def __call__(self, index: int) -> np.ndarray:
        sc = self.scene
        if not self._textured:
            make_textures(self.recipe["seed"], sc)
            self._textured = True
        H, W = sc.size
        ox, oy = sc.camera[index]
        frame = sc.background[oy:oy + H, ox:ox + W].copy()
        for tex, states in zip(sc.distractor_tex, sc.distractors):
            _paste(frame, tex, states[index])
        _paste(frame, sc.target_tex, sc.target[index])
        x0, y0, x1, y1 = sc.occluder[index]
        if x1 > x0 and y1 > y0:
            frame[y0:y1, x0:x1] = sc.occluder_tex[y0:y1, x0:x1]
        if sc.gain[index] != 1.0:
            frame = cv2.convertScaleAbs(frame, alpha=float(sc.gain[index]))
        if sc.blur[index] > 0:
            frame = cv2.GaussianBlur(frame, (0, 0), float(sc.blur[index]))
        return frame

    def mask(self, index: int) -> np.ndarray:
        """The target's visible pixels in frame ``index``: uint8 ``(H, W)``, 1 where the
        texture's warped alpha is at least half (the target is drawn over the distractors)
        and no occluder covers it; all zero when the target is out of view or hidden."""
        sc = self.scene
        if not 0 <= index < len(sc.target):
            raise IndexError(f"synthetic sequence has {len(sc.target)} frames, asked for {index}")
        if not self._textured:
            make_textures(self.recipe["seed"], sc)
            self._textured = True
        H, W = sc.size
        out = np.zeros((H, W), np.uint8)
        placed = _warp(np.ascontiguousarray(sc.target_tex[..., 3]), sc.target[index], H, W)
        if placed is not None:
            x0, y0, x1, y1, alpha = placed
            out[y0:y1, x0:x1] = alpha >= 128
        ox0, oy0, ox1, oy1 = sc.occluder[index]
        if ox1 > ox0 and oy1 > oy0:
            out[oy0:oy1, ox0:ox1] = 0
        return out


def _cover(clipped: np.ndarray, full: np.ndarray, occ: np.ndarray) -> np.ndarray:
    """GOT-10k cover bins (0: hidden, 1: (0, 15%], ..., 7: (90%, 100%), 8: fully visible)."""
    x0, y0 = clipped[:, 0], clipped[:, 1]
    x1, y1 = x0 + clipped[:, 2], y0 + clipped[:, 3]
    iw = np.clip(np.minimum(x1, occ[:, 2]) - np.maximum(x0, occ[:, 0]), 0, None)
    ih = np.clip(np.minimum(y1, occ[:, 3]) - np.maximum(y0, occ[:, 1]), 0, None)
    area = np.maximum(full[:, 2] * full[:, 3], 1e-9)
    ratio = np.clip((clipped[:, 2] * clipped[:, 3] - iw * ih) / area, 0, 1)
    bins = np.ceil(ratio / 0.15).astype(np.int64).clip(0, 7)
    return np.where(ratio >= 1 - 1e-9, 8, bins)


def make_sequence(seed: int, num_frames: int = 150, size: Tuple[int, int] = (240, 320),
                  difficulty: str = "medium", attributes: Optional[Iterable[str]] = None,
                  distractors: Optional[int] = None) -> Sequence:
    """One deterministic synthetic sequence.

    :param seed: the only source of randomness (same seed and options -> identical frames).
    :param size: frame ``(H, W)``.
    :param difficulty: ``easy | medium | hard``: how likely each effect is and how strong.
    :param attributes: effects to enable exactly (names from :data:`EFFECTS`); default: drawn
        from ``difficulty``. Effects that do not fit (a too short sequence) are left out of
        ``attributes['tags']``.
    :param distractors: number of look-alike distractors (implies ``distractors``).
    """
    recipe = dict(seed=int(seed), num_frames=int(num_frames), size=(int(size[0]), int(size[1])),
                  difficulty=difficulty, distractors=distractors,
                  attributes=None if attributes is None else tuple(sorted(set(attributes))))
    frames = SyntheticFrames(recipe)
    sc = frames.scene
    full, clipped = _scene.visible_box(sc.target, sc.size)
    out_of_view = (clipped[:, 2] < 1) | (clipped[:, 3] < 1)
    cover = np.where(out_of_view, 0, _cover(clipped, full, sc.occluder))
    full_occlusion = (cover == 0) & ~out_of_view
    gt = np.round(np.where(out_of_view[:, None], 0.0, clipped), 2)
    attrs = {"tags": sc.tags, "seed": int(seed), "difficulty": difficulty, "class": sc.pattern,
             "full_occlusion": full_occlusion, "out_of_view": out_of_view, "cover": cover,
             "full_box": full}
    return Sequence(name=f"{sc.pattern}-{seed}", frames=frames, ground_truth=gt,
                    absent=full_occlusion | out_of_view, attributes=attrs,
                    language=f"the {_scene.COLOURS[sc.colour]} {sc.pattern} patch", dataset="synthetic",
                    num_frames=len(gt), masks=frames.mask)


@dataclass(frozen=True)
class SuiteSpec:
    """A named set of synthetic sequences; seed ranges of different suites never overlap."""

    seeds: range
    num_frames: int
    size: Tuple[int, int]
    difficulty: str
    description: str = ""


SUITES: Dict[str, SuiteSpec] = {
    "synthetic-train": SuiteSpec(range(100_000, 100_200), 120, (240, 320), "medium",
                                 "training pairs: 200 medium sequences"),
    "synthetic-test": SuiteSpec(range(200_000, 200_030), 200, (240, 320), "hard",
                                "benchmark: 30 hard sequences of 200 frames"),
    "synthetic-demo": SuiteSpec(range(300_000, 300_003), 300, (360, 480), "medium",
                                "three 300-frame sequences for `vot demo`"),
    "synthetic-long": SuiteSpec(range(400_000, 400_003), 3000, (240, 320), "medium",
                                "three 3000-frame sequences (long-term behaviour)"),
    "synthetic-tiny": SuiteSpec(range(500_000, 500_004), 30, (96, 128), "medium",
                                "four 30-frame sequences for quick tests"),
}


def make_suite(name: str, limit: Optional[int] = None) -> List[Sequence]:
    """The sequences of a named suite (``SUITES``), optionally only the first ``limit``."""
    if name not in SUITES:
        raise KeyError(f"unknown synthetic suite {name!r}; known: {sorted(SUITES)}")
    spec = SUITES[name]
    seeds = list(spec.seeds)[:limit]
    return [make_sequence(s, spec.num_frames, spec.size, spec.difficulty) for s in seeds]


# -- writers ---------------------------------------------------------------------------------
def _write_frames(seq: Sequence, folder: str, quality: int) -> None:
    os.makedirs(folder, exist_ok=True)
    for i in range(len(seq)):
        path = os.path.join(folder, f"{i + 1:08d}.jpg")
        bgr = cv2.cvtColor(seq.frame(i), cv2.COLOR_RGB2BGR)
        if not cv2.imwrite(path, bgr, [cv2.IMWRITE_JPEG_QUALITY, quality]):
            raise OSError(f"could not write {path}")


def _fmt(box) -> str:
    return ",".join(f"{v:.2f}".rstrip("0").rstrip(".") for v in box)


def _flags(seq: Sequence, key: str) -> np.ndarray:
    value = seq.attributes.get(key)
    return np.zeros(len(seq), bool) if value is None else np.asarray(value, bool)


def write_lasot(root: str, sequences: Seq[Sequence], split: str = "test",
                quality: int = 95) -> List[str]:
    """Write LaSOT folders ``root/<class>/<class>-<k>/`` and add the names to
    ``root/{testing,training}_set.txt`` (read by the LaSOT loader's ``split``)."""
    if split not in ("test", "train"):
        raise ValueError(f"split must be 'test' or 'train', got {split!r}")
    names = []
    for seq in sequences:
        cls = seq.attributes.get("class") or seq.name.rsplit("-", 1)[0]
        folder = os.path.join(root, cls, seq.name)
        _write_frames(seq, os.path.join(folder, "img"), quality)
        with open(os.path.join(folder, "groundtruth.txt"), "w") as f:
            f.write("\n".join(_fmt(b) for b in seq.ground_truth) + "\n")
        for key in ("full_occlusion", "out_of_view"):
            with open(os.path.join(folder, f"{key}.txt"), "w") as f:
                f.write(",".join(str(int(v)) for v in _flags(seq, key)) + "\n")
        with open(os.path.join(folder, "nlp.txt"), "w") as f:
            f.write((seq.language or seq.name) + "\n")
        names.append(seq.name)
    list_file = os.path.join(root, "testing_set.txt" if split == "test" else "training_set.txt")
    old = open(list_file).read().split() if os.path.exists(list_file) else []
    with open(list_file, "w") as f:
        f.write("\n".join(sorted(set(old) | set(names))) + "\n")
    return names


def write_got10k(root: str, sequences: Seq[Sequence], split: str = "val",
                 quality: int = 95) -> List[str]:
    """Write GOT-10k folders ``root/<split>/<name>/`` with ``list.txt``, the labels and
    ``meta_info.ini``; the ``test`` split keeps only the first ground-truth line."""
    if split not in ("train", "val", "test"):
        raise ValueError(f"split must be train, val or test, got {split!r}")
    base = os.path.join(root, split)
    names = []
    for seq in sequences:
        folder = os.path.join(base, seq.name)
        _write_frames(seq, folder, quality)
        gt = seq.ground_truth[:1] if split == "test" else seq.ground_truth
        with open(os.path.join(folder, "groundtruth.txt"), "w") as f:
            f.write("\n".join(_fmt(b) for b in gt) + "\n")
        if split != "test":
            absent = seq.absent if seq.absent is not None else ~seq.visible
            cover = seq.attributes.get("cover", np.where(absent, 0, 8))
            cut = _flags(seq, "out_of_view") | (np.asarray(seq.attributes.get(
                "full_box", seq.ground_truth))[:, 2:] != seq.ground_truth[:, 2:]).any(1)
            for fname, values in (("absence.label", absent), ("cover.label", cover),
                                  ("cut_by_image.label", cut)):
                with open(os.path.join(folder, fname), "w") as f:
                    f.write("\n".join(str(int(v)) for v in values) + "\n")
        H, W = seq.frame(0).shape[:2]
        meta = {"url": "synthetic", "begin": "0", "end": str(len(seq) - 1),
                "anno_fps": "10Hz", "object_class": seq.attributes.get("class", "object"),
                "motion_class": "synthetic", "major_class": "synthetic",
                "root_class": "object", "motion_adverb": "synthetic",
                "resolution": f"({W}, {H})", "seed": str(seq.attributes.get("seed", ""))}
        with open(os.path.join(folder, "meta_info.ini"), "w") as f:
            f.write("[METAINFO]\n" + "".join(f"{k}: {v}\n" for k, v in meta.items()))
        names.append(seq.name)
    list_file = os.path.join(base, "list.txt")
    old = open(list_file).read().split() if os.path.exists(list_file) else []
    with open(list_file, "w") as f:
        f.write("\n".join(sorted(set(old) | set(names))) + "\n")
    return names


class SyntheticDataset(Dataset):
    """Registered dataset ``synthetic``.

    - ``root=None``: a suite generated in memory; ``split`` is the suite name without its
      ``synthetic-`` prefix (``test`` by default, ``train``, ``demo``, ``long``, ``tiny``);
    - ``root`` given: a folder written by :func:`write_lasot`, read by the LaSOT loader
      (``split`` ``test`` / ``train`` use its list files; default: every sequence).
    """

    name = "synthetic"

    def __init__(self, root: Optional[str] = None, split: Optional[str] = None, **options):
        self._lasot = None
        if root is not None:
            from .lasot import LaSOT
            self._lasot = LaSOT(root, split=split if split in ("train", "test") else "all",
                                **options)
            self.root, self.split, self._names = self._lasot.root, self._lasot.split, None
            return
        split = split or "test"
        suite = split if split.startswith("synthetic-") else f"synthetic-{split}"
        if suite not in SUITES:
            raise DatasetError(f"unknown synthetic split {split!r}; known: "
                           f"{sorted(s[len('synthetic-'):] for s in SUITES)}")
        self.root, self.split, self.spec = None, suite[len("synthetic-"):], SUITES[suite]
        self._names = [sequence_name(s) for s in self.spec.seeds]

    def sequence_names(self) -> List[str]:
        return self._lasot.sequence_names() if self._lasot else list(self._names)

    def load(self, index: int) -> Sequence:
        if self._lasot is not None:
            return self._lasot[index]
        spec = self.spec
        return make_sequence(spec.seeds[index], spec.num_frames, spec.size, spec.difficulty)
