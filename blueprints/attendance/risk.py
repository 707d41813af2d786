"""风险等级: a child's dropout risk from weighted, explainable indicators (docs/design.md, Rules).

Each indicator that applies gives its points with the evidence behind them; the sum against
RISK["high"] and RISK["medium"] gives 高/中/低. Protective evidence (an active pair, aid received
in the last year) takes points off. A person may override the level with a reason; the latest
override holds until someone hands back to the computation.

assess() is the definition, with every indicator's evidence, for one child or a list. The lists
of a whole township or county rank children by their stored scores (scores.py), which
tests/test_risk.py checks against assess() child by child.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from blueprints.attendance import rules
from extensions import db
from models import (CASE_STATES, FOCUS_FLAGS, GRADES, RISK_LEVELS, Absence, AidGrant,
                    DropoutCase, Guardian, RiskOverride, School, Student, TutoringPair,
                    school_year_of)
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

    @property
    def summary(self) -> str:
        """The indicators in one line, as the risk list shows them: 留守儿童（+1）、..."""
        return "、".join(f"{i.label}（{i.points:+d}）" for i in self.indicators)


def settings() -> dict:
    return current_app.config["RISK"]


def assess(students, today: date) -> dict[int, Assessment]:
    """Assess many children at once: `students` is a list of Student rows or of their ids, or a
    select of student ids (read through access.py by the caller). Every input is read in one
    statement, a child a row (_inputs), and the latest overrides in one more when there are
    any."""
    cfg, w = settings(), settings()["weights"]
    ids = (db.session.scalars(students).all() if isinstance(students, sa.Select)
           else [getattr(s, "id", s) for s in students])
    window = today - timedelta(days=cfg["window_days"])  # both absence indicators look here
    rows = db.session.execute(_inputs(), {"assessed": ids, "window": window, "today": today,
                                          "year_ago": today - timedelta(days=365)}).all()
    overrides = {o.student_id: o for o in db.session.scalars(sa.select(RiskOverride).where(
        RiskOverride.id.in_([row.override for row in rows if row.override])).options(
        joinedload(RiskOverride.user)))} if any(row.override for row in rows) else {}
    year_start = date(school_year_of(today), 9, 1)
    run_days = rules.settings()["warning_days"]
    out = {}
    for sid, town, status, grade, born, *flags, days, cases, paired, aided, away, _o in rows:
        a = Assessment(override=overrides.get(sid))
        days = sorted(map(date.fromisoformat, days.split(","))) if days else []  # the window's
        past_cases = sorted(cases.split(",")) if cases else []
        if days:
            points = min(len(days) * w["recent_absence"], w["recent_absence_max"])
            a.indicators.append(Indicator(f"近{cfg['window_days']}天无故缺课", points,
                                          f"{len(days)} 天：" + "、".join(
                                              d.strftime("%m-%d") for d in days[-6:])))
        if len(days) >= run_days:
            run = latest_run(days, rules.calendar(town))
            if len(run) >= run_days:
                a.indicators.append(Indicator("连续无故缺课", w["absence_run"],
                                              f"{len(run)} 个上课日（{run[0]} 起）"))
        for flag, yes in zip(RISK_FLAGS, flags):
            if yes and w.get(flag):
                a.indicators.append(Indicator(FOCUS_FLAGS[flag], w[flag], "学籍登记的重点群体"))
        if past_cases or status == "dropout":
            a.indicators.append(Indicator("曾辍学或疑似辍学", w["past_dropout"], "；".join(
                f"{day} 立案，{CASE_STATES[state]}" for day, state in map(str.split, past_cases))
                or "学籍状态为辍学"))
        if born and grade:
            age = year_start.year - born.year - ((year_start.month, year_start.day)
                                                 < (born.month, born.day))
            if age - (grade + 5) >= 2:
                a.indicators.append(Indicator("超龄", w["over_age"], f"{age} 岁读{GRADES[grade]}"
                                              f"（应为 {grade + 5} 岁）"))
        orphan = flags[RISK_FLAGS.index("orphan")]
        if orphan or away:
            a.indicators.append(Indicator("家中无监护人", w["no_guardian_home"],
                                          "孤儿/事实无人抚养" if orphan else "监护人都外出务工"))
        if paired:
            a.indicators.append(Indicator("有结对帮扶", w["pair"], "帮扶进行中（保护因素）"))
        if aided:
            a.indicators.append(Indicator("近一年获得资助", w["aid"], "资助已发放或在办（保护因素）"))
        a.score = sum(i.points for i in a.indicators)
        a.computed = level_of(a.score, cfg)
        out[sid] = a
    return out


@functools.cache
def _inputs() -> sa.Select:
    """assess()'s inputs, a child a row: the child's own columns, then the window's unexcused
    days ("2026-11-03,..."), the past cases ("2026-03-02 closed,..."), an active pair, aid in
    the last year, every guardian away, the latest override's id. Each is a subquery on the
    child's own rows (by its index on student_id): one statement instead of seven, for a
    child's page and a list's 50 rows alike. Built once (its parameters: the children
    `assessed`, `window`, `today`, `year_ago`): building it took a millisecond a page."""
    child, today = Student.id, sa.bindparam("today", type_=sa.Date)

    def each(stmt):
        return stmt.correlate(Student).scalar_subquery()
    return sa.select(
        Student.id, TOWNSHIP, Student.status, Student.grade, Student.birth_date,
        *[getattr(Student, f) for f in RISK_FLAGS],
        each(sa.select(sa.func.aggregate_strings(sa.cast(Absence.day, sa.String), ",")).where(
            Absence.student_id == child, Absence.kind == "unexcused",
            Absence.day >= sa.bindparam("window", type_=sa.Date), Absence.day <= today)),
        each(sa.select(sa.func.aggregate_strings(
            sa.cast(DropoutCase.opened_on, sa.String) + " " + DropoutCase.state, ",")).where(
            DropoutCase.student_id == child, sa.or_(DropoutCase.state == "closed",
                                                   DropoutCase.dropout_on.is_not(None)))),
        sa.exists().where(TutoringPair.student_id == child, TutoringPair.start_on <= today,
                          sa.or_(TutoringPair.end_on.is_(None), TutoringPair.end_on >= today)),
        each(sa.select(sa.func.sum(AidGrant.amount)).where(
            AidGrant.student_id == child,
            AidGrant.applied_on >= sa.bindparam("year_ago", type_=sa.Date))) > 0,
        each(sa.select(sa.func.min(sa.cast(Guardian.works_away, sa.Integer))).where(
            Guardian.student_id == child)) == 1,  # every guardian away: nobody at home
        each(sa.select(sa.func.max(RiskOverride.id)).where(RiskOverride.student_id == child))
        .label("override"),
    ).join(School, Student.school_id == School.id).where(Student.id.in_(sa.bindparam(
        "assessed", expanding=True, literal_execute=True)))


TOWNSHIP = sa.case((School.kind == "central", School.id), else_=School.parent_id)


def level_of(score: int, cfg: dict) -> str:
    return "high" if score >= cfg["high"] else "medium" if score >= cfg["medium"] else "low"


def latest_run(days: list[date], cal) -> list[date]:
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
