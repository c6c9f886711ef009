import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))

from vot_simtrack.simtrack import SimTrackArch, build_simtrack  # noqa: E402

#: A small SimTrack (same sizes and token layout, narrow and shallow) for fast tests.
TINY = SimTrackArch(width=64, layers=2, heads=4, output_dim=32, hidden_dim=32, head_dim=32)


@pytest.fixture(scope="session")
def tiny_arch():
    return TINY


@pytest.fixture
def tiny_model():
    from helpers import random_state_dict
    model = build_simtrack(TINY).eval()
    model.load_state_dict(random_state_dict(model.state_dict(), seed=0), strict=True)
    return model


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    """One intra-op thread: the networks here are small, and on a shared 2-core machine
    OpenMP's thread hand-offs cost far more than they save (a 30-step micro training run
    took 60 s with 2 threads under load and 3 s with 1)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
