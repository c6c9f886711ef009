"""Fast CPU inference paths for transformer layers, shared by the ViT trackers.

On a CPU build with oneDNN, ``torch.ops.mkldnn._linear_pointwise`` runs a linear layer with its
bias, an activation (GELU) or a residual add fused into the GEMM. On 2 threads its GEMMs run
~1.3-2x faster than ``F.linear`` (MKL ``addmm``) at the token counts of a tracker's ViT
(150-400 rows), and the fusion saves one memory pass per fused op. The numbers are those of the
plain layers up to GEMM rounding (~1e-6 relative).

The fast path is taken only where no gradient is needed (``torch.no_grad``/``inference_mode``,
or nothing requires grad), on CPU float32 tensors; everything else (training, CUDA, other
dtypes, ``reference_mode()``) runs the plain ``F.linear`` composition, so autograd is untouched.

:func:`freeze` marks a network as inference-only: weights derived from its parameters are then
built once and cached (see :func:`derived`): linear weights pre-packed into oneDNN's blocked
layout (what inductor's freezing does; a further ~5-10% on the GEMMs, for a second copy of
those weights), or a network's own folds (conv + BatchNorm). A derived weight is rebuilt when a
source tensor changes storage or version (``load_state_dict``, ``.to()``, optimizer steps);
edits through ``.data`` bypass the version counter: call :func:`unfreeze` after them.
"""
from __future__ import annotations

import contextlib
import weakref
from typing import Any, Callable, Dict, Iterator, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn

QUICK_GELU_ALPHA = 1.702
_ENABLED = [True]
_AVAILABLE: list = []
# frozen module -> {name: (version key of its sources, derived value)}
_FROZEN: weakref.WeakKeyDictionary[nn.Module, Dict[str, tuple]] = weakref.WeakKeyDictionary()


def available() -> bool:
    """Whether this torch build has the oneDNN fused linear kernels."""
    if not _AVAILABLE:
        ok = False
        try:
            ok = (torch.backends.mkldnn.is_available()
                  and hasattr(torch.ops.mkldnn, "_linear_pointwise")
                  and hasattr(torch.ops.mkldnn, "_reorder_linear_weight")
                  and hasattr(torch.ops.mkldnn, "_convolution_pointwise"))
            if ok:  # a tiny call proves the kernels are registered for CPU
                torch.ops.mkldnn._linear_pointwise(torch.ones(1, 2), torch.ones(3, 2), None,
                                                   "none", [], "")
        except (RuntimeError, AttributeError):
            ok = False
        _AVAILABLE.append(ok)
    return _AVAILABLE[0]


@contextlib.contextmanager
def reference_mode() -> Iterator[None]:
    """Within this context every helper runs the plain PyTorch composition (for tests and
    speed comparisons)."""
    previous = _ENABLED[0]
    _ENABLED[0] = False
    try:
        yield
    finally:
        _ENABLED[0] = previous


def fast_path(x: torch.Tensor, *modules: nn.Module) -> bool:
    """True when the fused kernels may run ``modules`` on ``x``: enabled, available, CPU
    float32, and no gradient needed (grad mode off, or neither ``x`` nor a parameter of
    ``modules`` requires one)."""
    if not _ENABLED[0] or x.device.type != "cpu" or x.dtype != torch.float32:
        return False
    if torch.is_grad_enabled():
        if x.requires_grad or any(p.requires_grad for m in modules for p in m.parameters()):
            return False
    return available()


def freeze(module: nn.Module) -> nn.Module:
    """Mark ``module`` and its submodules as inference-only: derived weights (packed linear
    weights, folded conv + BatchNorm) may be built once and cached for them."""
    for m in module.modules():
        _FROZEN.setdefault(m, {})
    return module


def unfreeze(module: nn.Module) -> nn.Module:
    """Drop ``module``'s cached derived weights; its layers run on the plain parameters."""
    for m in module.modules():
        _FROZEN.pop(m, None)
    return module


def is_frozen(module: nn.Module) -> bool:
    return module in _FROZEN


def _version(t: Optional[torch.Tensor]) -> Tuple[int, int]:
    return (0, 0) if t is None else (t.data_ptr(), t._version)


def derived(module: nn.Module, name: str, sources: Sequence[Optional[torch.Tensor]],
            build: Callable[[], Any]) -> Any:
    """``build()`` cached on the frozen ``module`` under ``name`` while every tensor in
    ``sources`` keeps its storage and version (built without autograd)."""
    cache = _FROZEN[module]
    key = tuple(_version(t) for t in sources)
    entry = cache.get(name)
    if entry is None or entry[0] != key:
        with torch.no_grad():
            entry = (key, build())
        cache[name] = entry
    return entry[1]


def _weights(m: nn.Module, rows: int, names: Tuple[str, str] = ("weight", "bias"),
             scale: float = 1.0, scale_bias: bool = True
             ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """(weight, bias) of ``m`` (parameters ``names``) for the fused kernel: the plain
    parameters, or if ``m`` is frozen its packed weight (``scale`` x the weight, and x the bias
    if ``scale_bias``)."""
    weight, bias = getattr(m, names[0]), getattr(m, names[1])
    if m not in _FROZEN:
        if scale != 1.0:
            raise ValueError("scaled weights exist only for frozen modules")
        return weight, bias

    def build():
        w, b = weight, bias
        if scale != 1.0:
            w = w * scale
            b = b * scale if (b is not None and scale_bias) else b
        return torch.ops.mkldnn._reorder_linear_weight(w, rows), b

    return derived(m, f"linear:{names[0]}:{scale}:{scale_bias}", (weight, bias), build)


def linear(m: nn.Module, x: torch.Tensor, activation: str = "none",
           residual: Optional[torch.Tensor] = None,
           names: Tuple[str, str] = ("weight", "bias")) -> torch.Tensor:
    """``residual + act(F.linear(x, m.weight, m.bias))`` with ``activation`` ``'none'`` or
    ``'gelu'`` (erf GELU, as ``nn.GELU()``); an activation and a residual cannot be combined.
    ``names``: the weight and bias attributes of ``m`` (e.g. ``in_proj_weight``)."""
    if activation not in ("none", "gelu"):
        raise ValueError(f"activation must be 'none' or 'gelu', got '{activation}'")
    if activation != "none" and residual is not None:
        raise ValueError("an activation and a residual cannot be fused together")
    if not fast_path(x, m):
        y = F.linear(x, getattr(m, names[0]), getattr(m, names[1]))
        if activation == "gelu":
            y = F.gelu(y)
        return y if residual is None else residual + y
    weight, bias = _weights(m, x.numel() // x.shape[-1], names)
    if residual is not None:
        return torch.ops.mkldnn._linear_pointwise.binary(x, residual.contiguous(), weight, bias,
                                                         "add")
    return torch.ops.mkldnn._linear_pointwise(x, weight, bias, activation, [],
                                              "none" if activation == "gelu" else "")


def gelu_mlp(fc1: nn.Linear, fc2: nn.Linear, x: torch.Tensor,
             residual: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``residual + fc2(gelu(fc1(x)))`` (timm's ``Mlp`` with ``nn.GELU``, no dropout)."""
    return linear(fc2, linear(fc1, x, "gelu"), residual=residual)


def quick_gelu_mlp(fc1: nn.Linear, fc2: nn.Linear, x: torch.Tensor,
                   residual: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``residual + fc2(quick_gelu(fc1(x)))`` with ``quick_gelu(y) = y * sigmoid(1.702 y)``
    (CLIP's MLP).

    Frozen fast path: ``silu(1.702 y) = 1.702 quick_gelu(y)``, so ``fc1`` runs with its packed
    weight and bias scaled by 1.702 and oneDNN's fused SiLU, and ``fc2`` with its packed weight
    divided by 1.702. Unfrozen: the activation runs in place between the two fused linears.
    """
    if not fast_path(x, fc1, fc2):
        y = F.linear(x, fc1.weight, fc1.bias)
        y = fc2(y * torch.sigmoid(QUICK_GELU_ALPHA * y))
        return y if residual is None else residual + y
    rows = x.numel() // x.shape[-1]
    if fc1 in _FROZEN and fc2 in _FROZEN:
        w1, b1 = _weights(fc1, rows, scale=QUICK_GELU_ALPHA)
        hidden = torch.ops.mkldnn._linear_pointwise(x, w1, b1, "swish", [], "")
        w2, b2 = _weights(fc2, rows, scale=1.0 / QUICK_GELU_ALPHA, scale_bias=False)
    else:  # scaling plain weights per call would cost more than the unfused activation
        w1, b1 = _weights(fc1, rows)
        hidden = torch.ops.mkldnn._linear_pointwise(x, w1, b1, "none", [], "")
        hidden.mul_(torch.sigmoid(hidden * QUICK_GELU_ALPHA))
        w2, b2 = _weights(fc2, rows)
    if residual is not None:
        return torch.ops.mkldnn._linear_pointwise.binary(hidden, residual.contiguous(), w2, b2,
                                                         "add")
    return torch.ops.mkldnn._linear_pointwise(hidden, w2, b2, "none", [], "")


# ----------------------------------------------------------------------------------------------
# parallel convolution branches (the box heads of OSTrack / STARK-style trackers)
# ----------------------------------------------------------------------------------------------
def fold_conv_bn(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> Tuple[torch.Tensor, torch.Tensor]:
    """(weight, bias) of the conv that equals ``bn(conv(x))`` in eval mode."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
    return conv.weight * scale.view(-1, 1, 1, 1), (bias - bn.running_mean) * scale + bn.bias


def can_fuse_eval(owner: nn.Module, x: torch.Tensor) -> bool:
    """Whether ``owner`` may run folded (eval-mode) layers on ``x``: frozen, in eval mode, and
    the fast path applies."""
    return not owner.training and owner in _FROZEN and fast_path(x, owner)


def conv_branches(owner: nn.Module, branches: Sequence[Sequence[nn.Module]],
                  x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
    """Run parallel conv towers that share their input as one stack, at inference.

    Each branch is a list of layers of equal structure: ``Sequential(Conv2d, BatchNorm2d,
    ReLU)`` blocks (stride 1) then a final 1x1 ``Conv2d``; only the final output widths may
    differ. The first convs are concatenated into one, the next as grouped convs (one group a
    branch), the final 1x1 convs as one block-diagonal 1x1 conv (its zero weights add exact
    zeros); BatchNorm is folded and ReLU fused into oneDNN convs. Returns each branch's output
    (equal to the separate branches up to rounding). Requires :func:`can_fuse_eval`; the
    folded weights, packed for the input shape, are cached on the frozen ``owner``.
    """
    sources = [*owner.parameters(), *owner.buffers()]
    layers = derived(owner, f"conv_branches:{tuple(x.shape)}", sources,
                     lambda: _fold_branches(branches, tuple(x.shape)))
    for weight, bias, groups, pad, relu in layers:
        x = torch.ops.mkldnn._convolution_pointwise(x, weight, bias, [pad, pad], [1, 1], [1, 1],
                                                    groups, "relu" if relu else "none", [], "")
    widths = [branch[-1].out_channels for branch in branches]
    return tuple(t.contiguous() for t in torch.split(x, widths, dim=1))


def _fold_branches(branches: Sequence[Sequence[nn.Module]], shape: Tuple[int, ...]) -> list:
    """[(packed weight, bias, groups, padding, relu)] of the stacked branches for input
    ``shape`` (B, C, H, W)."""
    layers = []
    n = len(branches)
    for i in range(len(branches[0]) - 1):
        convs = [branch[i][0] for branch in branches]
        if any(c.stride != (1, 1) or c.dilation != (1, 1) or c.groups != 1 or
               c.padding[0] != c.padding[1] for c in convs):
            raise ValueError("conv_branches supports stride-1, undilated, ungrouped convs")
        folded = [fold_conv_bn(branch[i][0], branch[i][1]) for branch in branches]
        layers.append((torch.cat([w for w, _ in folded]), torch.cat([b for _, b in folded]),
                       1 if i == 0 else n, convs[0].padding[0], True))
    last = [branch[-1] for branch in branches]
    if any(c.kernel_size != (1, 1) for c in last):
        raise ValueError("conv_branches expects a final 1x1 conv in every branch")
    hidden = last[0].in_channels
    weight = last[0].weight.new_zeros(sum(c.out_channels for c in last), hidden * n, 1, 1)
    row = 0
    for j, conv in enumerate(last):
        weight[row:row + conv.out_channels, j * hidden:(j + 1) * hidden] = conv.weight
        row += conv.out_channels
    bias = torch.cat([c.bias if c.bias is not None else c.weight.new_zeros(c.out_channels)
                      for c in last])
    layers.append((weight, bias, 1, 0, False))
    packed = []
    for weight, bias, groups, pad, relu in layers:
        size = [shape[0], weight.shape[1] * groups, shape[2], shape[3]]
        weight = torch.ops.mkldnn._reorder_convolution_weight(weight, [pad, pad], [1, 1], [1, 1],
                                                              groups, size)
        packed.append((weight, bias, groups, pad, relu))
    return packed
