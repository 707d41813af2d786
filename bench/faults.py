"""Faults: kill the production server (SIGKILL, as a power cut would) in the middle of a
5,000-row Excel import and in the middle of a batch print, then check that the database passes
its integrity check, that the import is all or nothing, and that the app restarts clean (signs
in, lists, imports and prints again). Loopback only.

    .venv/bin/python bench/faults.py                                          # SQLite
    sh scripts/with-postgres.sh .venv/bin/python bench/faults.py --postgres   # PostgreSQL
"""
from __future__ import annotations

import argparse
import re
import secrets
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import serve  # noqa: E402
from bench.load import Client, integrity  # noqa: E402

COLUMNS = ["姓名", "性别", "身份证号", "年级", "班级", "监护人", "关系", "联系电话"]


SURNAMES, GIVEN = "王李张刘陈杨黄赵吴周", "明华强芳丽军平安静宇涛敏杰玲浩娟磊"


def roster(rows: int, up: int = 0) -> bytes:
    """A roster of new children with valid, unique ID numbers; up: the same children a school
    year later (each a grade up), for a term-start sync."""
    from openpyxl import Workbook

    from blueprints.students.idnumber import check_digit
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for n in range(rows):
        grade = 1 + n % 6
        born = date(2019 - grade, 1, 1) + timedelta(days=n % 360)
        first17 = f"522425{born:%Y%m%d}{n % 1000:03d}"
        name = SURNAMES[n % 10] + GIVEN[n // 10 % 17] + GIVEN[n // 170 % 17]  # no digits:
        ws.append([name, "", first17 + check_digit(first17), str(grade + up),  # a name has none
                   f"{1 + n // 1000}班", "家长", "父亲", "13800000000"])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def multipart(client: Client, path: str, fields: dict, file: tuple[str, bytes]) -> str:
    boundary = secrets.token_hex(12)
    body = BytesIO()
    for name, value in fields.items():
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   f"{value}\r\n".encode())
    body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
               f'filename="{file[0]}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode())
    body.write(file[1] + f"\r\n--{boundary}--\r\n".encode())
    request = urllib.request.Request(client.base + path, body.getvalue(), headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with client.opener.open(request, timeout=120) as r:
        return r.read().decode()


def students(url: str, instance: Path) -> int:
    import sqlalchemy as sa

    from extensions import db
    from models import Student
    app = serve.make_app(url, instance)
    with app.app_context():
        n = db.session.scalar(sa.select(sa.func.count(Student.id)))
        db.engine.dispose()
    return n


def preview(client: Client, school_id: int, data: bytes) -> str:
    page = client.get("/students/import")
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    html = multipart(client, "/students/import", {"csrf_token": csrf, "school_id": school_id},
                     ("名册.xlsx", data))
    return re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    engine = "postgresql" if args.postgres else "sqlite"
    results, failed = [], False

    def check(what: str, ok: bool):
        nonlocal failed
        results.append(f"  {'ok  ' if ok else 'FAIL'} {what}")
        failed |= not ok

    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        url = serve.database_url(engine, instance, "baoxue_faults")
        serve.prepare(url, instance)
        import sqlalchemy as sa

        from extensions import db
        from models import School
        app = serve.make_app(url, instance)
        with app.app_context():
            school_id = db.session.scalar(sa.select(School.id).filter_by(name="石桥村小"))
            from models import Student
            other_id = db.session.scalar(  # the largest school under the 300-sheet limit prints
                sa.select(Student.school_id).where(Student.school_id != school_id)
                .group_by(Student.school_id).having(sa.func.count() <= 300)
                .order_by(sa.func.count().desc()).limit(1))
            db.engine.dispose()
        data = roster(args.rows)
        before = students(url, instance)

        # 1. killed during the import's commit
        server = serve.Server(url, instance).start()
        head = Client(server.base)
        head.sign_in("head")
        token = preview(head, school_id, data)
        commit = threading.Thread(target=lambda: _quiet(head.post, "/students/import/commit",
                                                        {"token": token, "school_id": school_id}))
        commit.start()
        time.sleep(1.5)  # the commit of 5,000 rows takes several seconds: kill in the middle
        server.stop(kill=True)
        commit.join()
        after = students(url, instance)
        check(f"import killed after 1.5 s: integrity_check {integrity(url)}",
              integrity(url) in ("ok", "n/a (PostgreSQL)"))
        check(f"import all or nothing: {before} children before, {after} after "
              f"({'none' if after == before else 'all' if after == before + args.rows else 'SOME'}"
              " of the file)", after in (before, before + args.rows))

        # the app restarts clean and the import can be done again
        server = serve.Server(url, instance).start()
        head = Client(server.base)
        head.sign_in("head")
        check("restart: the register lists", "学生名册" in head.get("/students/"))
        if after == before:
            started = time.perf_counter()
            token = preview(head, school_id, data)
            status = head.post("/students/import/commit", {"token": token,
                                                            "school_id": school_id})
            check(f"the import done again: {status}, {students(url, instance) - before} rows in "
                  f"{time.perf_counter() - started:.1f} s", students(url, instance) ==
                  before + args.rows)

        # 2. killed during a batch print of every child's 学生信息表
        officer = Client(server.base)
        officer.sign_in("admin")
        status = officer.post("/students/sheets", {"school": other_id})
        check(f"batch print of a school's 学生信息表 queued ({status})", status in (200, 204, 303))
        time.sleep(3)
        server.stop(kill=True)
        check(f"print killed after 3 s: integrity_check {integrity(url)}",
              integrity(url) in ("ok", "n/a (PostgreSQL)"))
        server = serve.Server(url, instance).start()
        officer = Client(server.base)
        officer.sign_in("admin")
        jobs = officer.get("/prints/")
        check("restart: the print list answers", "打印" in jobs)
        status = officer.post("/students/sheets", {"school": other_id, "grade": 1})
        check(f"a new batch print is accepted after the restart ({status})",
              status in (200, 204, 303))
        server.stop()
    print(f"Faults on {engine}, {date.today()}:")
    print("\n".join(results))
    if failed:
        sys.exit(1)


def _quiet(fn, *args):
    try:
        fn(*args)
    except (urllib.error.URLError, ConnectionError, OSError):
        pass  # the server was killed under the request: that is the point


if __name__ == "__main__":
    main()
