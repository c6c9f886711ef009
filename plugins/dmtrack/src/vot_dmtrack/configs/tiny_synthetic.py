# DMTrack-GS code with a narrow head (32-channel FPN/towers, 4-channel second dynamic conv) on
# the full DLA-34, trained from scratch on the synthetic-train suite for a smoke test of the
# recipe on a CPU:
#   vot train dmtrack/tiny_synthetic --work-dir work_dirs/dmtrack_tiny --device cpu
_network = dict(head_channels=32, mid_channels=4)

pipeline = dict(
    tracker=dict(type='DMTrack', weights=None, test_scale=(256, 192), **_network),
    refiners=[],
)

model = dict(type='DMTrackModel', **_network)

train_data = dict(
    datasets=[dict(type='synthetic', split='train', weight=1.0)],
    batch_size=4,
    num_workers=1,
    sampling=dict(
        samples_per_epoch=400, max_gap=30, mode='causal',
        template=dict(factor=4.0, size=128),
        search=dict(factor=4.0, size=128, center_jitter=1.0, scale_jitter=0.25),
        grayscale_prob=0.05, flip_prob=0.5, brightness=0.2),
)

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(bias_lr_mult=2.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=35, norm_type=2),
)
param_scheduler = [dict(type='MultiStepLR', milestones=[3], gamma=0.1, by_epoch=True)]
train_cfg = dict(by_epoch=True, max_epochs=4)
default_hooks = dict(logger=dict(type='LoggerHook', interval=20),
                     checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2))
randomness = dict(seed=42)
