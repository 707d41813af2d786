"""PDF benchmark: the batches an office prints, each beside WeasyPrint rendering the same number
of blank A4 pages in one run (the floor), on a throwaway SQLite database with the demo township.
Run with `make bench` or `.venv/bin/python bench/pdf_bench.py`.

- 100 家长承诺书 as printed: 一式两份, 200 pages (target ≤ 3× the floor);
- 100 学生信息表 (tables; target ≤ 5× the floor);
- the whole township's 包保责任表 in one job (target < 10 s).

Each batch is built by the same function the print button calls (printjobs.BATCHES), and each
batch and its floor are timed twice, the better of each kept (the machine's speed drifts: the
floor of 200 blank pages took 1.36 s and 2.01 s in two runs the same hour). The exit status is 1
when a batch misses its target, so a regression is seen the day it lands."""
from __future__ import annotations

import os
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
import framestack  # noqa: E402
import pdf  # noqa: E402
import printjobs  # noqa: E402
from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from blueprints.pledges import issue  # noqa: E402
from models import ClassGroup, Pledge, School, Term, User  # noqa: E402

RATIO_TARGETS = {"100 家长承诺书": 3.0, "100 学生信息表": 5.0}
SECONDS_TARGETS = {"全镇包保责任表": 10.0}


def floor(pages: int) -> float:
    """Blank pages laid out and written as the documents are (framestack.in_one_chunk: the
    collector paused), so that the ratio compares the documents, not the conditions."""
    start = time.perf_counter()
    framestack.in_one_chunk(HTML(string="<style>@page{size:A4}p{break-after:page}</style>"
                                 + "<p>.</p>" * pages).write_pdf)
    return time.perf_counter() - start


TIMES = 2  # each batch and each floor; the better time is kept


def batch(kind: str, params: dict | list[dict], first: int | None = None
          ) -> tuple[float, int, int]:
    """(seconds, pages, bytes) of a batch as the print worker renders it: of one filter, or of
    several (the central school's 七年级 and 八年级), its first documents when `first` is given."""
    start = time.perf_counter()
    parts = [part for one in (params if isinstance(params, list) else [params])
             for part in printjobs.BATCHES[kind](one).parts]
    data = pdf.render(parts[:first], pool=POOL)
    db.session.rollback()  # a print may mark what it printed; the bench keeps nothing
    return time.perf_counter() - start, pdf.page_count(data), len(data)


POOL = None  # the print worker's renderers, as many as PRINT_PROCESSES (a CPU core each)


def main() -> int:
    global POOL
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.db"})
        with app.app_context():
            upgrade()
            demo.load()
        POOL = printjobs._render_pool(app.config["PRINT_PROCESSES"])
        with app.test_request_context():
            login_user(db.session.scalar(db.select(User).filter_by(username="admin")))
            terms = db.session.scalars(access.scoped(Term).order_by(Term.start_date.desc())).all()
            term = Term.current(terms, date.today())
            for klass in db.session.scalars(access.scoped(ClassGroup).order_by(ClassGroup.id)):
                if db.session.query(Pledge).count() >= 100:
                    break
                issue.generate("guardian_commitment", klass.school, term, klass)
            db.session.commit()
            central = db.session.scalar(db.select(School).filter_by(kind="central"))
            runs = {  # the 100 letters as printed: 一式两份, 200 pages
                "100 家长承诺书": ("pledges", {"term": term.id, "kind": "guardian_commitment"}, 100),
                "100 学生信息表": ("student_sheets", [{"school": central.id, "grade": g}
                                                  for g in (7, 8)], 100),
                "全镇包保责任表": ("responsibility_table", {"all": "1"}, None),
            }
            for kind, params, _ in runs.values():  # as in a worker that has printed before:
                batch(kind, params, 4)  # each renderer has laid out each kind, its fonts loaded
            rows, failed = [], []
            for label, (kind, params, first) in runs.items():
                seconds, pages, size = min(batch(kind, params, first) for _ in range(TIMES))
                blank = min(floor(pages) for _ in range(TIMES))
                rows.append((label, seconds, pages, size, blank))
                ratio = seconds / blank
                if ratio > RATIO_TARGETS.get(label, float("inf")):
                    failed.append(f"{label}: {ratio:.1f}× the floor (target ≤ "
                                  f"{RATIO_TARGETS[label]:g}×)")
                if seconds > SECONDS_TARGETS.get(label, float("inf")):
                    failed.append(f"{label}: {seconds:.1f} s (target < {SECONDS_TARGETS[label]:g} s)")
    print(f"PDF benchmark, {date.today()}, harfbuzz-subset: {pdf.harfbuzz_subset_available()}, "
          f"renderers: {POOL._max_workers if POOL else 1} of {os.cpu_count()} cores")
    print(f"{'':16} {'time':>8} {'pages':>6} {'size':>8}   {'floor':>7} {'× floor':>8}")
    for label, seconds, pages, size, blank in rows:
        print(f"{label:16} {seconds:7.2f}s {pages:6d} {size / 1024:6.0f}KB   {blank:6.2f}s "
              f"{seconds / blank:7.1f}×")
    for line in failed:
        print("OVER TARGET:", line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
