"""Staff and household records of the demo jurisdiction, built from the plan.

Staff are made per village to fit the profile: the roles its assignment rules ask for, enough contacts for one per
few subjects (near where the subjects live), caregivers, a custodian who is a party member or elder and never the
principal, and a coordinator; the street office holds street cadres, inspectors, clerks and, where the profile
names those levels, district and city cadres. Each subject is then assigned by the profile's assignment rules.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from .. import vocab
from ..policy import Profile
from ..rules.periods import add_months
from . import texts
from .names import People
from .personas import HouseholdBuilder, household_members
from .plan import Plan, Village, selector_matches

VILLAGE_CADRE_ROLES = ("principal", "committee_member", "area_cadre", "paired_cadre")
CONTACT_KINDS = (("村民小组长", ["contact"], False), ("网格员", ["contact", "grid_worker"], False),
                 ("志愿者", ["contact", "volunteer"], False), ("邻居", ["contact"], False), ("党员", ["contact"], True))
ONE_DAY = dt.timedelta(days=1)


@dataclass
class StaffMember:
    id: str
    name: str
    roles: list[str]
    sex: str
    post: str
    phone: str
    village: str = ""
    office_phone: str | None = None  # the office's landline, for officials (published on the site by default)
    party_member: bool = False
    elder: bool = False
    git: tuple = ()
    since: dt.date | None = None
    group: str | None = None
    load: int = 0
    order: int = 0

    def record(self) -> dict:
        return {"id": self.id, "name": self.name, "roles": self.roles, "sex": self.sex, "post": self.post,
                "phone": self.phone, "office_phone": self.office_phone, "party_member": self.party_member or None, "elder": self.elder or None,
                "git": list(self.git), "since": self.since}


def rand_date(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=rng.randint(0, max(0, (high - low).days)))


class Features:
    """What the profile asks for, read once."""

    def __init__(self, profile: Profile):
        self.roles = {r for a in profile.assignments for r in a.staff_roles}
        self.office_levels = {lv for a in profile.assignments for lv in a.office_levels}
        self.office_levels |= {s.office_level for s in profile.spot_checks}
        self.contact = (any(a.slot == "contact" for a in profile.assignments)
                        or any(c.duty == "contact" for c in profile.cadence))
        self.coordinator = (any(a.slot == "coordinator" for a in profile.assignments)
                            or any(c.duty == "coordinator" for c in profile.cadence)
                            or any(s.role == "coordinator" for s in profile.staffing))
        # active discovery (Tianhu): coordinators in every village and an information-collection group at the street
        self.collectors = any(s.role == "coordinator" for s in profile.staffing)


class World:
    def __init__(self, rng: random.Random, people: People, profile: Profile, start: dt.date, end: dt.date,
                 villages: list[Village]):
        self.rng, self.people, self.profile, self.start, self.end = rng, people, profile, start, end
        self.villages = villages
        self.features = Features(profile)
        self.staff: dict[str, list[StaffMember]] = {}  # village id ("" for the street office) -> staff
        self.by_id: dict[str, StaffMember] = {}
        self.street_cadre_of: dict[str, StaffMember] = {}
        self._order = 0

    # --- staff -------------------------------------------------------------------------------------------------

    def new_staff(self, unit: str, sid: str, roles: list[str], post: str, *, sex: str | None = None,
                  **extra) -> StaffMember:
        rng = self.rng
        sex = sex or ("male" if rng.random() < 0.55 else "female")
        # most in post since before 2020; some joined later (their assessments and agreements are dated after)
        joined = self.start - dt.timedelta(days=60)
        since = rand_date(rng, dt.date(2012, 1, 1), min(joined, dt.date(2020, 5, 1))) if rng.random() < 0.85 \
            else rand_date(rng, min(joined, dt.date(2020, 5, 1)), joined)
        self._order += 1
        self.people.publish(post)
        member = StaffMember(sid, self.people.name(sex), roles, sex, post, self.people.mobile(), unit, since=since,
                             order=self._order, **extra)
        self.staff.setdefault(unit, []).append(member)
        self.by_id[sid] = member
        return member

    def make_street(self) -> None:
        f, rng, n = self.features, self.rng, len(self.villages)
        self.new_staff("", "jd-zhuren", ["street_cadre"], "街道民政办主任", party_member=True)
        cadres = [self.new_staff("", f"jd-baocun{k}", ["street_cadre"], "街道包村干部", party_member=rng.random() < 0.7)
                  for k in range(1, max(2, math.ceil(n / 3)) + 1)]
        for village in self.villages:
            self.street_cadre_of[village.id] = cadres[village.index * len(cadres) // n]
        for k in range(1, max(2, math.ceil(n / 10)) + 1):
            self.new_staff("", f"jd-ducha{k}", ["inspector"], "街道纪工委干部" if k == 1 else "民政办工作人员",
                           party_member=True)
        for k in (1, 2):
            self.new_staff("", f"jd-luru{k}", ["clerk"], "民政办录入员", git=(f"jd-luru{k}@example.invalid",))
        if f.collectors:
            for k in (1, 2, 3):
                self.new_staff("", f"jd-caiji{k}", ["collector"], "困难救助信息采集组成员")
        if "district" in f.office_levels or "district_cadre" in f.roles:
            for k in range(1, max(1, math.ceil(n / 15)) + 1):
                self.new_staff("", f"qu-minzheng{k}", ["district_cadre"], "区民政局社会救助科干部", party_member=True)
        if "city" in f.office_levels or "city_cadre" in f.roles:
            for k in range(1, max(1, math.ceil(n / 40)) + 1):
                self.new_staff("", f"shi-minzheng{k}", ["city_cadre"], "市民政局社会救助处干部", party_member=True)

    def make_village_staff(self, village: Village) -> None:
        f, rng, vid = self.features, self.rng, village.id
        community = village.kind == "community"
        plans: list[Plan] = village.households
        self.new_staff(vid, f"{vid}-shuji", ["principal", "committee_member"],
                       "社区党委书记" if community else "村党总支书记", party_member=True)
        self.new_staff(vid, f"{vid}-zhuren", ["principal", "committee_member"],
                       "社区居委会主任" if community else "村委会主任", party_member=rng.random() < 0.7)
        subjects = sum(1 + p.second_subject for p in plans if p.status != "observation")
        for k in range(1, max(1, math.ceil(subjects / 8)) + 1):
            self.new_staff(vid, f"{vid}-baopian{k}", ["area_cadre", "committee_member"],
                           "社区居委委员" if community else "村委委员", party_member=rng.random() < 0.6)
        if "paired_cadre" in f.roles:
            self.new_staff(vid, f"{vid}-zhucun", ["paired_cadre"], "驻村第一书记", party_member=True)
        if not f.contact and {"grid_worker", "volunteer"} & f.roles:
            self.new_staff(vid, f"{vid}-wangge", ["grid_worker"], "网格员")
        if f.contact:  # one contact for about four subjects, living in the groups where most of them live
            active = [p.group for p in plans if p.status == "active"]
            homes = sorted(village.groups, key=lambda g: (-active.count(g), village.groups.index(g)))
            for k in range(1, max(1, math.ceil(len(active) / 4)) + 1):
                group = homes[(k - 1) % len(homes)]
                post, roles, party = rng.choice(CONTACT_KINDS)
                self.new_staff(vid, f"{vid}-lianxi{k:02d}", roles, f"{post}（{group}组）" if not community else post,
                               party_member=party, group=group)
        carers = sum(1 for p in plans if p.caregiver_needed and p.status != "observation")
        for k in range(1, math.ceil(carers / 2) + 1):
            self.new_staff(vid, f"{vid}-huli{k:02d}", ["caregiver"], rng.choice(("护理员", "公益性岗位护理员", "邻居")),
                           sex="female" if rng.random() < 0.8 else "male")
        pool = self.profile.custody.custodian_pool if self.profile.custody else ()
        self.new_staff(vid, f"{vid}-daiguan", ["custodian"], "寨老" if "elder" in pool else "党员",
                       party_member=True, elder="elder" in pool, sex="male")
        self.new_staff(vid, f"{vid}-xieli", ["coordinator"], "社会救助协理员")
        for rule in self.profile.staffing:
            have = sum(1 for s in self.staff[vid] if rule.role in s.roles)
            for k in range(have + 1, rule.minimum_per_village + 1):
                self.new_staff(vid, f"{vid}-{rule.role.replace('_', '')}{k}", [rule.role], "村（社区）工作人员")

    # --- assignment --------------------------------------------------------------------------------------------

    @staticmethod
    def least_loaded(pool: list[StaffMember]) -> StaffMember:
        chosen = min(pool, key=lambda s: (s.load, s.order))
        chosen.load += 1
        return chosen

    def office_pool(self, village: Village, level: str, roles) -> list[StaffMember]:
        if level == "village":
            wanted = set(roles) or set(VILLAGE_CADRE_ROLES)
            fit = [s for s in self.staff[village.id] if wanted & set(s.roles)]
            cadres = [s for s in fit if set(s.roles) & set(VILLAGE_CADRE_ROLES)]
            return cadres or fit
        street = self.staff[""]
        if level == "township":
            own = self.street_cadre_of[village.id]
            return [own] if not roles or set(own.roles) & set(roles) else [
                s for s in street if set(s.roles) & set(roles)]
        role = {"district": "district_cadre", "city": "city_cadre"}[level]
        return [s for s in street if role in s.roles]

    def responsible(self, plan: Plan, level: str | None) -> list[str]:
        village, out = plan.village, []
        rules = [a for a in self.profile.assignments if a.slot == "responsible"
                 and selector_matches(a.applies_to, plan, level)]
        if not rules:
            top = level is not None and self.profile.levels and level == max(
                self.profile.levels, key=lambda lv: lv.rank).code
            roles = ["principal"] if top else ["area_cadre"]
            return [self.least_loaded(self.office_pool(village, "village", roles)).id,
                    self.street_cadre_of[village.id].id]
        for rule in rules:
            if not rule.required and self.rng.random() > 0.3:
                continue
            levels = list(rule.office_levels) or ["village"]
            for office in levels:
                pool = self.office_pool(village, office, rule.staff_roles)
                if not pool and office == "village":
                    pool = self.office_pool(village, "township", rule.staff_roles)
                if pool:
                    chosen = self.least_loaded(pool).id
                    if chosen not in out:
                        out.append(chosen)
        if not any("township" in a.office_levels for a in rules):
            # the street's 包村干部 is on every subject's form beside the village cadre (Wangcheng annex 1);
            # where no rule names the township level, the rules take them as extra help
            out.append(self.street_cadre_of[village.id].id)
        order = {"": 1}
        out = sorted(out, key=lambda sid: order.get(self.by_id[sid].village, 0))
        if plan.wrong_role and out:
            out[0] = self.misfit(village, rules, out[0])
        return out

    def misfit(self, village, rules, chosen: str) -> str:
        """A village cadre whose role the rules do not allow (a deliberate lapse), or `chosen` when there is none."""
        allowed = {role for rule in rules for role in rule.staff_roles}
        cadres = ("principal", "area_cadre", "committee_member")
        pool = [s for s in self.staff[village.id] if any(r in cadres for r in s.roles) and not allowed & set(s.roles)]
        return pool[0].id if pool else chosen

    def contact(self, plan: Plan) -> StaffMember | None:
        pool = [s for s in self.staff[plan.village.id] if "contact" in s.roles]
        if not pool:
            return None
        near = [s for s in pool if s.group == plan.group and s.load < 4]
        return self.least_loaded(near or pool)

    def caregiver(self, plan: Plan) -> StaffMember | None:
        pool = [s for s in self.staff[plan.village.id] if "caregiver" in s.roles]
        return self.least_loaded(pool) if pool else None

    # --- households --------------------------------------------------------------------------------------------

    def household(self, plan: Plan) -> tuple[dict, list[dict]]:
        """The household record, and per subject what the activity generator needs."""
        rng, profile, end = self.rng, self.profile, self.end
        village = plan.village
        builder = HouseholdBuilder(rng, self.people, village.region, end)
        subject_member = household_members(builder, plan.persona, set(plan.facts), no_capacity=plan.custody)
        if village.kind == "community":
            address = f"{village.name}{rng.choice(texts.ROADS)}{rng.randint(1, 200)}号"
        else:
            address = f"{village.name}{plan.group}组{rng.randint(1, 80)}号"
        subjects = [self.subject(plan, subject_member, plan.facts, plan.level)]
        if plan.second_subject:
            spouse = next((m for m in builder.members if m["relation"] == "spouse"), None)
            if spouse is not None:
                first = next(m for m in builder.members if m["id"] == subject_member)
                spouse.update(self_care=first.get("self_care"), employment="unable")
                subjects.append(self.subject(plan, spouse["id"], [f for f in plan.facts if f != "lives_alone"],
                                             plan.level, share=subjects[0]))
        if plan.status == "observation" and plan.category != "observation":
            subjects = []
        policies = list(plan.persona.policies)
        if plan.custody and not {"tekun", "dibao"} & set(policies):
            policies.append("dibao")
        if any((m.get("disability") or {}).get("grade") in ("1", "2") for m in builder.members):
            policies.append("disability_allowances")
        policies = [p for p in vocab.POLICY if p in policies]
        if plan.status == "observation":  # not eligible now (the reason is written down): no benefits yet
            policies = [p for p in policies if p in ("low_income", "disability_allowances")]
        record = {"id": plan.id, "village": village.id, "group": plan.group if village.kind == "village" else None,
                  "address": address}
        if plan.status != "active":
            record.update(status=plan.status, status_date=plan.status_date, status_reason=plan.status_reason)
        record.update(policies=policies, members=builder.members, supporters=builder.supporters,
                      subjects=[s["record"] for s in subjects], needs=self.needs(plan, subjects),
                      agreements=self.agreements(plan, subjects), reviews=self.reviews(plan, subjects))
        if profile.four_haves and subjects and selector_matches(profile.four_haves.required_for, plan):
            record["four_haves"] = {"service_standard": True, "sign": rng.random() > 0.1,
                                    "emergency_plan": None if rng.random() < 0.1 else rand_date(
                                        rng, plan.enrolled, plan.enrolled + dt.timedelta(days=30))}
        return record, subjects

    def subject(self, plan: Plan, member: str, facts: list[str], level: str | None, share: dict | None = None) -> dict:
        rng = self.rng
        if share:
            responsible, contact, caregiver = share["responsible"], share["contact"], share["caregiver"]
        else:
            responsible = self.responsible(plan, level)
            contact_staff = self.contact(plan) if self.features.contact and plan.status != "observation" else None
            contact = [contact_staff.id] if contact_staff else []
            caregiver = self.caregiver(plan) if plan.caregiver_needed else None
            caregiver = caregiver.id if caregiver else None
        coordinator = None
        if self.features.coordinator:
            rules = [a for a in self.profile.assignments if a.slot == "coordinator"]
            if not rules or any(selector_matches(a.applies_to, plan) for a in rules):
                coordinator = f"{plan.village.id}-xieli"
        custodian = f"{plan.village.id}-daiguan" if plan.custody and not share else None
        assessed = max(plan.enrolled, self.by_id[responsible[0]].since)
        absences = []
        if plan.absence and not share:
            first, back = plan.absence
            absences.append({"kind": "hospital", "start": first, "end": back,
                             "note": rng.choice(("县人民医院住院治疗", "市中心医院住院", "乡镇卫生院住院"))})
        record = {"member": member, "category": plan.category, "level": level,
                  "key_person": plan.key_person or None, "support_mode": plan.support_mode, "enrolled": plan.enrolled}
        if plan.status == "exited":
            record.update(exited=plan.status_date, exit_reason=plan.status_reason)
        record.update(assessment={"facts": facts, "date": assessed, "by": responsible[0] if responsible else None},
                      assigned={"responsible": responsible, "contact": contact, "caregiver": caregiver,
                                "custodian": custodian, "coordinator": coordinator},
                      absences=absences)
        return {"record": record, "member": member, "responsible": responsible, "contact": contact,
                "caregiver": caregiver, "coordinator": coordinator, "custodian": custodian, "absences": absences}

    def needs(self, plan: Plan, subjects: list[dict]) -> list[dict]:
        rng, end = self.rng, self.end
        if not subjects:
            return []
        pool = texts.NEEDS[plan.persona.needs]
        out = []
        for k, (need, measure) in enumerate(rng.sample(pool, rng.randint(1, min(3, len(pool)))), start=1):
            since = rand_date(rng, max(plan.enrolled, end - dt.timedelta(days=330)), end - dt.timedelta(days=5))
            codes, weights = zip(*texts.NEED_STATUS_WEIGHTS)
            out.append({"id": f"n{k}", "need": need, "measure": measure, "status": rng.choices(codes, weights)[0],
                        "member": subjects[0]["member"], "since": since,
                        "due": since + dt.timedelta(days=rng.choice((30, 60, 90))),
                        "responsible": subjects[0]["responsible"][0]})
        return out

    def agreements(self, plan: Plan, subjects: list[dict]) -> list[dict]:
        rng, end = self.rng, self.end
        out = []
        for policy in self.profile.agreements:
            for s in subjects:
                if not selector_matches(policy.required_for, plan):
                    continue
                party = s["caregiver"] if policy.kind == "care" else (s["contact"][0] if s["contact"] else None)
                if party is None:
                    continue
                floor = max(plan.enrolled, self.by_id[party].since, self.by_id[s["responsible"][0]].since)
                term = policy.term_months
                # the last day is the signing day's number `term` months on (民法典 第二百零二条)
                if plan.agreement_case == "expiring":
                    signed = add_months(end + dt.timedelta(days=rng.randint(5, 25)), -term)
                elif plan.agreement_case == "expired":
                    signed = add_months(end - dt.timedelta(days=rng.randint(5, 30)), -term)
                else:
                    low = max(floor, add_months(end, -term) + dt.timedelta(days=40))
                    signed = min(end, rand_date(rng, low, max(low, end - dt.timedelta(days=20))))
                history = []
                previous = add_months(signed, -term)
                if previous >= floor and rng.random() < 0.5:
                    history.append((previous, add_months(previous, term) - ONE_DAY))
                history.append((signed, add_months(signed, term)))
                for first, last in history:
                    entry = {"id": f"a{first.year}-{len(out) + 1}", "kind": policy.kind if policy.kind != "tri_party"
                             else None, "subject": s["member"], "responsible": s["responsible"][0],
                             "contact": party if policy.kind == "tri_party" else None,
                             "caregiver": party if policy.kind == "care" else None, "signed": first, "expires": last}
                    if plan.status == "exited" and first <= plan.status_date <= last:
                        entry.update(terminated=plan.status_date, terminated_reason="对象退出关爱帮扶")
                    out.append(entry)
        return out

    def reviews(self, plan: Plan, subjects: list[dict]) -> list[dict]:
        rng, end = self.rng, self.end
        cycle = self.profile.review.cycle_months
        by_street = self.staff[""][0].id
        by_village = f"{plan.village.id}-shuji"
        out = []
        observed = plan.status_date if plan.status == "observation" else None
        if plan.enrolled >= self.start and not observed:
            out.append({"date": plan.enrolled, "result": "enter", "by": by_street, "note": "经入户调查评估，新增纳入"})
        dates = []  # in the last month of each cycle, for the last year
        month = dt.date(end.year, end.month, 1)
        month = add_months(month, -(month.month % cycle))
        while len(dates) < max(1, 12 // cycle) and month > plan.enrolled:
            day = month.replace(day=rng.randint(20, 28))
            if plan.enrolled < day <= end:
                dates.append(day)
            month = add_months(month, -cycle)
        if plan.review_missed:
            dates = dates[1:]
        for day in reversed(dates):
            if plan.status == "exited" and day >= plan.status_date:
                continue
            if observed and day <= observed:
                continue
            note = "继续列入救助观察" if observed else None
            result = "adjust" if rng.random() < 0.04 and subjects and plan.level and not observed else "keep"
            if result == "adjust":
                note = "照料情况变化，重新评估等级"
            out.append({"date": day, "result": result, "by": rng.choice((by_street, by_village)), "note": note})
        if plan.status == "exited":
            out.append({"date": plan.status_date, "result": "exit", "by": by_street, "note": plan.status_reason})
        elif plan.status == "observation":
            out.append({"date": plan.status_date, "result": "keep", "by": by_street, "note": "列入救助观察名单"})
        out.sort(key=lambda r: r["date"])
        return out
