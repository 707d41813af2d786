"""Load: 30 users at once saving attendance, home visits and aid grants for 2 minutes against
the production server (waitress, 8 threads) on the demo township, over loopback only, while the
central school's leader reads the risk list and the 包保 coverage list; then every write the
clients were told succeeded is counted in the database (zero lost writes), every answer that
was not a success is an error (zero expected), and every stored risk score still marked up to
date is compared with the score computed afresh (zero wrong).

    .venv/bin/python bench/load.py [--seconds 120] [--users 30]            # SQLite
    sh scripts/with-postgres.sh .venv/bin/python bench/load.py --postgres  # PostgreSQL

24 class teachers click cells of their class's weekly grid (each cell once: a school day of
this term with no absence yet; a third unexcused, which changes the child's risk), 5 village
heads record visits, the officer grants this term's 生活补助 child by child. Each user thinks 0.1-0.5 s between actions, signs in once and sends
the CSRF token from the page's hx-headers as the browser does."""
from __future__ import annotations

import argparse
import http.cookiejar
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import serve  # noqa: E402

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


class Client:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as r:
            return r.read().decode()

    def post(self, path: str, data: dict, htmx: bool = True) -> int:
        headers = {"X-CSRFToken": self.token}
        if htmx:
            headers["HX-Request"] = "true"
        request = urllib.request.Request(self.base + path, urllib.parse.urlencode(data).encode(),
                                         headers=headers)
        try:
            with self.opener.open(request, timeout=60) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as error:
            return error.code

    def status(self, path: str) -> int:
        try:
            with self.opener.open(self.base + path, timeout=60) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as error:
            return error.code

    def sign_in(self, username: str) -> None:
        page = self.get("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status = self.post("/login", {"username": username, "password": "demo1234",
                                      "csrf_token": token}, htmx=False)
        assert status in (200, 303), f"sign-in of {username}: {status}"
        self.token = TOKEN.search(self.get("/")).group(1)


def plan(url: str, instance: Path) -> dict[str, list]:
    """Who does what: (username, [(path, form), ...]) for each user, chosen from the data so
    that every write is new (a cell never clicked twice, a child granted once)."""
    import sqlalchemy as sa
    from flask_login import login_user

    from blueprints.aid import grants
    from blueprints.attendance import rules
    from extensions import db
    from models import (Absence, AidProgram, ClassGroup, School, Student, Term, User,
                        school_year_of)
    app = serve.make_app(url, instance)
    rng = random.Random(5)
    users: dict[str, list] = {}
    today = date.today()
    with app.app_context():
        central = db.session.scalar(sa.select(School).filter_by(kind="central"))
        term = Term.current(db.session.scalars(sa.select(Term)).all(), today)
        program = AidProgram(central_id=central.id, term_id=term.id, kind="living_subsidy",
                             name="压力测试生活补助", amount=62500, flags="poverty,disabled,orphan")
        db.session.add(program)
        db.session.commit()
        calendar = rules.calendar(central.id)
        days = [d for d in calendar.before(today) if d >= term.start_date]
        taken = set(db.session.execute(sa.select(Absence.student_id, Absence.day)).all())
        classes = db.session.scalars(sa.select(ClassGroup).where(
            ClassGroup.head_teacher_id.is_not(None),
            ClassGroup.school_year == school_year_of(today)).order_by(ClassGroup.id)).all()
        for klass in classes[:24]:
            teacher = db.session.get(User, klass.head_teacher_id)
            children = db.session.scalars(sa.select(Student.id).where(
                Student.class_id == klass.id, Student.status == "enrolled")).all()
            cells = [(s, d) for s in children for d in days if (s, d) not in taken]
            rng.shuffle(cells)
            users[teacher.username] = [(f"/attendance/classes/{klass.id}/mark", {
                "cell": f"{s}:{d.isoformat()}", "mode": rng.choice(["sick", "personal", "unexcused"])},
                "absence") for s, d in cells[:2000]]
        heads = db.session.scalars(sa.select(User).where(User.role == "village_head")
                                   .order_by(User.username).limit(5)).all()
        for head in heads:
            children = db.session.scalars(sa.select(Student.id).where(
                Student.school_id == head.school_id, Student.status == "enrolled")).all()
            users[head.username] = [(f"/cases/visits/new?student={rng.choice(children)}", {
                "visited_on": today.isoformat(), "visitors": "压力测试（负责人）", "met": "母亲",
                "outcome": "in_school", "situation": "孩子在家做作业，按时到校。"}, "visit")
                for _ in range(2000)]
        officer = db.session.scalar(sa.select(User).filter_by(username="admin"))
        with app.test_request_context():
            login_user(officer)
            eligible = [row.student.id for row in grants.eligible(program) if not row.granted]
        rng.shuffle(eligible)
        users["admin"] = [(f"/aid/programs/{program.id}/students/{sid}", {"method": "card"},
                           "grant") for sid in eligible]
        users["leader"] = [(url, None, "list") for _ in range(1000)
                           for url in ("/attendance/risk", "/responsibility/")]
        db.engine.dispose()
    return users


def counts(url: str, instance: Path) -> dict[str, int]:
    import sqlalchemy as sa

    from extensions import db
    from models import Absence, AidGrant, HomeVisit
    app = serve.make_app(url, instance)
    with app.app_context():
        out = {"absence": db.session.scalar(sa.select(sa.func.count(Absence.id))),
               "visit": db.session.scalar(sa.select(sa.func.count(HomeVisit.id))),
               "grant": db.session.scalar(sa.select(sa.func.count(AidGrant.id)))}
        db.engine.dispose()
    return out


def wrong_scores(url: str, instance: Path) -> tuple[int, int]:
    """(stored scores marked up to date, how many of them differ from the score computed now)."""
    import sqlalchemy as sa

    from blueprints.attendance import scores
    from extensions import db
    from models import RiskScore
    app = serve.make_app(url, instance)
    with app.app_context():
        today = date.today()
        stored = dict(db.session.execute(sa.select(RiskScore.student_id, RiskScore.points).where(
            RiskScore.scored_rev == RiskScore.rev, RiskScore.as_of == today,
            RiskScore.basis == scores._basis())).all())
        computed = scores._compute(list(stored), today)
        db.engine.dispose()
    return len(stored), sum(computed[sid][0] != points for sid, points in stored.items())


def integrity(url: str) -> str:
    if not url.startswith("sqlite"):
        return "n/a (PostgreSQL)"
    import sqlite3
    with sqlite3.connect(url.split("///", 1)[1]) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def run(base: str, users: dict[str, list], seconds: float) -> tuple[dict, dict, list]:
    stop = time.monotonic() + seconds
    latencies: dict[str, list[float]] = defaultdict(list)
    done: dict[str, int] = defaultdict(int)
    errors: list[str] = []
    lock = threading.Lock()

    def user(username: str, actions: list):
        client = Client(base)
        client.sign_in(username)
        rng = random.Random(username)
        for path, form, kind in actions:
            if time.monotonic() > stop:
                break
            started = time.perf_counter()
            status = client.post(path, form) if form else client.status(path)
            took = time.perf_counter() - started
            with lock:
                latencies[kind].append(took)
                if status in (200, 204, 303):
                    done[kind] += 1
                else:
                    errors.append(f"{username} {path}: {status}")
            time.sleep(rng.uniform(0.1, 0.5))

    threads = [threading.Thread(target=user, args=item) for item in users.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, done, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--no-reader", action="store_true",
                        help="without the leader reading the lists (to compare)")
    args = parser.parse_args()
    engine = "postgresql" if args.postgres else "sqlite"
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        url = serve.database_url(engine, instance, "baoxue_load")
        serve.prepare(url, instance)
        planned = plan(url, instance)
        reader = planned.pop("leader")
        writers = dict(list(planned.items())[:args.users])
        users = {**writers, **({} if args.no_reader else {"leader": reader})}
        before = counts(url, instance)
        server = serve.Server(url, instance).start()
        try:
            latencies, done, errors = run(server.base, users, args.seconds)
        finally:
            server.stop()
        after = counts(url, instance)
        lost = {k: done[k] - (after[k] - before[k]) for k in after}
        fresh, wrong = wrong_scores(url, instance)
        print(f"Load on {engine}, {date.today()}: {len(writers)} users writing and "
              f"{'none' if args.no_reader else 'one'} reading for {args.seconds:.0f} s against "
              "waitress (8 threads) on 127.0.0.1")
        for kind in ("absence", "visit", "grant", "list"):
            times = sorted(latencies[kind])
            if times:
                p95 = times[int(0.95 * (len(times) - 1))]
                print(f"  {kind:8} {done[kind]:5} {'read ' if kind == 'list' else 'saved'}   "
                      f"p50 {statistics.median(times) * 1000:6.0f} ms   p95 {p95 * 1000:6.0f} ms"
                      + ("" if kind == "list" else f"   in the database: "
                         f"+{after[kind] - before[kind]} (lost {lost[kind]})"))
        print(f"  errors: {len(errors)}; lost writes: {sum(lost.values())}; "
              f"integrity_check: {integrity(url)}")
        print(f"  stored risk scores marked up to date: {fresh}, wrong: {wrong}")
        for line in errors[:10]:
            print("   ", line)
        if errors or any(lost.values()) or wrong:
            sys.exit(1)


if __name__ == "__main__":
    main()
