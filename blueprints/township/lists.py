"""The township area's lists as their filters read them (filters.ListFilter): 班级 by school
year and school, the 操作日志 by action, table, user and days."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa

import access
import audit
import clock
from filters import ListFilter, choice, day, number, text
from models import AuditLog, ClassGroup, school_year_of


@dataclass
class ClassFilter(ListFilter):
    year: int | None = number()  # none: this school year
    school: int | None = number()

    def __post_init__(self):
        self.year = self.year or school_year_of(clock.today())

    def statement(self) -> sa.Select:
        stmt = access.scoped(ClassGroup).where(ClassGroup.school_year == self.year)
        if self.school:
            stmt = stmt.where(ClassGroup.school_id == self.school)
        return stmt.order_by(ClassGroup.school_id, ClassGroup.grade, ClassGroup.name)


@dataclass
class AuditFilter(ListFilter):
    action: str = choice(AuditLog.ACTIONS)
    table: str = choice(audit.TABLE_LABELS)
    user: str = text(80)
    day_from: date | None = day("from")
    day_to: date | None = day("to")

    def statement(self) -> sa.Select:
        stmt = access.scoped(AuditLog)
        if self.action:
            stmt = stmt.where(AuditLog.action == self.action)
        if self.table:
            stmt = stmt.where(AuditLog.table_name == self.table)
        if self.user:
            stmt = stmt.where(AuditLog.username == self.user)
        if self.day_from:
            stmt = stmt.where(AuditLog.at >= datetime.combine(self.day_from, time.min))
        if self.day_to:
            stmt = stmt.where(AuditLog.at <= datetime.combine(self.day_to, time.max))
        return stmt.order_by(AuditLog.id.desc())
