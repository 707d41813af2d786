from flask import Blueprint

bp = Blueprint("attendance", __name__, url_prefix="/attendance")

from blueprints.attendance import routes  # noqa: E402,F401
