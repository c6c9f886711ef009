# OSTrack-256 (CE) + Alpha-Refine AR34c+m: the refined box is returned and fed back to OSTrack
# through correct(). Weights: OSTrack's zoo entry (or --weights) and SEcmnet_ep0040-c.pth.tar.
pipeline = dict(
    tracker=dict(type='OSTrack', weights='ostrack/vitb_256_mae_ce_32x4_ep300'),
    refiners=[dict(type='AlphaRefine', weights='alpharefine/secm_r34')],
    feedback=True,
)
