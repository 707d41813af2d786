"""心理辅导: a teacher's counselling of one child (个别辅导) or of a group (团体辅导), with the
problem worked on and how the child changed, so 厌学 转化 is recorded apart from tutoring
pairs. Confidential: read by the child's school and the counsellor, not by inspectors."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.common import now
from models.people import School, User
from models.register import Student

COUNSELING_KINDS = {"individual": "个别辅导", "group": "团体辅导"}
COUNSELING_TOPICS = {"school_weary": "厌学", "learning": "学习困难", "emotion": "情绪困扰",
                     "family": "家庭问题", "relations": "人际关系", "internet": "沉迷网络",
                     "other": "其他"}
COUNSELING_CHANGES = {"better": "明显好转", "some": "有所好转", "same": "无明显变化",
                      "referred": "加重，已转介"}


class CounselingRecord(db.Model):
    __tablename__ = "counseling_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    student_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("students.id", ondelete="CASCADE"), index=True)  # 个别辅导
    group_label: Mapped[str] = mapped_column(sa.String(60), default="")  # 团体辅导: who
    group_size: Mapped[int] = mapped_column(default=0)
    held_on: Mapped[date] = mapped_column(index=True)
    topic: Mapped[str] = mapped_column(sa.String(16))
    content: Mapped[str] = mapped_column(sa.Text, default="")  # 辅导过程
    change: Mapped[str] = mapped_column(sa.String(12), default="")  # 转化情况
    next_step: Mapped[str] = mapped_column(sa.String(200), default="")
    counselor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    school: Mapped[School] = relationship()
    student: Mapped[Student | None] = relationship()
    counselor: Mapped[User] = relationship()

    @property
    def kind_label(self) -> str:
        return COUNSELING_KINDS.get(self.kind, self.kind)

    @property
    def topic_label(self) -> str:
        return COUNSELING_TOPICS.get(self.topic, self.topic)

    @property
    def change_label(self) -> str:
        return COUNSELING_CHANGES.get(self.change, "")

    @property
    def reached(self) -> int:
        """人次: one child, or the group's size."""
        return 1 if self.kind == "individual" else self.group_size

    @property
    def who(self) -> str:
        return self.student.name if self.student else f"{self.group_label}（{self.group_size} 人）"

    def __str__(self) -> str:
        return f"{self.held_on} {self.kind_label}：{self.who}（{self.topic_label}）"
