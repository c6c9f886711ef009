# GlobalTrack (QG-RCNN) + Alpha-Refine AR34c+m. GlobalTrack searches the whole frame, so the
# refined box it receives through correct() only changes its reported state.
pipeline = dict(
    tracker=dict(type='GlobalTrack', weights=None),  # path or zoo name of qg_rcnn_r50_fpn
    refiners=[dict(type='AlphaRefine', weights='alpharefine/secm_r34')],
    feedback=True,
)
