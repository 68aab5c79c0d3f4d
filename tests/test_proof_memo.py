"""The preview's secrets (issue 16): in a process that keeps the caches in memory, `proof.secrets_of` hands back
the last secrets while the records they were made of are the same objects, and `privacy` the last private names and
phones; they must always equal those made afresh from the records, whatever was edited."""

from __future__ import annotations

import operator
import re

import pytest

from careledger import cachestore, privacy, proof, proofcache
from careledger.load import load

from .conftest import AS_OF
from .gitkit import loaded_demo


@pytest.fixture(autouse=True)
def memory(monkeypatch, restore_cache_env):
    monkeypatch.setattr(cachestore, "_kept", {})
    monkeypatch.setattr(proof, "_last", cachestore.LastMade())
    monkeypatch.setattr(privacy, "_last", {"names": cachestore.LastMade(), "phones": cachestore.LastMade()})


def secrets(root, as_of=AS_OF):
    records, _ = load(root, today=as_of)
    return proof.secrets_of(records, records.site.privacy, as_of), proof._secrets_of(records, records.site.privacy,
                                                                                        as_of)


def test_the_kept_secrets_are_those_of_the_records(tmp_path, monkeypatch):
    root = loaded_demo(tmp_path, monkeypatch, AS_OF).root
    first, plain = secrets(root)
    assert first == plain
    again, plain = secrets(root)
    assert again is first and again == plain  # the records unchanged: the same objects, the same secrets
    visit_file = sorted((root / "visits").glob("*/*.yaml"))[-1]
    text = visit_file.read_text(encoding="utf-8")
    visit_file.write_text(text + text[text.rindex("\n- date:") + 1:], encoding="utf-8")
    after_visit, plain = secrets(root)
    assert after_visit is first and after_visit == plain  # a visit holds no value the proof looks for
    assert proofcache.secrets_digest(after_visit) == proofcache.secrets_digest(plain)
    assert proof.scanner_of(after_visit) is proof.scanner_of(first)
    household_file = sorted((root / "households").glob("*/*.yaml"))[3]
    text = household_file.read_text(encoding="utf-8")
    name = re.search(r"name: '([^']+)'", text).group(1)
    household_file.write_text(text.replace(name, "欧阳新名", 1), encoding="utf-8")
    renamed, plain = secrets(root)
    assert renamed is not first and renamed == plain and renamed != first
    assert "欧阳新名" in renamed.texts and "欧阳新名" not in first.texts
    assert proofcache.secrets_digest(renamed) == proofcache.secrets_digest(plain) != proofcache.secrets_digest(first)
    staff_file = sorted((root / "staff").glob("*.yaml"))[0]
    staff_file.write_text(staff_file.read_text(encoding="utf-8").replace("name: '", "name: '欧阳", 1),
                          encoding="utf-8")
    staffed, plain = secrets(root)
    assert staffed is not renamed and staffed == plain != renamed
    later, plain = secrets(root, AS_OF.replace(day=AS_OF.day - 1))
    assert later is not staffed and later == plain != staffed  # another as-of date


def test_without_kept_caches_the_secrets_are_made_each_time(tmp_path, monkeypatch):
    root = loaded_demo(tmp_path, monkeypatch, AS_OF).root
    monkeypatch.setattr(cachestore, "_kept", None)
    first, _ = secrets(root)
    again, plain = secrets(root)
    assert again is not first and again == first == plain


def private(root):
    """(kept names, kept phones), (names, phones) made afresh, of the records as they are now."""
    records, _ = load(root, today=AS_OF)
    settings = records.site.privacy
    return ((privacy.private_names(records, settings), privacy.private_phones(records)),
            (privacy._private_names(records, settings), privacy._private_phones(records)))


def test_the_kept_private_names_and_phones_are_those_of_the_records(tmp_path, monkeypatch):
    root = loaded_demo(tmp_path, monkeypatch, AS_OF).root
    first, plain = private(root)
    assert first == plain
    visit_file = sorted((root / "visits").glob("*/*.yaml"))[-1]
    text = visit_file.read_text(encoding="utf-8")
    visit_file.write_text(text + text[text.rindex("\n- date:") + 1:], encoding="utf-8")
    after_visit, plain = private(root)
    assert all(map(operator.is_, after_visit, first)) and after_visit == plain  # a visit names no one
    household_file = sorted((root / "households").glob("*/*.yaml"))[3]
    text = household_file.read_text(encoding="utf-8")
    name = re.search(r"name: '([^']+)'", text).group(1)
    phone = re.search(r"phone: '(1[0-9]{10})'", text).group(1)
    household_file.write_text(text.replace(name, "欧阳新名", 1).replace(phone, "13900001111", 1), encoding="utf-8")
    edited, plain = private(root)
    assert edited == plain and "欧阳新名" in edited[0] and "欧阳新名" not in first[0]
    assert "13900001111" in edited[1] and "13900001111" not in first[1]
    monkeypatch.setattr(cachestore, "_kept", None)
    made, plain = private(root)
    again, _ = private(root)
    assert made == again == plain and made[0] is not again[0]  # without kept caches: made for each records
