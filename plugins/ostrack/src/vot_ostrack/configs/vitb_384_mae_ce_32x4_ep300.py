# OSTrack-384 (CE), 4 training datasets, 300 epochs.
# Weights: zoo entry ostrack/vitb_384_mae_ce_32x4_ep300 (OSTrack_ep0300.pth.tar).
_base_ = ['./_base_/ostrack_vitb_384.py', './_base_/train_vitb.py']
# 384 recipe: template 192 px, search factor 5 at 384 px, jitter centre 4.5 / scale 0.5
model = dict(template_size=192, search_size=384)
train_data = dict(sampling=dict(template=dict(size=192),
                                search=dict(factor=5.0, size=384, center_jitter=4.5, scale_jitter=0.5)))
