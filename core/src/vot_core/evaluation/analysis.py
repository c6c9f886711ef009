"""Score result folders under a protocol: comparison table (terminal, CSV, Markdown), success
and precision plots (PNG, matplotlib Agg) and a per-attribute breakdown.

Scores are stored as fractions and shown as percentages. Speed: GOT-10k uses the toolkit's
``mean(1 / t)`` over all frames; the other protocols ``frames / seconds`` over all frames.
A per-attribute row holds the sequences whose attribute is set. A sequence whose loader
declares the benchmark's attribute list (``attributes['attribute_names']``, e.g. LaSOT's 14 or
TNL2K's 17 from the evaluation toolkits) contributes exactly its ``attributes['tags']``, and
the rows follow the declared order; other sequences contribute their ``tags``, true flags and
per-frame boolean flags set on some frame, in alphabetical order. Unlike the MATLAB toolkits,
which draw no plot for an attribute held by fewer than two sequences, every attribute held by
one sequence or more gets a row.
"""
from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path
from typing import Dict, List, Optional
from typing import Sequence as Seq

import numpy as np

from . import metrics as M
from . import results as R
from .protocols import default_protocol, get_protocol
from .runner import MANIFEST, sequence_table

COLUMNS = [("auc", "AUC"), ("precision", "P"), ("norm_precision", "NP"), ("op50", "OP50"),
           ("op75", "OP75"), ("ao", "AO"), ("sr50", "SR0.50"), ("sr75", "SR0.75")]


class AnalysisError(ValueError):
    """Results cannot be analysed (missing sequences, withheld ground truth ...)."""


def load_run(folder) -> Dict:
    """Name, format and per-sequence (boxes, times) of a result folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AnalysisError(f"result folder not found: {folder}")
    manifest = {}
    if (folder / MANIFEST).is_file():
        manifest = json.loads((folder / MANIFEST).read_text())
    fmt = manifest.get("format") or R.detect_format(folder)
    return {"name": manifest.get("name") or folder.name, "folder": str(folder), "format": fmt,
            "files": R.list_sequences(folder, fmt)}


def ground_truth_withheld(seq) -> bool:
    """True for test splits whose annotations are withheld (only the first box is known)."""
    gt = seq.ground_truth
    return len(gt) != len(seq) or (len(gt) > 1 and bool(np.isnan(gt[1:]).all()))


def _resolution(seq):
    res = seq.attributes.get("resolution") or (seq.attributes.get("meta") or {}).get("resolution")
    if isinstance(res, str):
        res = ast.literal_eval(res)
    if res is None:
        h, w = seq.frame(0).shape[:2]
        res = (w, h)
    return float(res[0]), float(res[1])


def sequence_inputs(seq, protocol: str) -> Dict:
    """Ground truth, hidden-frame flags and image size of ``seq`` as ``protocol`` needs them."""
    absent = seq.absent
    if protocol == "got10k" and seq.attributes.get("cover") is not None:
        absent = np.asarray(seq.attributes["cover"]).reshape(-1) == 0  # the toolkit's cover > 0
    return {"gt": seq.ground_truth, "absent": absent, "dataset": seq.dataset, "name": seq.name,
            "resolution": _resolution(seq) if protocol == "got10k" else None}


def _attribute_names(seq) -> List[str]:
    """Sequence-level attributes: the declared benchmark attributes that are set, else names in
    ``tags``, true flags, and per-frame boolean flags set on any frame (LaSOT's full_occlusion
    / out_of_view without the toolkit's attribute files, GOT-10k's absence ...)."""
    names = [str(t) for t in seq.attributes.get("tags", ()) or ()]
    declared = seq.attributes.get("attribute_names")
    if declared is not None:
        return [str(a) for a in declared if str(a) in set(names)]
    for key, value in seq.attributes.items():
        if isinstance(value, (bool, np.bool_)) and value:
            names.append(key)
        elif isinstance(value, np.ndarray) and value.dtype == bool and value.ndim == 1 \
                and len(value) == len(seq) and value.any():
            names.append(key)
    return sorted(set(names))


def _attribute_order(seqs, attrs: Dict[str, List[str]]) -> List[str]:
    """Attributes held by some sequence: declared ones in the benchmark's order, then the others
    alphabetically."""
    held = {a for names in attrs.values() for a in names}
    declared: List[str] = []
    for seq in seqs:
        for a in seq.attributes.get("attribute_names") or ():
            if str(a) in held and str(a) not in declared:
                declared.append(str(a))
    return declared + sorted(held - set(declared))


def _strip(summary: Dict) -> Dict:
    return {k: v for k, v in summary.items() if k != "curves"}


def _fps(times: List[np.ndarray], protocol: str) -> Optional[float]:
    if not times:
        return None
    fps = M.frames_per_second(np.concatenate(times), "mean_inverse" if protocol == "got10k" else "total")
    return None if fps < 0 else fps


def analyze(result_dirs: Seq, dataset, protocol: Optional[str] = None,
            dataset_name: str = "", sequences: Optional[Seq[str]] = None) -> Dict:
    """Score every result folder on every (selected) sequence of ``dataset``.

    Every sequence must have a result (as the official toolkits require); the error lists the
    missing ones. Returns a JSON-ready report.
    """
    table = sequence_table(dataset)
    dataset_name = dataset_name or getattr(dataset, "name", "")
    protocol = protocol or default_protocol(dataset_name)
    proto = get_protocol(protocol)
    if sequences:
        unknown = sorted(set(sequences) - set(table.names))
        if unknown:
            raise AnalysisError(f"unknown sequences {unknown[:5]} in dataset '{dataset_name}'")
    names = [n for n in table.names if not sequences or n in set(sequences)]
    inputs = {}
    for n in names:
        seq = table[n]
        if ground_truth_withheld(seq):
            raise AnalysisError(f"sequence '{n}' has no ground truth after frame 1 (a test split "
                                "with withheld annotations: submit the packed results to the "
                                "benchmark's server instead)")
        inputs[n] = sequence_inputs(seq, protocol)
    attrs = {n: _attribute_names(table[n]) for n in names}
    order = _attribute_order([table[n] for n in names], attrs)
    trackers = []
    for folder in result_dirs:
        run = load_run(folder)
        missing = [n for n in names if n not in run["files"]]
        if missing:
            raise AnalysisError(f"{folder}: no results for {len(missing)} of {len(names)} "
                                f"sequences, e.g. {', '.join(missing[:5])}")
        scores, times = {}, []
        for n in names:
            boxes, t = R.read_sequence(folder, n, run["format"])
            it = inputs[n]
            scores[n] = proto.evaluate_sequence(boxes, it["gt"], it["absent"], name=n,
                                                dataset=it["dataset"], resolution=it["resolution"])
            if t is not None:
                times.append(t)
        summary = proto.summarize([scores[n] for n in names])
        per_attr = {}
        for a in order:
            subset = [scores[n] for n in names if a in attrs[n]]
            per_attr[a] = _strip(proto.summarize(subset))
        per_seq = {n: {k: v for k, v in proto.summarize([s]).items()
                       if k in ("auc", "precision", "norm_precision", "ao", "sr50")}
                   for n, s in scores.items()}
        trackers.append({"name": run["name"], "folder": str(folder), "format": run["format"],
                         "summary": summary, "fps": _fps(times, protocol),
                         "per_attribute": per_attr, "per_sequence": per_seq})
    counts = {a: sum(a in attrs[n] for n in names) for a in order}
    return {"dataset": dataset_name, "protocol": protocol, "num_sequences": len(names),
            "attributes": counts, "trackers": trackers}


# --- tables -------------------------------------------------------------------------------
def _columns(report: Dict) -> List:
    cols = [(k, label) for k, label in COLUMNS
            if any(t["summary"].get(k) is not None for t in report["trackers"])]
    return cols


def _pct(v) -> str:
    return "-" if v is None or not np.isfinite(v) else f"{100 * v:.2f}"


def table_rows(report: Dict) -> List[List[str]]:
    """Header plus one row per tracker (scores in percent, FPS, sequences)."""
    cols = _columns(report)
    rows = [["Tracker"] + [label for _, label in cols] + ["FPS", "Seqs"]]
    for t in report["trackers"]:
        s = t["summary"]
        rows.append([t["name"]] + [_pct(s.get(k)) for k, _ in cols]
                    + ["-" if t["fps"] is None else f"{t['fps']:.1f}", str(s["num_sequences"])])
    return rows


def _main_key(report: Dict) -> str:
    return "ao" if report["protocol"] == "got10k" else "auc"


def attribute_rows(report: Dict) -> List[List[str]]:
    """Header plus one row per attribute: the main score of each tracker."""
    key = _main_key(report)
    rows = [["Attribute", "Seqs"] + [t["name"] for t in report["trackers"]]]
    for a, count in report["attributes"].items():
        rows.append([a, str(count)] + [_pct(t["per_attribute"][a].get(key)) for t in report["trackers"]])
    return rows


def format_table(rows: List[List[str]]) -> str:
    """Aligned plain-text table."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]

    def line(r):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(rows[0]), "  ".join("-" * w for w in widths)] + [line(r) for r in rows[1:]])


def to_markdown(rows: List[List[str]]) -> str:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
    return "\n".join(out + ["| " + " | ".join(r) + " |" for r in rows[1:]]) + "\n"


def to_csv(rows: List[List[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def render_text(report: Dict) -> str:
    """The terminal report: overall table, then the per-attribute table if any."""
    head = (f"{report['dataset'] or 'dataset'}: {report['num_sequences']} sequences, "
            f"protocol '{report['protocol']}' (scores in %)")
    parts = [head, format_table(table_rows(report))]
    if report["attributes"]:
        key = "AO" if _main_key(report) == "ao" else "AUC"
        parts += ["", f"per attribute ({key}):", format_table(attribute_rows(report))]
    return "\n".join(parts)


# --- plots --------------------------------------------------------------------------------
def plot_curves(report: Dict, out_dir) -> List[Path]:
    """``success.png``, and ``precision.png`` / ``norm_precision.png`` where the protocol has
    them; legends ranked by the protocol's score."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = [("success", _main_key(report), "Overlap threshold", "Success rate", "Success"),
             ("precision", "precision", "Location error threshold (px)", "Precision", "Precision"),
             ("norm_precision", "norm_precision", "Normalized location error threshold",
              "Normalized precision", "Normalized precision")]
    paths = []
    for curve, key, xlabel, ylabel, title in specs:
        entries = [(t["summary"].get(key), t["name"], t["summary"]["curves"].get(curve))
                   for t in report["trackers"]]
        entries = [e for e in entries if e[2] is not None]
        if not entries:
            continue
        entries.sort(key=lambda e: -(e[0] if e[0] is not None and np.isfinite(e[0]) else -1))
        fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
        for score, name, c in entries:
            y = [np.nan if v is None else v for v in c["y"]]
            ax.plot(c["x"], y, linewidth=2, label=f"[{_pct(score)}] {name}")
        ax.set(xlabel=xlabel, ylabel=ylabel, ylim=(0, 1.0),
               title=f"{title} plot, {report['dataset']} ({report['protocol']})")
        ax.grid(True, linestyle=":")
        ax.legend(loc="lower left" if curve == "success" else "lower right", fontsize=8)
        fig.tight_layout()
        path = out_dir / f"{curve}.png"
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths


def json_ready(obj):
    """``obj`` with NaN/inf replaced by None and numpy scalars by Python numbers (strict JSON)."""
    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if np.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def write_outputs(report: Dict, out_dir, plots: bool = True) -> Dict[str, Path]:
    """Write ``results.csv``, ``results.md``, ``per_attribute.csv``, ``report.json`` and (unless
    ``plots=False``) the plots."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = table_rows(report)
    files = {"csv": out_dir / "results.csv", "markdown": out_dir / "results.md",
             "json": out_dir / "report.json"}
    R.atomic_write_text(files["csv"], to_csv(rows))
    md = to_markdown(rows)
    if report["attributes"]:
        files["attributes_csv"] = out_dir / "per_attribute.csv"
        R.atomic_write_text(files["attributes_csv"], to_csv(attribute_rows(report)))
        md += "\n" + to_markdown(attribute_rows(report))
    R.atomic_write_text(files["markdown"], md)
    R.atomic_write_text(files["json"], json.dumps(json_ready(report), indent=1, allow_nan=False) + "\n")
    for p in plot_curves(report, out_dir) if plots else []:
        files[p.stem + "_plot"] = p
    return files
