"""The cases area's lists as their filters read them (filters.ListFilter): 劝返个案 by state and
school, 家访 by school, month and who recorded them, 台账 by kind, school, month and version."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import access
import clock
from extensions import db
from filters import ListFilter, choice, month, number
from blueprints.cases.ledger import KINDS
from models import (CASE_STATES, DropoutCase, FollowUp, HomeVisit, Student, User,
                    month_bounds)


@dataclass
class CaseFilter(ListFilter):
    state: str = choice({*CASE_STATES, "open", "all"}, "open")  # open: not yet 销号
    school: int | None = number()

    def statement(self) -> sa.Select:
        stmt = access.scoped(DropoutCase).join(Student)
        if self.state == "open":
            stmt = stmt.where(DropoutCase.state != "closed")
        elif self.state != "all":
            stmt = stmt.where(DropoutCase.state == self.state)
        if self.school:
            stmt = stmt.where(DropoutCase.school_id == self.school)
        return stmt.order_by(DropoutCase.opened_on, Student.name_pinyin)

    def rows(self) -> list[DropoutCase]:
        """The list: the first 500, with their children's classes and schools."""
        return db.session.scalars(self.kept(_cases_shown)).all()


def _cases_shown(stmt: sa.Select) -> sa.Select:
    return stmt.options(selectinload(DropoutCase.student).selectinload(Student.class_group),
                        selectinload(DropoutCase.school)).limit(500)


def follow_ups_due(today: date) -> list[FollowUp]:
    """The follow-ups due by `today` and not done, with their cases' children."""
    return db.session.scalars(_due(today)).all()


@access.per_scope
def _due(today: date) -> sa.Select:
    return access.scoped(FollowUp).where(FollowUp.done_on.is_(None), FollowUp.due_on <= today) \
        .options(selectinload(FollowUp.case).selectinload(DropoutCase.student))


@dataclass
class LedgerFilter(ListFilter):
    kind: str = choice(KINDS, "suspected")
    school: int | None = number()
    month: date | None = month()  # none: this month
    version: int | None = number()  # a version sent (sent.py); none: the latest

    @property
    def bounds(self) -> tuple[date, date]:
        """The month's first and last day."""
        return month_bounds(self.month or clock.today())


@dataclass
class VisitFilter(ListFilter):
    school: int | None = number()
    month: date | None = month()
    user: int | None = number()

    def statement(self) -> sa.Select:
        stmt = access.scoped(HomeVisit).join(Student)
        if self.school:
            stmt = stmt.where(HomeVisit.school_id == self.school)
        if self.month:
            first, last = month_bounds(self.month)
            stmt = stmt.where(HomeVisit.visited_on >= first, HomeVisit.visited_on <= last)
        if self.user:
            stmt = stmt.where(HomeVisit.user_id == self.user)
        return stmt.order_by(HomeVisit.visited_on.desc(), HomeVisit.id.desc())

    def rows(self) -> list[HomeVisit]:
        """The list: the first 1,000, with their children's schools and their visitors."""
        return db.session.scalars(self.kept(_visits_shown)).all()


def _visits_shown(stmt: sa.Select) -> sa.Select:
    return stmt.options(selectinload(HomeVisit.student).selectinload(Student.school),
                        selectinload(HomeVisit.user)).limit(1000)


def visitors(ids) -> list[User]:
    """The users of `ids` in scope (the visits list's 走访人 filter)."""
    return db.session.scalars(_visitors(), {"users": list(ids)}).all()


@access.per_scope
def _visitors() -> sa.Select:
    return access.scoped(User).where(User.id.in_(sa.bindparam("users", expanding=True)))
