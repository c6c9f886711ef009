"""Any timm model as a tracking backbone, built from a config without code.

``TimmBackbone(model_name='resnet50', features_only=True, out_indices=(2, 3),
pretrained_file='~/weights/resnet50.pth')`` builds ``timm.create_model`` with the weights of a
local file, URL or zoo name read through :mod:`vot_core.weights` (never a hub download, never
pickled code). timm still adapts them as it does for its own weights (classifier dropped when
``num_classes`` differs, first conv for ``in_chans``, position embeddings resampled for another
``img_size``), and a file whose keys do not fit the architecture is refused by name.
"""
from __future__ import annotations

import sys
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union
from typing import Sequence as Seq

import torch
from torch import nn

from .weights import WeightsError, extract_state_dict, load_checkpoint

__all__ = ["TimmBackbone", "create_timm_backbone"]


def _classifier_prefixes(model: nn.Module) -> Tuple[str, ...]:
    names = (getattr(model, "pretrained_cfg", None) or {}).get("classifier") or ()
    names = (names,) if isinstance(names, str) else tuple(names)
    return tuple(n + "." for n in names)


def _check_keys(model_name: str, state: Dict[str, torch.Tensor], kwargs: Dict[str, Any], source: str,
                first: int = 5) -> None:
    """Refuse a checkpoint whose non-classifier keys do not match the architecture.

    Builds the model on the meta device (no memory, no init cost), applies the model's own
    ``checkpoint_filter_fn`` as timm would, and compares key sets. timm itself loads
    non-strictly whenever it drops a classifier, which would hide missing weights.
    """
    import timm
    try:
        with torch.device("meta"):
            ref = timm.create_model(model_name, pretrained=False, **kwargs)
    except Exception:  # noqa: BLE001 - some models cannot be built on meta; timm's own checks remain
        return
    filtered = state
    filter_fn = getattr(sys.modules.get(type(ref).__module__), "checkpoint_filter_fn", None)
    if filter_fn is not None:
        try:
            filtered = filter_fn(dict(state), ref)
        except Exception:  # noqa: BLE001 - filters that need real tensors: compare unfiltered keys
            filtered = state
    skip = _classifier_prefixes(ref)
    own = [k for k in ref.state_dict() if not k.startswith(skip)]
    missing = [k for k in own if k not in filtered]
    unexpected = [k for k in filtered if k not in set(own) and not k.startswith(skip)]
    if missing or unexpected:
        def names(items: List[str]) -> str:
            return ", ".join(items[:first]) + (f", ... ({len(items) - first} more)" if len(items) > first else "")
        lines = [f"{source} does not fit timm model '{model_name}':"]
        if missing:
            lines.append(f"  {len(missing)} missing: {names(missing)}")
        if unexpected:
            lines.append(f"  {len(unexpected)} unexpected: {names(unexpected)}")
        lines.append("  Is it a checkpoint of another architecture? (pass pretrained_strict=False to load anyway)")
        raise WeightsError("\n".join(lines))


def _file_num_classes(model_name: str, state: Dict[str, torch.Tensor]) -> Optional[int]:
    """Rows of the classifier in the file (timm compares them with ``num_classes``)."""
    import timm
    cfg = timm.models.get_pretrained_cfg(model_name)
    names = getattr(cfg, "classifier", None) or ()
    for name in ((names,) if isinstance(names, str) else names):
        weight = state.get(name + ".weight")
        if weight is not None and weight.ndim >= 1:
            return int(weight.shape[0])
    return None


def create_timm_backbone(model_name: str, pretrained_file: Optional[str] = None, features_only: bool = False,
                         out_indices: Optional[Iterable[int]] = None, pretrained_strict: bool = True,
                         checkpoint_keys: Seq[str] = ("state_dict", "model", "net"), **kwargs) -> nn.Module:
    """``timm.create_model(model_name, **kwargs)`` with weights from ``pretrained_file``.

    The timm model itself is returned (its own state_dict key names), for networks that keep
    a timm backbone under an official prefix. ``pretrained_file`` is a path, URL or zoo name;
    without it the weights are random. Extra ``kwargs`` go to timm (``img_size``,
    ``num_classes``, ``drop_path_rate``, ``in_chans``, ...).
    """
    import timm

    if out_indices is not None:
        kwargs["out_indices"] = tuple(out_indices)
        features_only = True
    if not pretrained_file:
        return timm.create_model(model_name, pretrained=False, features_only=features_only, **kwargs)
    state = extract_state_dict(load_checkpoint(pretrained_file), keys=checkpoint_keys)
    if pretrained_strict:
        plain = {k: v for k, v in kwargs.items() if k not in ("out_indices", "feature_cls", "output_stride_feat")}
        _check_keys(model_name, state, plain, source=f"pretrained_file '{pretrained_file}'")
    overlay = dict(state_dict=state, source="", file=None, url=None, hf_hub_id=None)
    file_classes = _file_num_classes(model_name, state)
    if file_classes is not None:  # timm keeps the file's head only when num_classes matches it
        overlay["num_classes"] = file_classes
    try:
        return timm.create_model(model_name, pretrained=True, pretrained_cfg_overlay=overlay,
                                 features_only=features_only, pretrained_strict=pretrained_strict, **kwargs)
    except RuntimeError as exc:  # size mismatches from load_state_dict
        raise WeightsError(f"pretrained_file '{pretrained_file}' does not fit timm model '{model_name}': {exc}") from exc


class TimmBackbone(nn.Module):
    """A timm model as a backbone module (registered as ``TimmBackbone``).

    :param model_name: any ``timm.list_models()`` name.
    :param pretrained_file: weights (path, URL or zoo name) in timm's layout; None = random.
    :param features_only: return a list of feature maps (timm's feature extraction).
    :param out_indices: which feature levels to return (implies ``features_only``).
    :param pretrained_strict: refuse a file whose (non-classifier) keys differ.
    :param kwargs: passed to ``timm.create_model`` (``img_size``, ``num_classes``, ...).

    ``forward`` returns the feature list (``features_only``) or ``forward_features`` (the
    unpooled last features; tokens for a ViT). ``out_channels`` lists the channels per output.
    The wrapped model is ``self.model`` (so state_dict keys start with ``model.``).
    """

    def __init__(self, model_name: str = "resnet18", pretrained_file: Optional[str] = None,
                 features_only: bool = False, out_indices: Optional[Iterable[int]] = None,
                 pretrained_strict: bool = True, **kwargs):
        super().__init__()
        self.model_name = model_name
        self.model = create_timm_backbone(model_name, pretrained_file=pretrained_file, features_only=features_only,
                                          out_indices=out_indices, pretrained_strict=pretrained_strict, **kwargs)
        self.features_only = bool(features_only or out_indices is not None)

    @property
    def out_channels(self) -> List[int]:
        """Channels of each output (one entry without ``features_only``)."""
        if self.features_only:
            return list(self.model.feature_info.channels())
        return [int(self.model.num_features)]

    @property
    def reductions(self) -> List[int]:
        """Stride of each output with respect to the input (features_only only)."""
        if self.features_only:
            return list(self.model.feature_info.reduction())
        raise AttributeError("reductions are known for features_only backbones")

    def forward(self, x: torch.Tensor) -> Union[torch.Tensor, List[torch.Tensor]]:
        if self.features_only:
            return self.model(x)
        return self.model.forward_features(x)
