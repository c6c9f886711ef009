# The official Alpha-Refine training recipe (ltr/train_settings/SEx_beta/SEcm_r34.py) for the
# core engine: SEcm_r34 from ImageNet ResNet-34 weights, everything trained (backbone
# included), Adam lr 1e-3, halved every 8 epochs for 40 epochs, batch 32 per GPU on 8 GPUs
# (`torchrun --nproc_per_node 8 -m vot_core.cli train alpharefine/train_secm_r34` gives 256),
# 4000 x 32 pairs per epoch within 50 frames, template not jittered, search jittered
# (scale exp(N(0,1) * 0.25) per axis, centre (U - 0.5) * 0.25 * sqrt(area)), joint grayscale 5%,
# brightness x U(0.8, 1.2), the non-square 2x crop at 256 px with black padding.
# Loss: corner MSE + 1000 x mask BCE (mask samples only).
# Data (SEMaskSampler, weights 1:1:1:1:1:2:3): LaSOT-train, GOT-10k train, COCO-2014 train
# (every non-crowd box), ImageNet-VID, ImageNet-DET, YouTube-VOS (masks, objects over 1000
# pixels) and Saliency (MSRA10K + ECSSD + HKU-IS, masks). Every sample carries the search
# crop's mask, cut with the image's crop (zero mask and mask_flag 0 for the box datasets);
# video datasets without masks need at least 20 frames and more than 4 visible ones.
# ImageNet-DET keeps the official loader's size filter, sqrt(x*y*w*h / image area) < 1, a bug
# that keeps mostly objects touching the top or left border: set official_area_filter=False to
# train on every DET object.
# GOT-10k: pytracking's "train" split (7,934 of the 9,335 train videos; its "val" holds the
# other 1,401), vot's got10k 'ltrtrain' (list downloaded once, sha256 checked).
model = dict(type='AlphaRefineModel', mask_weight=1000.0,
             pretrained_backbone='pretrained_models/resnet34-333f7ec4.pth')  # torchvision

train_data = dict(
    datasets=[
        dict(type='lasot', split='train', weight=1.0),
        dict(type='got10k', split='ltrtrain', weight=1.0),
        dict(type='coco', split='train2014', min_size=0.0, weight=1.0),
        dict(type='imagenet_vid', split='train', weight=1.0),
        dict(type='imagenet_det', split='train', official_area_filter=True, weight=1.0),
        dict(type='youtube_vos', split='train', min_pixels=1000, weight=2.0),
        dict(type='saliency', weight=3.0),
    ],
    batch_size=32,
    num_workers=4,
    sampling=dict(
        samples_per_epoch=4000 * 32, max_gap=50, mode='symmetric', gap_increase=5,
        min_visible=4, min_length=20, masks=True, crop_style='alpharefine',
        template=dict(factor=2.0, size=256, center_jitter=0.0, scale_jitter=0.0),
        search=dict(factor=2.0, size=256, center_jitter=0.25, scale_jitter=0.25),
        grayscale_prob=0.05, flip_prob=0.0, brightness=0.2),
)

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, weight_decay=0.0))
param_scheduler = [dict(type='StepLR', step_size=8, gamma=0.5, by_epoch=True)]
train_cfg = dict(by_epoch=True, max_epochs=40)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=5, max_keep_ckpts=8),
                     logger=dict(type='LoggerHook', interval=100))
randomness = dict(seed=42)
