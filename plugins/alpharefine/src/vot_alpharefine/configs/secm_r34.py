# Alpha-Refine AR34c+m (SEcm_r34, CVPR 2021): the released refiner with the official inference
# settings (RefineModule: search_factor 2.0, 256x256 input, the corner box; arena scripts:
# bbox_clip with min size 10). Compose it onto any tracker:
#   vot track VIDEO --pipeline ostrack/vitb_256_mae_ce_32x4_ep300 \
#       --refiner alpharefine/secm_r34 --refiner-weights SEcmnet_ep0040-c.pth.tar
# Every key is a field of AlphaRefineParams (an unknown key is an error).
refiner = dict(
    type='AlphaRefine',
    weights='alpharefine/secm_r34',  # zoo name, path or URL of SEcmnet_ep0040-c.pth.tar
    variant='secm_r34',
    spatial_attention='auto',  # AR18 only
    search_factor=2.0,
    input_size=256,
    box_from='corner',  # 'mask': bounding rectangle of the mask's largest contour
    return_mask=False,
    mask_threshold=0.5,
    min_contour_area=100.0,
    clip=True,
    clip_min_size=10.0,
    keep_base_if_invalid=True,
)
