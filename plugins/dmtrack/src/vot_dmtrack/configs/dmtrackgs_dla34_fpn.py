# DMTrack-GlobalSearch (DLA-34 + DLA-up + FPN, dynamic FCOS head), official
# configs/dmtrackGS_dla34_fpn.py test settings: whole-frame search at scale (736, 512).
# Weights: zoo entry dmtrack/dmtrackgs_dla34_fpn (dmtrackGS.pth, Google Drive / Baidu).
pipeline = dict(
    tracker=dict(
        type='DMTrack',
        weights=None,  # path, URL or zoo name of dmtrackGS.pth (or --weights)
        test_scale=(736, 512),
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375),
        pad_divisor=32,
        nms_pre=1000,
        score_thr=0.0,
        inclusive_boxes=True,
        head_channels=256,
        mid_channels=32,
    ),
    refiners=[],
)
