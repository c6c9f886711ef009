"""Model-zoo entries of the released Alpha-Refine weights."""
from __future__ import annotations

from vot_core.weights.entry import WeightsEntry

PAPER = ("Yan, Zhang, Wang, Lu, Yang: Alpha-Refine: Boosting Tracking Performance by Precise "
         "Bounding Box Estimation. CVPR 2021. https://arxiv.org/abs/2012.06815")
REPO = "https://github.com/MasterBin-IIAU/AlphaRefine"

SECM_R34 = WeightsEntry(
    name="alpharefine/secm_r34",
    url="https://drive.google.com/file/d/1drLqNq4r9g4ZqGtOGuuLCmHJDh20Fu1m/view?usp=sharing",
    sha256=None,  # not published by the authors
    filename="SEcmnet_ep0040-c.pth.tar",
    paper=PAPER,
    repo=REPO,
    config="alpharefine/secm_r34",
    notes=("AR34c+m (README: 5.1 ms, LaSOT AUC 55.9 with SiamRPN++). Google Drive; mirror on "
           "Baidu https://pan.baidu.com/s/1ZCJKk1mXE_96BEpwGiEuMQ (key jl1m). A legacy (PyTorch "
           "1.2) pickle holding the state_dict under 'net' plus pickled ltr training objects, "
           "which vot reads without executing them."),
    input_size=(256, 256),
    state_dict_keys=("net",),
)

SECM_R18 = WeightsEntry(
    name="alpharefine/secm_r18",
    url="https://drive.google.com/file/d/1ANf0KCvlFBbGQPpvT-3WNiy414ANkgLZ/view?usp=sharing",
    sha256=None,
    filename="alpharefine_secm_r18.pth.tar",  # save the download under this name
    paper=PAPER,
    repo=REPO,
    config="alpharefine/secm_r18",
    notes=("AR18c+m (README: 4.2 ms, LaSOT AUC 55.0 with SiamRPN++). Google Drive; mirror on "
           "Baidu https://pan.baidu.com/s/1IIaRNkFVPSG1s71g255CHw (key 83ef). ResNet-18 with the "
           "PrRoIPool neck (needs vot-ops); its model file is not in the official repository "
           "(ymzis69/AlphaRefine_TensorRT has it). The spatial stage (non-local or residual convs) "
           "is read from the checkpoint's keys."),
    input_size=(256, 256),
    state_dict_keys=("net",),
)

ENTRIES = (SECM_R34, SECM_R18)
