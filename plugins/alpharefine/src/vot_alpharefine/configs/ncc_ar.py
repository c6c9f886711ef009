# The core NCC baseline + Alpha-Refine AR34c+m: a network-free tracker refined by AR.
pipeline = dict(
    tracker=dict(type='NCCTracker'),
    refiners=[dict(type='AlphaRefine', weights='alpharefine/secm_r34')],
    feedback=True,
)
