"""考勤与预警: absences entered weekly, and the warnings the rules open from them."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from refusal import Refusal
from models.register import Student
from models.people import User
from models.common import now


# 考勤与预警: absences entered weekly, and the warnings the rules open from them.
ABSENCE_KINDS = {"unexcused": "无故缺课", "sick": "病假", "personal": "事假"}
ABSENCE_SHORT = {"unexcused": "无故", "sick": "病", "personal": "事"}


class Absence(db.Model):
    """One child absent on one school day (whole day), with its kind and an optional reason."""
    __tablename__ = "absences"
    __table_args__ = (sa.UniqueConstraint("student_id", "day"),
                      sa.Index("ix_absences_school_day", "school_id", "day"),
                      # the risk window's unexcused days, counted per child from an index:
                      # a county's from the first, a township's or a school's from the second
                      sa.Index("ix_absences_kind_day", "kind", "day", "student_id"),
                      sa.Index("ix_absences_student_kind_day", "student_id", "kind", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"))
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str] = mapped_column(sa.String(100), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    student: Mapped[Student] = relationship()

    @property
    def kind_label(self) -> str:
        return ABSENCE_KINDS.get(self.kind, self.kind)

    def __str__(self) -> str:
        return f"{self.day} {self.kind_label}"


class RollCall(db.Model):
    """A class's roll taken on a school day (已点名): a day without one is not entered, so a
    week nobody filled in never reads as everyone present. Marking an absence takes the day's
    roll; a day everyone came is confirmed with 全到."""
    __tablename__ = "roll_calls"
    __table_args__ = (sa.UniqueConstraint("class_id", "day", name="uq_roll_calls_class_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(sa.ForeignKey("classes.id", ondelete="CASCADE"))
    day: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    taken_at: Mapped[datetime] = mapped_column(default=now)

    def __str__(self) -> str:
        return f"{self.day} 已点名"


WARNING_RULES = {"absence_run": "连续无故缺课"}
WARNING_STATUSES = {"open": "待处理", "closed": "已处理"}


class EarlyWarning(db.Model):
    """预警: opened by a rule with its evidence, due an action by a date, closed only with what
    was done."""
    __tablename__ = "warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    rule: Mapped[str] = mapped_column(sa.String(20))
    run_start: Mapped[date]  # the first day of the absence run it is about
    days: Mapped[int]  # school days in the run when last seen
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)  # the run's dates (ISO)
    opened_on: Mapped[date]
    due_on: Mapped[date]  # a home visit by this school day
    status: Mapped[str] = mapped_column(sa.String(10), default="open", index=True)
    closed_on: Mapped[date | None]
    action: Mapped[str] = mapped_column(sa.String(300), default="")  # what was done
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    student: Mapped[Student] = relationship()
    closed_by: Mapped[User | None] = relationship()

    @property
    def rule_label(self) -> str:
        return WARNING_RULES.get(self.rule, self.rule)

    @property
    def status_label(self) -> str:
        return WARNING_STATUSES.get(self.status, self.status)

    def overdue_on(self, day: date) -> bool:
        return self.status == "open" and day > self.due_on

    def close(self, action: str, user: User, on: date) -> None:
        if not (action or "").strip():
            raise Refusal("请写明做了什么（如 家访见到家长、电话联系、孩子已返校），再关闭预警。")
        if self.status != "open":
            raise Refusal("这条预警已经处理过了。")
        self.status, self.action, self.closed_on = "closed", action.strip(), on
        self.closed_by_id = user.id

    def __str__(self) -> str:
        return f"{self.rule_label} {self.days} 天（{self.run_start} 起）"
