"""The 非正常学籍 area (其他离校, 问题学籍 and their clean-up): its blueprint. app.py imports
routes.py (the views) to register it; cleanup.py holds its rules."""
from flask import Blueprint

bp = Blueprint("records", __name__, url_prefix="/records")
