import sqlalchemy as sa
from flask import render_template

import access
from blueprints.home import bp
from extensions import db
from models import FOCUS_FLAGS, Student


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
    return render_template("home/index.html", by_status=by_status, flags=flags,
                           total=sum(by_status.values()))
