from datetime import date

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user

import access
from blueprints.home import bp
from extensions import db
from blueprints.pairs import schedule
from models import (FOCUS_FLAGS, ActionItem, ClassGroup, DropoutCase, EarlyWarning, FollowUp, Student,
                    school_year_of)


@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    students = access.scoped(Student).subquery()
    by_status = dict(db.session.execute(
        sa.select(students.c.status, sa.func.count()).group_by(students.c.status)).all())
    enrolled = sa.select(students).where(students.c.status == "enrolled").subquery()
    flags = db.session.execute(sa.select(*[
        sa.func.coalesce(sa.func.sum(sa.case((getattr(enrolled.c, f), 1), else_=0)), 0).label(f)
        for f in FOCUS_FLAGS])).one()._asdict()
    classes = []
    if access.class_scoped() or access.one_school():  # their own classes, one click away
        count = (sa.select(sa.func.count()).where(students.c.class_id == ClassGroup.id,
                                                  students.c.status == "enrolled")
                 .scalar_subquery())
        classes = db.session.execute(
            access.scoped(ClassGroup).add_columns(count)
            .where(ClassGroup.school_year == school_year_of(date.today()))
            .order_by(ClassGroup.grade, ClassGroup.name)).all()
    today = date.today()
    warnings = db.session.scalars(access.scoped(EarlyWarning).where(
        EarlyWarning.status == "open").order_by(EarlyWarning.due_on)).all()
    todo = {
        "warnings": warnings,
        "overdue": [w for w in warnings if w.overdue_on(today)],
        "follow_ups": db.session.scalars(access.scoped(FollowUp).where(
            FollowUp.done_on.is_(None), FollowUp.due_on <= today)).all(),
        "open_cases": db.session.scalar(access.scoped(DropoutCase).where(
            DropoutCase.state != "closed").with_only_columns(sa.func.count())),
        "pairs_behind": [r for r in schedule.standing(today, teacher_id=current_user.id)
                         if r.due],
        "actions": db.session.scalars(access.scoped(ActionItem).where(
            ActionItem.owner_id == current_user.id, ActionItem.done_on.is_(None))
            .order_by(ActionItem.due_on)).all(),
    }
    return render_template("home/index.html", by_status=by_status, flags=flags,
                           total=sum(by_status.values()), classes=classes, todo=todo,
                           today=today)
