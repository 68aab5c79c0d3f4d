import datetime as dt
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
