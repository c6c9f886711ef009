# The official SimTrack training recipe (experiments/simtrack/baseline.yaml) for the core engine:
# LaSOT + GOT-10k + COCO + TrackingNet 1:1:1:1, 60,000 pairs per epoch, causal sampling within
# 200 frames; template 2x -> 112 px without jitter, search 4x -> 224 px with centre jitter 3.5 and
# scale jitter 0.5; joint grayscale 0.05 and flip 0.5, per-crop brightness 0.2 and flip 0.5;
# loss 2 GIoU + 5 L1; AdamW 1e-4 (CLIP tower 1e-5, pos_fc / bottleneck / head 1e-4), weight
# decay 1e-4, gradient norm clipped at 0.1; 50 epochs with the step (x0.1) at 40.
# Batch 64 per process; `torchrun --nproc_per_node 8 -m vot_core.cli train ...` gives the
# official 512. CLIP ViT-B/16 initialisation from a local state_dict file (OpenAI 'visual.*' or
# timm 'vit_base_patch16_clip_quickgelu_224' names; OpenAI's TorchScript ViT-B-16.pt must be
# converted to a plain state_dict first, it is not read, to run no archived code).
# GOT-10k: the official 'vottrain' subset needs its sequence list; until vot ships it, the whole
# train split is used.
_base_ = ['./sim_b16.py']

model = dict(type='SimTrackModel', pretrained='pretrained_models/clip_vit_b16_visual.pth')

train_data = dict(
    datasets=[
        dict(type='lasot', split='train', weight=1.0),
        dict(type='got10k', split='train', weight=1.0),
        dict(type='coco', split='train2017', weight=1.0),
        dict(type='trackingnet', split='train', weight=1.0),
    ],
    batch_size=64,
    num_workers=8,
    sampling=dict(
        samples_per_epoch=60000, max_gap=200, mode='causal', gap_increase=5,
        template=dict(factor=2.0, size=112, center_jitter=0.0, scale_jitter=0.0),
        search=dict(factor=4.0, size=224, center_jitter=3.5, scale_jitter=0.5),
        grayscale_prob=0.05, flip_prob=0.5, crop_flip_prob=0.5, brightness=0.2,
        crop_style='simtrack'),
)

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone.visual': dict(lr_mult=0.1)}),
    clip_grad=dict(max_norm=0.1),
)
param_scheduler = [dict(type='MultiStepLR', milestones=[40], gamma=0.1, by_epoch=True)]
train_cfg = dict(by_epoch=True, max_epochs=50)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3),
                     logger=dict(type='LoggerHook', interval=50))
randomness = dict(seed=42)
