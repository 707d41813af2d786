from flask import Blueprint

bp = Blueprint("summaries", __name__, url_prefix="/summaries")

from blueprints.summaries import routes  # noqa: E402,F401
