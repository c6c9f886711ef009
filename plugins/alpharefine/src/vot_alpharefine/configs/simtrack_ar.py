# SimTrack Sim-B/16 + Alpha-Refine AR34c+m (refined box fed back through correct()).
pipeline = dict(
    tracker=dict(type='SimTrack', variant='sim_b16', weights='sim-b16'),
    refiners=[dict(type='AlphaRefine', weights='alpharefine/secm_r34')],
    feedback=True,
)
