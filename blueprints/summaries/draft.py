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
from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

import access
import audit
from blueprints.aid import grants
from blueprints.attendance import rules
from blueprints.cases import ledger
from blueprints.dashboard import metrics
from blueprints.pairs import schedule
from blueprints.responsibility import lines
from extensions import db
from models import (ACTIVITY_KINDS, GOVERNMENT_LINE, GUARDIAN_KINDS, PAIR_KINDS, SCHOOL_LINE,
                    SEMESTERS, Absence, ActionItem, Activity, ActivityPhoto, AidGrant,
                    CaseNotice, CaseStep, DropoutCase, EarlyWarning, FollowUp, HomeVisit,
                    HouseholdChild, Meeting, Pledge, PledgeTemplate, Responsibility, School,
                    Student, Term, TutoringPair, TutoringSession, WorkSummary, yuan)

NUMERALS = "一二三四五六七八九十"
LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
LEVEL2 = re.compile(r"^（[一二三四五六七八九十]+）")

# What each stored figure means, for the pages that list them.
FIGURE_LABELS = {
    "schools": "学校数", "students_start": "学年初在读（人）", "transferred_out": "转出（人）",
    "deceased": "死亡（人）", "transferred_in": "转入（人）", "dropouts": "辍学（人）",
    "consolidation_rate": "巩固率（%）", "dropout_rate": "辍学率（%）",
    "enrolment_rate": "入学率（%）", "listed_children": "户籍名单适龄儿童（人）",
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
    "cases_new": "新立劝返个案（个）", "cases_returned": "劝返复学（人）",
    "cases_closed": "销号（个）", "cases_still_out": "未返校（人）",
    "cases_transferred": "核实转学（人）", "cases_home_delivery": "转为送教上门（人）",
    "cases_legal": "依法督促（人）", "case_visits": "入户劝返（人次）",
    "case_notices": "劝返文书（份）", "follow_ups": "复学回访（次）",
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


def pct(value: float) -> str:
    return f"{value:g}%" if value == int(value) else f"{value:.1f}%"


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class Writer:
    """Collects the figures used while the sentences are written."""

    def __init__(self):
        self.figures: dict = {}

    def put(self, name, value):
        self.figures[name] = value
        return value


# Counting --------------------------------------------------------------------------------------

def _in(model, unit: Unit):
    return access.scoped(model).where(model.school_id.in_(unit.ids))


def _count(stmt) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def _rates(unit: Unit, period: Period, upto: date, f: Writer) -> None:
    ids = access.scoped(Student).where(Student.school_id.in_(unit.ids)) \
        .with_only_columns(Student.id)
    start = date(period.school_year, 9, 1)
    found = metrics.rates(ids, start, min(upto, date(period.school_year + 1, 8, 31)))
    r = found[None] if unit.school is None else found.get(unit.school.id, metrics.Rates())
    if current_app.config["CONSOLIDATION_RATE"] == "cohort":
        base, kept = metrics.cohort(ids, upto).get(
            None if unit.school is None else unit.school.id, (0, 0))
        r.cohort, r.cohort_kept = base, kept
    if r.start:
        f.put("students_start", r.start)
        f.put("transferred_out", r.out)
        f.put("deceased", r.deceased)
        f.put("transferred_in", r.transferred_in)
        f.put("dropouts", r.dropouts)
        if r.dropout_rate is not None:
            f.put("dropout_rate", r.dropout_rate)
    if r.consolidation_rate is not None:
        f.put("consolidation_rate", r.consolidation_rate)
    if unit.school is None:
        town = metrics.enrolment(unit.central.id, upto)
        if town.enrolment_rate is not None:
            f.put("enrolment_rate", town.enrolment_rate)
            f.put("listed_children", town.listed)
            f.put("listed_enrolled", town.listed_enrolled)


def _between(column, start, end):
    return sa.and_(column >= start, column <= end)


# The draft ----------------------------------------------------------------------------------

def draft(unit: Unit, period: Period, today: date) -> Draft:
    """The summary as sections and the figures it used (see the module's docstring)."""
    f = Writer()
    upto = period.upto(today)
    start = period.start
    P, we = period.word, unit.we
    term_ids = [t.id for t in period.terms]
    f.put("schools", len(unit.schools))
    _rates(unit, period, upto, f)
    fig = f.figures

    # （一）组织与责任落实 -------------------------------------------------------------
    org: list[str] = []
    if term_ids:
        pledges = db.session.execute(_in(Pledge, unit).join(PledgeTemplate).where(
            Pledge.term_id.in_(term_ids)).with_only_columns(
            PledgeTemplate.kind, Pledge.status, Pledge.signed_on)).all()
        if pledges:
            signed = [k for k, status, on in pledges
                      if status in ("signed", "collected") and (on is None or on <= upto)]
            staff = sum(1 for k in signed if k not in GUARDIAN_KINDS)
            guardian = sum(1 for k in signed if k in GUARDIAN_KINDS)
            f.put("pledges_issued", len(pledges))
            f.put("pledges_signed", len(signed))
            f.put("pledges_signed_staff", staff)
            f.put("pledges_signed_guardian", guardian)
            f.put("pledges_unsigned", len(pledges) - len(signed))
            parts = []
            if staff:
                parts.append(f"签订控辍保学目标责任书 {staff} 份，把控辍保学责任分解到每一位教师")
            if guardian:
                parts.append(f"与家长签订承诺书、送达告知书 {guardian} 份，明确监护人送子女接受义务教育的法定责任")
            if parts:
                org.append(f"{P}，{we}" + "；".join(parts) + "。")
            else:
                org.append(f"{P}，{we}印发控辍保学责任书、承诺书 {len(pledges)} 份，正在组织签订。")
    enrolled_ids = access.scoped(Student).where(Student.school_id.in_(unit.ids),
                                                Student.status == "enrolled") \
        .with_only_columns(Student.id)
    line_rows = db.session.execute(access.scoped(Responsibility).where(
        Responsibility.student_id.in_(enrolled_ids)).with_only_columns(
        Responsibility.student_id, Responsibility.kind)).all()
    if line_rows:
        covered = {sid for sid, _ in line_rows}
        school_line = {sid for sid, kind in line_rows if kind in SCHOOL_LINE}
        government = {sid for sid, kind in line_rows if kind in GOVERNMENT_LINE}
        f.put("lines_children", len(covered))
        f.put("lines_school", len(school_line))
        f.put("lines_government", len(government))
        text = (f"落实“双线四包”责任制，按“学校领导包片、班主任包班、教师包生（户）”和“乡镇干部包村、"
                f"村干部包户”为 {len(covered)} 名在读学生明确了包保责任人")
        details = []
        if school_line:
            details.append(f"学校线落实 {len(school_line)} 人")
        if government:
            details.append(f"政府线落实 {len(government)} 人")
        org.append(text + (f"，其中{'、'.join(details)}" if details else "") + "。")

    # （二）排查与动态管理 -------------------------------------------------------------
    check: list[str] = []
    age = _count(ledger.age_statement(period.school_year).where(
        Student.school_id.in_(unit.ids)))
    if age:
        f.put("age_ledger", age)
        check.append(f"建立适龄儿童少年台账，登记 6—15 周岁适龄儿童少年 {age} 人，做到底数清、情况明。")
    if unit.school is None:
        listed = _count(access.scoped(HouseholdChild).where(
            HouseholdChild.central_id == unit.central.id))
        if listed:
            check.append(f"结合派出所、村委会提供的户籍名单（{listed} 人）开展“四查三比对”，逐一核对适龄儿童入学情况。")
    warnings = db.session.scalars(_in(EarlyWarning, unit).where(
        _between(EarlyWarning.opened_on, start, upto))).all()
    absences = _count(_in(Absence, unit).where(_between(Absence.day, start, upto)))
    setting = rules.settings()
    if warnings:
        handled = sum(1 for w in warnings if w.closed_on and w.closed_on <= upto)
        f.put("warnings_opened", len(warnings))
        if handled:
            f.put("warnings_handled", handled)
        check.append(f"坚持每周考勤，对连续 {setting['warning_days']} 个上课日无故缺课的学生及时预警，"
                     f"{P}共发出缺课预警 {len(warnings)} 条" + (
                         f"，已家访处置 {handled} 条" if handled else "") + "。")
    elif absences:
        f.put("absences", absences)
        check.append(f"坚持每周考勤，{P}登记缺课 {absences} 人次，未出现连续 {setting['warning_days']} "
                     "个上课日无故缺课的情况。")
    visits = db.session.execute(_in(HomeVisit, unit).where(
        _between(HomeVisit.visited_on, start, upto)).with_only_columns(
        HomeVisit.student_id, HomeVisit.warning_id, HomeVisit.case_id)).all()
    if visits:
        f.put("visits", len(visits))
        f.put("visits_children", len({v[0] for v in visits}))
        warned = sum(1 for v in visits if v[1])
        text = f"开展“敲门行动”，{P}共开展家访 {len(visits)} 人次，覆盖学生 {fig['visits_children']} 人"
        if warned:
            f.put("visits_warning", warned)
            text += f"，其中对预警学生家访 {warned} 人次"
        check.append(text + "，了解学生家庭情况和缺课原因，做好记录备案。")
    school_filter = unit.school.id if unit.school else None
    suspected = [c for c in ledger.cases("suspected", start, upto, school_filter)
                 if c.school_id in unit.ids]
    dropped = [c for c in ledger.cases("dropout", start, upto, school_filter)
               if c.school_id in unit.ids]
    if suspected or dropped:
        f.put("ledger_cases", len(suspected))
        f.put("ledger_dropouts", len(dropped))
        text = f"建立疑似辍学台账和辍学台账，{P}纳入疑似辍学台账 {len(suspected)} 人"
        if dropped:
            text += f"、辍学台账 {len(dropped)} 人"
        check.append(text + "，实行一人一档、动态管理、动态销号。")

    # （三）精准帮扶 -------------------------------------------------------------------
    aid: list[str] = []
    programs = [p for t in term_ids for p in grants.programs(t) if p.active]
    if programs:
        paid = db.session.execute(_in(AidGrant, unit).where(
            AidGrant.program_id.in_([p.id for p in programs]), AidGrant.status == "paid")
            .with_only_columns(AidGrant.program_id, AidGrant.student_id, AidGrant.amount)).all()
        per_child: Counter = Counter()
        per_program: dict[int, Counter] = {}
        for program_id, student_id, amount in paid:
            per_child[student_id] += amount
            per_program.setdefault(program_id, Counter())[student_id] += amount
        total = sum(per_child.values())
        children = sum(1 for v in per_child.values() if v > 0)
        if total > 0:
            f.put("aid_fen", total)
            f.put("aid_yuan", yuan(total))
            f.put("aid_children", children)
            parts = []
            for p in programs:
                got = per_program.get(p.id)
                if got and sum(got.values()) > 0:
                    parts.append(f"{p.name} {yuan(sum(got.values()))} 元、{sum(1 for v in got.values() if v > 0)} 人")
            text = (f"落实学生资助政策，{P}共发放资助资金 {yuan(total)} 元，惠及学生 {children} 人"
                    + (f"（{'；'.join(parts)}）" if len(parts) > 1 else "")
                    + "，做到应助尽助，不让一名学生因贫失学。")
            aid.append(text)
        else:
            aid.append(f"{P}设立资助项目 {len(programs)} 个（{'、'.join(p.name for p in programs)}），资助资金正在审核发放。")
    pairs = db.session.scalars(_in(TutoringPair, unit).where(
        TutoringPair.start_on <= upto,
        sa.or_(TutoringPair.end_on.is_(None), TutoringPair.end_on >= start))).all()
    sessions = db.session.execute(access.scoped(TutoringSession).join(TutoringPair).where(
        TutoringPair.school_id.in_(unit.ids), _between(TutoringSession.held_on, start, upto))
        .with_only_columns(TutoringPair.kind)).all()
    if pairs:
        by_kind = Counter(p.kind for p in pairs)
        sessions_by_kind = Counter(k for (k,) in sessions)
        f.put("pairs", len(pairs))
        f.put("sessions", len(sessions))
        for kind in PAIR_KINDS:
            if by_kind[kind]:
                f.put(f"pairs_{kind}", by_kind[kind])
                f.put(f"sessions_{kind}", sessions_by_kind[kind])
        phrases = {
            "academic": ("开展“一帮一”学业帮扶，结对 {p} 对", "，帮扶 {s} 次"),
            "caring_mother": ("为留守儿童结对“爱心妈妈” {p} 对", "，联系、陪伴 {s} 次"),
            "counselling": ("对厌学、心理困惑学生开展心理辅导，结对 {p} 对", "，辅导 {s} 次"),
            "home_delivery": ("对不能到校就读的残疾儿童实行送教上门 {p} 人", "，送教 {s} 次"),
        }
        parts = []
        for kind, (head, tail) in phrases.items():
            if by_kind[kind]:
                parts.append(head.format(p=by_kind[kind]) + (
                    tail.format(s=sessions_by_kind[kind]) if sessions_by_kind[kind] else ""))
        aid.append(f"{P}，{we}" + "；".join(parts) + f"。全部结对共开展帮扶活动 {len(sessions)} 次。"
                   if sessions else f"{P}，{we}" + "；".join(parts) + "。")

    # （四）劝返复学 -------------------------------------------------------------------
    back: list[str] = []
    counts = [c for c in ledger.monthly_counts(start, upto) if c.school.id in unit.ids]
    new = sum(c.new for c in counts)
    returned = sum(c.returned for c in counts)
    closed = sum(c.closed for c in counts)
    still_out = sum(c.still_out for c in counts)
    touched = {c.id for c in suspected} | {c.id for c in dropped}
    steps = db.session.execute(access.scoped(CaseStep).join(DropoutCase).where(
        DropoutCase.school_id.in_(unit.ids), _between(CaseStep.on, start, upto))
        .with_only_columns(CaseStep.to_state, DropoutCase.id)).all()
    reached = {state: len({cid for s, cid in steps if s == state})
               for state in ("transferred", "home_delivery", "legal")}
    if touched:
        f.put("cases_new", new)
        f.put("cases_returned", returned)
        f.put("cases_closed", closed)
        f.put("cases_still_out", still_out)
        text = f"对疑似辍学学生逐一建立劝返个案，明确学校和政府“双线”责任人，{P}"
        parts = []
        if new:
            parts.append(f"新立劝返个案 {new} 个")
        case_visits = sum(1 for v in visits if v[2])
        if case_visits:
            f.put("case_visits", case_visits)
            parts.append(f"入户劝返 {case_visits} 人次")
        if returned:
            parts.append(f"劝返复学 {returned} 人")
        for state, words in (("transferred", "核实转学"), ("home_delivery", "转为送教上门"),
                             ("legal", "依法督促")):
            if reached[state]:
                f.put(f"cases_{state}", reached[state])
                parts.append(f"{words} {reached[state]} 人")
        if closed:
            parts.append(f"动态销号 {closed} 个")
        if parts:
            back.append(text + "，".join(parts) + "。")
        else:
            back.append(f"对疑似辍学学生逐一建立劝返个案，明确学校和政府“双线”责任人，{P}跟进个案 {len(touched)} 个。")
        notices = _count(access.scoped(CaseNotice).join(DropoutCase).where(
            DropoutCase.school_id.in_(unit.ids), _between(CaseNotice.issued_on, start, upto)))
        follow = _count(access.scoped(FollowUp).join(DropoutCase).where(
            DropoutCase.school_id.in_(unit.ids), FollowUp.done_on.is_not(None),
            _between(FollowUp.done_on, start, upto)))
        extra = []
        if notices:
            f.put("case_notices", notices)
            extra.append(f"送达复学通知书、督促入学通知书等文书 {notices} 份")
        if follow:
            f.put("follow_ups", follow)
            extra.append(f"对复学学生制定复学适应方案并跟踪回访 {follow} 次")
        if extra:
            back.append("；".join(extra) + "，巩固劝返成果。")
    elif fig.get("students_start"):
        back.append(f"{P}{we}疑似辍学台账、辍学台账无在册学生。")

    # （五）宣传引导 -------------------------------------------------------------------
    publicity: list[str] = []
    activities = db.session.execute(_in(Activity, unit).where(
        _between(Activity.held_on, start, upto)).with_only_columns(
        Activity.kind, Activity.reached)).all()
    if activities:
        kinds = Counter(k for k, _ in activities)
        people = sum(r or 0 for _, r in activities)
        f.put("activities", len(activities))
        if people:
            f.put("activities_reached", people)
        for kind, count in kinds.items():
            f.put(f"activities_{kind}", count)
        listing = "、".join(f"{ACTIVITY_KINDS.get(k, k)} {c} 次" for k, c in sorted(
            kinds.items(), key=lambda kc: list(ACTIVITY_KINDS).index(kc[0])
            if kc[0] in ACTIVITY_KINDS else 99))
        publicity.append(
            f"利用家长会、校园广播、宣传栏、微信群等载体宣传《义务教育法》《未成年人保护法》和控辍保学政策，"
            f"{P}共开展宣传引导活动 {len(activities)} 次" + (f"，覆盖 {people} 人次" if people else "")
            + f"，其中{listing}。")
    meetings = db.session.scalars(access.scoped(Meeting).where(
        Meeting.central_id == unit.central.id, _between(Meeting.held_on, start, upto))).all()
    if meetings:
        f.put("meetings", len(meetings))
        if unit.school is None:
            publicity.append(f"建立定期会商制度，{P}召开控辍保学月度推进会 {len(meetings)} 次，分析辍学风险，研究解决实际问题。")
        else:
            done = _count(access.scoped(ActionItem).where(
                ActionItem.school_id == unit.school.id, ActionItem.done_on.is_not(None),
                _between(ActionItem.done_on, start, upto)))
            text = f"中心学校{P}召开控辍保学月度推进会 {len(meetings)} 次"
            if done:
                f.put("action_items_done", done)
                text += f"，{we}落实会议决定事项 {done} 项"
            publicity.append(text + "。")

    # 四、存在的问题 and 五、下一步工作计划 ----------------------------------------------
    problems: list[str] = []
    plans: list[str] = []
    as_of = cn_date(upto)
    if still_out:
        problems.append(f"截至{as_of}，仍有 {still_out} 名疑似辍学学生未返校，劝返工作还需加力。")
        plans.append(f"对尚未返校的 {still_out} 名学生，落实学校和政府“双线”责任人，继续入户劝返，"
                     "对经多次劝返仍不返校的，按程序报请乡镇政府依法督促，确保应返尽返。")
    overdue = _count(_in(EarlyWarning, unit).where(
        EarlyWarning.opened_on <= upto, EarlyWarning.due_on < upto,
        sa.or_(EarlyWarning.closed_on.is_(None), EarlyWarning.closed_on > upto)))
    if overdue:
        f.put("warnings_overdue", overdue)
        problems.append(f"有 {overdue} 条缺课预警超过规定时限仍未家访处置，预警响应不够及时。")
        plans.append(f"严格执行预警处置时限，预警发出后 {setting['visit_within']} 个上课日内完成家访，"
                     "当天电话联系家长，逐条处置、逐条销号。")
    if programs:
        latest = [t for t in period.terms if t.start_date <= upto] or period.terms
        gap = grants.gaps(latest[-1].id, school_filter)
        missing = len({row.student.id for _p, row in gap.missing
                       if row.student.school_id in unit.ids})
        extra_ = sum(1 for _p, g, _why in gap.extra if g.school_id in unit.ids)
        if missing:
            f.put("aid_missing", missing)
            problems.append(f"资助还有缺口：{missing} 名符合资助条件的学生尚未获得资助。")
            plans.append(f"逐一核实 {missing} 名未获资助学生的家庭情况，及时补报补发，做到应助尽助。")
        if extra_:
            f.put("aid_extra", extra_)
            problems.append(f"有 {extra_} 笔资助发给了已不在读或不再符合条件的学生，需要核实更正。")
            plans.append("对不再符合条件的资助逐笔核实，按规定更正，确保资金精准。")
    uncovered = [(need.label, [s for s in need.students if s.school_id in unit.ids], need.kind)
                 for need in schedule.uncovered(upto, school_filter)]
    uncovered = [(label, students, kind) for label, students, kind in uncovered if students]
    if uncovered:
        f.put("pairs_uncovered", sum(len(s) for _l, s, _k in uncovered))
        problems.append("结对帮扶还未全覆盖：" + "；".join(
            f"{label} {len(students)} 人" for label, students, _k in uncovered) + "。")
        todo = {"academic": "为尚未结对的学困、厌学学生落实学业帮扶或心理辅导教师",
                "caring_mother": "为尚未结对的留守儿童落实“爱心妈妈”",
                "home_delivery": "为送教上门学生制定送教计划、定期上门"}
        plans.append("，".join(todo.get(kind, f"为尚未结对的学生落实{PAIR_KINDS.get(kind, '')}")
                              for _l, _s, kind in uncovered) + "，做到一生一策。")
    if period.start <= today <= period.end:
        behind = [r for r in schedule.standing(today, school_id=school_filter)
                  if r.due and r.school_id in unit.ids]
        if behind:
            f.put("pairs_behind", len(behind))
            problems.append(f"有 {len(behind)} 对结对帮扶未按要求按时联系、见面，帮扶频次不够。")
            plans.append("督促帮扶教师按结对要求定期联系、见面，并及时记录帮扶情况。")
    lacking = sum(1 for r in lines.lacking(today) if r.school_id in unit.ids)
    if lacking:
        f.put("lines_missing", lacking)
        problems.append(f"有 {lacking} 名重点关注学生的“双线四包”责任人还不齐全。")
        plans.append("逐一补齐重点关注学生的包保责任人，做到每名学生都有学校领导、班主任、任课教师和乡镇、村干部包保。")
    villages = sorted({v for (v,) in db.session.execute(
        enrolled_ids.with_only_columns(Student.village).where(Student.village != "").distinct())})
    if villages:
        have = {c.village for c in lines.cadres("village")}
        without = [v for v in villages if v not in have]
        if without:
            f.put("villages_without_cadre", len(without))
            problems.append(f"政府线还有空档：{'、'.join(without)}尚无村干部落实包户责任，村校联动有待加强。")
            plans.append(f"主动联系{'、'.join(without)}村委会，明确包户村干部，完善“校—村—家”联动机制。")
    unsigned = fig.get("pledges_unsigned", 0)
    if unsigned:
        problems.append(f"还有 {unsigned} 份责任书、承诺书未签署回收。")
        plans.append("督促尽快签署并回收责任书、承诺书，扫描存档。")
    if not problems:
        problems.append(f"从系统数据看，截至{as_of}，{we}没有未返校的疑似辍学学生、超期未处置的预警和资助、结对缺口。")
    plans.append("继续坚持每周考勤、预警家访和台账动态管理，持续巩固控辍保学成果。")

    # 三、工作成效 ------------------------------------------------------------------------
    results: list[str] = []
    rate_parts = []
    if "enrolment_rate" in fig:
        rate_parts.append(f"适龄儿童少年入学率 {pct(fig['enrolment_rate'])}")
    if "consolidation_rate" in fig:
        rate_parts.append(f"巩固率 {pct(fig['consolidation_rate'])}")
    if "dropout_rate" in fig:
        rate_parts.append(f"辍学率 {pct(fig['dropout_rate'])}")
    if rate_parts:
        lead = f"学年初在读学生 {fig['students_start']} 人，" if "students_start" in fig else ""
        no_new = "，本学年无新增辍学学生" if fig.get("dropouts") == 0 and "students_start" in fig else ""
        results.append(f"控辍保学目标任务得到落实：{we}{lead}截至{as_of}，{'，'.join(rate_parts)}{no_new}。")
    if fig.get("cases_returned"):
        results.append(f"劝返复学成效明显：{P}劝返复学 {fig['cases_returned']} 人。")
    if "visits" in fig:
        results.append(f"动态监测扎实：{P}共开展家访 {fig['visits']} 人次。")
    if "aid_yuan" in fig:
        results.append(f"资助保障有力：{P}发放资助资金 {fig['aid_yuan']} 元，惠及学生 {fig['aid_children']} 人。")
    if "pairs" in fig:
        results.append(f"结对帮扶落到实处：结对帮扶 {fig['pairs']} 对" + (
            f"，开展帮扶活动 {fig['sessions']} 次" if fig["sessions"] else "") + "。")
    if fig.get("pledges_signed"):
        results.append(f"责任落实到人：签订目标责任书、家长承诺书 {fig['pledges_signed']} 份。")
    if "meetings" in fig:
        results.append(f"会商机制常态运行：{P}召开月度推进会 {fig['meetings']} 次。")
    if "activities" in fig:
        results.append(f"宣传引导深入人心：{P}开展宣传引导活动 {fig['activities']} 次" + (
            f"，覆盖 {fig['activities_reached']} 人次" if "activities_reached" in fig else "") + "。")
    results = [f"{i}. {text}" for i, text in enumerate(results, 1)]

    # 一、工作概述 ------------------------------------------------------------------------
    if unit.school is None:
        kinds = Counter(s.kind for s in unit.schools)
        words = [f"{label} {kinds[k]} 所" for k, label in (("central", "中心学校"),
                                                           ("village", "村小"), ("point", "教学点"))
                 if kinds[k]]
        who = f"全镇共有{'、'.join(words)}。" if words else ""
    else:
        who = ""
    overview = [
        f"{P}，{'中心学校' if unit.school is None else '我校'}深入贯彻落实上级关于控辍保学工作的部署要求，"
        "以“不让一个学生失学辍学”为目标，落实“双线四包”责任制，通过排查摸底、动态监测、精准帮扶、"
        "劝返复学和宣传引导等措施，持续巩固控辍保学成果。" + who,
    ]
    if "students_start" in fig:
        overview.append(f"{we}学年初（{period.school_year}年9月1日）在读学生 {fig['students_start']} 人。"
                        f"现将{P}控辍保学工作总结如下。")
    else:
        overview.append(f"现将{P}控辍保学工作总结如下。")

    measures = [("组织与责任落实", org), ("排查与动态管理", check), ("精准帮扶", aid),
                ("劝返复学", back), ("宣传引导", publicity)]
    measures = [(h, p) for h, p in measures if p]
    sections = [["一、工作概述", _join(overview)],
                ["二、主要工作措施", f"{P}，{we}主要做了以下工作。" if measures else ""]]
    for i, (heading, paragraphs) in enumerate(measures):
        sections.append([f"（{NUMERALS[i]}）{heading}", _join(paragraphs)])
    sections += [["三、工作成效", _join(results)],
                 ["四、存在的问题", _join(f"{i}. {t}" for i, t in enumerate(problems, 1))],
                 ["五、下一步工作计划", _join(f"{i}. {t}" for i, t in enumerate(plans, 1))]]
    sections = [s for s in sections if s[1] or LEVEL1.match(s[0])]
    return Draft(title_of(unit, period), sections, dict(f.figures), upto)


def _join(paragraphs) -> str:
    return "\n\n".join(p for p in paragraphs if p)


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
    school: str
    file: str


def appendix(unit: Unit, period: Period, today: date) -> list[Evidence]:
    """The activities' photos and scans and the signed pledges' scans of the period and
    school(s), by date."""
    upto = period.upto(today)
    rows: list[Evidence] = []
    for photo, activity in db.session.execute(
            _in(ActivityPhoto, unit).join(Activity).where(
                _between(Activity.held_on, period.start, upto))
            .with_only_columns(ActivityPhoto, Activity)):
        rows.append(Evidence(activity.held_on, "活动照片" if photo.print_path else "活动扫描件",
                             f"{activity.kind_label}：{activity.title}"
                             + (f"（{photo.caption}）" if photo.caption else ""),
                             activity.school.name, photo.file_path.rsplit("/", 1)[-1]))
    term_ids = [t.id for t in period.terms]
    if term_ids:
        for p in db.session.scalars(_in(Pledge, unit).where(
                Pledge.term_id.in_(term_ids), Pledge.scan_path.is_not(None),
                Pledge.status.in_(("signed", "collected")))):
            rows.append(Evidence(p.signed_on, "责任书扫描件",
                                 f"{p.title}（{p.doc_no}）：{p.party_a_name} — {p.party_b_name}",
                                 p.school.name, p.scan_path.rsplit("/", 1)[-1]))
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
