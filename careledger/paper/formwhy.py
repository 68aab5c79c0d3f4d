"""Why a pre-filled form made no PDF for the households or villages chosen: `why_none` gives one warning a form.

`careledger forms --form X --household Y` that prints nothing must say why: the form is for subjects of another kind
(its `requires`), the household has no subject in care or has left, a roster is printed only for the whole
jurisdiction (`--all`), or the form belongs to another profile than the one the records use.
"""

from __future__ import annotations

from ..findings import WARNING, Finding, Source
from .forms import is_truthy, value_at

NATURE = {"subject": "每个关爱帮扶对象一份", "household": "每户一份", "village": "每个村（社区）一份",
          "roster": "全辖区一份（花名册）"}
REQUIRES = {  # a form's `requires` path → which subjects it is for
    "subject.dispersed_support": "分散供养的特困人员",
    "custody": "有保障资金代管台账的对象",
}


def why_none(forms, documents, records, dossiers, selection, contexts) -> list[Finding]:
    """A warning for each form in `forms` that none of `documents` comes from, saying why. `contexts(form)` gives
    the (key, context) pairs the form was tried with before its `requires` were checked."""
    made = {doc.form.name for doc in documents}
    chosen = [d for d in dossiers if selection.household(d)]
    who = "、".join(sorted(selection.households or ())) or "、".join(sorted(selection.villages or ())) or "全部"
    out = []
    for form in forms:
        if form.name in made:
            continue
        reasons = []
        tried = contexts(form)
        if form.nature == "roster" and not selection.everything:
            reasons.append("花名册覆盖全辖区，只在加 --all 时预填")
        elif form.nature == "subject" and not any(d.subjects_in_care for d in chosen):
            reasons.append("所选的户没有在册的关爱帮扶对象")
        elif form.nature == "household" and chosen and all(d.status == "已退出" for d in chosen):
            reasons.append("所选的户已退出，不再预填")
        elif tried and form.requires:
            missing = [p for p in form.requires if not any(is_truthy(value_at(ctx, p)) for _, ctx in tried)]
            wanted = "、".join(REQUIRES.get(p, f"“{p}”有值的记录") for p in missing)
            names = "、".join(_name(ctx) for _, ctx in tried)
            reasons.append(f"此表只为{wanted}预填，所选范围内的{names}都不是")
        if not reasons:
            reasons.append("所选范围内没有可预填的记录")
        if form.profile != records.profile.id:
            reasons.append(f"另：此表属于政策档案 {form.profile}，本辖区使用的是 {records.profile.id}")
        out.append(Finding("W-FORM-NONE", WARNING,
                           f"表格“{form.name}”（{form.title}，{NATURE.get(form.nature, form.nature)}）没有生成 PDF"
                           f"（所选：{who}）：" + "；".join(reasons), Source(f"forms/{form.name}.yaml")))
    return out


def _name(ctx) -> str:
    member = getattr(ctx, "member", None)
    if member is not None:
        return f"{member.name}（{ctx.dossier.household_id}）"
    dossier = getattr(ctx, "dossier", None)
    return f"户 {dossier.household_id}" if dossier is not None else "记录"
