"""The township's figures, in one module: the dashboard, the monthly meeting and the month's
report all read them from here, so they always agree. Nothing is stored; everything is counted
when asked for, within the user's scope (access.scoped). The rates and their formulas are in
rates.py (this module reads them for the dashboard; the 工作总结 reads them there too).

A month that has ended (the monthly report, a meeting looking back) counts the register and the
open cases as they stood on its last day, and what happened in it as the month's.
A child counts where their record is now: one who moved between two schools of the township is
counted once, at the school they attend.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

import access
from blueprints.activities import parents, records as activity_records
from blueprints.counseling import log as counseling_log
from blueprints.aid import grants
from blueprints.attendance import scores
from blueprints.cases import ledger
from blueprints.pairs import schedule
from extensions import db
from models import (FOCUS_FLAGS, AidProgram, DropoutCase, EarlyWarning, HomeVisit, Pledge,
                    School, StatusChange, Student, Term, month_bounds, month_spans,
                    school_year_of)
from blueprints.dashboard.rates import STAGES, Rates, cohort, enrolment, rates, status_on

# The month's report to the bureau: one line per figure, the same in its PDF and its Excel.
REPORT_ROWS = [
    ("在读", lambda c: c.status["enrolled"]),
    ("辍学（学籍状态）", lambda c: c.status["dropout"]),
    ("非正常学籍（其他离校、问题学籍）", lambda c: c.status["left"] + c.status["problem"]),
    ("随迁子女（在读）", lambda c: c.flags["migrant"]),
    ("送教上门", lambda c: c.placement["home_delivery"]),
    ("本月新预警", lambda c: c.warnings_opened),
    ("超期未处理预警", lambda c: c.warnings_overdue),
    ("未销号劝返个案", lambda c: sum(c.cases.values())),
    ("本月复学", lambda c: c.returned),
    ("本月销号", lambda c: c.closed),
    ("本月家访", lambda c: c.visits),
    ("本月工作活动（次）", lambda c: c.activities),
    ("本学期未开家长会的班级", lambda c: c.parents_missing),
    ("本月心理辅导（人次）", lambda c: c.counselled),
    ("入学率（%）", lambda c: c.rates.enrolment_rate),  # the township's column: its 户籍 list
    ("小学适龄儿童入学率（%）", lambda c: c.stages["primary"].enrolment_rate),
    ("初中适龄少年入学率（%）", lambda c: c.stages["junior"].enrolment_rate),
    ("巩固率（%）", lambda c: c.rates.consolidation_rate),
    ("辍学率（%）", lambda c: c.rates.dropout_rate),
    ("小学辍学率（%）", lambda c: c.stages["primary"].dropout_rate),
    ("初中辍学率（%）", lambda c: c.stages["junior"].dropout_rate),
]


@dataclass
class Column:
    """One column of the dashboard: the township (school None) or one school."""
    school: School | None
    status: Counter = field(default_factory=Counter)
    placement: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)
    risk: Counter = field(default_factory=Counter)
    warnings_opened: int = 0
    warnings_overdue: int = 0
    cases: Counter = field(default_factory=Counter)  # open cases by state
    returned: int = 0
    closed: int = 0
    visits: int = 0
    activities: int = 0  # 工作活动 held in the month
    activities_reached: int = 0  # people they reached
    parents_missing: int = 0  # classes without a 家长会 or 家长学校 in the month's term
    counselled: int = 0  # 心理辅导 人次 in the month
    aid_eligible: int | None = None
    aid_granted: int = 0
    pairs_missing: int = 0
    pledges: int = 0
    pledges_signed: int = 0
    rates: Rates = field(default_factory=Rates)
    stages: dict = field(default_factory=dict)  # 学段 (STAGES) → its Rates: 辍学率, 入学率

    @property
    def doubts(self) -> list[str]:
        return self.rates.doubts(self.status["enrolled"])


def report_table(columns: list[Column]) -> dict:
    """The monthly report's figures as a table of plain values ({"heads", "rows"}), as a sent
    month keeps them (blueprints/cases/sent.py): what was reported stays as reported."""
    return {"heads": [c.school.name if c.school else "全镇" for c in columns],
            "rows": [[label, *[value(c) for c in columns]] for label, value in REPORT_ROWS]}


def dashboard(today: date, month_day: date | None = None) -> list[Column]:
    """The whole scope's column first, then one per school; for a county-level reader (whose
    scope spans several townships) one per township, headed by its central school."""
    first, last = month_bounds(month_day or today)
    schools = access.schools()
    county = len({s.township_id for s in schools}) > 1
    group = {s.id: (s.township_id if county else s.id) for s in schools}
    columns = {None: Column(None)} | {s.id: Column(s) for s in schools
                                      if not county or s.kind == "central"}

    def add(school_id, name, value=1, key=None):
        for col in (columns.get(group.get(school_id)), columns[None]):
            if col is None:
                continue
            target = getattr(col, name)
            if isinstance(target, Counter):
                target[key] += value
            else:
                setattr(col, name, target + value)

    scoped = access.scoped(Student)
    as_of = min(last, today)  # a month that has ended: its register and cases at its end
    _register(add, scoped, as_of, today)
    enrolled = scoped.where(Student.status == "enrolled")
    for (school_id, level), n in scores.level_counts(enrolled.with_only_columns(Student.id),
                                                   today).items():
        add(school_id, "risk", n, key=level)
    for w in db.session.scalars(access.scoped(EarlyWarning)):
        if first <= w.opened_on <= last:
            add(w.school_id, "warnings_opened")
        if w.overdue_on(today):
            add(w.school_id, "warnings_overdue")
    for c in db.session.scalars(access.scoped(DropoutCase).options(
            selectinload(DropoutCase.steps))):
        state = c.state if as_of >= today else ledger.state_on(c.steps, as_of)
        if state not in (None, "closed"):
            add(c.school_id, "cases", key=state)
        if c.returned_on and first <= c.returned_on <= last:
            add(c.school_id, "returned")
        if c.closed_on and first <= c.closed_on <= last:
            add(c.school_id, "closed")
    for school_id, n in db.session.execute(access.scoped(HomeVisit).where(
            HomeVisit.visited_on >= first, HomeVisit.visited_on <= last)
            .with_only_columns(HomeVisit.school_id, sa.func.count()).group_by(
            HomeVisit.school_id)):
        add(school_id, "visits", n)
    for school_id, month in activity_records.by_school(first, last).items():
        add(school_id, "activities", month.count)
        add(school_id, "activities_reached", month.reached)
    for school_id, n in parents.uncovered_counts(parents.this_term(min(last, today))).items():
        add(school_id, "parents_missing", n)
    for school_id, n in counseling_log.reached_by_school(first, last, access.school_ids()).items():
        add(school_id, "counselled", int(n or 0))
    _aid(columns, add, today)
    for school_id, n in schedule.uncovered_counts(today).items():
        add(school_id, "pairs_missing", n)
    for school_id, status, n in db.session.execute(access.scoped(Pledge).where(
            Pledge.term_id.in_(_terms(today))).with_only_columns(
            Pledge.school_id, Pledge.status, sa.func.count()).group_by(Pledge.school_id,
                                                                       Pledge.status)):
        add(school_id, "pledges", n)
        if status in Pledge.SIGNED:
            add(school_id, "pledges_signed", n)
    _rates_of(columns, group, scoped, today)
    return list(columns.values())


def _register(add, scoped, as_of: date, today: date) -> None:
    """The register by school, status, placement and focus group, counted in SQL as it stands
    today; for a month that has ended, the few children whose status changed since its end (or
    who were registered since) are counted as they were on its last day (their placement and
    groups as they are): the month's report sent a week later counted the week's changes."""
    for school_id, status, placement, *flags in db.session.execute(
            scoped.with_only_columns(Student.school_id, Student.status, Student.placement,
                                     *[sa.func.sum(sa.cast(getattr(Student, f), sa.Integer))
                                       for f in FOCUS_FLAGS], sa.func.count())
            .group_by(Student.school_id, Student.status, Student.placement)):
        *flags, n = flags
        _count(add, school_id, status, placement, flags, n)
    if as_of >= today:
        return
    since = scoped.where(sa.or_(
        Student.created_at >= datetime.combine(as_of + timedelta(days=1), time()),
        Student.id.in_(sa.select(StatusChange.student_id).where(StatusChange.changed_on > as_of))))
    for child in db.session.scalars(since.options(selectinload(Student.status_changes))):
        flags = [int(getattr(child, f)) for f in FOCUS_FLAGS]
        _count(add, child.school_id, child.status, child.placement, flags, -1)
        changes = [(c.changed_on, c.from_status, c.to_status) for c in child.status_changes]
        then = status_on(sorted(changes, key=lambda c: c[0]), child.created_at.date(),
                         child.status, as_of)
        if then:
            _count(add, child.school_id, then, child.placement, flags, 1)


def _count(add, school_id, status, placement, flags, n: int) -> None:
    """n children of a status and placement added (or taken away, n < 0), `flags` the counts of
    each focus group among them."""
    add(school_id, "status", n, key=status)
    if status == "enrolled":
        add(school_id, "placement", n, key=placement)
        for flag, count in zip(FOCUS_FLAGS, flags):
            if count:
                add(school_id, "flags", count if n > 0 else -count, key=flag)


def _rates_of(columns: dict, group: dict, scoped, today: date) -> None:
    """The school year's rates on each column (a township's summed from its schools), and the
    入学率's 户籍 list on the scope's own."""
    year = school_year_of(today)
    start, end = date(year, 9, 1), min(today, date(year + 1, 8, 31))
    _sum_rates(columns, group, rates(scoped.with_only_columns(Student.id), start, end))
    for stage, (_label, (low, high), _ages) in STAGES.items():
        _sum_rates(columns, group, rates(scoped.where(Student.grade.between(low, high))
                                         .with_only_columns(Student.id), start, end), stage)
    if current_app.config["CONSOLIDATION_RATE"] == "cohort":
        for col in columns.values():
            col.rates.cohort = 0
        for school_id, (base, kept) in cohort(scoped.with_only_columns(Student.id),
                                              today).items():
            col = columns[None] if school_id is None else columns.get(group.get(school_id))
            if col is not None:
                col.rates.cohort += base
                col.rates.cohort_kept += kept
    if access.one_school() or access.class_scoped():
        return  # the 户籍 list is the township's: its 入学率 is not a school's (nor its column's)
    listed = enrolment(access.township_id(), today)
    for stage, r in [(None, columns[None].rates)] + [
            (stage, columns[None].stages[stage]) for stage in STAGES]:
        r.listed, r.listed_enrolled = listed[stage].listed, listed[stage].listed_enrolled


def _sum_rates(columns: dict, group: dict, found: dict, stage: str | None = None) -> None:
    """Rates per school onto the columns (a county's township column sums its schools'), as
    each column's rates or its 学段's."""
    def target(col: Column) -> Rates:
        return col.stages.setdefault(stage, Rates()) if stage else col.rates
    for col in columns.values():
        target(col)
    target(columns[None]).add(found[None])
    for school_id, r in found.items():
        if school_id is not None and group.get(school_id) in columns:
            target(columns[group[school_id]]).add(r)


def _terms(today: date) -> list[int]:
    """The ids of the current terms in scope: one per township (a county reader sees several)."""
    return db.session.scalars(access.scoped(Term).with_only_columns(Term.id).where(
        Term.start_date <= today, Term.end_date >= today)).all()


def _aid(columns, add, today):
    """Aid coverage of the current term: eligible children with a grant."""
    programs = db.session.scalars(access.scoped(AidProgram).where(
        AidProgram.term_id.in_(_terms(today)), AidProgram.active.is_(True))).all()
    if not programs:
        return  # no programme this term: the row is absent, not zero
    for col in columns.values():
        col.aid_eligible = 0
    for program in programs:
        for school_id, (eligible, granted, _fen) in grants.coverage(program).items():
            add(school_id, "aid_eligible", eligible)
            add(school_id, "aid_granted", granted)


def trends(today: date) -> dict[str, list[tuple[str, int]]]:
    """Month by month since 1 September: warnings opened, visits made, children returned,
    cases still open at the month's end."""
    year = school_year_of(today)
    months = month_spans(date(year, 9, 1), today)
    warnings = [w.opened_on for w in db.session.scalars(access.scoped(EarlyWarning))]
    visits = [v for (v,) in db.session.execute(access.scoped(HomeVisit).with_only_columns(
        HomeVisit.visited_on).where(HomeVisit.visited_on >= date(year, 9, 1)))]
    cases = db.session.scalars(access.scoped(DropoutCase)).all()

    def count(days, first, last):
        return sum(1 for d in days if d and first <= d <= last)
    out: dict[str, list[tuple[str, int]]] = {"预警（新增）": [], "家访": [], "复学": [],
                                             "月底未销号个案": []}
    for first, last in months:
        label = f"{first.month}月"
        out["预警（新增）"].append((label, count(warnings, first, last)))
        out["家访"].append((label, count(visits, first, last)))
        out["复学"].append((label, count([c.returned_on for c in cases], first, last)))
        out["月底未销号个案"].append((label, sum(
            1 for c in cases if c.opened_on <= last and (c.closed_on is None or
                                                          c.closed_on > last))))
    return out
