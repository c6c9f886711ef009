"""Typed parameter dataclasses built from config keywords, with one error for unknown keys.

Every tracker, refiner and training config section keeps its parameters in one frozen
dataclass (defaults in one place). :func:`params_from` builds it from keywords and rejects an
unknown key with the owner's name and the closest known key::

    TypeError: OSTrack got unknown parameter(s) 'serch_factor' (did you mean 'search_factor'?);
    known: ...
"""
from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Mapping, Type, TypeVar

T = TypeVar("T")


def unknown_keys_message(owner: str, keys, known) -> str:
    """``"<owner> got unknown parameter(s) 'a' (did you mean 'b'?); known: ..."``."""
    known = list(known)
    hints = []
    for key in keys:
        close = difflib.get_close_matches(str(key), known, n=1)
        hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    return f"{owner} got unknown parameter(s) {', '.join(hints)}; known: {', '.join(known)}"


def check_known(cls: type, values: Mapping[str, Any], owner: str,
                error: Type[Exception] = TypeError) -> None:
    """Raise ``error`` naming ``owner``, each key of ``values`` that is not a field of the
    dataclass ``cls`` and its closest field."""
    known = [f.name for f in dataclasses.fields(cls)]
    unknown = [k for k in values if k not in known]
    if unknown:
        raise error(unknown_keys_message(owner, unknown, known))


def params_from(cls: Type[T], values: Mapping[str, Any], owner: str,
                error: Type[Exception] = TypeError) -> T:
    """``cls(**values)`` for a dataclass ``cls`` after :func:`check_known`."""
    check_known(cls, values, owner, error)
    return cls(**values)
