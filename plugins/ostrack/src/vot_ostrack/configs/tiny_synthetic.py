# OSTrack-tiny: the OSTrack code with a small ViT (192 wide, 4 blocks, 16 px patches, no
# candidate elimination), trained from scratch on the synthetic-train suite on 2 CPU cores.
# It is the tracker of `vot demo` (synthetic-test: AUC 43.7, 132 fps on 2 threads; 2,400 steps,
# 18 minutes on a quiet machine, deterministic by seed). Train it again with:
#   vot train ostrack/tiny_synthetic --work-dir work_dirs/ostrack_tiny --device cpu
_network = dict(template_size=64, search_size=128, patch_size=16, embed_dim=192, depth=4,
                num_heads=3, mlp_ratio=4.0, head_channels=64, ce_loc=[])

pipeline = dict(
    tracker=dict(
        type='OSTrack',
        weights='{{ fileDirname }}/../assets/ostrack_tiny_synthetic.pth',
        template_factor=2.0,
        search_factor=4.0,
        ce_keep_ratio=[],
        **_network,
    ),
    refiners=[],
)

model = dict(type='OSTrackModel', drop_path_rate=0.0, **_network)

train_data = dict(
    datasets=[dict(type='synthetic', split='train', weight=1.0)],
    batch_size=32,
    num_workers=1,
    sampling=dict(
        samples_per_epoch=3200, max_gap=30, mode='causal',
        template=dict(factor=2.0, size=64),
        search=dict(factor=4.0, size=128, center_jitter=3.0, scale_jitter=0.25),
        grayscale_prob=0.05, flip_prob=0.5, brightness=0.2),
)

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0),
)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=24, eta_min=1e-5, by_epoch=True)]
train_cfg = dict(by_epoch=True, max_epochs=24)
default_hooks = dict(logger=dict(type='LoggerHook', interval=20),
                     checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2))
randomness = dict(seed=42)
