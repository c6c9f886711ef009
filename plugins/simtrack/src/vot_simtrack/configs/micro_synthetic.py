# SimTrack-micro: the SimTrack code with Sim-B/16's token layout at half resolution (patch 8,
# template 56 px, search 112 px, foveal 32 px) and a 32-wide, 2-block tower, trained from
# scratch on the synthetic-train suite on CPU. A smoke-size recipe (the tests train it for a
# few iterations); no released weights. Train it with:
#   vot train simtrack/micro_synthetic --work-dir work_dirs/simtrack_micro --device cpu
_arch = dict(width=32, layers=2, heads=2, patch_size=8, output_dim=16, hidden_dim=16,
             head_dim=16, template_size=56, search_size=112, foveal_size=32)

pipeline = dict(
    tracker=dict(type='SimTrack', variant='micro', template_factor=2.0, template_size=56,
                 search_factor=4.0, search_size=112, foveal_size=32),
    refiners=[],
)

model = dict(type='SimTrackModel', **_arch)

train_data = dict(
    datasets=[dict(type='synthetic', split='train', weight=1.0)],
    batch_size=16,
    num_workers=1,
    sampling=dict(
        samples_per_epoch=1600, max_gap=30, mode='causal',
        template=dict(factor=2.0, size=56),
        search=dict(factor=4.0, size=112, center_jitter=3.5, scale_jitter=0.5),
        grayscale_prob=0.05, flip_prob=0.5, crop_flip_prob=0.5, brightness=0.2,
        crop_style='simtrack'),
)

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone.visual': dict(lr_mult=0.1)}),
    clip_grad=dict(max_norm=0.1),
)
param_scheduler = [dict(type='MultiStepLR', milestones=[8], gamma=0.1, by_epoch=True)]
train_cfg = dict(by_epoch=True, max_epochs=10)
default_hooks = dict(logger=dict(type='LoggerHook', interval=20),
                     checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2))
randomness = dict(seed=42)
