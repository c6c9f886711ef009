import pytest


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Every test gets its own index cache (``$VOT_CACHE``) and no ``$VOT_DATA``."""
    monkeypatch.setenv("VOT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("VOT_DATA", raising=False)
