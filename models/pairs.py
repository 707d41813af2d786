"""结对帮扶: a teacher paired with a child, and the sessions they log."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.register import Student
from models.people import Term, User
from models.common import now


# 结对帮扶: a teacher paired with a child, and the sessions they log.
PAIR_KINDS = {"academic": "学业帮扶（一帮一）", "caring_mother": "爱心妈妈", "counselling": "心理辅导",
              "home_delivery": "送教上门"}  # 送教上门: the plan is the goals, visits the sessions
SESSION_MODES = {"meeting": "见面", "call": "电话/视频"}


class TutoringPair(db.Model):
    __tablename__ = "tutoring_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    goals: Mapped[str] = mapped_column(sa.String(300), default="")
    start_on: Mapped[date]
    end_on: Mapped[date | None]
    # a 送教上门 plan also names its term, the other teachers who go, and how often
    term_id: Mapped[int | None] = mapped_column(sa.ForeignKey("terms.id"))
    co_teachers: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    frequency: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")

    teacher: Mapped[User] = relationship()
    term: Mapped[Term | None] = relationship()
    student: Mapped[Student] = relationship(back_populates="tutoring_pairs")
    sessions: Mapped[list[TutoringSession]] = relationship(
        back_populates="pair", cascade="all, delete-orphan",
        order_by="(TutoringSession.held_on.desc(), TutoringSession.id.desc())")

    @property
    def kind_label(self) -> str:
        return PAIR_KINDS.get(self.kind, self.kind)

    def active_on(self, day: date) -> bool:
        return self.start_on <= day and (self.end_on is None or day <= self.end_on)

    def __str__(self) -> str:
        return f"{self.kind_label}：{self.teacher.name if self.teacher else ''} ↔ " \
               f"{self.student.name if self.student else ''}"


class TutoringSession(db.Model):
    __tablename__ = "tutoring_sessions"
    # a pair's last contact and last meeting (the pairs list's standing) read from the index
    __table_args__ = (sa.Index("ix_tutoring_sessions_pair_mode_day", "pair_id", "mode",
                               "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(sa.ForeignKey("tutoring_pairs.id", ondelete="CASCADE"),
                                         index=True)
    held_on: Mapped[date]
    mode: Mapped[str] = mapped_column(sa.String(10), default="meeting")
    minutes: Mapped[int] = mapped_column(default=0)
    content: Mapped[str] = mapped_column(sa.String(300), default="")
    progress: Mapped[str] = mapped_column(sa.String(300), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    pair: Mapped[TutoringPair] = relationship(back_populates="sessions")

    @property
    def mode_label(self) -> str:
        return SESSION_MODES.get(self.mode, self.mode)

    def __str__(self) -> str:
        return f"{self.held_on} {self.mode_label} {self.minutes} 分钟"
