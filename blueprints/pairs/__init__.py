from flask import Blueprint

bp = Blueprint("pairs", __name__, url_prefix="/pairs")

from blueprints.pairs import routes  # noqa: E402,F401
