"""The demo's Markdown notices: about the site, the visit cadence of the profile, the street office's contacts.

No personal data of subjects, and no raw HTML: the cadence page is written from the profile, the contact page
names only the street office's posts and its office phone.
"""

from __future__ import annotations

from .. import vocab
from ..policy import Profile


def _selector(selector, profile: Profile) -> str:
    parts = []
    if selector.levels:
        parts.append("、".join(profile.level(c).name if profile.level(c) else c for c in selector.levels))
    if selector.categories:
        parts.append("、".join(profile.category(c).name if profile.category(c) else c for c in selector.categories))
    if selector.key_person:
        parts.append("重点人员")
    if selector.support_mode:
        parts.append(vocab.SUPPORT_MODE[selector.support_mode])
    return "，".join(parts) or "全部对象"


def pages(site_name: str, profile: Profile, office_phone: str, street_staff) -> dict[str, str]:
    about = f"""# 关于本站

本站是{site_name}特殊困难群体关爱帮扶工作的内网页面，汇总各村（社区）的走访、督查和帮扶措施落实情况。

- 政策依据：{profile.title}（政策档案 `{profile.id}`）。
- 本站所有数据均为**演示数据**：姓名、身份证号（地区码以 99 开头）和电话号码都是虚构的。
- 公开页面只显示脱敏后的汇总信息；入户档案和表格只在民政办内部打印使用。

如发现记录有误，请联系街道民政办，电话 {office_phone}。
"""
    rows = []
    for rule in profile.cadence:
        warn = rule.warn_after_days or rule.interval_days
        minimum = f"，每月至少 {rule.monthly_minimum} 次" if rule.monthly_minimum else ""
        modes = "、".join(vocab.VISIT_MODE[m] for m in rule.modes) if rule.modes else "上门、电话、视频均可"
        rows.append(f"| {_selector(rule.applies_to, profile)} | {vocab.DUTY[rule.duty]} | {rule.interval_days} 天"
                    f"{minimum} | 超过 {warn} 天 | {modes} |")
    cadence = f"""# 走访频次要求

按{profile.title}，各类关爱帮扶对象的走访频次如下。走访后请在规定时间内录入走访记录。

| 对象 | 走访身份 | 最长间隔 | 预警 | 计入的方式 |
|---|---|---|---|---|
""" + "\n".join(rows) + """

突发公共事件、重大灾害、极端天气等特殊时期，按政策档案的要求加密走访。走访中发现的问题要登记限期，
办结后在后续走访中注明，形成闭环。
"""
    lines = [f"- {s.post}：{s.name}" for s in street_staff if "clerk" not in s.roles][:8]
    contacts = f"""# 联系我们

**{site_name}民政办**

- 办公电话：{office_phone}
- 办公时间：工作日 8:30–12:00，14:30–17:30

街道关爱帮扶工作人员：

""" + "\n".join(lines) + """

紧急情况（对象走失、突发疾病、房屋险情等）请先拨打 110、120，再报告村（社区）和街道民政办。
"""
    return {"about": about, "cadence": cadence, "contacts": contacts}
