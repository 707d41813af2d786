from flask import Blueprint

bp = Blueprint("pledges", __name__, url_prefix="/pledges")

from blueprints.pledges import routes  # noqa: E402,F401
