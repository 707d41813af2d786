"""The activities area: its blueprint. app.py imports routes.py (the views) to register it;
the area's rules import without its views."""
from flask import Blueprint

bp = Blueprint("activities", __name__, url_prefix="/activities")
