# Baseline: normalised cross-correlation template matching with a 3-scale search
# (vot_core.baseline.ncc.NCCTracker). No weights; runs on the CPU at hundreds of frames/s.
# Every key below is a field of NCCParams; an unknown key is an error.
pipeline = dict(
    tracker=dict(
        type='NCCTracker',
        search_factor=2.5,
        scales=(0.96, 1.0, 1.04),
        scale_penalty=0.985,
        scale_lr=0.6,
        window_influence=0.1,
        template_size=48,
        template_lr=0.0,
        color=True,
    ),
    refiners=[],
)
