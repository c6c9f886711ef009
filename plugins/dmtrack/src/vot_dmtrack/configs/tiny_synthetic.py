# DMTrack-GS code with a narrow head (32-channel FPN/towers, 4-channel second dynamic conv) on
# the full DLA-34, trained from scratch on whole synthetic frames (the recipe's augmentations,
# at a small scale) for a smoke test of the recipe on a CPU:
#   vot train dmtrack/tiny_synthetic --work-dir work_dirs/dmtrack_tiny --device cpu
_network = dict(head_channels=32, mid_channels=4)

pipeline = dict(
    tracker=dict(type='DMTrack', weights=None, test_scale=(96, 64), **_network),
    refiners=[],
)

model = dict(type='DMTrackModel', **_network)

train_data = dict(
    datasets=[dict(type='synthetic', split='tiny', weight=1.0)],
    batch_size=2,
    num_workers=0,
    sampling=dict(
        samples_per_epoch=8, max_gap=20, mode='causal',
        whole_frame=dict(scale=(96, 64), flip_prob=0.5, random_interpolation=True,
                         photometric=True, swap_channels_each=True, expand=True,
                         crop_min_ious=(0.1, 0.3, 0.5, 0.7, 0.9), video_box_filter=False)),
)

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(bias_lr_mult=2.0, bias_decay_mult=0.0, norm_decay_mult=1.0),
    clip_grad=dict(max_norm=35, norm_type=2),
)
param_scheduler = [dict(type='ConstantLR', factor=1.0 / 3, begin=0, end=1, by_epoch=False)]
train_cfg = dict(by_epoch=True, max_epochs=1)
default_hooks = dict(logger=dict(type='LoggerHook', interval=1),
                     checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1))
randomness = dict(seed=42)
