"""Demo records for what the documents ask beyond visits (issue 15): the site's start dates for those checks, monthly
reports sent, payments, the township's caregiver assessments, the care allowance, special needs, family caregivers,
supporters per subject and income changes.

Each kind is written only where the profile asks for it, complete except for one deliberate lapse, so the demo shows
each finding once or twice without flooding. The values come from a random stream of their own, so the rest of the
demo (households, visits) is the same with or without them.
"""

from __future__ import annotations

import datetime as dt
import random

from ..rules.ledgers import due_date, needs_care_review
from ..rules.periods import add_months, periods_between

CONTENT_DAYS = 30  # visits of the last month carry the content the profile asks for (visit_content_since)
INCOME_CHANGES = ("家庭成员外出务工，月收入增加约 800 元", "配偶因病停工，家庭月收入减少约 600 元",
                  "子女毕业就业，每月补贴家用约 500 元", "土地流转收入到账，年增收约 2000 元")


class Documents:
    def __init__(self, seed: int, profile, world, start: dt.date, end: dt.date):
        self.rng = random.Random(f"documents-{seed}")
        self.profile, self.world, self.start, self.end = profile, world, start, end
        self.content_since = max(start, end - dt.timedelta(days=CONTENT_DAYS))
        self.ledgers_since = max(start, add_months(end.replace(day=1), -2))
        self.lapsed: set[str] = set()
        street = [s for s in world.staff[""] if "street_cadre" in s.roles]
        self.reviewer = street[0].id if street else world.staff[""][0].id

    def lapse(self, kind: str) -> bool:
        """True the first time only: the one deliberate lapse of each kind."""
        if kind in self.lapsed:
            return False
        self.lapsed.add(kind)
        return True

    def site(self) -> dict:
        out = {"visit_content_since": self.content_since, "ledgers_since": self.ledgers_since}
        day = self.profile.monthly_report_day
        if day:
            reports = []
            for month in periods_between(self.ledgers_since, self.end, 1):
                due = due_date(month.start.year, month.start.month, day)
                if due >= self.end:
                    continue
                sent = due + dt.timedelta(days=2) if self.lapse("report") else due - dt.timedelta(
                    days=self.rng.randint(0, 3))
                reports.append({"month": month.key, "sent": sent, "to": "市社会救助服务中心"})
            out["monthly_reports"] = reports
        return out

    # --- per household --------------------------------------------------------------------------------------------

    def household(self, record: dict, plan, subjects: list[dict]) -> None:
        """Add the document records to a household record (the dict the demo writes)."""
        if not subjects:
            return
        members = {m["id"]: m for m in record["members"]}
        in_care_until = plan.status_date if plan.status != "active" else None
        self._payments(record, plan, in_care_until)
        self._care_reviews(record, plan, subjects, members, in_care_until)
        self._care_allowance(record)
        self._special_needs(plan, subjects)
        self._family(record, subjects, members)
        if plan.status == "active" and self.rng.random() < 0.12:
            responsible = subjects[0]["responsible"]
            record["income_changes"] = [{"date": self.end - dt.timedelta(days=self.rng.randint(5, 80)),
                                         "change": self.rng.choice(INCOME_CHANGES),
                                         "by": responsible[0] if responsible else None}]

    def _in_care(self, plan, day: dt.date, until) -> bool:
        return plan.enrolled <= day and (until is None or day < until)

    def _payments(self, record, plan, until) -> None:
        policy = self.profile.payments
        if policy is None:
            return
        kinds = [k for k in policy.kinds if k in (record.get("policies") or ())]
        out = []
        for month in periods_between(self.ledgers_since, self.end, 1):
            due = due_date(month.start.year, month.start.month, policy.due_day)
            if due > self.end or due < self.ledgers_since or not self._in_care(plan, due, until):
                continue
            for kind in kinds:
                paid = due + dt.timedelta(days=3) if self.lapse("payment") else max(
                    month.start, due - dt.timedelta(days=self.rng.randint(0, 4)))
                out.append({"month": month.key, "kind": kind, "paid": paid})
        if out:
            record["payments"] = out

    def _care_reviews(self, record, plan, subjects, members, until) -> None:
        custody = self.profile.custody
        if custody is None or not custody.caregiver_review_days:
            return
        out = []
        for s in subjects:
            if not needs_care_review(members[s["member"]].get("self_care"), record.get("policies") or (),
                                     s["record"].get("support_mode")):
                continue
            months = periods_between(self.ledgers_since, self.end, 1)
            if self.lapse("care_review"):
                months = months[:1]  # assessed once, then forgotten: CARE-REVIEW-DUE
            for month in months:
                day = month.start.replace(day=self.rng.randint(3, 20))
                if day <= self.end and self._in_care(plan, day, until):
                    out.append({"date": day, "subject": s["member"], "result": "adequate", "by": self.reviewer})
        if out:
            record["care_reviews"] = sorted(out, key=lambda r: (r["date"], r["subject"]))

    def _care_allowance(self, record) -> None:
        policy = self.profile.care_allowance
        if policy is None:
            return
        for member in record["members"]:
            grade = (member.get("disability") or {}).get("grade")
            if grade in policy.grades and not self.lapse("allowance"):
                member["care_allowance"] = True

    def _special_needs(self, plan, subjects) -> None:
        policy = self.profile.needs
        if policy is None or not policy.special_needs_roles:
            return
        for s in subjects:
            ok = any(r in policy.special_needs_roles for sid in s["responsible"]
                     for r in self.world.by_id[sid].roles if self.world.by_id[sid].village == plan.village.id)
            if (ok and self.rng.random() < 0.3) or (not ok and plan.key_person and self.lapse("special")):
                s["record"]["special_needs"] = True

    def _family(self, record, subjects, members) -> None:
        supporters = record.get("supporters") or []
        if supporters and len(subjects) > 1:
            supporters[0]["for_members"] = [subjects[0]["member"]]
        spouse = next((m for m in record["members"] if m["relation"] == "spouse"), None)
        first = subjects[0]
        if (spouse and spouse["id"] not in {s["member"] for s in subjects} and not first["caregiver"]
                and members[first["member"]].get("self_care") in ("partial", "none") and self.rng.random() < 0.5):
            first["record"]["assigned"]["family_caregiver"] = spouse["id"]
