"""Model-zoo entry for the released DMTrack-GS checkpoint (official README, "Metric").

The authors publish ``dmtrackGS.pth`` on Google Drive and Baidu Yun only (no direct address, no
checksum), so ``url`` is the Drive page and ``sha256`` is None: download the file by hand and
pass its path as ``weights`` (or put it in the cache folder the error message names). The file
is mmcv's ``{'meta', 'state_dict', ...}`` container, loaded unchanged through
``vot_core.weights``.
"""
from __future__ import annotations

from typing import List

from vot_core.weights import WeightsEntry

DRIVE = "https://drive.google.com/file/d/1_MHc1N6vdUcq-NZ-j4h4RagzoxHpsh7D/view?usp=sharing"
BAIDU = "https://pan.baidu.com/s/11XQ-mSv1MgbjX1vGjTJpAQ"
PAPER = ("Zhang, Dai, Zhong, Li, Huang, Su: Distractor-Aware Fast Tracking via Dynamic "
         "Convolutions and MOT Philosophy. CVPR 2021. https://arxiv.org/abs/2104.12041")
REPO = "https://github.com/hqucv/dmtrack"


def entries() -> List[WeightsEntry]:
    """One :class:`WeightsEntry` per released variant (only DMTrack-GlobalSearch exists)."""
    return [WeightsEntry(
        name="dmtrack/dmtrackgs_dla34_fpn", url=DRIVE, sha256=None, filename="dmtrackGS.pth",
        paper=PAPER, repo=REPO, config="dmtrack/dmtrackgs_dla34_fpn",
        notes=("Google Drive (or Baidu Yun " + BAIDU + ", password 81fh); no direct address or "
               "checksum is published. mmcv container {'meta', 'state_dict'}; the DLA-34 ImageNet "
               "classifier keys it may hold are dropped by name. LaSOT test: 53.0 success, "
               "54.2 precision (official README)."),
        input_size=(736, 512), mean=(123.675, 116.28, 103.53), std=(58.395, 57.12, 57.375),
        state_dict_keys=("state_dict", "model", "net"))]
