"""The demo's 家长会 by class: this term's opening 家长会 at each village school was held class by
class (the central school's 家长学校 stays the whole school's), a later one by one class, and at
every village school of two classes or more one or two head teachers have not held theirs yet, so
the coverage check has classes to name."""
from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa

from extensions import db
from models import Activity, ClassGroup, School, Student, Term


def add(rng: random.Random, central: School, today: date) -> None:
    db.session.flush()
    term = Term.current(db.session.scalars(sa.select(Term).where(
        Term.central_id == central.id).order_by(Term.start_date.desc())).all(), today)
    if term is None or term.start_date > today:
        return
    opening = db.session.scalars(sa.select(Activity).where(
        Activity.kind == "parents_meeting", Activity.school_id != central.id,
        Activity.held_on.between(term.start_date, today))).all()
    sizes = dict(db.session.execute(sa.select(Student.class_id, sa.func.count()).where(
        Student.status == "enrolled").group_by(Student.class_id)).all())
    skipped: dict[int, set] = {}  # per school: the classes whose teacher has not held one
    for meeting in opening:
        classes = db.session.scalars(sa.select(ClassGroup).where(
            ClassGroup.school_id == meeting.school_id,
            ClassGroup.school_year == term.school_year).order_by(
            ClassGroup.grade, ClassGroup.name)).all()
        if not classes:
            continue
        skip = skipped.setdefault(meeting.school_id, {
            k.id for k in rng.sample(classes, 1 if len(classes) < 6 else 2)} if len(classes) > 1
            else set())
        held = [k for k in classes if k.id not in skip]
        if meeting.title != "开学防辍学家长会":  # a later one: one class's
            held = [rng.choice(held)]
        for n, klass in enumerate(held):
            size = sizes.get(klass.id, 0)
            row = meeting if n == 0 else Activity(
                school_id=meeting.school_id, held_on=meeting.held_on, kind=meeting.kind,
                title=meeting.title, place="本班教室", description=meeting.description,
                user_id=meeting.user_id)
            row.class_id, row.reached = klass.id, round(size * rng.uniform(0.65, 0.95))
            db.session.add(row)
