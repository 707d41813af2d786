"""The 残疾儿童 area (the 残联's list, matching, placement, the ledger): its blueprint. app.py
imports routes.py (the views) to register it; roster.py holds its rules."""
from flask import Blueprint

bp = Blueprint("special", __name__, url_prefix="/special")
