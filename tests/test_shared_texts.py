"""Equal short texts of the records are one string object (schema.Text's pool, issue 16): a parse-cache pickle
then holds each once, so a warm build unpickles fewer objects and keeps fewer in memory. Values are unchanged."""

import datetime as dt
from collections import defaultdict
from dataclasses import fields

from careledger import schema
from careledger.load import load

from .gitkit import loaded_demo

AS_OF = dt.date(2026, 11, 23)


def objects_per_text(visits) -> dict[str, set[int]]:
    """Each note and checklist phrase -> the ids of the string objects that hold it."""
    found = defaultdict(set)
    for visit in visits:
        phrases = [getattr(visit.checklist, f.name) for f in fields(visit.checklist)] if visit.checklist else []
        texts = [visit.note, *phrases]
        for text in texts:
            if isinstance(text, str):
                found[text].add(id(text))
    return found


def test_equal_checklist_phrases_are_one_object_cold_and_warm(tmp_path, monkeypatch):
    repo = loaded_demo(tmp_path, monkeypatch, AS_OF)
    cold, _ = load(repo.root, today=AS_OF, cache=False)
    notes = [visit.note for visit in cold.visits if visit.note and len(visit.note) <= 40]
    assert len(set(notes)) < len(notes)  # the demo repeats its notes
    assert all(len(ids) == 1 for ids in objects_per_text(cold.visits).values())
    warm, _ = load(repo.root, today=AS_OF)  # from the parse cache: shared within each folder's pickle
    assert warm == cold
    by_month = defaultdict(list)
    for visit in warm.visits:
        by_month[visit.date.strftime("%Y-%m")].append(visit)
    for visits in by_month.values():
        assert all(len(ids) == 1 for ids in objects_per_text(visits).values())


def test_the_pool_keeps_short_texts_only_and_is_bounded(monkeypatch):
    monkeypatch.setattr(schema, "_TEXTS", {})
    node = schema.ScalarNode("tag:yaml.org,2002:str", "", style="'")
    ctx = schema.Context(findings=[], today=AS_OF, synthetic_ids=True)
    short = schema.Text().parse_text("".join(["生活", "用品充足"]), node, ctx, "", "")
    again = schema.Text().parse_text("".join(["生活用品", "充足"]), node, ctx, "", "")
    assert short is again
    note = "很长的备注" * 10
    assert schema.Text().parse_text(note, node, ctx, "", "") not in schema._TEXTS
    monkeypatch.setattr(schema, "_TEXTS", {str(i): str(i) for i in range(200_000)})
    schema.Text().parse_text("新的", node, ctx, "", "")
    assert len(schema._TEXTS) == 1
