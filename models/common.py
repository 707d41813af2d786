"""Codes and labels shared by every table, names and dates, and Steps (a status that only
moves forward)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from pypinyin import Style, lazy_pinyin

from refusal import Refusal

SCHOOL_KINDS = {"central": "中心学校", "village": "村小", "point": "教学点"}

ROLES = {
    "central_officer": "中心校管理员",
    "central_leader": "中心校领导",
    "village_head": "村小负责人",
    "teacher": "教师",
    "inspector": "督导查看",
}

# The job beside the school's name on a paper (石桥村小负责人, 青山镇中心学校控辍专干): a role is
# what the app lets a user do, not a title
POSTS = {"central_officer": "控辍专干", "central_leader": "领导", "village_head": "负责人",
         "teacher": "教师", "inspector": "督导"}

STATUSES = {
    "enrolled": "在读",
    "suspended": "休学",
    "transferred": "转出",
    "dropout": "辍学",
    "left": "其他离校",
    "problem": "问题学籍",  # the 学籍 system's duplicate or faulty records (models/records.py)
    "graduated": "毕业",
    "deceased": "死亡",
    "removed": "已删除学籍",  # a 问题学籍 deleted on the county's approval
}

# 身份证件类型 as the 学籍 system has them (its codes in importer.py). A 居民身份证 (and a 港澳台
# 居民居住证, 18 digits under the same check) is Student.id_number; any other document's number is
# Student.id_document; a child with none yet has neither.
ID_TYPES = {
    "resident": "居民身份证",
    "hk": "香港特区护照/身份证明",
    "macao": "澳门特区护照/身份证明",
    "taiwan": "台湾居民来往大陆通行证",
    "permanent": "境外永久居住证",
    "passport": "护照",
    "other": "其他证件",
    "none": "尚无证件",
}

PLACEMENTS = {
    "in_school": "在校就读",
    "inclusive": "随班就读",
    "home_delivery": "送教上门",
    "special_school": "特教学校",
    "elsewhere": "异地就读",
}
# Placements of a child who is not in their class day by day (taught at home, at a special
# school, in another place): off the daily attendance grid and its warnings.
AWAY_PLACEMENTS = ("home_delivery", "special_school", "elsewhere")

# Focus groups (重点群体): each is a boolean column on Student of the same name.
FOCUS_FLAGS = {
    "left_behind": "留守",
    "single_parent": "单亲",
    "orphan": "孤儿/事实无人抚养",
    "poverty": "脱贫/低保/特困",
    "disabled": "残疾",
    "learning_difficulty": "学困",
    "migrant": "随迁",
    "school_weary": "厌学",
}

GRADES = {1: "一年级", 2: "二年级", 3: "三年级", 4: "四年级", 5: "五年级", 6: "六年级",
          7: "七年级", 8: "八年级", 9: "九年级"}

SEMESTERS = {1: "第一学期", 2: "第二学期"}

# pypinyin reads a surname like an ordinary word; these surnames read differently.
SURNAME_READINGS = {"曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "查": "zha", "区": "ou",
                    "朴": "piao", "乐": "yue", "覃": "qin", "翟": "zhai", "缪": "miao", "尉": "yu",
                    "盖": "ge", "种": "chong", "繁": "po", "员": "yun", "秘": "bi", "燕": "yan"}


def name_pinyin(name: str) -> list[str]:
    """Syllables of a Chinese name, surname read as a surname: 曾小明 → [zeng, xiao, ming]."""
    name = (name or "").strip()
    if not name:
        return []
    head = SURNAME_READINGS.get(name[0])
    if head:
        return [head] + [s.lower() for s in lazy_pinyin(name[1:], style=Style.NORMAL)]
    return [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL)]


def school_year_of(day: date) -> int:
    """The 学年 a day belongs to, by its starting year: 2025-09-01 .. 2026-08-31 → 2025."""
    return day.year if day.month >= 9 else day.year - 1


def month_bounds(day: date) -> tuple[date, date]:
    """The first and the last day of the day's month."""
    first = day.replace(day=1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, after - timedelta(days=1)


def last_month(day: date) -> tuple[date, date]:
    """The first and the last day of the month before the day's."""
    return month_bounds(day.replace(day=1) - timedelta(days=1))


def month_spans(start: date, end: date) -> list[tuple[date, date]]:
    """(first, last) of every calendar month from start's month to end's."""
    spans = []
    while start <= end:
        spans.append(month_bounds(start))
        start = spans[-1][1] + timedelta(days=1)
    return spans


def school_year_label(year: int) -> str:
    return f"{year}–{year + 1}学年"


def mask_id(number: str | None) -> str:
    """3404**********1234: lists and public papers show only the first and last four."""
    n = number or ""
    return f"{n[:4]}{'*' * (len(n) - 8)}{n[-4:]}" if len(n) > 8 else n


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


class Steps:
    """A status that moves forward through STEPS; every step passed is dated in its
    `<step>_on` column (a signed paper was printed), with the day it happened (signed last
    Friday, marked today), never later than today nor before the first step. A step marked by
    mistake can be taken back the day it was marked (undo). Subclasses set STEPS and LABELS."""
    STEPS: tuple[str, ...] = ()
    LABELS: dict[str, str] = {}
    BY_HAND: tuple[str, ...] = ()  # the steps a person marks (and may take back the same day)

    @property
    def status_label(self) -> str:
        return self.LABELS.get(self.status, self.status)

    def advance(self, to: str, on: date, today: date | None = None) -> None:
        steps = self.STEPS
        if to not in steps or steps.index(to) <= steps.index(self.status):
            raise Refusal(f"不能从“{self.status_label}”改为“{self.LABELS.get(to, to)}”。")
        first = getattr(self, f"{steps[0]}_on", None)
        if on > (today or on):
            raise Refusal(f"{self.LABELS[to]}的日期不能晚于今天。")
        if first and on < first:
            raise Refusal(f"{self.LABELS[to]}的日期不能早于{self.LABELS[steps[0]]}的日期（{first}）。")
        for step in steps[steps.index(self.status) + 1: steps.index(to) + 1]:
            if getattr(self, f"{step}_on") is None:
                setattr(self, f"{step}_on", on)
        self.status = to

    def undo(self, marked_today: bool) -> None:
        """Back one step (a mis-click): only the day the step was marked (marked_today, from
        the audit log); the step's date goes with it."""
        at = self.STEPS.index(self.status)
        if self.status not in self.BY_HAND or not marked_today:
            raise Refusal(f"“{self.status_label}”不是今天标记的，不能撤销。如确需更正，请联系中心校管理员。")
        setattr(self, f"{self.status}_on", None)
        self.status = self.STEPS[at - 1]
