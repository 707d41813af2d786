"""Dashboard at scale: builds a county (10 townships, 150 schools, 50,000 children with their
guardians, a school year of attendance with ~500,000 absence rows, cases, visits, pairs with
weekly sessions, grants) in a throwaway SQLite file and times the dashboard for a township's
officer and for the county inspector, beside a minimal Flask route on the same run (the
floor). Run with `make bench` or
`.venv/bin/python bench/dashboard_bench.py [--children 50000]`."""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(children: int, townships: int = 10, per_township: int = 15) -> None:
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from blueprints.students.idnumber import check_digit
    from extensions import db
    from models import (Absence, AidGrant, AidProgram, ClassGroup, DropoutCase, Guardian,
                        HomeVisit, School, StatusChange, Student, Term, TutoringPair,
                        TutoringSession, User, school_year_of)
    rng = random.Random(7)
    today = date.today()
    year = school_year_of(today)
    pw = generate_password_hash("bench", method="pbkdf2:sha256:1")
    conn = db.session.connection()
    school_ids, centrals = [], []
    for t in range(townships):
        central = School(name=f"第{t + 1}镇中心学校", kind="central", village=f"镇{t}")
        db.session.add(central)
        db.session.flush()
        centrals.append(central.id)
        db.session.add(Term(central_id=central.id, school_year=year, semester=1,
                            start_date=date(year, 9, 1), end_date=date(year + 1, 1, 20)))
        db.session.add(User(username=f"officer{t}", name="管理员", role="central_officer",
                            school_id=central.id, password_hash=pw))
        school_ids.append((central.id, central.id))
        for s in range(per_township - 1):
            village = School(name=f"第{t + 1}镇{s + 1}村小", kind="village", village=f"村{s}",
                             parent_id=central.id)
            db.session.add(village)
            db.session.flush()
            school_ids.append((village.id, central.id))
    db.session.add(User(username="county", name="县督导", role="inspector", password_hash=pw))
    township_of = dict(school_ids)
    teachers = {}  # one teacher a school, who keeps its pairs
    for sid, _ in school_ids:
        teachers[sid] = User(username=f"teacher{sid}", name="帮扶教师", role="teacher",
                             school_id=sid, password_hash=pw)
        db.session.add(teachers[sid])
    db.session.flush()
    classes = {}
    for sid, _ in school_ids:
        for grade in range(1, 7):
            row = ClassGroup(school_id=sid, school_year=year, grade=grade, name="1班")
            db.session.add(row)
            db.session.flush()
            classes[(sid, grade)] = row.id
    students, changes = [], []
    for n in range(children):
        sid, _ = school_ids[n % len(school_ids)]
        grade = 1 + (n // len(school_ids)) % 6  # every grade in every school (~55 a class)
        born = date(year - 6 - grade, 9, 1) + timedelta(days=rng.randrange(365))
        first17 = f"522423{born:%Y%m%d}{n % 1000:03d}"
        number = first17 + check_digit(first17)
        students.append(dict(id=n + 1, school_id=sid, class_id=classes[(sid, grade)],
                             grade=grade, name=f"学生{n}", name_pinyin=f"xuesheng{n}",
                             name_initials="xs", sex="男" if n % 2 else "女", birth_date=born,
                             ethnicity="汉族", id_number=f"{n:06d}{number[6:]}",
                             status="dropout" if n % 500 == 0 else "enrolled",
                             placement="in_school", left_behind=rng.random() < 0.25,
                             single_parent=False, orphan=False, poverty=rng.random() < 0.1,
                             disabled=False, learning_difficulty=rng.random() < 0.08,
                             migrant=False, school_weary=rng.random() < 0.03, boarder=False,
                             village="", village_group="", address="", notes="", version=1,
                             created_at=date(year - 1, 9, 1), updated_at=date(year - 1, 9, 1)))
        changes.append(dict(student_id=n + 1, changed_on=date(year - 1, 9, 1), from_status=None,
                            to_status="enrolled", reason="", destination="",
                            created_at=date(year - 1, 9, 1)))
    conn.execute(sa.insert(Student), students)
    conn.execute(sa.insert(StatusChange), changes)
    conn.execute(sa.insert(Guardian), [dict(  # a father and a mother; both away if 留守
        student_id=s["id"], position=position, name=f"{relation[0]}{s['id']}", relation=relation,
        phone="13800000000", works_away=s["left_behind"] or (position == 0 and s["id"] % 3 == 0))
        for s in students for position, relation in enumerate(("父亲", "母亲"))])
    days = [date(year, 9, 1) + timedelta(days=i) for i in range((today - date(year, 9, 1)).days)]
    days = [d for d in days if d.weekday() < 5]
    absences = []
    target = children * 10
    while len(absences) < target and days:
        s = students[rng.randrange(children)]
        absences.append(dict(student_id=s["id"], school_id=s["school_id"],
                             day=rng.choice(days), kind=rng.choice(
                                 ["sick", "sick", "personal", "unexcused"]), reason="",
                             created_at=today))
    seen = set()
    absences = [a for a in absences if (a["student_id"], a["day"]) not in seen
                and not seen.add((a["student_id"], a["day"]))]
    for start in range(0, len(absences), 20000):
        conn.execute(sa.insert(Absence), absences[start:start + 20000])
    for s in students[::500]:
        conn.execute(sa.insert(DropoutCase), [dict(
            student_id=s["id"], school_id=s["school_id"], opened_on=today - timedelta(days=40),
            trigger="absence", reason="", whereabouts="", state="persuading",
            reentry_plan="")])
        conn.execute(sa.insert(HomeVisit), [dict(
            student_id=s["id"], school_id=s["school_id"], visited_on=today - timedelta(days=10),
            visitors="班主任", met="", situation="", reasons="", outcome="refused",
            next_step="", created_at=today)])
    pairs = [dict(school_id=s["school_id"], teacher_id=teachers[s["school_id"]].id,
                  student_id=s["id"], kind="academic",
                  goals="", start_on=date(year, 9, 1)) for s in students if rng.random() < 0.025]
    conn.execute(sa.insert(TutoringPair), pairs)
    pair_ids = conn.execute(sa.select(TutoringPair.id)).scalars().all()
    this_week = today - timedelta(days=today.weekday())
    conn.execute(sa.insert(TutoringSession), [dict(  # weekly; every third pair not this week
        pair_id=pid, held_on=day, mode="meeting", minutes=40, content="", progress="",
        created_at=today) for pid in pair_ids for day in days[::5]
        if not (pid % 3 == 0 and day >= this_week)])
    grants = []  # this term's 生活补助 in each township, granted to its poverty children
    for t, central_id in enumerate(centrals):
        program = AidProgram(central_id=central_id, term_id=db.session.scalar(sa.select(
            Term.id).filter_by(central_id=central_id)), kind="living_subsidy", name="生活补助",
            amount=62500, flags="poverty")
        db.session.add(program)
        db.session.flush()
        grants += [dict(program_id=program.id, student_id=s["id"], school_id=s["school_id"],
                        amount=62500, method="card", applied_on=today, status="applied",
                        note="") for s in students if s["poverty"]
                   and township_of[s["school_id"]] == central_id and s["id"] % 3]
    conn.execute(sa.insert(AidGrant), grants)
    if conn.dialect.name == "postgresql":  # children were given their ids: move the sequence on
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('students', 'id'), "
                             "(SELECT max(id) FROM students))")
    db.session.commit()
    if conn.dialect.name == "postgresql":  # statistics, as autovacuum would gather them, and
        with db.engine.connect() as c:  # the planner set for an SSD as docs/deploy.md says
            c.exec_driver_sql("ANALYZE")
            c.exec_driver_sql(f"ALTER DATABASE {c.engine.url.database} "
                              "SET random_page_cost = 1.1")
            c.commit()
        db.engine.dispose()  # new connections take the setting
    print(f"built: {len(school_ids)} schools, {children} children, {len(absences)} absences, "
          f"{len(grants)} grants")


def signed_in(app, username: str):
    """A test client signed in as one of the bench county's users (password "bench")."""
    client = app.test_client()
    client.post("/login", data={"username": username, "password": "bench"})
    return client


def time_get(client, url, repeat):
    client.get(url)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return times


def county_app(folder: str, children: int, url: str | None = None,
               setup: str | None = None):
    """(the app, what `setup` returned): the app on a migrated database (a SQLite file in
    folder unless `url` names another) with the county built, plus /floor (a minimal route
    beside which pages are timed). The county is built in a process of its own (elsewhere),
    as the server starts on a database it did not write. `setup` ("module:function") is run
    there after the build, in the app's context, and what it returns (the ids the pages need)
    comes back."""
    from app import serve
    found = _spawned(_built, folder, children, url, setup)
    return serve(_app(folder, url)), found  # as the production server starts it


def elsewhere(function: str, folder: str, url: str | None, *args):
    """function ("module:name")(app, *args) run in a spawned process of its own on the county's
    app, what it returns brought back: work the timed server does not do. A process that has
    written many rows serves pages slower afterwards (memory no collection gives back): the
    officer's risk list 7.0-7.3 ms p50 in a fresh process, 8.6-9.1 ms in the same process after
    rescoring the county's 50,000 children; 10.5 against 8.0 ms after building the county."""
    return _spawned(_run, function, folder, url, args)


def _spawned(target, *args):
    import multiprocessing
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(target, args)


def _run(function: str, folder: str, url: str | None, args: tuple):
    import importlib

    from app import serve
    module, name = function.split(":")
    return getattr(importlib.import_module(module), name)(serve(_app(folder, url)), *args)


def _app(folder: str, url: str | None):
    import access
    from app import create_app
    app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{folder}/county.db"})
    app.instance_path = folder

    @app.route("/floor")
    @access.require(*access.EVERYONE)
    def floor():
        return "ok"
    return app


def _built(folder: str, children: int, url: str | None, setup: str | None):
    """In the builder's process: migrate, build the county, analyze, run `setup`."""
    import importlib

    from flask_migrate import upgrade

    import cli
    app = _app(folder, url)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        build(children)
        print(f"build took {time.perf_counter() - started:.0f} s")
        cli.analyze()  # the planner's statistics, as the nightly `flask rules run` leaves them
        if setup:
            module, name = setup.split(":")
            return getattr(importlib.import_module(module), name)()
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, _ = county_app(tmp, args.children)
        rows = []
        for user in ("officer0", "county"):
            client = signed_in(app, user)
            for url in ("/floor", "/dashboard/"):
                times = time_get(client, url, args.repeat)
                rows.append((user, url, statistics.median(times), max(times)))
    print(f"Dashboard benchmark, {date.today()}, {args.children} children")
    for user, url, p50, worst in rows:
        print(f"{user:10} {url:14} p50 {p50 * 1000:8.1f} ms   max {worst * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
