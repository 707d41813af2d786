from flask import Blueprint

bp = Blueprint("aid", __name__, url_prefix="/aid")

from blueprints.aid import routes  # noqa: E402,F401
