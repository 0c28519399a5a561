"""A volunteer registered, or a volunteer's hours, told in one message ("新登记志愿者一名：姓名何丽萍，
女，电话13908165527，加入桂花社区志愿服务队，特长：理发、量血压" / "志愿者周建国昨天在龙门镇敬老院陪护
老人3个小时"). The particulars are read with the form engine's own parsers, so a value read is
one the form would accept; the volunteer an hours entry is for is never guessed from a name
(the form offers the registered volunteers to tap)."""
from __future__ import annotations

import re

from models.core.errors import ValidationError
from models.forms import particulars

from .found import Found
from .names import _place

_CN_NAME = "[\u4e00-\u9fa5]{2,4}"
_NAME_RE = re.compile(f"(?:姓名|名字|叫)[:：是]?\\s*(?P<n>{_CN_NAME}?)(?=[，,。；;：:\\s]|男|女|$)"
                      f"|志愿者(?:一名|1名)?[:：]?(?P<m>{_CN_NAME}?)(?=[，,；;\\s]|男|女)"
                      # 志愿者报名：张伟，男: a name standing alone before the gender
                      f"|(?<=[:：，,；;\\s])(?P<k>{_CN_NAME}?)(?=[，,；;\\s]*(?:男|女)[，,。；;\\s])"
                      # Zhang Min, female: an English name before the gender
                      r"|(?P<e>\b[A-Z][a-z]+ [A-Z][a-z]+)(?=,? \(?(?:male|female)\b)")
_GENDER_RE = re.compile(r"(?:性别[:：]?\s*|(?<=[，,；;\s]))(?P<g>男|女)(?:性)?(?=[，,。；;\s]|$)"
                        r"|\b(?P<e>male|female|man|woman)\b", re.I)
_PHONE_RE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")
_ID_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_TEAM_RE = re.compile(r"(?:加入了?)\s*(?P<t>[^，,。；;：:\s]{2,40}?(?:队|志愿者协会|协会|服务团))"
                      # a labelled team is whatever the label holds (队伍：雅安市蓝天救援队)
                      r"|(?:所属队伍|队伍|服务队|团队)[:：]\s*(?P<l>[^，,。；;\s]{2,40})"
                      # (joining the Hubin Street Qingchun volunteer team)
                      r"|\b(?:joined|joining) (?:the )?(?P<e>[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)*(?: [a-z]+){0,2}"
                      r" (?:[Tt]eam|[Cc]orps|[Aa]ssociation))")
_SKILLS_RE = re.compile(r"(?:特长|擅长|技能|专长|\bgood at|\bskills?:)[:：是]?\s*(?P<s>[^。；;\n]{1,80}?)(?=[。；;，,]|\.?$|\. )"
                        # a clause of what the person can do: ，会水电维修、理发，/ She can do …
                        r"|(?<=[，,；;])会(?P<c>[^，,。；;\n]{2,40})(?=[，,。；;]|$)"
                        r"|\b(?:[Ss]he|[Hh]e|[Tt]hey) can (?:do )?(?P<e>[^.;\n]{2,80}?)(?=\.|;|$)")
_HOURS_RE = re.compile(r"(?P<h>(?:[0-9]+(?:\.[0-9]+)?|[一二两三四五六七八九十]+)个?半?(?:小时|钟头)"
                       r"|半(?:个)?小时|[0-9]+(?:\.[0-9]+)? ?(?:hours|hrs|hour))")


def hours_said(text: str) -> Found | None:
    """The hours a message says were served, as the form stores them ("3", "1.5")."""
    for m in _HOURS_RE.finditer(text):
        try:
            return Found(particulars.parse_hours(m.group("h"), "hours"), m.group(0))
        except ValidationError:
            continue
    return None


def particulars_said(text: str) -> bool:
    """Whether the text gives a person's particulars: a mobile number, 姓名, 性别, 特长."""
    return bool(_PHONE_RE.search(text) or re.search("姓名|性别|特长|擅长|身份证", text))


def registration(text: str, v: dict) -> None:
    """A registered volunteer's particulars, into ``v`` (what the text does not say is asked)."""
    m = _NAME_RE.search(text)
    name = m and (m.group("n") or m.group("m") or m.group("k") or m.group("e"))
    if name:
        v["name"] = Found(name, m.group(0))
    m = _GENDER_RE.search(text)
    if m:
        g = (m.group("g") or m.group("e")).lower()
        v["gender"] = Found("female" if g in ("女", "female", "woman") else "male", m.group(0))
    for name, regex, parse in (("phone", _PHONE_RE, particulars.parse_phone),
                               ("id_number", _ID_RE, particulars.parse_id_number)):
        for m in regex.finditer(text):
            try:
                v[name] = Found(parse(m.group(0), name), m.group(0))
                break
            except ValidationError:
                continue
    m = _TEAM_RE.search(text)
    if m:
        v["team"] = Found(m.group("t") or m.group("l") or m.group("e"), m.group(0))
    m = _SKILLS_RE.search(text)
    if m:
        v["skills"] = Found((m.group("s") or m.group("c") or m.group("e")).strip(), m.group(0))


def service(text: str, v: dict) -> None:
    """A volunteer's hours of service, into ``v``: the hours and what the service was."""
    hours = hours_said(text)
    if hours:
        v["hours"] = hours
        where = _place(text)
        start = text.find(where.source) if where else -1
        done = text[start:text.find(hours.source)] if 0 <= start < text.find(hours.source) \
            else ""
        done = re.sub("^(?:在|于|到)|了$", "", done).strip()
        if 2 <= len(done) <= 100:
            v["activity"] = Found(done, done)
