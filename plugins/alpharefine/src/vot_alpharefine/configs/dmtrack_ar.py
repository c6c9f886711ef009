# DMTrack + Alpha-Refine AR34c+m (refined box fed back through correct()).
pipeline = dict(
    tracker=dict(type='DMTrack', weights=None),  # path or zoo name of the DMTrack checkpoint
    refiners=[dict(type='AlphaRefine', weights='alpharefine/secm_r34')],
    feedback=True,
)
