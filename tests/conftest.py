import datetime as dt
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = dt.date(2026, 11, 23)


@pytest.fixture
def basic(tmp_path) -> Path:
    """A writable copy of the hand-made fixture jurisdiction."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "basic", target)
    return target
