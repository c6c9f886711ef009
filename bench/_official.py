"""Shared by the bench scripts: the official implementation, built by a file the user names.

The official code is not a dependency of vot; a bench compares with it when an environment
variable names a Python file defining ``build_official(...)`` (see each script's docstring).
"""
from __future__ import annotations

import importlib.util
import os
from typing import Callable, Optional


def official_builder(env_var: str) -> Optional[Callable]:
    """``build_official`` of the file named by ``$env_var``, or None when it is not set."""
    path = os.environ.get(env_var)
    if not path:
        return None
    spec = importlib.util.spec_from_file_location(f"{env_var.lower()}_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_official
