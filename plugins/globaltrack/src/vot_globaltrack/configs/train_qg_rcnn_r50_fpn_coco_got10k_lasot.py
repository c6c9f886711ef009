# GlobalTrack training, stage 2 of 2 (official tools/dist_train_qg_rcnn.sh "COCO+GOT+LaSOT"):
# the same recipe as stage 1 on COCO train2017 + GOT-10k train + LaSOT train sampled
# 0.4 / 0.4 / 0.2, starting from stage 1's last checkpoint. The result is the released
# qg_rcnn_r50_fpn_coco_got10k_lasot.pth (tracker config globaltrack/qg_rcnn_r50_fpn).
# Run:  torchrun --nproc_per_node 4 -m vot_core.cli train \
#           globaltrack/train_qg_rcnn_r50_fpn_coco_got10k_lasot
_base_ = ['./train_qg_rcnn_r50_fpn_coco.py']

load_from = 'work_dirs/train_qg_rcnn_r50_fpn_coco/epoch_12.pth'

train_data = dict(
    datasets=[
        dict(type='coco', split='train2017', min_size=1.0, per_image=True, min_image_side=32,
             weight=0.4),
        dict(type='got10k', split='train', weight=0.4),
        dict(type='lasot', split='train', weight=0.2),
    ],
)
