"""Load SimTrack checkpoints: the official names, plus the few forms the release may have.

The official tracker loads a flat state_dict with strict names (``backbone.visual.*``,
``backbone.pos_fc.*``, ``box_head.*``, ``bottleneck.*``). The README warns that the released
Sim-B/16 came from a PYSOT-based pipeline whose names "may differ", without a mapping. So this
loader accepts exactly these forms, says what it changed, and refuses anything else:

* a container: ``{'net': ...}`` (the official trainer), ``{'state_dict': ...}``, ``{'model': ...}``
  or a flat dict (through ``vot_core.weights.extract_state_dict``);
* a ``module.`` prefix on every key (DataParallel / DDP);
* the whole CLIP model under ``backbone.model.`` (what ``CLIPVIT.freeze_layer`` still refers
  to): ``backbone.model.visual.`` -> ``backbone.visual.``;
* the PYSOT module names ``head.`` / ``rpn_head.`` for ``box_head.`` and ``neck.`` for
  ``bottleneck.``;
* CLIP's text tower next to the visual one (``transformer.``, ``token_embedding.``,
  ``positional_embedding``, ``ln_final.``, ``text_projection``, ``logit_scale`` under the CLIP
  root): dropped, by prefix (the text ``positional_embedding`` shares its last name with the
  visual one);
* float16 tensors (CLIP's release dtype): cast to float32.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

import torch

#: PYSOT-style module prefix -> official prefix.
MODULE_RENAMES: Tuple[Tuple[str, str], ...] = (
    ("backbone.model.visual.", "backbone.visual."),
    ("rpn_head.", "box_head."),
    ("head.", "box_head."),
    ("neck.", "bottleneck."),
)
#: Where the CLIP model's root may sit; its text tower is dropped there.
CLIP_ROOTS: Tuple[str, ...] = ("backbone.model.", "backbone.")
CONTAINER_KEYS: Tuple[str, ...] = ("net", "state_dict", "model")
TEXT_TOWER: Tuple[str, ...] = ("transformer.", "token_embedding.", "positional_embedding",
                               "ln_final.", "text_projection", "logit_scale")


@dataclass
class LoadReport:
    """What the loader did to reach the official names (empty lists: nothing)."""

    container: str = "flat"
    stripped_module_prefix: bool = False
    renamed: Dict[str, Tuple[str, int]] = field(default_factory=dict)  # old prefix -> (new, n)
    dropped: List[str] = field(default_factory=list)
    cast_to_float32: int = 0

    @property
    def unchanged(self) -> bool:
        return not (self.stripped_module_prefix or self.renamed or self.dropped
                    or self.cast_to_float32)

    def __str__(self) -> str:
        lines = [f"container: {self.container}"]
        if self.stripped_module_prefix:
            lines.append("stripped the 'module.' prefix from every key")
        for old, (new, n) in self.renamed.items():
            lines.append(f"renamed {n} keys '{old}*' -> '{new}*'")
        if self.dropped:
            shown = ", ".join(self.dropped[:8]) + (" ..." if len(self.dropped) > 8 else "")
            lines.append(f"dropped {len(self.dropped)} CLIP text-tower keys: {shown}")
        if self.cast_to_float32:
            lines.append(f"cast {self.cast_to_float32} float16 tensors to float32")
        if self.unchanged:
            lines.append("keys already in the official form")
        return "; ".join(lines)


def _is_text_tower(key: str) -> bool:
    """True for CLIP text-tower keys under one of the CLIP roots (matched by prefix)."""
    for root in CLIP_ROOTS:
        if key.startswith(root):
            rest = key[len(root):]
            if any(rest.startswith(t) if t.endswith(".") else rest == t for t in TEXT_TOWER):
                return True
    return False


def normalize_state_dict(state: Mapping[str, torch.Tensor],
                         container: str = "flat") -> Tuple[Dict[str, torch.Tensor], LoadReport]:
    """Rewrite one of the accepted forms to the official names; the report says how.

    Keys that fit no accepted form are left as they are, so the strict load that follows names
    them (it is the one place that refuses).
    """
    report = LoadReport(container=container)
    items = list(state.items())
    if items and all(k.startswith("module.") for k, _ in items):
        items = [(k[len("module."):], v) for k, v in items]
        report.stripped_module_prefix = True
    # text tower first: 'backbone.model.transformer.' must not be read as visual
    kept = []
    for key, value in items:
        if _is_text_tower(key):
            report.dropped.append(key)
        else:
            kept.append((key, value))
    out: Dict[str, torch.Tensor] = {}
    for key, value in kept:
        for old, new in MODULE_RENAMES:
            if key.startswith(old):
                key = new + key[len(old):]
                done = report.renamed.setdefault(old, (new, 0))
                report.renamed[old] = (new, done[1] + 1)
                break
        if isinstance(value, torch.Tensor) and value.dtype == torch.float16:
            value = value.float()
            report.cast_to_float32 += 1
        out[key] = value
    return out, report


def describe_variant(state: Mapping[str, torch.Tensor]) -> Optional[str]:
    """A short description of the ViT in a checkpoint (width, patch, layers), if it has one."""
    conv = state.get("backbone.visual.conv1.weight")
    if conv is None or conv.dim() != 4:
        return None
    layers = {k.split(".")[4] for k in state if k.startswith("backbone.visual.transformer.resblocks.")}
    return f"ViT width {conv.shape[0]}, patch {conv.shape[-1]}, {len(layers)} blocks"


def load_simtrack_weights(model: torch.nn.Module, source, map_location: str = "cpu") -> LoadReport:
    """Load ``source`` (path, URL or zoo name) into ``model`` strictly; return what was changed.

    Raises ``vot_core.weights.WeightsError`` naming the missing, unexpected and wrong-shape
    keys (and the ViT the file holds) when the checkpoint fits none of the accepted forms.
    """
    from vot_core.weights import (
        WeightsError,
        extract_state_dict,
        load_checkpoint,
        load_state_dict_strict,
    )

    checkpoint = load_checkpoint(source, map_location=map_location)
    state = extract_state_dict(checkpoint, CONTAINER_KEYS, strip_prefix="")
    container = "flat"
    for key in CONTAINER_KEYS:
        held = checkpoint.get(key) if isinstance(checkpoint, Mapping) else None
        if isinstance(held, Mapping) and held and all(isinstance(v, torch.Tensor) for v in held.values()):
            container = f"'{key}'"
            break
    state, report = normalize_state_dict(state, container)
    try:
        load_state_dict_strict(model, state, source=str(source))
    except WeightsError as exc:
        found = describe_variant(state)
        ours = describe_variant(model.state_dict())
        hint = f" The file holds a {found}; this model is a {ours}." if found and found != ours else ""
        raise WeightsError(f"{exc}{hint} (SimTrack loader: {report})") from exc
    return report
