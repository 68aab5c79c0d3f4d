import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def no_id_key_from_the_environment(monkeypatch):
    """The public-id key comes from the environment or ~/.config (careledger/idkey.py): none of the developer's."""
    monkeypatch.delenv("CARELEDGER_ID_KEY", raising=False)
    monkeypatch.delenv("CARELEDGER_ID_KEY_FILE", raising=False)


@pytest.fixture
def basic(tmp_path) -> Path:
    """A writable copy of the hand-made fixture jurisdiction."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "basic", target)
    return target


@pytest.fixture
def restore_cache_env():
    """CARELEDGER_CACHE_DIR as it was before the test (tests that build in fresh caches set it as they go)."""
    saved = os.environ.get("CARELEDGER_CACHE_DIR")
    yield
    if saved is None:
        os.environ.pop("CARELEDGER_CACHE_DIR", None)
    else:
        os.environ["CARELEDGER_CACHE_DIR"] = saved
