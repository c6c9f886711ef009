# A few iterations of the Alpha-Refine recipe on the synthetic-tiny suite (tests, CPU): the
# full SEcm_r34 network with random initialisation, batch 2, Adam 1e-3.
_base_ = ['./train_secm_r34.py']
model = dict(type='AlphaRefineModel', pretrained_backbone=None)
train_data = dict(
    datasets=[dict(type='synthetic', split='tiny', weight=1.0)],
    batch_size=2,
    num_workers=0,
    sampling=dict(samples_per_epoch=8, max_gap=10, min_visible=2),
)
train_cfg = dict(by_epoch=True, max_epochs=1)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1),
                     logger=dict(type='LoggerHook', interval=1))
