"""资助: aid programmes of a township's term and the grants to children, in fen."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.common import FOCUS_FLAGS, Steps, now
from models.people import School, Term
from models.register import Student


# 资助: aid programmes of a township's term and the grants to children. Money is integer fen
# (分): 1 yuan = 100; amounts are never floats.
AID_KINDS = {
    "living_subsidy": "两免一补（生活补助）",
    "nutrition": "营养改善计划",
    "yulu": "雨露计划",
    "relief": "教育救助",
    "donation": "社会捐助",
}
AID_STATUSES = {"applied": "申请", "reviewed": "审核", "paid": "已发放"}
AID_METHODS = {"card": "银行卡（一卡通）", "cash": "现金", "meal": "餐食/实物", "transfer": "转账"}


def yuan(fen: int | None) -> str:
    """1234 → "12.34"; the one way amounts are shown."""
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


class AidProgram(db.Model):
    """One aid programme for one term of a township, with its standard and who is eligible."""
    __tablename__ = "aid_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("terms.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(60))
    source: Mapped[str] = mapped_column(sa.String(60), default="")  # 中央/省级/县级财政, 捐助单位
    amount: Mapped[int] = mapped_column(default=0)  # standard per child per term, fen
    boarder_amount: Mapped[int | None]  # a different standard for boarders (生活补助)
    # Eligible: an enrolled child with any of these focus flags (comma-separated codes), or
    # every enrolled child when everyone is set (营养改善计划).
    flags: Mapped[str] = mapped_column(sa.String(200), default="")
    everyone: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    term: Mapped[Term] = relationship()

    @property
    def kind_label(self) -> str:
        return AID_KINDS.get(self.kind, self.kind)

    @property
    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(",") if f in FOCUS_FLAGS]

    @property
    def rule_label(self) -> str:
        if self.everyone:
            return "全体在读学生"
        return "、".join(FOCUS_FLAGS[f] for f in self.flag_list) or "（未设条件）"

    def eligible_condition(self):
        """SQL: the enrolled children of the programme's township it is for."""
        enrolled = sa.and_(Student.status == "enrolled", Student.school_id.in_(
            sa.select(School.id).where(sa.or_(School.id == self.central_id,
                                              School.parent_id == self.central_id))))
        if self.everyone:
            return enrolled
        if not self.flag_list:
            return sa.false()
        return sa.and_(enrolled, sa.or_(*[getattr(Student, f).is_(True) for f in self.flag_list]))

    def categories(self, student: Student) -> list[str]:
        """Why a child is eligible: the programme's focus groups the child is in."""
        return [FOCUS_FLAGS[f] for f in self.flag_list if getattr(student, f)]

    def standard_for(self, student: Student) -> int:
        return self.boarder_amount if student.boarder and self.boarder_amount is not None \
            else self.amount

    def __str__(self) -> str:
        return self.name


class AidGrant(Steps, db.Model):
    """Aid to one child under one programme. The amount is never edited: a correction is a pair
    of new entries (the reversal and the right amount) pointing at the entry they correct."""
    __tablename__ = "aid_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_programs.id"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    amount: Mapped[int]  # fen; negative for a reversal
    method: Mapped[str] = mapped_column(sa.String(12), default="card")
    status: Mapped[str] = mapped_column(sa.String(10), default="applied", index=True)
    applied_on: Mapped[date]
    reviewed_on: Mapped[date | None]
    paid_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    correction_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("aid_grants.id"),
                                                         index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    program: Mapped[AidProgram] = relationship()
    student: Mapped[Student] = relationship(back_populates="aid_grants")
    school: Mapped[School] = relationship()
    correction_of: Mapped[AidGrant | None] = relationship(remote_side=[id])

    STEPS = ("applied", "reviewed", "paid")
    LABELS = AID_STATUSES

    @property
    def method_label(self) -> str:
        return AID_METHODS.get(self.method, self.method)

    @property
    def yuan(self) -> str:
        return yuan(self.amount)

    def __str__(self) -> str:
        return f"{self.program.name if self.program else ''} {yuan(self.amount)} 元"
