# The official DMTrack-GS training recipe (configs/dmtrackGS_dla34_fpn.py as
# tools/train_dmtrack.py really runs it) for the core engine:
# - pairs: COCO train2017 + LaSOT train sampled 50/50, 30,000 per epoch; COCO: the same image
#   as template and search; LaSOT: two frames at most 300 apart, template first, boxes passing
#   neuron's Seq2Pair filter;
# - COCO: non-crowd objects of at least 1 x 1 pixels (min_size=1; the core loader's default 8
#   is for crops);
# - whole frames, neuron 'extra_full' = ExtraPairTransforms() with its defaults (the config's
#   scale (900, 256..608), gray and blur settings never reach it): SSD photometric distortion
#   per image with its own random channel order plus one drawn on the template and reused on
#   the search image, SSD random expand (p 0.5, ratio 1..4, mean fill), a joint SSD min-IoU
#   crop (0.1 .. 0.9, scale 0.3..1, aspect 0.5..2), keep-ratio rescale into (1333, 800) with a
#   random cv2 interpolation, ImageNet mean/std, flip p 0.5 per image, zero pad to 32; boxes
#   x2 = x + w - 1 (neuron's inclusive convention) times the scale factor;
# - losses: focal (alpha 0.25, gamma 2) + IoU (-ln IoU, centerness-weighted) + centerness BCE,
#   all weight 1, averaged over the queries;
# - SGD momentum 0.9, weight decay 1e-4, biases 2x lr and no decay, lr 0.001 x 2 GPUs / 8 =
#   2.5e-4 (the script's --autoscale_lr), gradient norm clipped at 35, constant warm-up of 500
#   iterations at lr / 3000, steps (x0.1) after epochs 44 and 46, 48 epochs; 1 pair per GPU on
#   2 GPUs (15,000 iterations per epoch), BatchNorms trained (their weights keep the decay);
# - DLA-34 initialised from ImageNet dla34-ba72cf86.pth (http://dl.yf.io/dla/models/imagenet/).
# Run:  torchrun --nproc_per_node 2 -m vot_core.cli train dmtrack/train_dmtrackgs_dla34_fpn
# (one process: --cfg-options train_data.batch_size=2; its BatchNorms then see both images).
# - pairs as neuron's PairWrapper (max_instances=8): a COCO image (shorter side >= 32 px) with
#   its objects as matched queries, at most 8 kept per pair; video frames chosen among those
#   passing the box filter (frame_choice='neuron'), as GlobalTrack's recipe.
_base_ = ['./dmtrackgs_dla34_fpn.py']

model = dict(type='DMTrackModel', head_channels=256, mid_channels=32,
             imagenet_pretrained='pretrained_models/dla34-ba72cf86.pth')

train_data = dict(
    datasets=[
        dict(type='coco', split='train2017', min_size=1.0, per_image=True, min_image_side=32,
             weight=0.5),
        dict(type='lasot', split='train', weight=0.5),
    ],
    batch_size=1,  # per process (official samples_per_gpu=1)
    num_workers=4,
    sampling=dict(
        samples_per_epoch=30000, max_gap=300, mode='causal',
        whole_frame=dict(
            scale=(1333, 800), mean=(123.675, 116.28, 103.53), std=(58.395, 57.12, 57.375),
            pad_divisor=32, flip_prob=0.5, random_interpolation=True, inclusive_boxes=True,
            photometric=True, swap_channels_shared=True, swap_channels_each=True,
            expand=True, expand_ratio=(1.0, 4.0), crop_min_ious=(0.1, 0.3, 0.5, 0.7, 0.9),
            crop_min_scale=0.3, video_box_filter=True, frame_choice='neuron', max_instances=8)),
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
