import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = dt.date(2026, 11, 23)
# The font subsets `bash scripts/test` makes (careledger/paper/fonts.py), in the cache folder configured before the
# tests take their own: read here, once, at import.
_CONFIGURED_FONTS = Path(os.environ.get("CARELEDGER_CACHE_DIR") or Path(
    os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "careledger") / "fonts"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory) -> Path:
    """CARELEDGER_CACHE_DIR for this test process alone (with pytest-xdist, each worker its own): tests that do not
    choose a cache of their own neither share one with the tests another worker runs at the same time nor read or
    grow the developer's ~/.cache/careledger. It starts with the GB 2312 font subsets (`seed_fonts`)."""
    folder = tmp_path_factory.mktemp("cache")
    seed_fonts(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CARELEDGER_CACHE_DIR", str(folder))
        # no build server (buildserver.py) left behind by a test whose `careledger build` writes to the terminal
        # (pytest -s); tests/test_buildserver.py asks for one explicitly
        patch.setenv("CARELEDGER_BUILD_SERVER", "0")
        yield folder


def seed_fonts(cache: Path) -> Path:
    """Put the font subsets made already (keyed by the font file and the characters, so the same bytes a fresh
    cache would make) into the fresh cache folder `cache`: making the two GB 2312 subsets takes about 12 s of
    fontTools, most of a cold paper build on a small jurisdiction. For tests whose point is not the making of the
    subsets; the PDFs themselves are still rendered afresh. Copies from this process's cache when it has them,
    else from the one configured before the tests (`bash scripts/test` makes them there)."""
    target = cache / "fonts"
    target.mkdir(parents=True, exist_ok=True)
    for source in (Path(os.environ.get("CARELEDGER_CACHE_DIR", "/nonexistent")) / "fonts", _CONFIGURED_FONTS):
        if source.is_dir() and source.resolve() != target.resolve():
            for font in source.glob("*.otf"):
                if not (target / font.name).exists():
                    shutil.copy2(font, target / font.name)
    return cache


@pytest.fixture(autouse=True)
def no_id_key_from_the_environment(monkeypatch):
    """The public-id key comes from the environment or ~/.config (careledger/idkey.py): none of the developer's."""
    monkeypatch.delenv("CARELEDGER_ID_KEY", raising=False)
    monkeypatch.delenv("CARELEDGER_ID_KEY_FILE", raising=False)


@pytest.fixture(autouse=True)
def caches_not_kept_after(monkeypatch):
    """A test that runs `careledger serve` in its own process turns on keeping caches in memory
    (`cachestore.keep_in_memory`), which changes how later loads go (bulkread._Runs): not for the next test."""
    from careledger import cachestore

    monkeypatch.setattr(cachestore, "_kept", cachestore._kept)


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


@pytest.fixture
def closed_watchers(monkeypatch):
    """Every preview watcher a test makes is closed after it: its thread would keep later tests from forking
    workers."""
    from careledger.preview.watch import Watcher

    made = []
    init = Watcher.__init__

    def remembered(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(Watcher, "__init__", remembered)
    yield
    for watcher in made:
        watcher.close()
