# The official Alpha-Refine training recipe (ltr/train_settings/SEx_beta/SEcm_r34.py) for the
# core engine: SEcm_r34 from ImageNet ResNet-34 weights, everything trained (backbone
# included), Adam lr 1e-3, halved every 8 epochs for 40 epochs, batch 32 per GPU on 8 GPUs
# (`torchrun --nproc_per_node 8 -m vot_core.cli train alpharefine/train_secm_r34` gives 256),
# 4000 x 32 pairs per epoch within 50 frames, template not jittered, search jittered
# (scale exp(N(0,1) * 0.25) per axis, centre (U - 0.5) * 0.25 * sqrt(area)), joint grayscale 5%,
# brightness x U(0.8, 1.2), the non-square 2x crop at 256 px with black padding.
# Loss: corner MSE + 1000 x mask BCE (mask samples only).
# Official data and weights: LaSOT-train 1, GOT-10k train 1, COCO-2014 1, ImageNet-VID 1,
# ImageNet-DET 1, YouTube-VOS 2 (masks), Saliency (MSRA10K/ECSSD/HKU-IS) 3 (masks).
# vot has loaders for the first three only, and the engine does not yet sample masks, so this
# recipe trains the corner branch on LaSOT/GOT-10k/COCO; add the other datasets here when
# their loaders exist.
model = dict(type='AlphaRefineModel', mask_weight=1000.0,
             pretrained_backbone='pretrained_models/resnet34-333f7ec4.pth')  # torchvision

train_data = dict(
    datasets=[
        dict(type='lasot', split='train', weight=1.0),
        dict(type='got10k', split='train', weight=1.0),
        dict(type='coco', split='train2014', weight=1.0),
    ],
    batch_size=32,
    num_workers=4,
    sampling=dict(
        samples_per_epoch=4000 * 32, max_gap=50, mode='symmetric', gap_increase=5,
        min_visible=4, crop_style='alpharefine',
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
