"""Shared setup of the vot-ops tests."""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for ops_test_helpers

import vot_ops  # noqa: E402


@pytest.fixture(autouse=True)
def _quiet_fallback_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", vot_ops.VotOpsFallbackWarning)
        yield
