"""Model-zoo entries for the released GlobalTrack weights (official README, "Pretrained Weights").

The authors publish the files on Google Drive and Baidu Yun only (no direct address, no
checksum), so ``sha256`` is None: download the file and pass its path as ``weights`` (or put
it in the weights cache under ``filename``). The files are mmcv runner checkpoints
``{'meta': {...}, 'state_dict': ..., 'optimizer': ...}`` saved by torch 1.1 in the legacy
format; they load unchanged through ``vot_core.weights`` (strictly).
"""
from __future__ import annotations

from typing import List

from vot_core.weights import WeightsEntry

PAPER = ("Huang, Zhao, Huang: GlobalTrack: A Simple and Strong Baseline for Long-term Tracking. "
         "AAAI 2020. https://arxiv.org/abs/1912.08531")
REPO = "https://github.com/huanglianghua/GlobalTrack"
TRACKER_URL = "https://drive.google.com/open?id=1ouTJDS5NACLukd810uiKCvmLxJfga48x"
TRACKER_BAIDU = "https://pan.baidu.com/s/19Z7vWceXeF1EEpsOW_V-dQ (password 47p4)"
INIT_URL = "https://drive.google.com/open?id=1JkOqbSQJvGiGb9ubFIu5M84jeTInFJTX"
INIT_BAIDU = "https://pan.baidu.com/s/1roviZxaV-A4QpS7FFSYT0g (password 38qo)"


def entries() -> List[WeightsEntry]:
    """The trained tracker and the training initialisation (COCO Faster R-CNN transferred)."""
    common = dict(paper=PAPER, repo=REPO, config="globaltrack/qg_rcnn_r50_fpn",
                  mean=(123.675, 116.28, 103.53), std=(58.395, 57.12, 57.375),
                  state_dict_keys=("state_dict",))
    return [
        WeightsEntry(name="globaltrack/qg_rcnn_r50_fpn", url=TRACKER_URL,
                     filename="qg_rcnn_r50_fpn_coco_got10k_lasot.pth",
                     notes=("Trained on COCO, then COCO + GOT-10k + LaSOT (12 + 12 epochs). Google "
                            "Drive (also Baidu Yun: " + TRACKER_BAIDU + "); sha256 unknown."),
                     input_size=(1333, 800), **common),
        WeightsEntry(name="globaltrack/qg_rcnn_r50_fpn_init", url=INIT_URL,
                     filename="qg_rcnn_r50_fpn_2x_20181010-443129e1.pth",
                     notes=("Training initialisation: mmdetection's COCO Faster R-CNN R50-FPN 2x "
                            "transferred into QG-RCNN (also Baidu Yun: " + INIT_BAIDU + "); "
                            "sha256 unknown."),
                     input_size=(1333, 800), **common),
    ]
