"""What a summary's sections share while they are written: the figures used (Writer), the
school year's rates, and the unit and period with what one section found for a later one
(Facts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

import access
import clock
from blueprints.attendance import rules
from blueprints.dashboard import metrics
from extensions import db
from models import Student, school_year_of
from blueprints.summaries.draft import Period, Unit

def pct(value: float) -> str:
    return f"{value:g}%" if value == int(value) else f"{value:.1f}%"


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class Writer:
    """Collects the figures used while the sentences are written."""

    def __init__(self):
        self.figures: dict = {}

    def put(self, name, value):
        self.figures[name] = value
        return value


# Counting --------------------------------------------------------------------------------------

def count_of(stmt) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def put_rates(unit: Unit, period: Period, upto: date, f: Writer) -> None:
    ids = access.scoped(Student).where(Student.school_id.in_(unit.ids)) \
        .with_only_columns(Student.id)
    start = date(period.school_year, 9, 1)
    found = metrics.rates(ids, start, min(upto, date(period.school_year + 1, 8, 31)))
    r = found[None] if unit.school is None else found.get(unit.school.id, metrics.Rates())
    if current_app.config["CONSOLIDATION_RATE"] == "cohort":
        base, kept = metrics.cohort(ids, upto).get(
            None if unit.school is None else unit.school.id, (0, 0))
        r.cohort, r.cohort_kept = base, kept
    if r.start:
        f.put("students_start", r.start)
        f.put("transferred_out", r.out)
        f.put("deceased", r.deceased)
        f.put("transferred_in", r.transferred_in)
        f.put("dropouts", r.dropouts)
        f.put("left_school", r.left)
        if r.dropout_rate is not None:
            f.put("dropout_rate", r.dropout_rate)
    if r.consolidation_rate is not None:
        f.put("consolidation_rate", r.consolidation_rate)
    # 小学, 初中 apart, by the grade in the period's year: a child on the register now has gone
    # up a grade a year since (a past year's 六年级 are in 七年级 now); one who left kept theirs
    since = school_year_of(clock.today()) - period.school_year
    grade = sa.case((Student.status.in_(("enrolled", "suspended")), Student.grade - since),
                    else_=Student.grade) if since > 0 else Student.grade
    for stage, (_label, (low, high), _ages) in metrics.STAGES.items():
        part = metrics.rates(ids.where(grade.between(low, high)), start,
                             min(upto, date(period.school_year + 1, 8, 31)))
        part = part[None] if unit.school is None else part.get(unit.school.id, metrics.Rates())
        if part.start:
            f.put(f"dropout_rate_{stage}", part.dropout_rate)
    if unit.school is None:
        listed = metrics.enrolment(unit.central.id, upto)
        town = listed[None]
        if town.enrolment_rate is not None and not town.doubts(r.start):  # never a doubtful rate
            f.put("enrolment_rate", town.enrolment_rate)
            f.put("listed_children", town.listed)
            f.put("listed_enrolled", town.listed_enrolled)
            for stage in metrics.STAGES:
                if listed[stage].enrolment_rate is not None:
                    f.put(f"enrolment_rate_{stage}", listed[stage].enrolment_rate)


@dataclass
class Facts:
    """What the sections of one draft share: the unit, the period, the figures written so far
    and what one section found that a later one speaks of."""
    unit: Unit
    period: Period
    today: date
    f: Writer
    visits: list = field(default_factory=list)  # (student, warning, case) of the period
    suspected: list = field(default_factory=list)  # ledger cases
    dropped: list = field(default_factory=list)
    programs: list = field(default_factory=list)  # aid programmes of the period
    still_out: int = 0

    @property
    def upto(self) -> date:
        return self.period.upto(self.today)

    @property
    def school_filter(self) -> int | None:
        return self.unit.school.id if self.unit.school else None

    @property
    def enrolled_ids(self):
        return access.scoped(Student).where(Student.school_id.in_(self.unit.ids),
                                            Student.status == "enrolled") \
            .with_only_columns(Student.id)

    def words(self):
        """P (the period's words), we, the first and last day, the figures, the rules."""
        return (self.period.word, self.unit.we, self.period.start, self.upto, self.f,
                self.f.figures, rules.settings())

