"""pytest setup for vot-dmtrack: helpers importable (import-mode=importlib), two threads."""
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _two_threads():
    torch.set_num_threads(2)
    yield
