# Alpha-Refine-tiny: the Alpha-Refine code (SEcm: point-wise correlation neck, SE attention,
# corner head with soft-argmax) with a compact ResNet (three stages of one BasicBlock, 32/64/128
# channels) on 128x128 crops, no mask branch, trained from scratch on the synthetic-train suite
# on 2 CPU cores (1,200 steps, 7 minutes on a quiet machine). It refines the tracker of
# `vot demo`; on a noisy base tracker it lifts synthetic-test AUC 47.5 -> 67.3 (noise 0.2,
# bench/refine_helps.py). Train it again and export the float16 release file with:
#   vot train alpharefine/tiny_synthetic --work-dir work_dirs/alpharefine_tiny --device cpu
#   vot export work_dirs/alpharefine_tiny/epoch_12.pth alpharefine_tiny_synthetic.pth
_network = dict(input_size=128, compact_blocks=(1, 1, 1), compact_widths=(32, 64, 128),
                compact_neck_channels=64, compact_head_channels=64, compact_mask=False)

refiner = dict(
    type='AlphaRefine',
    weights='{{ fileDirname }}/../assets/alpharefine_tiny_synthetic.pth',
    variant='secm_compact',
    search_factor=2.0,
    box_from='corner',
    clip=True,
    clip_min_size=10.0,
    keep_base_if_invalid=True,
    **_network,
)

model = dict(
    type='AlphaRefineModel', variant='secm_compact', pretrained_backbone=None,
    input_size=_network['input_size'],
    compact=dict(blocks=_network['compact_blocks'], widths=_network['compact_widths'],
                 neck_channels=_network['compact_neck_channels'],
                 head_channels=_network['compact_head_channels'],
                 with_mask=_network['compact_mask']),
)

# the official sampling and jitter (train_secm_r34.py) at 128 px
train_data = dict(
    datasets=[dict(type='synthetic', split='train', weight=1.0)],
    batch_size=32,
    num_workers=1,
    sampling=dict(
        samples_per_epoch=3200, max_gap=50, mode='symmetric', gap_increase=5,
        min_visible=4, crop_style='alpharefine',
        template=dict(factor=2.0, size=128, center_jitter=0.0, scale_jitter=0.0),
        search=dict(factor=2.0, size=128, center_jitter=0.25, scale_jitter=0.25),
        grayscale_prob=0.05, flip_prob=0.5, brightness=0.2),
)

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, weight_decay=0.0))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=12, eta_min=1e-5, by_epoch=True)]
train_cfg = dict(by_epoch=True, max_epochs=12)
default_hooks = dict(logger=dict(type='LoggerHook', interval=20),
                     checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2))
randomness = dict(seed=42)
