"""风险等级: levels set by hand, and the stored scores the database marks out of date."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.people import User


RISK_LEVELS = {"high": "高", "medium": "中", "low": "低"}


class RiskOverride(db.Model):
    """A person's judgement of a child's risk level over the computed one, with the reason.
    The latest row of a child holds; one with level None hands back to the computation."""
    __tablename__ = "risk_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"))
    level: Mapped[str | None] = mapped_column(sa.String(8))
    reason: Mapped[str] = mapped_column(sa.String(300))
    on: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User | None] = relationship()

    @property
    def level_label(self) -> str:
        return RISK_LEVELS.get(self.level, "按计算") if self.level else "按计算"

    def __str__(self) -> str:
        return f"风险等级调整为{self.level_label}：{self.reason}"


class RiskScore(db.Model):
    """A child's computed risk score, stored so that a list of a township's children is ranked
    without scoring every child on every view (blueprints/attendance/risk.py).

    `rev` counts the writes to the child's inputs: the database's own triggers (migration 0014)
    raise it in the same transaction as every insert, update or delete of the child's record,
    absences, guardians, cases, pairs and grants, of the township's terms and of the school's
    place in a township. A score is used only while `scored_rev` (the `rev` it was computed
    from, read in the same statement as the inputs) equals `rev`, `as_of` is today and `basis`
    matches the settings; otherwise it is computed again. No foreign key: a child's deletion cascades to its absences, whose triggers
    touch this row after the child is gone; the row is then an orphan nothing joins, and a new
    child given the same id raises `rev` on insert."""
    __tablename__ = "risk_scores"
    # migration 0032: the rows out of date since a write, and whether any is of another day;
    # 0034: the score beside the child, which a list reads from the index alone; 0035: a
    # township's scores as one range (a list of one township reads its children at risk alone)
    __table_args__ = (
        sa.Index("ix_risk_scores_unscored", "student_id", "scored_rev", "rev",
                 sqlite_where=sa.text("scored_rev IS NULL OR scored_rev <> rev"),
                 postgresql_where=sa.text("scored_rev IS NULL OR scored_rev <> rev")),
        sa.Index("ix_risk_scores_as_of_basis", "as_of", "basis"),
        sa.Index("ix_risk_scores_points", "student_id", "points"),
        sa.Index("ix_risk_scores_township", "township_id", "points",
                 postgresql_include=["student_id"]))

    student_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    rev: Mapped[int] = mapped_column(default=0, server_default="0")
    scored_rev: Mapped[int | None]
    as_of: Mapped[date | None]
    basis: Mapped[str | None] = mapped_column(sa.String(16))
    points: Mapped[int | None]
    # the child's township when it was scored (no foreign key, as student_id): a list of one
    # township reads its range of ix_risk_scores_township (scores.ranking)
    township_id: Mapped[int | None]
