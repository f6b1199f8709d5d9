import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets a fresh on-disk cache, so no result is read from an earlier run."""
    monkeypatch.setenv("DIAGRAMS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
