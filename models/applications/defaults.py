"""The approval chain and the 申报表 as the Gansu plan file carries them (its ``[approval]``
section), for a database where that plan is not loaded, and the form's words in English."""
from __future__ import annotations

from models.core.i18n import N_

#: The chain and the form when no plan with an ``[approval]`` section is loaded: the same as
#: the Gansu plan file carries them (models/data/plans/gansu_sanshe_pilot.toml), which is
#: where they are read from when it is. Levels bottom to top; the document's words.
DEFAULT_APPROVAL = {
    "kind": "pilot_application",
    # 社区筹划征集、社区居民听证、居民代表会议审议并张榜公示后 … 逐级申报
    "before_filing": [
        {"code": "needs_collected", "step": "社区筹划征集", "reads": "社区筹划征集",
         "name_en": "Needs collected and project planned", "field": "needs_collected_on"},
        {"code": "hearing", "step": "社区居民听证", "reads": "社区居民听证",
         "name_en": "Residents' hearing", "field": "hearing_on"},
        {"code": "review", "step": "居民代表会议审议", "reads": "居民代表会议审议",
         "name_en": "Residents' representatives' review", "field": "review_on"},
        {"code": "notice", "step": "张榜公示", "reads": "张榜公示",
         "name_en": "Public notice", "field": "notice_on"},
    ],
    "levels": [
        {"level": "community", "step": "社区申报", "reads": "社区申报",
         "name_en": "Community filing",
         "action": "submit"},
        {"level": "township", "step": "街道(乡镇)初核", "reads": "街道(乡镇)初核",
         "short": "街道初核",
         "name_en": "Street first review", "opinion_row": "街道(乡镇)意见"},
        {"level": "county", "step": "县级民政部门审核", "reads": "县级民政部门审核",
         "short": "县级审核",
         "name_en": "County review", "opinion_row": "县级民政部门意见"},
        {"level": "city", "step": "市级民政部门复核", "reads": "市级民政部门复核",
         "short": "市级复核",
         "name_en": "City re-review", "opinion_row": "市州民政部门意见"},
        {"level": "province", "step": "省厅审批", "reads": "省厅审批",
         "short": "省厅审批",
         "name_en": "Provincial approval", "opinion_row": "省民政厅意见", "action": "approve"},
    ],
    "form": {
        "title": "甘肃省“三社联动”试点项目申报表",
        "applicant": "申报单位",
        "applicant_levels": [{"level": "city", "label": "市(州)"},
                             {"level": "county", "label": "县(市、区)"},
                             {"level": "township", "label": "街道(乡镇)"},
                             {"level": "community", "label": "社区"}],
        "rows": [
            {"key": "project_name", "label": "项目名称", "fields": ["project_name"]},
            {"key": "community_profile", "label": "社区概况", "fields": ["community_profile"]},
            {"key": "overview", "label": "项目概况",
             "hint": "需求分析、服务对象、服务方式及项目实施周期:",
             "fields": ["needs", "beneficiaries", "service_methods", "period"],
             "parts": ["需求分析", "服务对象", "服务方式", "项目实施周期"]},
            {"key": "funding", "label": "资金需求和来源", "fields": ["funding"]},
            {"key": "subsidy", "label": "申请省级补助资金", "fields": ["subsidy"]},
            {"key": "outcomes", "label": "效果预估", "fields": ["outcomes"]},
            # rows the document's table has not: asked on the form all the same
            {"key": "service_areas", "label": "重点领域", "fields": ["service_areas"],
             "added": True},
            {"key": "implementer", "label": "承接实施", "fields": ["implementer"],
             "added": True},
            {"key": "before_filing", "label": "申报前程序",
             "fields": ["needs_collected_on", "hearing_on", "review_on", "notice_on"],
             "parts": ["社区筹划征集", "社区居民听证", "居民代表会议审议", "张榜公示"],
             "added": True},
        ],
    },
}

#: The form's words in English, by the document's words (Chinese pages show the document's).
FORM_EN = {
    "甘肃省“三社联动”试点项目申报表": N_("Gansu “Three-Society Linkage” pilot project application"),
    "申报单位": N_("Applicant"),
    "市(州)": N_("City (prefecture)"),
    "县(市、区)": N_("County (city, district)"),
    "街道(乡镇)": N_("Street (township)"),
    "社区": N_("Community"),
    "项目名称": N_("Project name"),
    "社区概况": N_("Community profile"),
    "项目概况": N_("Project overview"),
    "需求分析、服务对象、服务方式及项目实施周期:": N_(
        "Needs analysis, who it serves, how the service is delivered, and the implementation "
        "period:"),
    "需求分析": N_("Needs analysis"),
    "服务对象": N_("Who it serves"),
    "服务方式": N_("How the service is delivered"),
    "项目实施周期": N_("Implementation period"),
    "资金需求和来源": N_("Funding needed and its sources"),
    "申请省级补助资金": N_("Provincial subsidy requested"),
    "效果预估": N_("Expected results"),
    "街道(乡镇)意见": N_("Street (township) opinion"),
    "县级民政部门意见": N_("County civil-affairs bureau opinion"),
    "市州民政部门意见": N_("City (prefecture) civil-affairs bureau opinion"),
    "省民政厅意见": N_("Provincial civil-affairs department opinion"),
    "重点领域": N_("Key service areas"),
    "承接实施": N_("Who carries it out"),
    "申报前程序": N_("Steps before filing"),
    "社区筹划征集": N_("Needs collected and project planned"),
    "社区居民听证": N_("Residents' hearing"),
    "居民代表会议审议": N_("Residents' representatives' review"),
    "张榜公示": N_("Public notice"),
}
