"""Fixed vocabularies: the English code stored in records and the Chinese label shown to people.

Records may be written with either the code or the label (`sex: 女` and `sex: female` are the same).
Vocabularies that a policy document defines (categories, levels) live in the profiles, not here.
"""

SEX = {"male": "男", "female": "女"}

RELATION = {
    "self": "本人", "spouse": "配偶", "child": "子女", "parent": "父母", "grandchild": "孙子女",
    "grandparent": "祖父母", "sibling": "兄弟姐妹", "child_in_law": "儿媳/女婿", "guardian": "法定监护人",
    "other": "其他",
}

MARITAL_STATUS = {"unmarried": "未婚", "married": "已婚", "divorced": "离婚", "widowed": "丧偶"}

EMPLOYMENT = {
    "employed": "在业", "farming": "务农", "migrant_worker": "外出务工", "unemployed": "失业",
    "retired": "退休", "unable": "丧失劳动能力", "student": "在校学生", "preschool": "学龄前", "other": "其他",
}

SCHOOLING = {
    "none": "未上学", "preschool": "学前教育", "primary": "小学", "junior": "初中", "senior": "高中/中职",
    "college": "大专及以上", "special": "特殊教育", "dropped_out": "辍学",
}

DISABILITY_TYPE = {
    "visual": "视力残疾", "hearing": "听力残疾", "speech": "言语残疾", "physical": "肢体残疾",
    "intellectual": "智力残疾", "mental": "精神残疾", "multiple": "多重残疾",
}

DISABILITY_GRADE = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}

SELF_CARE = {"full": "完全自理", "partial": "半失能", "none": "失能"}

CIVIL_CAPACITY = {"full": "完全民事行为能力", "limited": "限制民事行为能力", "none": "无民事行为能力"}

# 享受政策情况 (Wangcheng annex 1, with the other documents' benefit kinds)
POLICY = {
    "registered_poor": "建档立卡贫困户", "dibao": "低保对象", "tekun": "特困人员", "orphan": "孤儿",
    "unsupported_child": "事实无人抚养儿童", "disability_allowances": "残疾人两项补贴对象",
    "low_income": "低收入人口", "temporary_assistance": "临时救助",
}

SUPPORT_MODE = {"dispersed": "分散供养", "centralized": "集中供养", "none": "非供养"}

# Facts an assessment records; the profiles' level criteria are written in these terms.
ASSESSMENT_FACT = {
    "lives_alone": "独居", "disabled": "失能", "semi_disabled": "半失能", "remote": "居住偏僻",
    "no_neighbour": "周边无常年在家邻居照应", "serious_illness": "患大病", "severe_disability": "重度残疾",
    "lacks_self_care": "生活自理能力不足", "caregiver_in_difficulty": "照料人自身存在困难",
    "has_guardian": "有法定监护人或赡养、抚养人", "support_lacking": "赡养、抚养缺失或照护不到位",
    "left_behind": "留守", "empty_nest": "空巢", "no_capacity": "无民事行为能力", "no_working_guardian": "无监护人或监护人不能履职",
}

HOUSEHOLD_STATUS = {"active": "在册帮扶", "exited": "已退出", "observation": "救助观察"}

ABSENCE = {"hospital": "住院", "institution": "机构照护", "away": "外出"}

NEED_STATUS = {"open": "待解决", "in_progress": "落实中", "met": "已解决", "referred": "已转介"}

# Staff roles. A person may hold several.
ROLE = {
    "principal": "村（社）主要负责人", "committee_member": "村（居）两委成员", "area_cadre": "包片干部",
    "street_cadre": "乡镇（街道）干部", "district_cadre": "区（县）民政干部", "city_cadre": "市民政干部",
    "paired_cadre": "结对帮扶干部", "contact": "关爱帮扶联系人", "caregiver": "照料护理人",
    "custodian": "保障资金代管人", "coordinator": "社会救助协理员", "collector": "困难救助信息采集组成员",
    "clerk": "录入员", "inspector": "督查人员", "grid_worker": "网格员", "volunteer": "志愿者",
}

# The capacity in which a visit was made: cadence is counted per duty.
DUTY = {"responsible": "包保责任人", "contact": "关爱帮扶联系人", "coordinator": "社会救助协理员",
        "inspector": "督查人员", "caregiver": "照料护理人"}

VISIT_MODE = {"in_person": "上门走访", "phone": "电话", "video": "视频"}

# Wangcheng: what a care contact does, and what the home should look like.
ACTIVITY = {
    "cleaning": "打扫卫生", "laundry": "洗衣晒被", "shopping": "购买生活用品", "medical": "送医买药",
    "emotional": "精神疏导", "water_delivery": "送水上门", "safety_fix": "消除安全隐患",
    "policy_advice": "告知政策并协助申请", "service_referral": "对接服务资源",
}

HOME_CHECK = {"yard_tidy": "门前院落整洁", "items_tidy": "物品摆放整齐", "ventilated": "房间通风无异味"}

# Qiandongnan: the service checklist of each visit.
CHECKLIST = {
    "health": "健康情况", "living": "衣食住行医情况", "benefits": "享受社会保障政策待遇情况",
    "supporters_duty": "赡养扶养义务履行情况", "housing_safety": "房屋和水电气暖设施安全情况",
    "service_needs": "生活照料、康复护理、精神慰藉等服务需求",
}

LEDGER_ENTRY = {"income": "收入", "expense": "支出", "balance": "余额核对", "check": "村委会检查"}

PERIOD_KIND = {"emergency": "突发公共事件", "disaster": "重大灾害", "extreme_weather": "极端天气",
               "festival": "重要传统节日", "political": "重要政治节点", "epidemic": "疫情防控", "dry_season": "季节性缺水"}

# The township's monthly assessment of a caregiver's care (Qiandongnan 五（三）3).
CARE_REVIEW_RESULT = {"adequate": "照料到位", "inadequate": "照料不到位，须调整", "adjusted": "已调整照料护理人"}

REVIEW_RESULT = {"keep": "维持", "adjust": "调整等级或类别", "exit": "退出", "enter": "新增纳入"}

UNIT_KIND = {"village": "村", "community": "社区"}
