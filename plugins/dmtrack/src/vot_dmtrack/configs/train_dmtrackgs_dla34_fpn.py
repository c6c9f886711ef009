# The official DMTrack-GS training recipe (configs/dmtrackGS_dla34_fpn.py as tools/train_dmtrack.py
# really runs it) for the core engine:
# COCO train2017 + LaSOT train, sampled 50/50, 30,000 pairs per epoch, frames <= 300 apart;
# losses focal (alpha 0.25, gamma 2) + IoU (-ln IoU) + centerness BCE, all weight 1;
# SGD momentum 0.9, weight decay 1e-4, biases 2x lr and no decay, lr 0.001 x 2 GPUs / 8 = 2.5e-4
# (the script's --autoscale_lr), gradient norm clipped at 35, constant warm-up of 500 iterations
# at lr / 3000, steps (x0.1) at epochs 44 and 46, 48 epochs; 2 GPUs x 1 pair (batch 2);
# DLA-34 initialised from ImageNet dla34-ba72cf86.pth (http://dl.yf.io/dla/models/imagenet/).
# Deviation: the engine feeds crops, not the official whole images rescaled into (1333, 800)
# with SSD photometric distortion / expand / min-IoU crop; search crops of 8x the box at 800 px
# approximate the global view, and the template crop keeps 4x context at 512 px.
_base_ = ['./dmtrackgs_dla34_fpn.py']

model = dict(type='DMTrackModel', head_channels=256, mid_channels=32,
             imagenet_pretrained='pretrained_models/dla34-ba72cf86.pth')

train_data = dict(
    datasets=[
        dict(type='coco', split='train2017', weight=1.0),
        dict(type='lasot', split='train', weight=1.0),
    ],
    batch_size=2,
    num_workers=4,
    sampling=dict(
        samples_per_epoch=30000, max_gap=300, mode='symmetric',
        template=dict(factor=4.0, size=512, center_jitter=0.5, scale_jitter=0.1),
        search=dict(factor=8.0, size=800, center_jitter=4.0, scale_jitter=0.5),
        grayscale_prob=0.0, flip_prob=0.0, crop_flip_prob=0.5, brightness=0.125),
)

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=2.5e-4, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(bias_lr_mult=2.0, bias_decay_mult=0.0, norm_decay_mult=1.0),
    clip_grad=dict(max_norm=35, norm_type=2),
)
param_scheduler = [
    dict(type='ConstantLR', factor=0.001 / 3, begin=0, end=500, by_epoch=False),
    dict(type='MultiStepLR', milestones=[44, 46], gamma=0.1, by_epoch=True),
]
train_cfg = dict(by_epoch=True, max_epochs=48)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3),
                     logger=dict(type='LoggerHook', interval=50))
randomness = dict(seed=42)
