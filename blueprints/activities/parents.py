"""家长会 and 家长学校 per class per term: which classes of the term's school year held one (a
whole school's meeting, class_id empty, counts for each of its classes), how many parents came
against the class's children, and the classes that held none, for the coverage check, the
monthly report and the 工作总结."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

import access
import clock
from extensions import db
from models import PARENT_KINDS, Activity, ClassGroup, Student, Term, school_year_of


@dataclass
class ClassCoverage:
    klass: ClassGroup
    children: int
    held: list[Activity] = field(default_factory=list)  # the term's, the class's and the school's

    @property
    def attendance(self) -> int | None:
        """到会率 (%) of the class's own latest meeting: parents come against children."""
        own = [a for a in self.held if a.class_id == self.klass.id]
        if not own or not self.children:
            return None
        return min(100, round(100 * own[-1].reached / self.children))


def this_term(today: date) -> Term | None:
    return Term.current(access.terms(), today)


def class_choices(current: ClassGroup | None = None) -> list[tuple[int, str]]:
    """This school year's classes the user sees (and an older activity's own class)."""
    classes = db.session.scalars(access.scoped(ClassGroup).where(
        ClassGroup.school_year == school_year_of(clock.today())).order_by(
        ClassGroup.school_id, ClassGroup.grade, ClassGroup.name)
        .options(joinedload(ClassGroup.school))).all()
    if current is not None and current not in classes:
        classes.insert(0, current)
    many = len({c.school_id for c in classes}) > 1
    return [(c.id, f"{c.school.name} {c.label}" if many else c.label) for c in classes]


def class_fits(school_id: int, kind: str, class_id: int) -> bool:
    """A 家长会's class is one of its school's (any class is ignored for other kinds)."""
    if kind not in PARENT_KINDS or not class_id:
        return True
    return db.session.scalar(access.scoped(ClassGroup).where(ClassGroup.id == class_id)
                             .with_only_columns(ClassGroup.school_id)) == school_id


def coverage(term: Term, school_id: int | None = None) -> list[ClassCoverage]:
    """Every class of the term's school year the user sees, with the term's 家长会 and 家长学校
    that count for it, in the register's order."""
    classes = access.scoped(ClassGroup).where(ClassGroup.school_year == term.school_year)
    if school_id:
        classes = classes.where(ClassGroup.school_id == school_id)
    rows = [ClassCoverage(k, 0) for k in db.session.scalars(classes.order_by(
        ClassGroup.school_id, ClassGroup.grade, ClassGroup.name).options(
        joinedload(ClassGroup.school), joinedload(ClassGroup.head_teacher)))]
    counts = dict(db.session.execute(access.scoped(Student).where(
        Student.status == "enrolled", Student.class_id.in_([r.klass.id for r in rows]))
        .with_only_columns(Student.class_id, sa.func.count()).group_by(Student.class_id)).all())
    held = db.session.scalars(access.scoped(Activity).where(
        Activity.kind.in_(PARENT_KINDS), Activity.held_on.between(term.start_date, term.end_date),
        Activity.school_id.in_({r.klass.school_id for r in rows})).order_by(Activity.held_on)).all()
    for row in rows:
        row.children = counts.get(row.klass.id, 0)
        row.held = [a for a in held if a.class_id == row.klass.id or (
            a.class_id is None and a.school_id == row.klass.school_id)]
    return rows


def uncovered_counts(term: Term | None) -> Counter:
    """Classes per school that held no 家长会 or 家长学校 in the term, counted in SQL (the
    county's dashboard asks it of ~1,500 classes)."""
    if term is None:
        return Counter()
    held = sa.select(Activity.id).where(
        Activity.kind.in_(PARENT_KINDS), Activity.held_on.between(term.start_date, term.end_date),
        Activity.school_id == ClassGroup.school_id,
        sa.or_(Activity.class_id == ClassGroup.id, Activity.class_id.is_(None)))
    return Counter(dict(db.session.execute(access.scoped(ClassGroup).where(
        ClassGroup.school_year == term.school_year, ~held.exists()).with_only_columns(
        ClassGroup.school_id, sa.func.count()).group_by(ClassGroup.school_id)).all()))
