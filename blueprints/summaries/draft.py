"""工作总结: the term's or year's 控辍保学 work summary, drafted from the data.

draft(unit, period, today) assembles the summary in the field's structure (一、工作概述;
二、主要工作措施 with （一）组织与责任落实 …（五）宣传引导; 三、工作成效; 四、存在的问题;
五、下一步工作计划) as a list of [heading, text] sections (paragraphs separated by a blank line)
and the dict of figures it used (name → value), which is stored on the version.

Every figure is computed through access.scoped, by the modules that own it: the rates by
blueprints/dashboard/metrics.py, aid by blueprints/aid/grants.py, pairs by
blueprints/pairs/schedule.py, 双线四包 by blueprints/responsibility/lines.py, the cases and the
ledgers by blueprints/cases/ledger.py, the warning rule by blueprints/attendance/rules.py.
Nothing is invented: a figure the data cannot support is left out together with its sentence
(no 户籍 list → no 入学率; no aid programme in the period → no aid sentence; a measure with no
record in the period → no sentence), never guessed or written as 0. A sub-section left with no
sentence is dropped and the others renumbered.

Decisions where the brief was silent:
- The period is a Term of the township or a whole 学年 (1 September to 31 August); figures of
  the period count what happened from its first day to its last day or today, whichever is
  earlier ("as of" day). The rates are the school year's from 1 September to that day, so the
  draft of the current term shows exactly the dashboard's rates.
- 入学率 needs the township's 户籍 list, so it is in the township's summary only (as on the
  dashboard, where it is the township's column alone).
- The problems (四) are the state on the "as of" day: cases still out, warnings past their due
  day and not handled by then; the aid gaps of the period's latest term; the pairing and 包保
  gaps as the register stands now (they have no history).
- Aid "发放" counts paid grants only (已发放), net of corrections; children are those with a
  positive paid total.
- No names of children appear in the text (the summary is handed to the bureau); counts only.
- The township's summary is titled with the central school's name; the central school's own
  summary (as one school) is titled "（校本部）".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

import access
import audit
from extensions import db
from models import (ACTIVITY_KINDS, PAIR_KINDS, SEMESTERS, Activity, ActivityPhoto, Pledge,
                    School, Term, WorkSummary)

NUMERALS = "一二三四五六七八九十"
LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
LEVEL2 = re.compile(r"^（[一二三四五六七八九十]+）")

# What each stored figure means, for the pages that list them.
FIGURE_LABELS = {
    "schools": "学校数", "students_start": "学年初在读（人）", "transferred_out": "转出（人）",
    "deceased": "死亡（人）", "transferred_in": "转入（人）", "dropouts": "辍学（人）",
    "left_school": "其他离校（人）",
    "consolidation_rate": "巩固率（%）", "dropout_rate": "辍学率（%）",
    "enrolment_rate": "入学率（%）", "enrolment_rate_primary": "小学适龄儿童入学率（%）",
    "enrolment_rate_junior": "初中适龄少年入学率（%）", "dropout_rate_primary": "小学辍学率（%）",
    "dropout_rate_junior": "初中辍学率（%）", "listed_children": "户籍名单适龄儿童（人）",
    "listed_enrolled": "户籍名单中在读（人）", "age_ledger": "适龄儿童台账（人）",
    "pledges_issued": "责任书、承诺书印发（份）", "pledges_signed": "责任书、承诺书已签署（份）",
    "pledges_signed_staff": "目标责任书已签署（份）", "pledges_signed_guardian": "家长承诺书、告知书已签署（份）",
    "pledges_unsigned": "责任书未签署（份）",
    "lines_children": "落实包保的在读学生（人）", "lines_school": "落实学校线包保（人）",
    "lines_government": "落实政府线包保（人）",
    "warnings_opened": "缺课预警（条）", "warnings_handled": "预警已处置（条）",
    "warnings_overdue": "超期未处置预警（条）", "visits": "家访（人次）",
    "visits_children": "家访覆盖学生（人）", "visits_warning": "因预警家访（人次）",
    "ledger_cases": "疑似辍学台账（人）", "ledger_dropouts": "辍学台账（人）",
    "abnormal_start": "期初非正常学籍（人）", "abnormal_end": "期末非正常学籍（人）",
    "abnormal_found": "查明去向并核实（人）", "abnormal_done": "非正常学籍办结（人）",
    "disabled_listed": "残联名单适龄残疾儿童（人）", "disabled_inclusive": "随班就读（人）",
    "disabled_home_delivery": "送教上门（人）", "disabled_special_school": "特教学校（人）",
    "disabled_elsewhere": "异地就读（人）", "disabled_unplaced": "残疾儿童待安置（人）",
    "enrolled_now": "现有在读（人）", "migrant_enrolled": "随迁子女在读（人）",
    "contacts_other": "电话、走访、谈心（人次）",
    "cases_new": "新立劝返个案（个）", "cases_returned": "劝返复学（人）",
    "cases_closed": "销号（个）", "cases_still_out": "未返校（人）",
    "cases_transferred": "核实转学（人）", "cases_home_delivery": "转为送教上门（人）",
    "cases_legal": "依法督促（人）", "case_visits": "入户劝返（人次）",
    "case_notices": "发给监护人的劝返文书（份）", "follow_ups": "复学回访（次）",
    "aid_fen": "资助发放（分）", "aid_yuan": "资助发放（元）", "aid_children": "获资助学生（人）",
    "aid_missing": "符合条件未获资助（人）", "aid_extra": "需核实的资助（笔）",
    "pairs": "结对帮扶（对）", "sessions": "帮扶活动（次）",
    "pairs_uncovered": "需结对未结对（人次）", "pairs_behind": "未按要求联系的结对（对）",
    "lines_missing": "包保责任人不全的重点学生（人）", "villages_without_cadre": "无村干部的村（个）",
    "meetings": "月度推进会（次）", "action_items_done": "落实会议决定事项（项）",
    "activities": "宣传引导活动（次）", "activities_reached": "活动覆盖（人次）",
    "absences": "缺课记录（条）",
}
for _kind, _label in PAIR_KINDS.items():
    FIGURE_LABELS[f"pairs_{_kind}"] = f"{_label}结对（对）"
    FIGURE_LABELS[f"sessions_{_kind}"] = f"{_label}活动（次）"
for _kind, _label in ACTIVITY_KINDS.items():
    FIGURE_LABELS[f"activities_{_kind}"] = f"{_label}（次）"


audit.NESTED_LABELS["figures"] = FIGURE_LABELS  # a summary's figures in 操作日志


def figure_label(name: str) -> str:
    return FIGURE_LABELS.get(name, name)


@dataclass
class Period:
    """A term (semester 1/2) or a whole school year (semester None)."""
    school_year: int
    semester: int | None
    start: date
    end: date
    terms: list[Term]

    @property
    def label(self) -> str:
        """2025—2026学年第一学期 (the dash of document titles)."""
        return f"{self.school_year}—{self.school_year + 1}学年" + (
            SEMESTERS[self.semester] if self.semester else "")

    @property
    def word(self) -> str:
        return "本学期" if self.semester else "本学年"

    @property
    def key(self) -> str:
        return f"term-{self.terms[0].id}" if self.semester else f"year-{self.school_year}"

    def upto(self, today: date) -> date:
        return max(self.start, min(self.end, today))


def term_period(term: Term) -> Period:
    return Period(term.school_year, term.semester, term.start_date, term.end_date, [term])


def year_period(year: int, terms: list[Term]) -> Period:
    return Period(year, None, date(year, 9, 1), date(year + 1, 8, 31),
                  sorted((t for t in terms if t.school_year == year),
                         key=lambda t: t.semester))


def period_of(summary: WorkSummary) -> Period | None:
    """The period of a saved version, from the township's terms."""
    terms = db.session.scalars(access.scoped(Term).where(
        Term.central_id == summary.central_id)).all()
    if summary.semester:
        term = next((t for t in terms if t.school_year == summary.school_year
                     and t.semester == summary.semester), None)
        return term_period(term) if term else None
    return year_period(summary.school_year, terms)


@dataclass
class Unit:
    """Whom the summary is about: one school, or the township (school None)."""
    central: School
    school: School | None
    schools: list[School]

    @property
    def ids(self) -> list[int]:
        return [s.id for s in self.schools]

    @property
    def name(self) -> str:
        if self.school is None:
            return self.central.name
        if self.school.kind == "central":
            return f"{self.school.name}（校本部）"
        return self.school.name

    @property
    def seal(self) -> str:
        return (self.school or self.central).name

    @property
    def we(self) -> str:
        return "全镇" if self.school is None else "我校"

    @property
    def key(self) -> str:
        return "town" if self.school is None else str(self.school.id)


def township_unit(central: School) -> Unit:
    schools = [s for s in access.schools() if s.township_id == central.id]
    return Unit(central, None, schools)


def school_unit(school: School) -> Unit:
    central = school if school.kind == "central" else school.parent
    return Unit(central, school, [school])


def unit_of(summary: WorkSummary) -> Unit:
    if summary.school_id:
        return school_unit(summary.school)
    return township_unit(db.session.get(School, summary.central_id))


def title_of(unit: Unit, period: Period) -> str:
    return f"{unit.name}{period.label}控辍保学工作总结"


@dataclass
class Draft:
    title: str
    sections: list[list[str]]
    figures: dict
    as_of: date


# Counting within a unit (sections.py and the appendix) ---------------------------------------

def in_unit(model, unit: Unit):
    return access.scoped(model).where(model.school_id.in_(unit.ids))


def between(column, start, end):
    return sa.and_(column >= start, column <= end)


def draft(unit: Unit, period: Period, today: date) -> Draft:
    """The summary as sections and the figures it used (see the module's docstring); the
    sections are written in sections.py."""
    from blueprints.summaries import sections  # it writes with this module's Unit and Period
    text, figures, upto = sections.write(unit, period, today)
    return Draft(title_of(unit, period), text, figures, upto)


def paragraphs(text: str) -> list[str]:
    """A section's text as paragraphs: separated by blank lines; single line breaks kept
    inside a paragraph as spaces are not wanted in Chinese, so they join without one."""
    out = []
    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")):
        block = "".join(line.strip() for line in block.split("\n"))
        if block:
            out.append(block)
    return out


def level(heading: str) -> int:
    return 2 if LEVEL2.match(heading) else 1


# Appendix ----------------------------------------------------------------------------------

@dataclass
class Evidence:
    on: date | None
    kind: str  # 活动照片 / 活动扫描件 / 责任书扫描件
    what: str
    school: str  # (no file name: a stored file's name is the app's, not the office's)


def appendix(unit: Unit, period: Period, today: date) -> list[Evidence]:
    """The activities' photos and scans and the signed pledges' scans of the period and
    school(s), by date."""
    upto = period.upto(today)
    rows: list[Evidence] = []
    for photo, activity in db.session.execute(
            in_unit(ActivityPhoto, unit).join(Activity).where(
                between(Activity.held_on, period.start, upto))
            .with_only_columns(ActivityPhoto, Activity)):
        rows.append(Evidence(activity.held_on, "活动照片" if photo.print_path else "活动扫描件",
                             f"{activity.kind_label}：{activity.title}"
                             + (f"（{photo.caption}）" if photo.caption else ""),
                             activity.school.name))
    term_ids = [t.id for t in period.terms]
    if term_ids:
        for p in db.session.scalars(in_unit(Pledge, unit).where(
                Pledge.term_id.in_(term_ids), Pledge.scan_path.is_not(None),
                Pledge.status.in_(Pledge.SIGNED))):
            rows.append(Evidence(p.signed_on, "责任书扫描件",
                                 f"{p.title}（{p.doc_no}）：{p.party_a_name} — {p.party_b_name}",
                                 p.school.name))
    rows.sort(key=lambda e: (e.on or date.max, e.kind, e.what))
    return rows


# Versions ----------------------------------------------------------------------------------

def group_condition(central_id: int, school_id: int | None, school_year: int,
                    semester: int | None):
    return sa.and_(WorkSummary.central_id == central_id,
                   WorkSummary.school_id.is_(None) if school_id is None
                   else WorkSummary.school_id == school_id,
                   WorkSummary.school_year == school_year,
                   WorkSummary.semester.is_(None) if semester is None
                   else WorkSummary.semester == semester)


def versions_of(summary: WorkSummary) -> list[WorkSummary]:
    return db.session.scalars(access.scoped(WorkSummary).where(group_condition(
        summary.central_id, summary.school_id, summary.school_year, summary.semester))
        .order_by(WorkSummary.version.desc())).all()


def save(unit: Unit, period: Period, title: str, sections: list[list[str]], figures: dict,
         user) -> WorkSummary:
    """A new version (n + 1) of the unit's summary for the period; the caller commits."""
    last = db.session.scalar(sa.select(sa.func.max(WorkSummary.version)).where(group_condition(
        unit.central.id, unit.school.id if unit.school else None, period.school_year,
        period.semester))) or 0
    row = WorkSummary(central_id=unit.central.id, school_id=unit.school.id if unit.school else None,
                      school_year=period.school_year, semester=period.semester,
                      version=last + 1, title=title, sections=sections, figures=figures,
                      user_id=user.id)
    db.session.add(row)
    return row
