"""The home page: the register at a glance, one's own classes, 待办 (home/overview.py)."""
from datetime import date

from flask import render_template

import access
from blueprints.home import bp, overview


@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    today = date.today()
    by_status, flags = overview.register_counts()
    return render_template("home/index.html", by_status=by_status, flags=flags,
                           total=sum(by_status.values()), classes=overview.own_classes(),
                           todo=overview.todo(today), today=today)
