"""PDF benchmark: one print document and a 100-document batch, beside WeasyPrint rendering the
same number of near-empty pages (the floor). Uses a throwaway SQLite database with the demo
township; run with `make bench-pdf` or `.venv/bin/python bench/pdf_bench.py`.

Documents: a 家长承诺书 (one copy of 一式两份 per pledge here: paragraphs, two fonts) and the
学生信息表 (tables)."""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_login import login_user  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from weasyprint import HTML  # noqa: E402

import access  # noqa: E402
import demo  # noqa: E402
import pdf  # noqa: E402
from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from blueprints.pledges import issue  # noqa: E402
from blueprints.pledges.printing import sheets  # noqa: E402
from models import ClassGroup, Pledge, Student, Term, User  # noqa: E402


def timed(fn, repeat=3):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.db"})
        with app.app_context():
            upgrade()
            demo.load()
        with app.test_request_context():
            login_user(db.session.scalar(db.select(User).filter_by(username="admin")))
            students = db.session.scalars(access.scoped(Student).order_by(Student.id)
                                          .limit(100)).all()
            term = db.session.scalars(access.scoped(Term).order_by(Term.start_date.desc())).first()
            for klass in db.session.scalars(access.scoped(ClassGroup).order_by(ClassGroup.id)):
                if db.session.query(Pledge).count() >= 100:
                    break
                issue.generate("guardian_commitment", klass.school, term, klass)
            issue.templates(term.central_id)["guardian_commitment"].copies = 1
            db.session.commit()
            pledges = db.session.scalars(db.select(Pledge).order_by(Pledge.id).limit(100)).all()
            # the documents exactly as the print batches build them: one Part per document
            documents = {
                "pledge": lambda n: pdf.render([pdf.Part("print/pledge.html", {"sheets": [s]})
                                                for p in pledges[:n] for s in sheets(p)]),
                "student sheet": lambda n: pdf.render([pdf.Part(
                    "print/student_sheet.html", {"students": [s], "full_ids": False,
                                                 "today": date.today()}) for s in students[:n]]),
            }
            documents["pledge"](1)  # warm up fonts and Pango
            floor = lambda n: HTML(string="<style>@page{size:A4}p{break-after:page}</style>"  # noqa: E731
                                   + "<p>.</p>" * n).write_pdf()
            rows = []
            for name, render in documents.items():
                for label, n in ((f"one {name}", 1), (f"100 × {name}", 100)):
                    t_doc, data = timed(lambda: render(n), repeat=3 if n == 1 else 1)
                    t_floor, empty = timed(lambda: floor(n), repeat=3 if n == 1 else 1)
                    rows.append((label, t_doc, len(data), t_floor, len(empty)))
        print(f"PDF benchmark, {date.today()}, harfbuzz-subset: {pdf.harfbuzz_subset_available()}")
        print(f"{'':20} {'time':>8} {'size':>9}   {'floor time':>10} {'floor size':>10}")
        for label, t_doc, size, t_floor, floor_size in rows:
            print(f"{label:20} {t_doc:7.2f}s {size / 1024:7.0f}KB   {t_floor:9.2f}s "
                  f"{floor_size / 1024:8.0f}KB")


if __name__ == "__main__":
    main()
