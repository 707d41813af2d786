"""总览: the township and each school side by side, every number a link to its list."""
from flask import render_template

import access
import clock
from blueprints.dashboard import bp, metrics, rates
from models import CASE_STATES, FOCUS_FLAGS, PLACEMENTS, RISK_LEVELS, STATUSES


@bp.route("/")
@access.require(*access.SCHOOL_READERS)  # a teacher's scope is their classes
def index():
    today = clock.today()
    columns = metrics.dashboard(today)
    county = any(c.school and c.school.kind == "central" for c in columns[2:])
    return render_template("dashboard/index.html", columns=columns, county=county,
                           trends=metrics.trends(today), formulas=rates.formulas(), today=today,
                           scope=access.unit_of(None)[0], stages=rates.STAGES,
                           statuses=STATUSES, placements=PLACEMENTS, flags=FOCUS_FLAGS,
                           levels=RISK_LEVELS, states=CASE_STATES)
