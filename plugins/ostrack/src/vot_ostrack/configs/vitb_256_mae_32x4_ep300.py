# OSTrack-256 without candidate elimination (the same ViT, every search token kept).
# Weights: zoo entry ostrack/vitb_256_mae_32x4_ep300 (OSTrack_ep0300.pth.tar).
_base_ = ['./_base_/ostrack_vitb.py', './_base_/train_vitb.py']
pipeline = dict(tracker=dict(ce_loc=[], ce_keep_ratio=[]))
model = dict(ce_loc=[], ce_keep_ratio=[])
