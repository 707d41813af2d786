"""The township's figures, in one module: the dashboard, the monthly meeting and the month's
report all read them from here, so they always agree. Nothing is stored; everything is counted
when asked for, within the user's scope (access.scoped).

Rates (docs/design.md, Metrics), for a school year from 1 September to the day asked (at most 31 August):
- 辍学率 = dropouts ÷ enrolled at the start × 100%. A dropout is a child whose status became 辍学
  during the year and still is at the end (a child persuaded back is not a dropout).
- 巩固率 = (start − transferred out − deceased + transferred in − dropouts − left) ÷ (start −
  transferred out − deceased + transferred in) × 100%. Transferred in = enrolled during the year
  other than back from 辍学/休学 (a new record, or back from 转出). Left = became 其他离校 during
  the year and still is: gone without a transfer, not kept until found (as the cohort definition
  counts them), and not a dropout either.
- 入学率 = children of school age on the 户籍 list with an enrolled record (休学 not counted) ÷
  children of school age on the list × 100%; absent until a 户籍 list is imported.
A month that has ended (the monthly report, a meeting looking back) counts the register and the
open cases as they stood on its last day, and what happened in it as the month's.
A child counts where their record is now: one who moved between two schools of the township is
counted once, at the school they attend. A status on a day is the last recorded change on or
before it; a record with no history has its current status since it was created.
"""
from __future__ import annotations

from collections import Counter, defaultdict
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
from blueprints.cases import reconcile
from blueprints.pairs import schedule
from extensions import db
from models import (FOCUS_FLAGS, STATUSES, AidProgram, ClassGroup, DropoutCase, EarlyWarning,
                    HomeVisit, HouseholdChild, Pledge, School, StatusChange, Student, Term,
                    month_bounds, month_spans, school_year_of)

# The setting, as create_app() defaults it. 巩固率: "year" = (start − out − deceased + in −
# dropouts − left) ÷ (start − out − deceased + in); "cohort" = the graduating cohort kept ÷ the
# cohort (normal moves out of it).
DEFAULTS = {"CONSOLIDATION_RATE": "year"}

FORMULAS = {
    "enrolment": "入学率 = 户籍名单上的适龄儿童中在读的人数 ÷ 户籍名单上的适龄儿童数 × 100%（休学不计为在读）",
    "consolidation": "巩固率 = (学年初在读 − 转出 − 死亡 + 转入 − 辍学 − 其他离校) ÷ (学年初在读 − 转出 − 死亡 + 转入) × 100%"
                     "（其他离校：未办转学手续离校、去向未核实的，不计为巩固）",
    "cohort": "巩固率（届别口径）= 本届毕业年级仍在籍的学生（在读、休学、已毕业）÷ 本届学生总数（历年入学和转入的，"
              "不含转出、死亡）× 100%；本届 = 本学年应读最高年级的学生，已离校学生按离校时年级逐年推算",
    "dropout": "辍学率 = 本学年辍学人数 ÷ 学年初在读人数 × 100%",
}


def formulas() -> dict[str, str]:
    """The formulas shown beside the rates, with the 巩固率 definition the township uses
    (CONSOLIDATION_RATE = "year" or "cohort")."""
    chosen = dict(FORMULAS)
    if current_app.config["CONSOLIDATION_RATE"] == "cohort":
        chosen["consolidation"] = chosen["cohort"]
    del chosen["cohort"]
    return chosen


# The month's report to the bureau: one line per figure, the same in its PDF and its Excel.
MIN_BASE = 10  # a 户籍 list of fewer school-age children is not the township's
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
    ("巩固率（%）", lambda c: c.rates.consolidation_rate),
    ("辍学率（%）", lambda c: c.rates.dropout_rate),
]


@dataclass
class Rates:
    start: int = 0
    out: int = 0
    deceased: int = 0
    transferred_in: int = 0
    dropouts: int = 0
    left: int = 0  # became 其他离校 in the year and still are: not kept, not dropouts
    listed: int | None = None  # children of school age on the 户籍 list (None: no list)
    listed_enrolled: int = 0
    cohort: int | None = None  # the cohort definition's base (None: the year definition)
    cohort_kept: int = 0

    @staticmethod
    def pct(num: int, den: int) -> float | None:
        return round(100 * num / den, 1) if den else None

    @property
    def dropout_rate(self) -> float | None:
        return self.pct(self.dropouts, self.start)

    @property
    def consolidation_rate(self) -> float | None:
        if self.cohort is not None:
            return self.pct(self.cohort_kept, self.cohort)
        base = self.start - self.out - self.deceased + self.transferred_in
        return self.pct(base - self.dropouts - self.left, base)

    @property
    def enrolment_rate(self) -> float | None:
        return self.pct(self.listed_enrolled, self.listed) if self.listed else None

    def doubts(self, enrolled: int) -> list[str]:
        """Why a rate cannot be right as it stands (issue 18.6): shown beside it on the
        dashboard and the monthly report, and the drafted 工作总结 leaves it out. enrolled: the
        children enrolled in the register of the same scope."""
        out = []
        if self.listed and self.listed < MIN_BASE:  # the 户籍 list is always the township's
            out.append(f"入学率的分母只有 {self.listed} 人，不能当作全镇的比例。")
        if self.listed and enrolled and self.listed < enrolled / 2:
            out.append(f"户籍名单上的适龄儿童只有 {self.listed} 人，不到学籍在读人数（{enrolled} 人）"
                       "的一半：名单可能只含部分村，入学率待导入全镇名单后再看。")
        elif self.enrolment_rate is not None and self.enrolment_rate < 50:
            out.append(f"入学率只有 {self.enrolment_rate}%：请核实户籍名单和学籍是否完整后再上报。")
        return out


def status_on(history: list[tuple], created: date, current: str, day: date) -> str | None:
    """history: (changed_on, from, to) sorted by date."""
    status = None
    for changed_on, _from, to in history:
        if changed_on <= day:
            status = to
    if status is None and not history and created <= day:
        return current
    return status


LEFT_STATUSES = [s for s in STATUSES if s != "enrolled"]


def rates(students, start: date, end: date) -> dict[int | None, Rates]:
    """Rates per school id and for all (key None), over [start, end]. `students` is a select
    of student ids (or a list of Student rows)."""
    ids = students if isinstance(students, sa.Select) else \
        sa.select(Student.id).where(Student.id.in_([s.id for s in students]))
    out: dict[int | None, Rates] = defaultdict(Rates)
    # The usual case, counted in SQL: enrolled since before the year began, with no change
    # since (and none ever to another status). Everyone else is walked through their history:
    # the few found by three indexed conditions (not enrolled now, registered during the year,
    # a change since it began or ever to another status), not every child tested row by row
    # (45 of a township dashboard's 210 ms).
    cutoff = datetime.combine(start + timedelta(days=1), time())
    unsteady = sa.union(
        sa.select(Student.id).where(access.among(ids), Student.status != "enrolled"),
        sa.select(Student.id).where(access.among(ids), Student.created_at >= cutoff),
        sa.select(StatusChange.student_id).join(Student, Student.id == StatusChange.student_id)
        .where(access.among(ids), sa.or_(StatusChange.changed_on > start,
                                         StatusChange.to_status.in_(LEFT_STATUSES))))
    history: dict[int, list[tuple]] = defaultdict(list)
    children = {}
    for sid, school_id, status, created, changed_on, was, to in db.session.execute(  # one pass
            sa.select(Student.id, Student.school_id, Student.status, Student.created_at,
                      StatusChange.changed_on, StatusChange.from_status, StatusChange.to_status)
            .outerjoin(StatusChange, StatusChange.student_id == Student.id)
            .where(Student.id.in_(unsteady))
            .order_by(StatusChange.changed_on, StatusChange.id)):
        children[sid] = (school_id, status, created)
        if changed_on is not None:
            history[sid].append((changed_on, was, to))
    walked = Counter(school_id for school_id, _status, _created in children.values())
    for school_id, n in db.session.execute(sa.select(Student.school_id, sa.func.count()).where(
            access.among(ids)).group_by(Student.school_id)):
        out[school_id].start += n - walked[school_id]
        out[None].start += n - walked[school_id]
    for sid, (school_id, status, created) in children.items():
        changes = history.get(sid, [])
        during = [c for c in changes if start < c[0] <= end]
        was = status_on(changes, created.date(), status, start)
        now = status_on(changes, created.date(), status, end)
        flags = (
            ("start", was == "enrolled"),
            ("out", any(c[2] == "transferred" for c in during) and now != "enrolled"),
            ("deceased", any(c[2] == "deceased" for c in during)),
            ("transferred_in", any(c[2] == "enrolled" and c[1] not in
                                   ("dropout", "suspended", "enrolled") for c in during)
             and was != "enrolled"),
            ("dropouts", now == "dropout" and any(c[2] == "dropout" for c in during)),
            ("left", now == "left" and any(c[2] == "left" for c in during)),
        )
        for key in (school_id, None):
            r = out[key]
            for name, yes in flags:
                if yes:
                    setattr(r, name, getattr(r, name) + 1)
    return out


def cohort(students: sa.Select, today: date) -> dict[int | None, tuple[int, int]]:
    """The cohort definition of 巩固率, per school id and for all (key None): (the cohort,
    those of it still on the register). The cohort is every record whose grade this school
    year would be the highest grade taught in scope: an enrolled or suspended child by their
    grade, one who left by the grade they left in plus the school years since. Transfers out
    and deaths are normal moves and leave the cohort; enrolled, suspended and graduated (this
    year) are kept; dropouts and other leavers are lost."""
    year = school_year_of(today)
    final = db.session.scalar(access.scoped(ClassGroup).with_only_columns(
        sa.func.max(ClassGroup.grade)).where(ClassGroup.school_year == year))
    out: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    if not final:
        return {}
    left = (sa.select(StatusChange.student_id, sa.func.max(StatusChange.changed_on).label("on"))
            .group_by(StatusChange.student_id).subquery())
    for school_id, status, grade, left_on, created in db.session.execute(
            sa.select(Student.school_id, Student.status, Student.grade, left.c.on,
                      Student.created_at).outerjoin(left, left.c.student_id == Student.id)
            .where(access.among(students), Student.grade <= final,
                   Student.status.not_in(("transferred", "deceased")))):
        if status not in ("enrolled", "suspended"):
            grade += year - school_year_of(left_on or created.date())
        if grade != final:
            continue
        for key in (school_id, None):
            out[key][0] += 1
            out[key][1] += status in ("enrolled", "suspended", "graduated")
    return {key: (base, kept) for key, (base, kept) in out.items()}


def enrolment(central_id: int | None, today: date) -> Rates:
    """入学率's figures from the 户籍 list (listed None when there is no list)."""
    r = Rates()
    if central_id is None:
        return r
    children = [h for h in db.session.scalars(access.scoped(HouseholdChild).where(
        HouseholdChild.central_id == central_id)) if reconcile.of_age(h.birth_date, today)]
    if not children:
        return r
    records = access.records_by_id(h.id_number for h in children)
    r.listed = len(children)
    r.listed_enrolled = sum(1 for h in children
                            if records.get(h.id_number, ("", ""))[1] == "enrolled")
    return r


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
        state = c.state if as_of >= today else _case_state_on(c, as_of)
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
        if status in ("signed", "collected"):
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


def _case_state_on(case: DropoutCase, day: date) -> str | None:
    """A case's state on a day, from its steps (None: not opened yet)."""
    state = None
    for step in case.steps:
        if step.on <= day:
            state = step.to_state
    return state


def _rates_of(columns: dict, group: dict, scoped, today: date) -> None:
    """The school year's rates on each column (a township's summed from its schools), and the
    入学率's 户籍 list on the scope's own."""
    year = school_year_of(today)
    start, end = date(year, 9, 1), min(today, date(year + 1, 8, 31))
    found = rates(scoped.with_only_columns(Student.id), start, end)
    columns[None].rates = found[None]
    for school_id, r in found.items():
        if school_id is not None and group.get(school_id) in columns:
            target = columns[group[school_id]].rates
            for name in ("start", "out", "deceased", "transferred_in", "dropouts", "left"):
                setattr(target, name, getattr(target, name) + getattr(r, name))
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
    town = enrolment(access.township_id(), today)
    columns[None].rates.listed, columns[None].rates.listed_enrolled = town.listed, \
        town.listed_enrolled


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
