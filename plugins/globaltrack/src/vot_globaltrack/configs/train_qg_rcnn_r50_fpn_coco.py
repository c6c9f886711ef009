# GlobalTrack training, stage 1 of 2 (official tools/dist_train_qg_rcnn.sh "baseline"):
# QG-RCNN R50-FPN on COCO train2017 only, initialised from mmdetection's COCO Faster R-CNN
# R50-FPN 2x transferred into QG-RCNN (zoo entry globaltrack/qg_rcnn_r50_fpn_init,
# qg_rcnn_r50_fpn_2x_20181010-443129e1.pth, Google Drive / Baidu: put it under checkpoints/).
#
# Official recipe (configs/qg_rcnn_r50_fpn.py as tools/train_qg_rcnn.py runs it on 4 GPUs):
# - pairs: 30,000 per epoch; COCO (Image2Pair): the same image as query and search, with all
#   its objects as matched queries, at most 8 kept per pair (PairWrapper max_instances);
#   videos (Seq2Pair, one box per frame): two frames among those passing neuron's box filter,
#   GOT-10k's cover filter (cover > max(1, 0.3 * max cover)) and the visible flags, at most
#   300 apart (max_gap), query first (frame_choice='neuron'); a sequence without two such
#   frames is replaced by another of the same dataset;
# - COCO: one sequence per image (per_image=True), non-crowd objects of at least 1 x 1 pixels
#   (min_size=1; the core loader's default 8 is for crops), images with a side under 32 px
#   dropped (neuron COCODetection);
# - whole frames (neuron 'extra_partial'): SSD photometric distortion per image (channel order
#   drawn on the query, reused on the search image), keep-ratio rescale into (1333, 800) with a
#   random cv2 interpolation, ImageNet mean/std, flip p 0.5 per image, zero pad to 32;
#   boxes x2 = x + w - 1 (inclusive), times the scale factor;
# - cross-query loss (RPN: BCE + smooth-L1 beta 1/9, 256 anchors; R-CNN: CE + smooth-L1, 512
#   RoIs, 25 % positive, ground truth added), averaged over the queries;
# - SGD lr 0.01 x 4 GPUs / 8 = 0.005 (--autoscale_lr), momentum 0.9, weight decay 1e-4,
#   gradient norm clipped at 35, linear warm-up over 500 iterations from lr / 3, steps x0.1
#   after epochs 8 and 11, 12 epochs; 1 pair per GPU (7,500 iterations per epoch on 4 GPUs).
# Run:  torchrun --nproc_per_node 4 -m vot_core.cli train globaltrack/train_qg_rcnn_r50_fpn_coco
# (one process: --cfg-options train_data.batch_size=4 gives the same total batch of 4).
# Deviations: random draws come from a per-sample numpy Generator (a pure function of the
# sample index), not from the global numpy state; a pair with no usable draw after 100 tries is
# an error instead of endless retries; neuron's aspect-ratio group flags (RandomConcat) are not
# used (officially they also tilt each dataset's landscape / portrait share to the mixture's).
_base_ = ['./qg_rcnn_r50_fpn.py']

model = dict(type='QGRCNNModel', frozen_stages=1, norm_eval=True)
load_from = 'checkpoints/qg_rcnn_r50_fpn_2x_20181010-443129e1.pth'

train_data = dict(
    datasets=[dict(type='coco', split='train2017', min_size=1.0, per_image=True,
                   min_image_side=32, weight=1.0)],
    batch_size=1,  # per process (official imgs_per_gpu=1)
    num_workers=8,
    sampling=dict(
        samples_per_epoch=30000, max_gap=300, mode='causal',
        whole_frame=dict(
            scale=(1333, 800), mean=(123.675, 116.28, 103.53), std=(58.395, 57.12, 57.375),
            pad_divisor=32, flip_prob=0.5, random_interpolation=True, inclusive_boxes=True,
            photometric=True, swap_channels_shared=True, swap_channels_each=False,
            expand=False, crop_min_ious=(), video_box_filter=True,
            frame_choice='neuron', max_instances=8)),
)

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=35, norm_type=2),
)
param_scheduler = [
    dict(type='LinearLR', start_factor=1.0 / 3, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', milestones=[8, 11], gamma=0.1, by_epoch=True),
]
train_cfg = dict(by_epoch=True, max_epochs=12)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=12),
                     logger=dict(type='LoggerHook', interval=50))
randomness = dict(seed=42)
