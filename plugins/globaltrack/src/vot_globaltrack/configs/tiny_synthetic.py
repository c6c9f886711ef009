# A smoke test of the GlobalTrack recipe on a CPU: the QG-RCNN code with a small network
# (ResNet-18, 32-channel FPN / heads / modulators, 128-unit box head) trained from scratch for a
# few iterations on whole synthetic frames at a small scale, with BatchNorms on batch
# statistics (no ImageNet / COCO initialisation) and few sampled anchors / proposals / RoIs:
#   vot train globaltrack/tiny_synthetic --work-dir work_dirs/globaltrack_tiny --device cpu
_base_ = ['./qg_rcnn_r50_fpn.py']

_network = dict(depth=18, channels=32, fc_channels=128)
pipeline = dict(tracker=dict(input_scale=(128, 96), **_network))

model = dict(
    type='QGRCNNModel', frozen_stages=1, norm_eval=False, seed=0, **_network,
    train_cfg=dict(rpn_num=64, rcnn_num=32, proposal_nms_pre=100, proposal_nms_post=100,
                   proposal_max_num=100))

train_data = dict(
    datasets=[dict(type='synthetic', split='tiny', weight=1.0)],
    batch_size=2,
    num_workers=0,
    sampling=dict(
        samples_per_epoch=8, max_gap=20, mode='causal',
        whole_frame=dict(scale=(128, 96), flip_prob=0.5, random_interpolation=True,
                         photometric=True, video_box_filter=False, frame_choice='neuron',
                         max_instances=8)),
)

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=35, norm_type=2),
)
param_scheduler = [dict(type='LinearLR', start_factor=1.0 / 3, by_epoch=False, begin=0, end=2)]
train_cfg = dict(by_epoch=True, max_epochs=1)
default_hooks = dict(logger=dict(type='LoggerHook', interval=1),
                     checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1))
randomness = dict(seed=42)
