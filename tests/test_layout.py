"""The code's layout holds (issue 17.4): an area's rules import without its views or
WeasyPrint, and each area's settings live beside the area that reads them."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Modules that print (they build a document, so they import pdf and WeasyPrint).
PRINTING = {"aid/paper.py", "evidence/pack.py", "pledges/printing.py", "students/sheets.py",
            "responsibility/table.py"}


def test_rules_import_without_views_or_weasyprint():
    rules = sorted(str(p.relative_to(ROOT / "blueprints")) for p in (ROOT / "blueprints").glob(
        "*/*.py") if p.name not in ("routes.py", "forms.py", "__init__.py"))
    rules = [r for r in rules if r not in PRINTING]
    assert len(rules) > 20
    modules = ", ".join("blueprints." + r[:-3].replace("/", ".") for r in rules)
    check = (f"import sys; import {modules}; "
             "bad = sorted(m for m in sys.modules if m.endswith('.routes') or m == 'printjobs' "
             "or m.split('.')[0] in ('weasyprint', 'pdf')); print(bad); sys.exit(bool(bad))")
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_each_areas_settings_are_its_own(app):
    from blueprints.attendance import risk, rules
    from blueprints.dashboard import metrics
    from blueprints.pairs import schedule
    for module in (rules, risk, metrics, schedule):
        for key, value in module.DEFAULTS.items():
            assert app.config[key] == value
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    assert "ATTENDANCE_RULES" not in source and "TUTORING_SCHEDULE" not in source
