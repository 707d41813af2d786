"""风险等级: a child's dropout risk from weighted, explainable indicators (docs/design.md, Rules).

Each indicator that applies gives its points with the evidence behind them; the sum against
RISK["high"] and RISK["medium"] gives 高/中/低. Protective evidence (an active pair, aid received
in the last year) takes points off. A person may override the level with a reason; the latest
override holds until someone hands back to the computation.

assess() is the definition, with every indicator's evidence, for one child or a list. The lists
of a whole township or county (the risk list, the 包保 coverage list, the dashboard's counts,
the meeting's 高风险 children) rank children by their stored scores (models.RiskScore): the
database's triggers mark a child's score out of date in the same transaction as every write to
its inputs, and a list scores again (_compute, one query; the run of days in Python) only the
children whose score is out of date, not from today, or from other settings, then stores them
(_store). The nightly rules run scores the new day (refresh). tests/test_risk.py checks the
lists against assess() child by child, and after a write to each input.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

import access
from blueprints.attendance import rules
from extensions import db, plain_rows
from models import (CASE_STATES, FOCUS_FLAGS, GRADES, RISK_LEVELS, Absence, AidGrant,
                    DropoutCase, Guardian, RiskOverride, RiskScore, School, Student, TutoringPair,
                    school_year_of)
from paging import Page
from refusal import Refusal

# The setting, as create_app() defaults it: points per indicator, levels by the sum.
DEFAULTS = {"RISK": {"window_days": 30, "high": 6, "medium": 3, "weights": {
    "recent_absence": 1, "recent_absence_max": 4, "absence_run": 3,
    "left_behind": 1, "single_parent": 1, "poverty": 1, "disabled": 1, "orphan": 1,
    "learning_difficulty": 2, "school_weary": 3, "past_dropout": 3, "over_age": 2,
    "no_guardian_home": 2, "pair": -1, "aid": -1}}}

RISK_FLAGS = ("left_behind", "single_parent", "poverty", "disabled", "learning_difficulty",
              "school_weary", "orphan")


@dataclass
class Indicator:
    label: str
    points: int
    evidence: str


@dataclass
class Assessment:
    score: int = 0
    computed: str = "low"
    indicators: list[Indicator] = field(default_factory=list)
    override: RiskOverride | None = None

    @property
    def level(self) -> str:
        return self.override.level if self.override and self.override.level else self.computed

    @property
    def label(self) -> str:
        return RISK_LEVELS[self.level]


def settings() -> dict:
    return current_app.config["RISK"]


def assess(students, today: date) -> dict[int, Assessment]:
    """Assess many children at once: `students` is a list of Student rows (their schools
    loaded) or a select of student ids (a whole county's 50,000 in a few queries; rows are read
    as plain tuples), read through access.py by the caller."""
    cfg, w = settings(), settings()["weights"]
    ids = students if isinstance(students, sa.Select) else [s.id for s in students]
    window = today - timedelta(days=cfg["window_days"])  # both absence indicators look here
    unexcused: dict[int, list[date]] = defaultdict(list)
    for sid, day in db.session.execute(sa.select(Absence.student_id, Absence.day).where(
            Absence.student_id.in_(ids), Absence.kind == "unexcused",
            Absence.day >= window, Absence.day <= today)
            .order_by(Absence.student_id, Absence.day)):  # each child's in order
        unexcused[sid].append(day)
    past_cases = defaultdict(list)
    for sid, opened_on, state, dropout_on in db.session.execute(sa.select(
            DropoutCase.student_id, DropoutCase.opened_on, DropoutCase.state,
            DropoutCase.dropout_on).where(DropoutCase.student_id.in_(ids))):
        if state == "closed" or dropout_on:
            past_cases[sid].append(f"{opened_on} 立案，{CASE_STATES[state]}")
    paired = set(db.session.scalars(sa.select(TutoringPair.student_id).where(
        TutoringPair.student_id.in_(ids), TutoringPair.start_on <= today,
        sa.or_(TutoringPair.end_on.is_(None), TutoringPair.end_on >= today))))
    aided = {sid for sid, total in db.session.execute(
        sa.select(AidGrant.student_id, sa.func.sum(AidGrant.amount)).where(
            AidGrant.student_id.in_(ids), AidGrant.applied_on >= today - timedelta(days=365))
        .group_by(AidGrant.student_id)) if total > 0}
    all_away = set(db.session.scalars(  # every guardian works away: nobody at home
        sa.select(Guardian.student_id).where(Guardian.student_id.in_(ids))
        .group_by(Guardian.student_id).having(sa.func.min(
            sa.cast(Guardian.works_away, sa.Integer)) == 1)))
    # like every input above, by the children given (the caller scoped them): a scope
    # subquery of the township's children here cost 6 ms for a page of 50
    overrides = {}
    for o in db.session.scalars(sa.select(RiskOverride).where(
            RiskOverride.student_id.in_(ids)).order_by(RiskOverride.id)):
        overrides[o.student_id] = o
    rows = db.session.execute(sa.select(
        Student.id, TOWNSHIP, Student.status, Student.grade, Student.birth_date,
        *[getattr(Student, f) for f in RISK_FLAGS]).join(School, Student.school_id == School.id)
        .where(Student.id.in_(ids))) if isinstance(students, sa.Select) else [
        (s.id, s.school.township_id, s.status, s.grade, s.birth_date,
         *[getattr(s, f) for f in RISK_FLAGS]) for s in students]
    year_start = date(school_year_of(today), 9, 1)
    run_days = rules.settings()["warning_days"]
    out = {}
    for sid, town, status, grade, born, *flags in rows:
        a = Assessment(override=overrides.get(sid))
        days = unexcused.get(sid, [])
        recent = [d for d in days if d >= window]
        if recent:
            points = min(len(recent) * w["recent_absence"], w["recent_absence_max"])
            a.indicators.append(Indicator(f"近{cfg['window_days']}天无故缺课", points,
                                          f"{len(recent)} 天：" + "、".join(
                                              d.strftime("%m-%d") for d in recent[-6:])))
        if len(days) >= run_days:
            run = _run(days, rules.calendar(town))
            if len(run) >= run_days:
                a.indicators.append(Indicator("连续无故缺课", w["absence_run"],
                                              f"{len(run)} 个上课日（{run[0]} 起）"))
        for flag, yes in zip(RISK_FLAGS, flags):
            if yes and w.get(flag):
                a.indicators.append(Indicator(FOCUS_FLAGS[flag], w[flag], "学籍登记的重点群体"))
        if past_cases.get(sid) or status == "dropout":
            a.indicators.append(Indicator("曾辍学或疑似辍学", w["past_dropout"], "；".join(
                past_cases.get(sid, [])) or "学籍状态为辍学"))
        if born and grade:
            age = year_start.year - born.year - ((year_start.month, year_start.day)
                                                 < (born.month, born.day))
            if age - (grade + 5) >= 2:
                a.indicators.append(Indicator("超龄", w["over_age"], f"{age} 岁读{GRADES[grade]}"
                                              f"（应为 {grade + 5} 岁）"))
        orphan = flags[RISK_FLAGS.index("orphan")]
        if orphan or sid in all_away:
            a.indicators.append(Indicator("家中无监护人", w["no_guardian_home"],
                                          "孤儿/事实无人抚养" if orphan else "监护人都外出务工"))
        if sid in paired:
            a.indicators.append(Indicator("有结对帮扶", w["pair"], "帮扶进行中（保护因素）"))
        if sid in aided:
            a.indicators.append(Indicator("近一年获得资助", w["aid"], "资助已发放或在办（保护因素）"))
        a.score = sum(i.points for i in a.indicators)
        a.computed = _level(a.score, cfg)
        out[sid] = a
    return out


def ranked_page(ids: sa.Select, today: date, number: int) -> Page:
    """Page `number` of the children of `ids` at 高 or 中 risk, the highest first (ties in the
    register's order): (child, assessment with its evidence) for the rows shown only."""
    scores = at_risk(ids, today)
    page = Page.of(sorted(scores, key=lambda sid: (scores[sid][0] != "high", -scores[sid][1])),
                   number, current_app.config["PAGE_SIZE"])
    students = {s.id: s for s in db.session.scalars(sa.select(Student).where(
        Student.id.in_(page.items)).options(joinedload(Student.school),
                                            joinedload(Student.class_group)))}
    found = assess(list(students.values()), today)
    page.items = [(students[sid], found[sid]) for sid in page.items]
    return page


# Up to this many out-of-date children are scored by the list of their ids (and this many a
# query), more by the condition "out of date": PostgreSQL cannot tell from the condition how
# few they are and planned a township's absences and guardians for one child (22 ms, against
# 1 ms by ids), while a township's 5,000 of a new day go faster in one query than by ids
# (SQLite 134 against 215 ms).
BY_IDS = 1000

# How long storing scores waits for a writer's lock before leaving them to the next view: a
# list should not queue behind the grid's clicks, and scoring a few children again by their
# ids costs about a millisecond.
STORE_WAIT_MS = 50

TOWNSHIP = sa.case((School.kind == "central", School.id), else_=School.parent_id)


def level_counts(ids: sa.Select, today: date, group=Student.school_id) -> dict[tuple, int]:
    """(group value, level) -> number of children among the select of student ids `ids`.
    When every stored score among them is fresh (the usual case: the nightly run, and each
    list storing what it scored), the levels are counted by the database in one pass, with the
    few overrides moved in Python; else _scored() scores and stores what is out of date.
    (A township's dashboard: ~1,600 rows at risk no longer read to be counted.)"""
    cfg, basis = settings(), _basis()
    overrides, held = _held(ids)

    def counted(condition):  # COUNT FILTER: fewer steps a row than SUM(CASE ...)
        return sa.func.count().filter(condition)
    computed, points = Student.id.not_in(held), RiskScore.points
    rows = db.session.execute(
        sa.select(group, sa.func.count(), counted(_stale(today, basis)),
                  counted(sa.and_(computed, points >= cfg["high"])),
                  counted(sa.and_(computed, points >= cfg["medium"], points < cfg["high"])))
        .select_from(Student).join(School, Student.school_id == School.id)
        .outerjoin(RiskScore, RiskScore.student_id == Student.id)
        .where(access.among(ids)).group_by(group)).all()
    counts = Counter()
    if any(stale for _key, _n, stale, _high, _medium in rows):
        counts.update((key, level) for _sid, key, level, _score in _scored(ids, today, group))
    else:
        for key, _n, _late, high, medium in rows:
            counts[(key, "high")] += high
            counts[(key, "medium")] += medium
        moved = db.session.execute(sa.select(Student.id, group).join(
            School, Student.school_id == School.id).where(Student.id.in_(held))).all()
        counts.update((key, overrides[sid]) for sid, key in moved)
    for key, n, *_ in rows:  # the rest are 低
        counts[(key, "low")] += n - sum(counts.get((key, level), 0) for level in RISK_LEVELS)
    return {k: n for k, n in counts.items() if n}


def at_risk_condition(ids: sa.Select, today: date):
    """"At 高 or 中 risk" as a condition on Student rows, read from the stored scores and the
    overrides, when every stored score among `ids` is fresh; None when one is out of date (the
    caller then uses at_risk(), which scores and stores it). For a list that filters by risk
    among other conditions, instead of ~1,600 ids written into its statement."""
    basis = _basis()
    # no LIMIT 1: with it PostgreSQL reads the whole register hoping for an early row (44 ms
    # for a township whose scores are all fresh, 27 ms by the township's children)
    if db.session.scalars(_out_of_date(access.among(ids), today, basis)).first() is not None:
        return None
    overrides, held = _held(ids)
    return sa.or_(
        Student.id.in_(sa.bindparam("raised", [sid for sid, level in overrides.items()
                                               if level != "low"], literal_execute=True)),
        sa.and_(Student.id.not_in(held), sa.exists().where(
            RiskScore.student_id == Student.id, RiskScore.points >= settings()["medium"])))


def at_risk(ids: sa.Select, today: date) -> dict[int, tuple[str, int]]:
    """(level, score) of each child at 高 or 中 risk among the select of student ids `ids`:
    assess()'s, without the evidence (for ranking a list before explaining its first rows).
    The children come in the register's order (school, grade, name), which a stable sort by
    risk keeps for ties."""
    return {sid: (level, score) for sid, _key, level, score in _scored(
        ids, today, Student.id, order=(Student.school_id, Student.grade, Student.name_pinyin))
        if level != "low"}


def _scored(ids: sa.Select, today: date, group, order=()):
    """(id, group value, level, score) of each child of `ids` at 高 or 中 risk or overridden, as
    assess() finds them, from the stored scores (RiskScore): one query reads the children whose
    score may reach 中 and those whose score is out of date; these are scored (_compute) and
    stored (_store) before the rows are given."""
    cfg = settings()
    basis = _basis()
    stale = _stale(today, basis)
    overrides = _overrides(ids)  # their ids written into the main statement as numbers
    overridden = sa.bindparam("overridden", list(overrides), literal_execute=True)
    rows = plain_rows(
        sa.select(Student.id, group, RiskScore.points, stale)
        .join(School, Student.school_id == School.id)
        .outerjoin(RiskScore, RiskScore.student_id == Student.id)
        .where(access.among(ids))
        .where(sa.or_(stale, RiskScore.points >= cfg["medium"], Student.id.in_(overridden)))
        .order_by(*order))
    late = [sid for sid, _key, _points, out_of_date in rows if out_of_date]
    computed = {}
    if len(late) > BY_IDS:  # a new day: by the condition, in one query
        computed = _compute(_out_of_date(access.among(ids), today, basis), today)
    missing = [sid for sid in late if sid not in computed]  # or stored meanwhile by another
    for start in range(0, len(missing), BY_IDS):
        computed |= _compute(missing[start:start + BY_IDS], today)
    _store(computed, today, basis)
    for sid, key, points, out_of_date in rows:
        if out_of_date:
            if sid not in computed:  # deleted since the first query
                continue
            points = computed[sid][0]
        if points >= cfg["medium"] or sid in overrides:
            yield sid, key, overrides.get(sid) or _level(points, cfg), points


def _overrides(ids: sa.Select) -> dict[int, str | None]:
    """The latest override of each child of `ids` that has one (a few): the overrides are read
    and each one's child tested (EXISTS), not the children read and each one's overrides looked
    up (a township's 5,000: 1.8 → 0.7 ms, with no override at all), nor IN a scope subquery
    (8 ms of a township's 45)."""
    return dict(db.session.execute(
        sa.select(RiskOverride.student_id, RiskOverride.level)
        .where(sa.exists().where(Student.id == RiskOverride.student_id, access.among(ids)))
        .order_by(RiskOverride.id)).all())  # the latest holds


def _held(ids: sa.Select):
    """The overrides among `ids` that hold a level ({child: level}; one of level None hands
    back to the computation), and their ids as a parameter written into a statement."""
    overrides = {sid: level for sid, level in _overrides(ids).items() if level}
    return overrides, sa.bindparam("held", list(overrides), literal_execute=True)


def refresh(today: date) -> int:
    """Score and store every child whose stored score is out of date (the nightly rules run,
    so that the first list of the morning is read, not computed). Returns how many."""
    basis = _basis()
    computed = _compute(_out_of_date(sa.true(), today, basis), today)
    _store(computed, today, basis)
    return len(computed)


def _basis() -> str:
    """The settings a stored score was computed under: changing them recomputes every score."""
    return hashlib.sha1(json.dumps([settings(), rules.settings()["warning_days"]],
                                   sort_keys=True).encode()).hexdigest()[:16]


def _stale(today: date, basis: str):
    """A child's stored score (outer-joined) is missing or out of date."""
    return sa.or_(RiskScore.scored_rev.is_(None), RiskScore.scored_rev != RiskScore.rev,
                  RiskScore.as_of != today, RiskScore.basis != basis)


def _out_of_date(condition, today: date, basis: str) -> sa.Select:
    """The ids of the children meeting `condition` whose stored score is out of date."""
    return (sa.select(Student.id).outerjoin(RiskScore, RiskScore.student_id == Student.id)
            .where(condition, _stale(today, basis)).correlate(None))


def _compute(who, today: date) -> dict[int, tuple[int, int]]:
    """{child: (score, revision of its inputs)} for the children `who` names (a select of
    student ids, or a list written into the statement as numbers), assess()'s scores without
    the evidence. One query sums what needs no calendar (the window's unexcused days counted,
    with their dates) and reads the revision in the same snapshot as the inputs; Python adds a
    run of days on the township's calendar."""
    if not isinstance(who, sa.Select):
        who = sa.bindparam("who", who, literal_execute=True)
    cfg, w = settings(), settings()["weights"]
    window = today - timedelta(days=cfg["window_days"])
    run_days = rules.settings()["warning_days"]
    unexcused = (sa.select(Absence.student_id, sa.func.count().label("n"),
                           sa.func.aggregate_strings(sa.cast(Absence.day, sa.String), ",")
                           .label("days"))
                 .where(Absence.student_id.in_(who), Absence.kind == "unexcused",
                        Absence.day >= window, Absence.day <= today)
                 .group_by(Absence.student_id).subquery())

    def points(condition, weight):
        return sa.case((condition, weight), else_=0)

    year_start = date(school_year_of(today), 9, 1)
    over_age = sa.or_(*[sa.and_(Student.grade == g, Student.birth_date <= date(
        year_start.year - g - 7, year_start.month, year_start.day)) for g in GRADES])
    past = sa.select(DropoutCase.student_id).where(sa.or_(DropoutCase.state == "closed",
                                                          DropoutCase.dropout_on.is_not(None)))
    away = (sa.select(Guardian.student_id).where(Guardian.student_id.in_(who))
            .group_by(Guardian.student_id)
            .having(sa.func.min(sa.cast(Guardian.works_away, sa.Integer)) == 1))
    paired = sa.select(TutoringPair.student_id).where(
        TutoringPair.start_on <= today,
        sa.or_(TutoringPair.end_on.is_(None), TutoringPair.end_on >= today))
    aided = (sa.select(AidGrant.student_id).where(
        AidGrant.applied_on >= today - timedelta(days=365))
        .group_by(AidGrant.student_id).having(sa.func.sum(AidGrant.amount) > 0))
    static = (sum(points(getattr(Student, f).is_(True), w[f]) for f in RISK_FLAGS if w.get(f))
              + points(sa.or_(Student.status == "dropout", Student.id.in_(past)),
                       w["past_dropout"])
              + points(over_age, w["over_age"])
              + points(sa.or_(Student.orphan.is_(True), Student.id.in_(away)),
                       w["no_guardian_home"])
              + points(Student.id.in_(paired), w["pair"])
              + points(Student.id.in_(aided), w["aid"]))
    n = sa.func.coalesce(unexcused.c.n, 0)
    recent = sa.case((n * w["recent_absence"] > w["recent_absence_max"],
                      w["recent_absence_max"]), else_=n * w["recent_absence"])
    out = {}
    for sid, town, score, count, days, rev in db.session.execute(
            sa.select(Student.id, TOWNSHIP, static + recent, n, unexcused.c.days,
                      sa.func.coalesce(RiskScore.rev, 0))
            .join(School, Student.school_id == School.id)
            .outerjoin(unexcused, unexcused.c.student_id == Student.id)
            .outerjoin(RiskScore, RiskScore.student_id == Student.id)
            .where(Student.id.in_(who))):
        if count >= run_days and len(_run(sorted(map(date.fromisoformat, days.split(","))),
                                          rules.calendar(town))) >= run_days:
            score += w["absence_run"]
        out[sid] = (score, rev)
    return out


def _store(scores: dict[int, tuple[int, int]], today: date, basis: str) -> None:
    """Store computed scores in a transaction of their own, waiting at most STORE_WAIT_MS for a
    lock.
    A write not yet committed (this request's own too) holds the lock of its child's row
    (PostgreSQL) or of the database (SQLite), so a score computed from it is never stored:
    storing gives up and the next view computes again. A score stored with a revision that a
    write has passed meanwhile is out of date at once."""
    if not scores:
        return
    sqlite = db.engine.dialect.name == "sqlite"
    insert = (sqlite_insert if sqlite else postgresql_insert)(RiskScore)
    upsert = insert.on_conflict_do_update(index_elements=[RiskScore.student_id], set_={
        c: insert.excluded[c] for c in ("scored_rev", "as_of", "basis", "points")})
    rows = [{"student_id": sid, "rev": rev, "scored_rev": rev, "as_of": today, "basis": basis,
             "points": score} for sid, (score, rev) in sorted(scores.items())]
    with db.engine.connect() as conn:
        wait = None
        try:
            with conn.begin():
                if sqlite:
                    wait = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {STORE_WAIT_MS}" if sqlite
                                     else f"SET LOCAL lock_timeout = '{STORE_WAIT_MS}ms'")
                conn.execute(upsert, rows)
        except sa.exc.OperationalError:  # busy or locked: left to the next view
            pass
        finally:
            if wait is not None:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")


def _level(score: int, cfg: dict) -> str:
    return "high" if score >= cfg["high"] else "medium" if score >= cfg["medium"] else "low"


def _run(days: list[date], cal) -> list[date]:
    """The latest run of consecutive unexcused school days in a sorted list of days."""
    if not days:
        return []
    have, run = set(days), []
    for day in reversed(cal.before(days[-1])):
        if day not in have:
            break
        run.append(day)
    return run[::-1]


def override(student: Student, level: str | None, reason: str, user, on: date) -> RiskOverride:
    if level is not None and level not in RISK_LEVELS:
        raise Refusal("请选择高、中或低。")
    if not (reason or "").strip():
        raise Refusal("调整风险等级必须写明理由。")
    row = RiskOverride(student_id=student.id, school_id=student.school_id, level=level,
                       reason=reason.strip()[:300], on=on, user_id=user.id)
    db.session.add(row)
    return row
