# OSTrack-256 (CE), trained on LaSOT, GOT-10k (vot split), COCO and TrackingNet for 300 epochs.
# Weights: zoo entry ostrack/vitb_256_mae_ce_32x4_ep300 (OSTrack_ep0300.pth.tar).
_base_ = ['./_base_/ostrack_vitb.py', './_base_/train_vitb.py']
