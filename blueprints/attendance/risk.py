"""风险等级: a child's dropout risk from weighted, explainable indicators (DESIGN.md §4).

Each indicator that applies gives its points with the evidence behind them; the sum against
RISK["high"] and RISK["medium"] gives 高/中/低. Protective evidence (an active pair, aid received
in the last year) takes points off. A person may override the level with a reason; the latest
override holds until someone hands back to the computation. Nothing is stored but overrides:
levels are computed when shown, for one child or a whole list in a few queries.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

import access
from blueprints.attendance import rules
from extensions import db
from models import (FOCUS_FLAGS, RISK_LEVELS, Absence, AidGrant, DropoutCase, Guardian,
                    RiskOverride, Student, TutoringPair, school_year_of)

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


def assess(students: list[Student], today: date) -> dict[int, Assessment]:
    """Assess many children at once (a few queries, whatever their number)."""
    cfg, w = settings(), settings()["weights"]
    ids = [s.id for s in students]
    window = today - timedelta(days=cfg["window_days"])
    unexcused: dict[int, set[date]] = defaultdict(set)
    for sid, day in db.session.execute(sa.select(Absence.student_id, Absence.day).where(
            Absence.student_id.in_(ids), Absence.kind == "unexcused",
            Absence.day >= today - timedelta(days=cfg["window_days"] * 3), Absence.day <= today)):
        unexcused[sid].add(day)
    past_cases = defaultdict(list)
    for case in db.session.scalars(sa.select(DropoutCase).where(DropoutCase.student_id.in_(ids))):
        past_cases[case.student_id].append(case)
    paired = set(db.session.scalars(sa.select(TutoringPair.student_id).where(
        TutoringPair.student_id.in_(ids), TutoringPair.start_on <= today,
        sa.or_(TutoringPair.end_on.is_(None), TutoringPair.end_on >= today))))
    aided = {sid for sid, total in db.session.execute(
        sa.select(AidGrant.student_id, sa.func.sum(AidGrant.amount)).where(
            AidGrant.student_id.in_(ids), AidGrant.applied_on >= today - timedelta(days=365))
        .group_by(AidGrant.student_id)) if total > 0}
    away: dict[int, list[bool]] = defaultdict(list)  # guardians' 外出务工, without a load each
    for sid, works_away in db.session.execute(sa.select(Guardian.student_id, Guardian.works_away)
                                              .where(Guardian.student_id.in_(ids))):
        away[sid].append(works_away)
    overrides = {}
    for o in db.session.scalars(access.scoped(RiskOverride).where(
            RiskOverride.student_id.in_(ids)).order_by(RiskOverride.id)):
        overrides[o.student_id] = o
    out = {}
    for s in students:
        a = Assessment(override=overrides.get(s.id))
        days = sorted(unexcused[s.id])
        recent = [d for d in days if d >= window]
        if recent:
            points = min(len(recent) * w["recent_absence"], w["recent_absence_max"])
            a.indicators.append(Indicator(f"近{cfg['window_days']}天无故缺课", points,
                                          f"{len(recent)} 天：" + "、".join(
                                              d.strftime("%m-%d") for d in recent[-6:])))
        run = _run(days, rules.calendar(s.school.township_id), today)
        if len(run) >= rules.settings()["warning_days"]:
            a.indicators.append(Indicator("连续无故缺课", w["absence_run"],
                                          f"{len(run)} 个上课日（{run[0]} 起）"))
        for flag in RISK_FLAGS:
            if getattr(s, flag) and w.get(flag):
                a.indicators.append(Indicator(FOCUS_FLAGS[flag], w[flag], "学籍登记的重点群体"))
        before = [c for c in past_cases[s.id] if c.state == "closed" or c.dropout_on]
        if before or s.status == "dropout":
            a.indicators.append(Indicator("曾辍学或疑似辍学", w["past_dropout"], "；".join(
                f"{c.opened_on} 立案，{c.state_label}" for c in before) or "学籍状态为辍学"))
        age = s.age_on(date(school_year_of(today), 9, 1))
        if age is not None and s.grade and age - (s.grade + 5) >= 2:
            a.indicators.append(Indicator("超龄", w["over_age"],
                                          f"{age} 岁读{s.grade_label}（应为 {s.grade + 5} 岁）"))
        if s.orphan or (away[s.id] and all(away[s.id])):
            a.indicators.append(Indicator("家中无监护人", w["no_guardian_home"],
                                          "孤儿/事实无人抚养" if s.orphan else "监护人都外出务工"))
        if s.id in paired:
            a.indicators.append(Indicator("有结对帮扶", w["pair"], "帮扶进行中（保护因素）"))
        if s.id in aided:
            a.indicators.append(Indicator("近一年获得资助", w["aid"], "资助已发放或在办（保护因素）"))
        a.score = sum(i.points for i in a.indicators)
        a.computed = ("high" if a.score >= cfg["high"] else
                      "medium" if a.score >= cfg["medium"] else "low")
        out[s.id] = a
    return out


def _run(days: list[date], cal, today: date) -> list[date]:
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
        raise ValueError("请选择高、中或低。")
    if not (reason or "").strip():
        raise ValueError("调整风险等级必须写明理由。")
    row = RiskOverride(student_id=student.id, school_id=student.school_id, level=level,
                       reason=reason.strip()[:300], on=on, user_id=user.id)
    db.session.add(row)
    return row
