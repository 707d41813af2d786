"""The pledges area: its blueprint. app.py imports routes.py (the views) to register it;
the area's rules import without its views."""
from flask import Blueprint

bp = Blueprint("pledges", __name__, url_prefix="/pledges")
