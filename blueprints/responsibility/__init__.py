from flask import Blueprint

bp = Blueprint("responsibility", __name__, url_prefix="/responsibility")

from blueprints.responsibility import routes  # noqa: E402,F401
