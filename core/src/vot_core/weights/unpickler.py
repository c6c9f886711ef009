"""A restricted unpickler for checkpoints that pickled training objects.

OSTrack's trainer saves ``lib.train.admin.settings.Settings``; Alpha-Refine's saves
``ltr.admin.model_constructor.NetConstructor`` (in torch's legacy pre-1.6 format). Neither
module exists here, and running pickled code is never acceptable. This unpickler resolves only
an allow-list (torch's tensor rebuild functions, dtypes, ``torch.Size``, plain containers,
``OrderedDict``); every other global becomes an inert :class:`PickledObject` subclass that
records its arguments and state and runs no code, whatever ``__reduce__`` asked for.
"""
from __future__ import annotations

import _compat_pickle
import collections
import pickle
from typing import Any, Dict, Tuple

import torch

# module -> names that may be resolved for real. Everything here builds tensors or plain data.
_ALLOWED: Dict[str, Tuple[str, ...]] = {
    "collections": ("OrderedDict",),
    "builtins": ("set", "frozenset", "list", "dict", "tuple", "int", "float", "bool", "str", "bytes",
                 "bytearray", "complex", "slice"),
    "_codecs": ("encode",),  # protocol 2 stores bytes as _codecs.encode(str, 'latin1')
    "torch._utils": ("_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_parameter",
                     "_rebuild_parameter_with_state"),
    "torch._tensor": ("_rebuild_from_type_v2",),
    "torch": ("Size", "device", "Tensor"),
    "torch.nn.parameter": ("Parameter",),
}


class PickledObject:
    """Stand-in for a pickled object whose class is not allowed; keeps what the pickle held.

    ``pickled_class`` is ``"module.Name"``; ``args``/``kwargs`` are what the pickle passed to
    the constructor or reduce callable; ``state`` is what it passed to ``__setstate__``.
    """

    pickled_class = "?"

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        obj.args, obj.kwargs, obj.state = args, kwargs, None
        return obj

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        self.state = state

    def __repr__(self):
        return f"<unpickled {self.pickled_class} (not executed)>"

    # containers pickled by SETITEMS / APPENDS on an unknown class keep their items here
    def __setitem__(self, key, value):
        self.__dict__.setdefault("items", {})[key] = value

    def append(self, value):
        self.__dict__.setdefault("values", []).append(value)

    def extend(self, values):
        for v in values:
            self.append(v)


_PLACEHOLDERS: Dict[str, type] = {}


def placeholder(module: str, name: str) -> type:
    """The (cached) inert class standing for ``module.name``."""
    key = f"{module}.{name}"
    if key not in _PLACEHOLDERS:
        _PLACEHOLDERS[key] = type(str(name).split(".")[-1] or "Unknown", (PickledObject,),
                                  {"pickled_class": key, "__module__": "vot_core.weights.unpickled"})
    return _PLACEHOLDERS[key]


def _is_torch_constant(obj: Any) -> bool:
    return isinstance(obj, (torch.dtype, torch.layout, torch.memory_format))


class RestrictedUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` whose ``find_class`` resolves the allow-list only."""

    def find_class(self, module: str, name: str):
        # protocol <= 2 pickles name Python 2 modules (__builtin__, commands); map them as
        # pickle's own find_class does, before the allow-list is consulted
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        if module == "torch" and isinstance(name, str) and not name.startswith("_"):
            obj = getattr(torch, name, None)
            if _is_torch_constant(obj):  # torch.float32, torch.strided, torch.contiguous_format
                return obj
        return placeholder(module, name)


class restricted_pickle:  # noqa: N801 - used as a module by torch.load(pickle_module=...)
    """The ``pickle_module`` handed to ``torch.load``: ``Unpickler`` and ``load`` only."""

    __name__ = "vot_core.weights.restricted_pickle"
    Unpickler = RestrictedUnpickler

    @staticmethod
    def load(file, **kwargs):
        return RestrictedUnpickler(file, **kwargs).load()

    @staticmethod
    def loads(data, **kwargs):
        import io
        return RestrictedUnpickler(io.BytesIO(data), **kwargs).load()


def find_placeholders(obj: Any, limit: int = 20) -> list:
    """Names of the placeholder classes found in ``obj`` (a loaded checkpoint), for messages."""
    seen, out, stack = set(), [], [obj]
    while stack and len(out) < limit:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, PickledObject):
            if cur.pickled_class not in out:
                out.append(cur.pickled_class)
            stack.extend([cur.state, *cur.args, *cur.__dict__.get("items", {}).values()])
        elif isinstance(cur, (dict, collections.OrderedDict)):
            stack.extend(cur.values())
        elif isinstance(cur, (list, tuple, set)):
            stack.extend(cur)
    return out
