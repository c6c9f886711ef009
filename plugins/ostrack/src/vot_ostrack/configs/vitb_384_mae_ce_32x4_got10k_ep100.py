# OSTrack-384 (CE) trained on GOT-10k train only, 100 epochs (GOT-10k one-shot protocol).
# Weights: zoo entry ostrack/vitb_384_mae_ce_32x4_got10k_ep100 (OSTrack_ep0100.pth.tar).
_base_ = ['./_base_/ostrack_vitb_384.py', './_base_/train_vitb.py']
# 384 recipe: template 192 px, search factor 5 at 384 px, jitter centre 4.5 / scale 0.5
model = dict(template_size=192, search_size=384, ce_warm_epochs=50)
train_data = dict(sampling=dict(template=dict(size=192),
                                search=dict(factor=5.0, size=384, center_jitter=4.5, scale_jitter=0.5)))
train_data.update(datasets=[dict(type='got10k', split='train', weight=1.0)])
param_scheduler = [dict(type='MultiStepLR', milestones=[80], gamma=0.1, by_epoch=True)]
train_cfg = dict(max_epochs=100)
