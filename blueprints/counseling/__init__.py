"""The counselling area (心理辅导): its blueprint. app.py imports routes.py (the views) to
register it; the area's rules (log.py) import without its views."""
from flask import Blueprint

bp = Blueprint("counseling", __name__, url_prefix="/counseling")
