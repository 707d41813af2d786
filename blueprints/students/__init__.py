from flask import Blueprint

bp = Blueprint("students", __name__, url_prefix="/students")

from blueprints.students import routes  # noqa: E402,F401
