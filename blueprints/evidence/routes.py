"""Placeholder: the area's views are being built."""
import access
from blueprints.evidence import bp


@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    return "建设中"
