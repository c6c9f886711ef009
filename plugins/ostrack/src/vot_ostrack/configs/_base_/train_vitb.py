# The official OSTrack training recipe (experiments/ostrack/vitb_256_mae_ce_32x4_ep300.yaml) for
# the core engine: 4 datasets 1:1:1:1, 60,000 pairs per epoch, causal sampling within 200
# frames, search jitter centre 3 / scale 0.25, AdamW 4e-4 (backbone 0.1x), weight decay 1e-4,
# gradient norm clipped at 0.1, 300 epochs with the step at 240, candidate-elimination warm-up
# from epoch 20 over 80 epochs, MAE initialisation from a local file.
# Batch 32 per GPU; `torchrun --nproc_per_node 4 -m vot_core.cli train ...` gives the paper's 128.
# GOT-10k: the official 'vottrain' subset (the VOT-permitted train videos minus 'votval'; its
# list is downloaded once with its sha256 checked).
model = dict(
    type='OSTrackModel', template_size=128, search_size=256, patch_size=16, embed_dim=768,
    depth=12, num_heads=12, mlp_ratio=4.0, head_channels=256, ce_loc=[3, 6, 9],
    ce_keep_ratio=[0.7, 0.7, 0.7], drop_path_rate=0.1, ce_start_epoch=20, ce_warm_epochs=80,
    pretrained='pretrained_models/mae_pretrain_vit_base.pth')

train_data = dict(
    datasets=[
        dict(type='lasot', split='train', weight=1.0),
        dict(type='got10k', split='vottrain', weight=1.0),
        dict(type='coco', split='train2017', weight=1.0),
        dict(type='trackingnet', split='train', weight=1.0),
    ],
    batch_size=32,
    num_workers=8,
    sampling=dict(
        samples_per_epoch=60000, max_gap=200, mode='causal',
        template=dict(factor=2.0, size=128, center_jitter=0.0, scale_jitter=0.0),
        search=dict(factor=4.0, size=256, center_jitter=3.0, scale_jitter=0.25),
        grayscale_prob=0.05, flip_prob=0.5, crop_flip_prob=0.5, brightness=0.2),
)

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=4e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}),
    clip_grad=dict(max_norm=0.1),
)
param_scheduler = [dict(type='MultiStepLR', milestones=[240], gamma=0.1, by_epoch=True)]
train_cfg = dict(by_epoch=True, max_epochs=300)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3),
                     logger=dict(type='LoggerHook', interval=50))
randomness = dict(seed=42)
