"""The training engine: one loop (mmengine's ``Runner``) for every plugin's network.

Plugins bring an mmengine ``BaseModel`` (registered with ``register_models``) whose
``forward(template, search, template_box, search_box, mode='loss')`` returns a dict of losses,
and configs; the engine brings pair sampling, transforms, optimisers, schedules, checkpoints,
resume and distributed data parallel.
"""
from .pairs import PairDataset, PairSamplingConfig
from .sampler import EpochIndexSampler
from .whole_frame import WholeFrameConfig, WholeFrameTransform, collate_whole_frame

__all__ = ["PairDataset", "PairSamplingConfig", "EpochIndexSampler", "WholeFrameConfig",
           "WholeFrameTransform", "collate_whole_frame"]
