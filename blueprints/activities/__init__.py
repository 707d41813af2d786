from flask import Blueprint

bp = Blueprint("activities", __name__, url_prefix="/activities")

from blueprints.activities import routes  # noqa: E402,F401
