"""Named evaluation protocols, each reproducing one official toolkit's rules exactly.

- ``lasot``: LaSOT MATLAB toolkit: invalid predictions (NaN, w<=0, h<=0) replaced by the
  previous one, frame 1 = GT, absent frames removed but counted in the
  denominator (failures), GT rows not all > 0 (x=0 or y=0 too) fail the overlap
  but count as precise (centre error -1), ``IoU > t`` over ``0:0.05:1``, sequences
  whose whole curve is 0 dropped, AUC = curve mean, P and NP at 20 px / 0.20.
- ``tnl2k``: TNL2K toolkit (a copy of LaSOT's) with ``ranking_type='AUC'``: NP is the mean of
  the normalized curve over 0..0.5; P is reported at 20 px. Its absent frames are the
  all-zero ground-truth rows (the TNL2K loader sets ``absent`` so): removed, counted as failures.
- ``otb``: OTB MATLAB toolkit: LaSOT's rules without absent frames and with its NaN quirk
  (a prediction is replaced only if all four values are NaN or w<=0 or h<=0).
- ``pytracking``: pytracking ``extract_results``: NaN or negative predictions are an error, zero
  sizes copy the previous box, invisible and invalid-GT frames fail (centre error
  Inf; -1 on ``uav`` datasets), NaN GT only allowed on ``uav``. Computed in
  float64 (pytracking stores per-sequence curves in float32: <1e-7 apart).
- ``ostrack``: OSTrack's fork of it: GT with x=0 or y=0 stays valid (only w, h > 0 checked).
- ``got10k``: got10k toolkit: frame 1 and absent (cover 0) frames excluded, boxes clipped to
  the image, IoUs of all sequences pooled: AO, SR0.50, SR0.75 (``>``), 101-point curve.
- ``trackingnet``: TrackingNet devkit: every value ``np.round``-ed, ``IoU >= t``, success,
  precision and normalized precision as trapezoid integrals.

Scores are fractions in [0, 1]. Where a toolkit does not define a score it is ``None``; AO of
the OPE protocols (mean IoU over valid frames per sequence, averaged) follows pytracking.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple
from typing import Sequence as Seq

import numpy as np

from . import metrics as M

#: ``torch.arange(0.0, 1.05, 0.05, dtype=torch.float64)`` as pytracking builds it (torch's
#: values differ from numpy's in the last bit at 0.60-0.95)
PYTRACKING_OVERLAP_THRESHOLDS = np.array([
    0.0, 0.05, 0.1, 0.15000000000000002, 0.2, 0.25, 0.30000000000000004, 0.35000000000000003,
    0.4, 0.45, 0.5, 0.55, 0.6000000000000001, 0.6500000000000001, 0.7000000000000001,
    0.7500000000000001, 0.8, 0.8500000000000001, 0.9, 0.9500000000000001, 1.0])


class EvaluationError(ValueError):
    """A sequence cannot be scored under a protocol (the official toolkit would stop too)."""


@dataclass
class SequenceScore:
    """Per-sequence curves and overlaps of one protocol (curves are fractions of frames)."""

    name: str
    success: np.ndarray
    precision: Optional[np.ndarray] = None
    norm_precision: Optional[np.ndarray] = None
    ao: float = float("nan")
    overlaps: np.ndarray = field(default_factory=lambda: np.zeros(0))
    num_frames: int = 0


def _dataset_kind(dataset: str) -> str:
    d = (dataset or "").lower()
    for kind in ("uav", "lasot", "got10k", "trackingnet", "otb", "tnl2k"):
        if d.startswith(kind):
            return kind
    return d


def _match_length(pred: np.ndarray, n: int, name: str, pad_value: Optional[float]) -> np.ndarray:
    if len(pred) >= n:
        return pred[:n].copy()  # LaSOT "monkey-17": extra result rows are cut off
    if pad_value is None:
        raise EvaluationError(f"sequence '{name}': {len(pred)} result rows for {n} frames")
    pad = np.full((n - len(pred), 4), pad_value)
    return np.concatenate([pred, pad])


class Protocol:
    """Base class: per-sequence scoring plus aggregation over sequences."""

    name = ""
    overlap_thresholds: np.ndarray = np.zeros(0)
    center_thresholds: Optional[np.ndarray] = None
    norm_thresholds: Optional[np.ndarray] = None

    def evaluate_sequence(self, pred, gt, absent=None, *, name: str = "", dataset: str = "",
                          resolution: Optional[Tuple[float, float]] = None) -> SequenceScore:
        raise NotImplementedError

    def summarize(self, scores: List[SequenceScore]) -> Dict:
        raise NotImplementedError

    def _report(self, success_y, precision_y, norm_y, scores, **values) -> Dict:
        out = {"protocol": self.name, "num_sequences": len(scores), "auc": None, "precision": None,
               "norm_precision": None, "op50": None, "op75": None, "ao": None, "sr50": None,
               "sr75": None}
        out.update(values)
        out["curves"] = {"success": {"x": self.overlap_thresholds.tolist(), "y": _tolist(success_y)}}
        if precision_y is not None:
            out["curves"]["precision"] = {"x": self.center_thresholds.tolist(), "y": _tolist(precision_y)}
        if norm_y is not None:
            out["curves"]["norm_precision"] = {"x": self.norm_thresholds.tolist(), "y": _tolist(norm_y)}
        return out


def _tolist(a) -> list:
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, dtype=np.float64)]


def _mean_ao(scores: List[SequenceScore]) -> Optional[float]:
    vals = [s.ao for s in scores if np.isfinite(s.ao)]
    return float(np.mean(vals)) if vals else None


class MatlabOPE(Protocol):
    """The LaSOT / OTB / TNL2K MATLAB toolkits (``calc_seq_err_robust.m`` + ``plot_draw_save.m``)."""

    center_thresholds = M.matlab_colon(0, 1, 50)
    norm_thresholds = M.matlab_colon(0, 1, 50) / 100
    overlap_thresholds = M.matlab_colon(0, 0.05, 1)

    def __init__(self, name: str, use_absent: bool, nan_rule: str, norm_rank: Optional[str]):
        self.name, self.use_absent, self.nan_rule, self.norm_rank = name, use_absent, nan_rule, norm_rank

    def _is_invalid(self, r: np.ndarray) -> bool:
        size_bad = bool(r[2] <= 0 or r[3] <= 0)
        if self.nan_rule == "any":  # LaSOT: sum(isnan(r)) | r(3)<=0 | r(4)<=0
            return bool(np.isnan(r).any()) or size_bad
        return size_bad or bool(np.isnan(r).all())  # OTB: if on the vector isnan(r) | ...

    def evaluate_sequence(self, pred, gt, absent=None, *, name="", dataset="", resolution=None):
        gt = M.as_boxes(gt, "ground truth")
        n = len(gt)
        res = _match_length(M.as_boxes(pred, "results"), n, name, pad_value=None)
        for i in range(1, n):
            if self._is_invalid(res[i]) and not np.isnan(gt[i]).any():
                res[i] = res[i - 1]
        res[0] = gt[0]
        keep = np.ones(n, bool)
        if self.use_absent and absent is not None:
            keep = ~np.asarray(absent, bool).reshape(-1)[:n]
        rect, anno = res[keep], gt[keep]
        err = M.center_error(rect, anno)
        err_norm = M.center_error(rect, anno, normalized=True)
        valid = (anno > 0).sum(1) == 4
        overlap = -np.ones(len(anno))
        overlap[valid] = M.iou_pixel(rect[valid], anno[valid])
        err[~valid] = -1.0
        err_norm[~valid] = -1.0
        den = n + M.EPS
        ao = float(np.mean(overlap[valid])) if valid.any() else float("nan")
        return SequenceScore(name, M.success_curve(overlap, self.overlap_thresholds, den),
                             M.precision_curve(err, self.center_thresholds, den),
                             M.precision_curve(err_norm, self.norm_thresholds, den),
                             ao, overlap[valid], n)

    @staticmethod
    def _mean_curve(curves: np.ndarray) -> np.ndarray:
        kept = curves[curves.sum(1) > M.EPS]  # plot_draw_save.m: aa(sum(aa,2)>eps,:)
        if len(kept) == 0:
            return np.full(curves.shape[1], np.nan)
        return kept.mean(0)

    def summarize(self, scores):
        if not scores:
            return self._report(self.overlap_thresholds * np.nan, None, None, scores)
        succ = self._mean_curve(np.stack([s.success for s in scores]))
        prec = self._mean_curve(np.stack([s.precision for s in scores]))
        norm = self._mean_curve(np.stack([s.norm_precision for s in scores]))
        values = dict(auc=float(np.mean(succ)), precision=float(prec[20]), op50=float(succ[10]),
                      op75=float(succ[15]), ao=_mean_ao(scores))
        if self.norm_rank == "threshold":
            values["norm_precision"] = float(norm[20])
        elif self.norm_rank == "auc":
            values["norm_precision"] = float(np.mean(norm))
        return self._report(succ, prec, norm if self.norm_rank else None, scores, **values)


class Pytracking(Protocol):
    """pytracking's ``analysis/extract_results.py`` (also OSTrack's, which differs only in
    treating x=0/y=0 GT as valid; use ``valid_rule='size'`` for that)."""

    overlap_thresholds = PYTRACKING_OVERLAP_THRESHOLDS
    center_thresholds = np.arange(0, 51, dtype=np.float64)
    norm_thresholds = np.arange(0, 51, dtype=np.float64) / 100.0

    def __init__(self, name: str = "pytracking", valid_rule: str = "all_positive"):
        self.name, self.valid_rule = name, valid_rule

    def evaluate_sequence(self, pred, gt, absent=None, *, name="", dataset="", resolution=None):
        kind = _dataset_kind(dataset)
        pred, gt = M.as_boxes(pred, "results"), M.as_boxes(gt, "ground truth")
        if np.isnan(pred).any() or (pred[:, 2:] < 0).any():
            raise EvaluationError(f"sequence '{name}': results hold NaN or negative sizes "
                                  "(pytracking: 'Invalid results')")
        if np.isnan(gt).any() and kind != "uav":
            raise EvaluationError(f"sequence '{name}': NaN in the ground truth (pytracking allows "
                                  "it only for UAV datasets)")
        for i in range(1, len(pred)):
            if (pred[i, 2:] == 0).any() and i < len(gt) and not np.isnan(gt[i]).any():
                pred[i] = pred[i - 1]
        n = len(gt)
        if len(pred) < n and kind == "lasot":
            raise EvaluationError(f"sequence '{name}': {len(pred)} result rows for {n} frames")
        pred = _match_length(pred, n, name, pad_value=0.0)
        pred[0] = gt[0]
        if self.valid_rule == "size":
            valid = (gt[:, 2] > 0) & (gt[:, 3] > 0)
        else:
            valid = (gt > 0).sum(1) == 4
        visible = None if absent is None else ~np.asarray(absent, bool).reshape(-1)[:n]
        if visible is not None:
            valid &= visible
        err = M.center_error(pred, gt)
        err_norm = M.center_error(pred, gt, normalized=True)
        overlap = M.iou_pixel(pred, gt)
        err[~valid] = -1.0 if kind == "uav" else np.inf
        err_norm[~valid] = -1.0
        overlap[~valid] = -1.0
        if kind == "lasot" and visible is not None:
            err_norm[~visible] = np.inf
            err[~visible] = np.inf
        if np.isnan(overlap).any():
            raise EvaluationError(f"sequence '{name}': NaN overlap (a zero-size box on a valid frame)")
        ao = float(np.mean(overlap[valid])) if valid.any() else float("nan")
        return SequenceScore(name, M.success_curve(overlap, self.overlap_thresholds, n),
                             M.precision_curve(err, self.center_thresholds, n),
                             M.precision_curve(err_norm, self.norm_thresholds, n),
                             ao, overlap[valid], n)

    def summarize(self, scores):
        if not scores:
            return self._report(self.overlap_thresholds * np.nan, None, None, scores)
        succ = np.stack([s.success for s in scores]).mean(0)
        prec = np.stack([s.precision for s in scores]).mean(0)
        norm = np.stack([s.norm_precision for s in scores]).mean(0)
        return self._report(succ, prec, norm, scores, auc=float(np.mean(succ)),
                            precision=float(prec[20]), norm_precision=float(norm[20]),
                            op50=float(succ[10]), op75=float(succ[15]), ao=_mean_ao(scores))


class TrackingNet(Protocol):
    """TrackingNet devkit ``metrics.py`` (the evaluation server's code)."""

    name = "trackingnet"
    overlap_thresholds = np.linspace(0, 1, 21)
    center_thresholds = np.linspace(0, 50, 21)
    norm_thresholds = np.linspace(0, 0.5, 21)

    def evaluate_sequence(self, pred, gt, absent=None, *, name="", dataset="", resolution=None):
        g = np.round(M.as_boxes(gt, "ground truth"))
        n = len(g)
        p = np.round(_match_length(M.as_boxes(pred, "results"), n, name, pad_value=np.nan))
        p[0] = g[0]
        overlap = M.iou_trackingnet(p, g)
        dist, ndist = M.center_error_trackingnet(p, g)
        ok = np.isfinite(overlap)
        return SequenceScore(name, M.success_curve(overlap, self.overlap_thresholds, n, inclusive=True),
                             M.precision_curve(dist, self.center_thresholds, n),
                             M.precision_curve(ndist, self.norm_thresholds, n),
                             float(np.mean(overlap[ok])) if ok.any() else float("nan"), overlap[ok], n)

    def summarize(self, scores):
        if not scores:
            return self._report(self.overlap_thresholds * np.nan, None, None, scores)
        succ, prec, norm = (np.zeros(21) for _ in range(3))
        for s in scores:  # the devkit accumulates sequence by sequence, then divides
            succ += s.success
            prec += s.precision
            norm += s.norm_precision
        succ, prec, norm = succ / len(scores), prec / len(scores), norm / len(scores)
        x = self.overlap_thresholds  # the devkit integrates all three curves over linspace(0, 1, 21)
        return self._report(succ, prec, norm, scores, auc=M.auc_trapezoid(succ, x),
                            precision=M.auc_trapezoid(prec, x), norm_precision=M.auc_trapezoid(norm, x),
                            op50=float(succ[10]), op75=float(succ[15]), ao=_mean_ao(scores))


class GOT10k(Protocol):
    """got10k toolkit ``ExperimentGOT10k`` (val report) plus the server's SR0.75."""

    name = "got10k"
    overlap_thresholds = np.linspace(0, 1, 101)

    def evaluate_sequence(self, pred, gt, absent=None, *, name="", dataset="", resolution=None):
        pred, gt = M.as_boxes(pred, "results"), M.as_boxes(gt, "ground truth")
        if pred.shape != gt.shape:
            raise EvaluationError(f"sequence '{name}': {len(pred)} result rows for {len(gt)} frames "
                                  "(GOT-10k needs one row per frame, frame 1 included)")
        keep = np.ones(len(gt) - 1, bool)
        if absent is not None:
            keep &= ~np.asarray(absent, bool).reshape(-1)[1:len(gt)]
        keep &= ~np.isnan(gt[1:]).any(1)  # not in the toolkit (GOT-10k has no NaN rows)
        ious = M.iou_got10k(pred[1:], gt[1:], resolution)[keep]
        curve = M.success_curve(ious, self.overlap_thresholds) if len(ious) else \
            np.full(len(self.overlap_thresholds), np.nan)
        return SequenceScore(name, curve, ao=float(np.mean(ious)) if len(ious) else float("nan"),
                             overlaps=ious, num_frames=len(gt))

    def summarize(self, scores):
        ious = np.concatenate([s.overlaps for s in scores]) if scores else np.zeros(0)
        ao, (sr50, sr75) = M.pooled_overlap_scores(ious)
        curve = M.success_curve(ious, self.overlap_thresholds) if len(ious) else \
            np.full(len(self.overlap_thresholds), np.nan)
        return self._report(curve, None, None, scores, ao=ao, sr50=sr50, sr75=sr75)


PROTOCOLS: Dict[str, Protocol] = {
    "lasot": MatlabOPE("lasot", use_absent=True, nan_rule="any", norm_rank="threshold"),
    "tnl2k": MatlabOPE("tnl2k", use_absent=True, nan_rule="any", norm_rank="auc"),
    "otb": MatlabOPE("otb", use_absent=False, nan_rule="all", norm_rank=None),
    "pytracking": Pytracking(),
    "ostrack": Pytracking("ostrack", valid_rule="size"),
    "got10k": GOT10k(),
    "trackingnet": TrackingNet(),
}

#: protocol used when none is named, by dataset kind
DEFAULT_PROTOCOL = {"lasot": "lasot", "tnl2k": "tnl2k", "otb": "otb", "got10k": "got10k",
                    "trackingnet": "trackingnet", "uav": "pytracking"}


def get_protocol(name: str) -> Protocol:
    """The named protocol; an unknown name lists the known ones."""
    if isinstance(name, Protocol):
        return name
    if name not in PROTOCOLS:
        raise ValueError(f"unknown protocol '{name}'; known: {', '.join(sorted(PROTOCOLS))}")
    return PROTOCOLS[name]


def default_protocol(dataset: str) -> str:
    """The official protocol of a dataset name (``lasot`` for others, e.g. synthetic suites)."""
    return DEFAULT_PROTOCOL.get(_dataset_kind(dataset), "lasot")


def evaluate(protocol, items: Seq[Dict]) -> Dict:
    """Score ``items`` (dicts with ``pred``, ``gt`` and optional ``absent``, ``name``,
    ``dataset``, ``resolution``) and summarize them under ``protocol``."""
    proto = get_protocol(protocol)
    scores = [proto.evaluate_sequence(it["pred"], it["gt"], it.get("absent"), name=it.get("name", ""),
                                      dataset=it.get("dataset", ""), resolution=it.get("resolution"))
              for it in items]
    return proto.summarize(scores)
