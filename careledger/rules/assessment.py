"""Level assessment (等级评估): does the recorded care level (关爱帮扶等级) match the recorded assessment facts?

In a profile with levels (Wangcheng: 三级 > 二级 > 一级), each subject in care has its level suggested from the facts
of its `assessment`: the highest-ranked level any of whose `suggest_when` criteria holds (三级: lives alone, disabled
or semi-disabled, remote, no neighbour; 二级: serious illness or severe disability, lacking self-care, or a caregiver
in difficulty; 一级: a guardian or supporter whose support is lacking). A recorded level lower than the suggested one
is warned (LVL-UNDERRATED): the subject may be visited less often than the facts call for.

A recorded level *higher* than the suggestion is not warned: an office may care for someone more closely than the
minimum, and the facts a clerk records are rarely all the facts. Facts that suggest no level say nothing either.

A subject with no assessment facts at all gets LVL-NO-BASIS: its level cannot be checked. A level the profile does not
define (E-LEVEL) and a missing level where the profile's visits follow the level (E-MISSING) are the loader's.
"""

from __future__ import annotations

from typing import Iterable

from .. import vocab
from ..findings import WARNING, Finding
from ..policy import Level, Profile
from .cases import Case

CODES = {
    "LVL-UNDERRATED": (WARNING, "记录的关爱帮扶等级低于评估事实所对应的等级，走访频次可能不足"),
    "LVL-NO-BASIS": (WARNING, "未记录等级评估依据（评估事实），无法核对关爱帮扶等级"),
}


def check(facts) -> Iterable[Finding]:
    profile: Profile = facts.profile
    if not profile.levels:
        return
    for case in facts.in_care:
        yield from _case(case, profile)


def suggest(profile: Profile, facts) -> tuple[Level, list[str]] | None:
    """The highest-ranked level with a criterion that holds, and the facts that made it hold."""
    facts = set(facts)
    for level in sorted(profile.levels, key=lambda lv: -lv.rank):
        for criterion in level.suggest_when:
            if criterion.holds(facts):
                return level, list(criterion.all_of) + [f for f in criterion.any_of if f in facts]
    return None


def _case(case: Case, profile: Profile) -> Iterable[Finding]:
    subject = case.subject
    index = case.household.subjects.index(subject)
    recorded = profile.level(subject.level) if subject.level else None
    if subject.level and recorded is None:
        return  # E-LEVEL: not a level of this profile
    assessment = subject.assessment
    recorded_facts = tuple(assessment.facts) if assessment else ()
    by = (assessment.by or "") if assessment else ""
    if not recorded_facts:
        shown = f"等级“{recorded.name}”" if recorded else "关爱帮扶等级"
        yield Finding("LVL-NO-BASIS", WARNING,
                      f"未记录等级评估依据（assessment.facts），无法核对{shown}是否恰当",
                      subject.source, path=f"subjects[{index}].assessment", subject=case.key, staff=by,
                      evidence={"recorded": subject.level, "cite": _cite(profile)})
        return
    found = suggest(profile, recorded_facts)
    if found is None:
        return
    level, matched = found
    if recorded is None and profile.cadence_driver == "level":
        return  # E-MISSING: the loader asks for the level
    if recorded is not None and recorded.rank >= level.rank:
        return
    shown = f"记录等级为{recorded.name}" if recorded else "未定等级"
    yield Finding("LVL-UNDERRATED", WARNING,
                  f"{shown}，但评估事实（{_fact_names(matched)}）符合{level.name}的定级条件：建议定为{level.name}，"
                  f"或复核评估事实（{level.cite}）",
                  subject.source, path=f"subjects[{index}].level", subject=case.key, staff=by,
                  evidence={"recorded": subject.level, "suggested": level.code, "matched_facts": matched,
                            "facts": list(recorded_facts),
                            "assessed_on": assessment.date.isoformat() if assessment.date else None,
                            "cite": level.cite})


def _fact_names(facts) -> str:
    return "、".join(vocab.ASSESSMENT_FACT.get(f, f) for f in facts)


def _cite(profile: Profile) -> str:
    return "；".join(dict.fromkeys(level.cite for level in profile.levels))
