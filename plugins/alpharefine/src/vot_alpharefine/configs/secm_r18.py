# Alpha-Refine AR18c+m (SEcm_r18): ResNet-18 and the PrRoIPool neck (template kernel pooled
# over the template box, then SE and a non-local block or residual convs, read from the
# checkpoint). Needs vot-ops (`pip install vot-alpharefine[prroi]`).
_base_ = ['./secm_r34.py']
refiner = dict(variant='secm_r18', spatial_attention='auto', weights='alpharefine/secm_r18')
