"""The code's layout holds (issue 17): an area's rules import without its views or WeasyPrint,
each area's settings live beside the area that reads them, rooms stay small (views, functions,
modules, template lines) and no role is named outside access.py."""
import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Modules that print (they build a document, so they import pdf and WeasyPrint).
PRINTING = {"aid/paper.py", "evidence/pack.py", "pledges/printing.py", "students/sheets.py",
            "responsibility/table.py", "attendance/risk_ledger.py",
            "responsibility/network_sheet.py", "activities/signin.py",
            "counseling/sheet.py", "students/child_file.py"}


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
    from blueprints.dashboard import rates
    from blueprints.pairs import schedule
    for module in (rules, risk, rates, schedule):
        for key, value in module.DEFAULTS.items():
            assert app.config[key] == value
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    assert "ATTENDANCE_RULES" not in source and "TUTORING_SCHEDULE" not in source


def _python_files():
    return [p for p in ROOT.rglob("*.py") if ROOT / ".venv" not in p.parents
            and p.relative_to(ROOT).parts[0] not in ("tests", "migrations", "bench", ".venv")]


def _body_lines(node) -> int:
    """A function's lines without its docstring."""
    lines = node.end_lineno - node.lineno + 1
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str):
        lines -= first.end_lineno - first.lineno + 1
    return lines


def test_rooms_stay_small():
    """No view over 25 lines (parse -> one call -> commit -> respond), no function over 80, no
    module over 500; no template line over 200 characters (one element a line)."""
    big = []
    for path in _python_files():
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        if len(source.splitlines()) > 500:
            big.append(f"{name}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef):
                view = any("route" in ast.unparse(d) for d in node.decorator_list)
                limit = 25 if view else 80
                if _body_lines(node) > limit:
                    big.append(f"{name}:{node.name}: {_body_lines(node)} lines")
    for path in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if len(line) > 200:
                big.append(f"{path.relative_to(ROOT)}:{number}: {len(line)} characters")
    assert big == []


def test_no_role_is_named_outside_access():
    """Areas and templates ask access.py (a group's name, can(endpoint)), never a role's name."""
    from models import ROLES
    named = re.compile(r"role\b[^\n]{0,16}?[\"'](%s)[\"']" % "|".join(ROLES))
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}"
             for p in [*_python_files(), *(ROOT / "templates").rglob("*.html")]
             if p.name not in ("access.py",) and p.parent.name != "models"
             and p.relative_to(ROOT).parts[0] not in ("demo",)
             for m in named.finditer(p.read_text(encoding="utf-8"))]
    assert found == []
