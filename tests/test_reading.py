"""careledger/reading.py: the folding table kept between builds."""

import pytest


def test_the_folding_table_kept_in_the_cache_is_the_one_made_and_a_damaged_one_is_made_again(tmp_path, monkeypatch):
    """reading._table is read back from the cache (making it walks every code point); what is read back must be
    the table itself, and a torn file is not trusted."""
    from careledger import reading

    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    made = reading._made_table()
    reading._table.cache_clear()
    try:
        assert reading._table() == made  # made, then written
        [kept] = (tmp_path / "cache" / "reading").iterdir()
        reading._table.cache_clear()
        monkeypatch.setattr(reading, "_made_table", lambda: pytest.fail("the kept table was not used"))
        assert reading._table() == made
        kept.write_bytes(kept.read_bytes()[:-10])  # torn
        reading._table.cache_clear()
        monkeypatch.setattr(reading, "_made_table", lambda: {"made": "again"})
        assert reading._table() == {"made": "again"}
    finally:
        reading._table.cache_clear()
