# OSTrack-256 (CE) trained on GOT-10k train only, 100 epochs (GOT-10k one-shot protocol).
# Weights: zoo entry ostrack/vitb_256_mae_ce_32x4_got10k_ep100 (OSTrack_ep0100.pth.tar).
_base_ = ['./_base_/ostrack_vitb.py', './_base_/train_vitb.py']
# GOT-10k one-shot protocol: GOT-10k train only, 100 epochs (step at 80), CE warm-up 20 + 50
model = dict(ce_warm_epochs=50)
train_data = dict(datasets=[dict(type='got10k', split='train', weight=1.0)])
param_scheduler = [dict(type='MultiStepLR', milestones=[80], gamma=0.1, by_epoch=True)]
train_cfg = dict(max_epochs=100)
