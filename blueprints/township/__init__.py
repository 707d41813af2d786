from flask import Blueprint

bp = Blueprint("township", __name__, url_prefix="/township")

from blueprints.township import routes  # noqa: E402,F401
