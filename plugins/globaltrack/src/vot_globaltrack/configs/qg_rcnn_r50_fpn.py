# GlobalTrack, QG-RCNN R50-FPN (official configs/qg_rcnn_r50_fpn.py, test_cfg; neuron
# BasicPairTransforms(train=False)). Weights: zoo name 'globaltrack/qg_rcnn_r50_fpn'.
pipeline = dict(
    tracker=dict(
        type='GlobalTrack',
        input_scale=(1333, 800),
        pad_divisor=32,
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375),
        rpn_nms_pre=1000,
        rpn_nms_post=1000,
        rpn_max_num=1000,
        rpn_nms_thr=0.7,
        rcnn_score_thr=0.0,
        rcnn_nms_thr=0.5,
        rcnn_max_per_img=1000,
    ),
    refiners=[],
)
