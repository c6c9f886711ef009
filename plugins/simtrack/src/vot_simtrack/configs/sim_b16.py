# SimTrack Sim-B/16 (CLIP ViT-B/16), official test settings (experiments/simtrack/baseline.yaml).
# Weights: the released sim-b16.pth (zoo name 'sim-b16'), e.g.
#   vot track VIDEO --pipeline simtrack/sim_b16 --weights sim-b16.pth --init-box x,y,w,h
pipeline = dict(
    tracker=dict(
        type='SimTrack',
        variant='sim_b16',
        template_factor=2.0,
        template_size=112,
        search_factor=4.0,
        search_size=224,
        foveal_size=64,
        clip_margin=10.0,
    ),
    refiners=[],
)
