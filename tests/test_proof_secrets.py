"""The privacy proof gathers a household's personal values from the summary cached with its file's records
(refs.personal_values, issue 16) instead of walking every household on every build. It must still find every value:
a new one in a changed file is looked for, a removed one is not, warm as cold; a household replaced in memory (a
test, `entry` writing a change) is walked again."""

import dataclasses
import datetime as dt

import pytest

from careledger import proof
from careledger.load import load
from careledger.records import Household

from .gitkit import Repo, git, loaded_demo

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Repo:
    return loaded_demo(tmp_path, monkeypatch, AS_OF)


def secrets(records):
    return proof.secrets_of(records, records.site.privacy, AS_OF)


def walked(records):
    """The secrets as found by walking every household's fields (the reading before the summaries)."""
    return secrets(dataclasses.replace(records, personal={}))


def first_household(repo: Repo) -> tuple[str, str, str]:
    path = sorted((repo.root / "households").glob("*/*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    name = text.split("name: '", 1)[1].split("'", 1)[0]
    return path.relative_to(repo.root).as_posix(), name, text


def test_the_secrets_come_from_the_summaries_and_equal_the_walk(repo, monkeypatch):
    records = load(repo.root, today=AS_OF)[0]
    assert set(records.personal) == {h.source.file for h in records.households}
    walked_records = []
    real = proof.values_of

    def counting(record):
        walked_records.append(type(record))
        return real(record)

    monkeypatch.setattr(proof, "values_of", counting)
    found = secrets(records)
    assert Household not in walked_records  # only the staff are walked
    assert found == walked(records)


def test_a_new_personal_value_in_a_changed_file_is_looked_for_and_a_removed_one_is_not(repo):
    rel, name, _ = first_household(repo)
    assert name in secrets(load(repo.root, today=AS_OF)[0]).texts
    new_name = "萧新名"  # synthetic
    repo.replace(rel, f"name: '{name}'", f"name: '{new_name}'")
    repo.commit("2026-11-20", "改名")
    warm = load(repo.root, today=AS_OF)[0]
    cold = load(repo.root, today=AS_OF, cache=False)[0]
    found = secrets(warm)
    assert new_name in found.texts
    assert name not in found.texts or name in walked(cold).texts  # gone, unless another record holds it too
    assert found == secrets(cold) == walked(cold)


def test_a_dirty_file_and_a_deleted_household_file(repo):
    rel, name, text = first_household(repo)
    new_phone = "13999990000"
    (repo.root / rel).write_text(text.replace(f"name: '{name}'", f"name: '{name}'\n    phone: '{new_phone}'", 1),
                                 encoding="utf-8")  # not committed
    warm = load(repo.root, today=AS_OF)[0]
    assert new_phone in secrets(warm).numbers
    assert secrets(warm) == walked(load(repo.root, today=AS_OF, cache=False)[0])
    (repo.root / rel).unlink()
    warm = load(repo.root, today=AS_OF)[0]
    assert rel not in warm.personal
    assert secrets(warm) == walked(load(repo.root, today=AS_OF, cache=False)[0])


def test_a_household_replaced_in_memory_is_walked_again(repo):
    records = load(repo.root, today=AS_OF)[0]
    first = records.households[0]
    member = dataclasses.replace(first.members[0], name="萧换名")  # synthetic
    changed = dataclasses.replace(records, households=(dataclasses.replace(first, members=(member,)),
                                                       *records.households[1:]))
    assert changed.personal is records.personal  # the summaries are carried along, but not used for it
    found = secrets(changed)
    assert "萧换名" in found.texts
    assert found == walked(changed)


def test_an_added_a_renamed_household_file_and_a_checkout_to_an_older_commit(repo):
    rel, name, text = first_household(repo)
    first = repo.head()
    stem = rel.rpartition("/")[2].removesuffix(".yaml")
    added = rel.replace(stem, "zz-901")
    newcomer = "欧阳新户"  # synthetic
    repo.write({added: text.replace(f"id: '{stem}'", "id: 'zz-901'").replace(f"name: '{name}'",
                                                                                f"name: '{newcomer}'", 1)})
    untracked = load(repo.root, today=AS_OF)[0]  # an untracked file is read like any other
    assert newcomer in secrets(untracked).texts
    assert secrets(untracked) == walked(load(repo.root, today=AS_OF, cache=False)[0])
    repo.commit("2026-11-20", "新增一户")
    renamed = added.replace("zz-901", "zz-902")
    (repo.root / added).rename(repo.root / renamed)
    repo.commit("2026-11-21", "改文件名")
    warm = load(repo.root, today=AS_OF)[0]
    assert renamed in warm.personal and added not in warm.personal
    assert newcomer in secrets(warm).texts
    assert secrets(warm) == walked(load(repo.root, today=AS_OF, cache=False)[0])
    git(repo.root, "checkout", "-q", first)
    older = load(repo.root, today=AS_OF)[0]
    assert newcomer not in secrets(older).texts
    assert secrets(older) == walked(load(repo.root, today=AS_OF, cache=False)[0])


def test_forms_read_by_other_code_are_read_again(repo):
    """A summary's forms (each value as the proof looks for it, lookfor.py) are used only under the reading they
    were made with: under another, the values are read again, and the secrets are the same."""
    records = load(repo.root, today=AS_OF)[0]
    stale = {rel: (households, values, tuple(("stale",) for _ in values), "another reading")
             for rel, (households, values, _, _) in records.personal.items()}
    assert secrets(dataclasses.replace(records, personal=stale)) == secrets(records) == walked(records)


def test_the_private_names_and_phones_are_kept_per_records_and_settings(repo):
    """privacy.private_names and private_phones are worked out once per records object (the view and the proof
    both ask): other settings, or other records, are worked out anew."""
    from careledger import privacy

    records = load(repo.root, today=AS_OF)[0]
    settings = records.site.privacy
    other = dataclasses.replace(settings, publish_cadre_names=not settings.publish_cadre_names)
    for given in (settings, other, settings):
        assert privacy.private_names(records, given) == privacy._private_names(records, given)
    assert privacy.private_names(records, settings) != privacy.private_names(records, other)
    first = records.households[0]
    member = dataclasses.replace(first.members[0], name="萧换名", phone="13999990001")  # synthetic
    changed = dataclasses.replace(records, households=(dataclasses.replace(first, members=(member,)),
                                                       *records.households[1:]))
    assert privacy.private_phones(records) == privacy._private_phones(records)
    assert "萧换名" in privacy.private_names(changed, settings) and "13999990001" in privacy.private_phones(changed)
