"""Model-zoo entries of SimTrack (official release addresses).

Only Sim-B/16 is released as weights. The README's "MAE-B/16" link is, by the author's own
description (LPXTT/SimTrack issue #3), the raw tracking results of SimTrack-MAE, and the
repository has no MAE backbone code, so there is no MAE-B/16 entry.
"""
from __future__ import annotations

from vot_core.weights import WeightsEntry

PAPER = ("Chen et al., Backbone is All Your Need: A Simplified Architecture for Visual Object "
         "Tracking, ECCV 2022 (arXiv:2203.05328)")
REPO = "https://github.com/LPXTT/SimTrack"

SIM_B16 = WeightsEntry(
    name="sim-b16",
    url="https://drive.google.com/file/d/19iSJi14yfJsi_XN5bfKdkBPUHgFzagg9/view?usp=sharing",
    sha256=None,
    filename="sim-b16.pth",
    paper=PAPER,
    repo=REPO,
    config="simtrack/sim_b16",
    notes=("Sim-B/16 (CLIP ViT-B/16 backbone), the model of the official README table "
           "(LaSOT AUC 69.3, TNL2K 54.8, TrackingNet 82.3, GOT-10k AO 70.6, UAV123 69.8). "
           "Google Drive: download it in a browser and pass the file with --weights. "
           "sha256 not published. Trained in a PYSOT-based pipeline: the loader accepts the "
           "official names and the known PYSOT-style prefixes and reports what it renamed."),
)

#: Every released SimTrack checkpoint.
ENTRIES = (SIM_B16,)
