from flask import Blueprint

bp = Blueprint("prints", __name__, url_prefix="/prints")

from blueprints.prints import routes  # noqa: E402,F401
