"""Model-zoo entries for the released OSTrack checkpoints (official README, "Models").

The authors publish the checkpoints in a Google Drive folder (no per-file address, no
checksums), so ``url`` is that folder and ``sha256`` is None: download the checkpoint
(``OSTrack_ep0300.pth.tar`` or ``OSTrack_ep0100.pth.tar``) from the folder's sub-folder of the
same config name and pass its path as ``weights``, or save it in the vot weights cache under the
entry's ``filename`` (``ostrack_<config>.pth.tar``; the error message names the folder) to use
the zoo name. Files are the trainer's ``{'net': state_dict, ...}`` containers (with pickled
``lib.train.admin`` objects), loaded unchanged through ``vot_core.weights``.
"""
from __future__ import annotations

from typing import List

from vot_core.weights import WeightsEntry

#: "Download the model weights from Google Drive" (official README, Evaluation section)
MODELS_FOLDER = "https://drive.google.com/drive/folders/1PS4inLS8bWNCecpYZ0W2fE5-A04DvTcd"
#: the "[Models]" link at the top of the official README
MODELS_FOLDER_HEADER = "https://drive.google.com/drive/folders/1ttafo0O5S9DXK2PX0YqPvPrQ-HWJjhSy"
PAPER = ("Ye, Chang, Ma, Shan, Chen: Joint Feature Learning and Relation Modeling for Tracking: "
         "A One-Stream Framework. ECCV 2022. https://arxiv.org/abs/2203.11991")
REPO = "https://github.com/botaoye/OSTrack"
NOTE = ("Google Drive folder (also linked as " + MODELS_FOLDER_HEADER + "); no direct file "
        "address or checksum is published: download {config}/{filename} and pass its path as "
        "weights. sha256 unknown.")

#: (config name, checkpoint file name)
RELEASED = [
    ("vitb_256_mae_ce_32x4_ep300", "OSTrack_ep0300.pth.tar"),
    ("vitb_384_mae_ce_32x4_ep300", "OSTrack_ep0300.pth.tar"),
    ("vitb_256_mae_ce_32x4_got10k_ep100", "OSTrack_ep0100.pth.tar"),
    ("vitb_384_mae_ce_32x4_got10k_ep100", "OSTrack_ep0100.pth.tar"),
    ("vitb_256_mae_32x4_ep300", "OSTrack_ep0300.pth.tar"),
]


def entries() -> List[WeightsEntry]:
    """One :class:`WeightsEntry` per released variant, named ``ostrack/<config>``."""
    return [WeightsEntry(name=f"ostrack/{config}", url=MODELS_FOLDER, sha256=None,
                         filename=f"ostrack_{config}.pth.tar", paper=PAPER, repo=REPO,
                         config=f"ostrack/{config}", input_size=_input_size(config),
                         notes=NOTE.format(config=config, filename=filename))
            for config, filename in RELEASED]


def _input_size(config: str) -> tuple:
    """``(template, search)`` side in pixels."""
    return (192, 384) if "_384_" in config else (128, 256)
