"""The attendance area's lists as their filters read them (filters.ListFilter): 预警 by status
and school."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import access
from extensions import db
from filters import ListFilter, choice, number
from models import ClassGroup, EarlyWarning, Student

WARNING_STATES = {"open": "待处理", "closed": "已处理", "all": "全部"}


@dataclass
class WarningFilter(ListFilter):
    status: str = choice(WARNING_STATES, "open")
    school: int | None = number()

    def statement(self) -> sa.Select:
        stmt = access.scoped(EarlyWarning).join(Student)
        if self.status != "all":
            stmt = stmt.where(EarlyWarning.status == self.status)
        if self.school:
            stmt = stmt.where(EarlyWarning.school_id == self.school)
        return stmt.order_by(EarlyWarning.status.desc(), EarlyWarning.due_on, Student.name_pinyin)

    def rows(self) -> list[EarlyWarning]:
        """The list: the first 500, with their children's schools and classes' head teachers,
        and who closed them."""
        return db.session.scalars(self.kept(_shown)).all()


def _shown(stmt: sa.Select) -> sa.Select:
    child = selectinload(EarlyWarning.student)
    return stmt.options(child.selectinload(Student.school),
                        child.selectinload(Student.class_group).selectinload(
                            ClassGroup.head_teacher),
                        selectinload(EarlyWarning.closed_by)).limit(500)
