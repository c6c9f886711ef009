# Shared by every OSTrack config: ViT-B/16 + CENTER head, template 2.0x the box at 128 px,
# candidate elimination at blocks 3, 6, 9 keeping 70% (official experiments/ostrack/*.yaml).
pipeline = dict(
    tracker=dict(
        type='OSTrack',
        weights=None,  # path, URL or zoo name of the official checkpoint (or --weights)
        template_factor=2.0,
        template_size=128,
        search_factor=4.0,
        search_size=256,
        patch_size=16,
        embed_dim=768,
        depth=12,
        num_heads=12,
        mlp_ratio=4.0,
        head_channels=256,
        ce_loc=[3, 6, 9],
        ce_keep_ratio=[0.7, 0.7, 0.7],
        ce_template_range='CTR_POINT',
        clip_margin=10.0,
        fused_attn=True,
    ),
    refiners=[],
)
