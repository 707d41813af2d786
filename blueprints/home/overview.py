"""The home page's content, in the signed-in user's scope: the register by status and focus
group, their own classes (a teacher's, a village head's school's), and what waits for them."""
from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa
from flask_login import current_user

import access
import clock
from blueprints.attendance import arrivals, rolls
from blueprints.cases import school_reports
from blueprints.pairs import schedule
from extensions import db
from models import (FOCUS_FLAGS, ActionItem, ClassGroup, DropoutCase, EarlyWarning, FollowUp,
                    Student, last_month, school_year_of)


def register_counts() -> tuple[dict, dict]:
    """Children by status, and the enrolled by focus group: counted in one statement from the
    students' profile index, which holds the status and every focus flag (two statements cost
    PostgreSQL 1.9 ms, a round trip each). Grouped by school and status, in the order of the
    index: grouped by status alone, SQLite walked the county's status index (16 ms against
    2.5). COUNT(*) FILTER (WHERE ...): SQLite takes fewer steps a row than SUM(CASE ...)."""
    by_status, flags = Counter(), Counter({f: 0 for f in FOCUS_FLAGS})
    for status, n, *counts in db.session.execute(_register_counts()):
        by_status[status] += n
        flags.update(dict(zip(FOCUS_FLAGS, counts)))
    return by_status, dict(flags)


@access.per_scope
def _register_counts() -> sa.Select:
    return access.scoped(Student).with_only_columns(Student.status, sa.func.count(), *[
        sa.func.count().filter(sa.and_(Student.status == "enrolled", getattr(Student, flag)))
        for flag in FOCUS_FLAGS]).group_by(Student.school_id, Student.status)


def own_classes() -> list:
    """(class, enrolled count) of this school year, for those whose scope is classes or one
    school: one click away."""
    if not (access.class_scoped() or access.one_school()):
        return []
    return db.session.execute(_own_classes(school_year_of(clock.today()))).all()


@access.per_scope
def _own_classes(school_year: int) -> sa.Select:
    students = access.scoped(Student).subquery()
    count = (sa.select(sa.func.count()).where(students.c.class_id == ClassGroup.id,
                                              students.c.status == "enrolled")
             .scalar_subquery())
    return (access.scoped(ClassGroup).add_columns(count)
            .where(ClassGroup.school_year == school_year)
            .order_by(ClassGroup.grade, ClassGroup.name))


def todo(today: date) -> dict:
    """待办: open warnings (and the overdue), follow-ups due, open cases, the user's pairs
    behind schedule, the meeting decisions given to them, the classes whose rolls were not
    taken (attendance/rolls.py), the schools that have not sent last month's 月报."""
    warnings_open, follow_ups, open_cases, actions = _todo(today, current_user.id)
    warnings = db.session.scalars(warnings_open).all()
    return {
        "warnings": warnings,
        "overdue": [w for w in warnings if w.overdue_on(today)],
        "follow_ups": db.session.scalars(follow_ups).all(),
        "open_cases": db.session.scalar(open_cases),
        "pairs_behind": [r for r in schedule.standing(today, teacher_id=current_user.id)
                         if r.due],
        "actions": db.session.scalars(actions).all(),
        "unrolled": rolls.unrolled(today) if access.keeps_attendance() else {},
        "not_come": arrivals.not_come(today) if access.keeps_attendance() else 0,
        "unreported": school_reports.unreported(today)
        if access.can("cases.school_report", "POST") else [],
        "report_month": last_month(today)[0],
    }


@access.per_scope
def _todo(today: date, user_id: int) -> tuple[sa.Select, ...]:
    """todo()'s statements: the open warnings, the follow-ups due, the open cases' count, the
    meeting decisions given to the user."""
    return (access.scoped(EarlyWarning).where(EarlyWarning.status == "open")
            .order_by(EarlyWarning.due_on),
            access.scoped(FollowUp).where(FollowUp.done_on.is_(None), FollowUp.due_on <= today),
            access.scoped(DropoutCase).where(DropoutCase.state != "closed")
            .with_only_columns(sa.func.count()),
            access.scoped(ActionItem).where(ActionItem.owner_id == user_id,
                                            ActionItem.done_on.is_(None))
            .order_by(ActionItem.due_on))
