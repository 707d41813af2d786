"""残疾儿童: the 残联's list of disabled children of school age, matched to the register, each
assigned to a responsible school, assessed and placed (随班就读 / 送教上门 / 特教学校 / 异地就读).

The placement itself is the child's on the register (Student.placement), so attendance, the
送教上门 lists and every count read one value; a child on the list who has no 学籍 yet is
registered or made a case first (blueprints/special/), unless their 学籍 is at a school outside
Baoxue (特教学校, 异地就读): that placement and school are kept on the list's row.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.common import PLACEMENTS, mask_id, now
from models.people import School
from models.register import Student

# 残疾类别 and 等级 as the 第二代残疾人证 codes them: its number is the ID number followed by the
# category digit and the level digit (522423201401140022 + 4 + 2 = 肢体二级).
DISABILITY_CATEGORIES = {"1": "视力", "2": "听力", "3": "言语", "4": "肢体", "5": "智力",
                         "6": "精神", "7": "多重"}
DISABILITY_LEVELS = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}
SPECIAL_PLACEMENTS = {k: v for k, v in PLACEMENTS.items() if k != "in_school"}


class DisabledChild(db.Model):
    """A child on the 残联's list (with or without a 残疾证), kept per township."""
    __tablename__ = "disabled_children"
    __table_args__ = (sa.UniqueConstraint("central_id", "id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    student_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("students.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    sex: Mapped[str] = mapped_column(sa.String(1))
    id_number: Mapped[str] = mapped_column(sa.String(18))
    birth_date: Mapped[date]
    category: Mapped[str] = mapped_column(sa.String(1), default="")  # DISABILITY_CATEGORIES
    level: Mapped[str] = mapped_column(sa.String(1), default="")  # DISABILITY_LEVELS
    certificate_no: Mapped[str] = mapped_column(sa.String(24), default="")  # "": no 残疾证
    village: Mapped[str] = mapped_column(sa.String(40), default="")
    address: Mapped[str] = mapped_column(sa.String(120), default="")
    guardian: Mapped[str] = mapped_column(sa.String(40), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    assessed_on: Mapped[date | None]  # 评估 (the county's 专家委员会, or the school)
    assessment: Mapped[str] = mapped_column(sa.String(300), default="")
    placed_on: Mapped[date | None]  # the day the placement was decided
    # a child whose 学籍 is not in Baoxue (at a special school, in another county): the
    # placement and that school are kept here; a child on our register has theirs on the record
    placed_as: Mapped[str] = mapped_column(sa.String(16), default="")
    placed_school: Mapped[str] = mapped_column(sa.String(80), default="")
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    imported_on: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    school: Mapped[School | None] = relationship(foreign_keys=[school_id])
    student: Mapped[Student | None] = relationship()

    def __str__(self) -> str:
        return f"{self.name}（{self.category_label}残疾）"

    @property
    def category_label(self) -> str:
        return DISABILITY_CATEGORIES.get(self.category, "未注明")

    @property
    def level_label(self) -> str:
        return DISABILITY_LEVELS.get(self.level, "")

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    @property
    def responsible_school(self) -> School | None:
        """The school the child's record is at now, else the one assigned by address."""
        return self.student.school if self.student is not None else self.school

    @property
    def masked_certificate(self) -> str:
        """A 残疾证号 holds the ID number: masked wherever the ID is."""
        return mask_id(self.certificate_no[:18]) + self.certificate_no[18:]

    @property
    def placement(self) -> str:
        """The placement: the record's for a child on our register, else the one kept here for
        a child whose 学籍 is elsewhere; "" when not placed."""
        if self.student is None:
            return self.placed_as
        return self.student.placement if self.student.placement in SPECIAL_PLACEMENTS else ""

    @property
    def placement_label(self) -> str:
        if self.placement:
            return SPECIAL_PLACEMENTS[self.placement]
        return "未登记学籍" if self.student is None else "未安置"
