"""Rolls not taken (未点名): the school days a class with children on its roll entered nothing,
among the last ROLL_WINDOW school days of this school year before today. A day without a roll is
not "everyone came" (models.RollCall): a class that skipped the week's attendance would
otherwise never show, and its absent children open no warning. Shown on the home page's 待办 and
beside each class on 考勤, for the class's teacher, the school's head and the township."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

import access
from blueprints.attendance import rules
from extensions import db
from models import AWAY_PLACEMENTS, ClassGroup, RollCall, School, Student, school_year_of

ROLL_WINDOW = 5  # school days looked back: a week


def unrolled(today: date) -> dict[int, list[date]]:
    """{class id: the days of its window whose roll it did not take}, for the classes in the
    user's scope this school year with children on their roll; a class that took them all is
    not in it."""
    year = school_year_of(today)
    classes = db.session.execute(_classes(), {"year": year}).all()
    if not classes:
        return {}
    windows = {town: [d for d in rules.calendar(town).before(today - timedelta(days=1))
                      [-ROLL_WINDOW:] if d >= date(year, 9, 1)]
               for town in {town for _id, town in classes}}
    first = min((w[0] for w in windows.values() if w), default=today)
    taken = set(db.session.execute(sa.select(RollCall.class_id, RollCall.day).where(
        RollCall.class_id.in_([class_id for class_id, _town in classes]),
        RollCall.day >= first, RollCall.day < today)).all())
    return {class_id: missing for class_id, town in classes
            if (missing := [d for d in windows[town] if (class_id, d) not in taken])}


@access.per_scope
def _classes() -> sa.Select:
    """(class id, township) of the classes in scope of a school `year` with children on their
    roll (enrolled, not taught away from the class)."""
    on_roll = access.scoped(Student).with_only_columns(Student.class_id).where(
        Student.status == "enrolled", Student.placement.not_in(AWAY_PLACEMENTS))
    return (access.scoped(ClassGroup).join(School, School.id == ClassGroup.school_id)
            .with_only_columns(ClassGroup.id, sa.func.coalesce(School.parent_id, School.id))
            .where(ClassGroup.school_year == sa.bindparam("year"), ClassGroup.id.in_(on_roll)))
