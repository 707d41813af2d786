"""The meetings area: its blueprint. app.py imports routes.py (the views) to register it;
the area's rules import without its views."""
from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
