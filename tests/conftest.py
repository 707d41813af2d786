"""Fixtures: a real database per test, the real app, a test client, and a small world of two
townships built with factories.

The database is a SQLite file copied from one migrated template; with BAOXUE_TEST_POSTGRES set
(a server URL, as scripts/with-postgres.sh sets for `make test`'s PostgreSQL run) it is a PostgreSQL
database created from one migrated template database (CREATE DATABASE ... TEMPLATE) and dropped
after the test. Tests of SQLite-only behaviour carry @pytest.mark.sqlite_only."""
from __future__ import annotations

import contextvars
import gc
import itertools
import os
import shutil
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from jinja2 import BytecodeCache

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from extensions import db, limiter  # noqa: E402
from tests import TODAY  # noqa: E402
from tests import factories as f  # noqa: E402


class IsolatedClient(FlaskClient):
    """Each request runs outside the test's app context, as in production: its own app
    context, its own `g` (so Flask-Login loads the user afresh) and its own database session."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def _share_url_builders() -> None:
    """Werkzeug compiles a URL builder for every route of every app: 130 of create_app()'s
    150 ms, and the suite builds an app a test. A builder is a function of its rule's text,
    converters and defaults only (the rule comes as its first argument), so one compiled
    builder serves the same route of every app."""
    from werkzeug.routing.rules import Rule
    compile_builder, builders = Rule._compile_builder, {}

    def shared(self, append_unknown=True):
        key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())),
               append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]
    Rule._compile_builder = shared


class _SharedBytecode(BytecodeCache):
    """Jinja compiles every template an app renders, once for each app; the suite builds an
    app a test. The compiled code of a template depends on its source only, so one compile
    serves the templates of every app (checked by the source's checksum)."""

    def __init__(self):
        self.codes: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket):
        checksum, code = self.codes.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket):
        self.codes[bucket.key] = (bucket.checksum, bucket.code)


_share_url_builders()
_BYTECODE = _SharedBytecode()
POSTGRES = os.environ.get("BAOXUE_TEST_POSTGRES")  # postgresql://user@/postgres?host=...
TEMPLATE = "baoxue_template"
DEMO_TEMPLATE = "baoxue_demo_template"
_numbers = itertools.count(1)


def _postgres_url(database: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(POSTGRES).set(drivername="postgresql+psycopg",
                                   database=database).render_as_string(hide_password=False)


def _admin(statement: str) -> None:
    """Run CREATE/DROP DATABASE on the server's maintenance database."""
    import sqlalchemy as sa
    engine = sa.create_engine(_postgres_url("postgres"), isolation_level="AUTOCOMMIT",
                              poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


def _config(tmp: Path, database: str | None = None, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _postgres_url(database) if database
        else f"sqlite:///{tmp / 'baoxue.db'}",
        "WTF_CSRF_ENABLED": False,
        "PINNED_TODAY": TODAY.isoformat(),  # clock.today(): one day for the whole run
    }
    config.update(extra)
    return config


def pytest_collection_finish(session):
    """The garbage collector tuned for a suite that builds an app a test: what is loaded by
    now (the app, SQLAlchemy, WeasyPrint, the test modules) is frozen out of its passes, and
    it runs every 20,000 new objects instead of 700."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def pytest_collection_modifyitems(config, items):
    """SQLite-only tests are skipped on PostgreSQL. When `make test` runs both engines at once
    (BAOXUE_BOTH_ENGINES, scripts/test-both.sh), work that does not depend on the engine is
    done in one run only, so that the two take about as long as each other: a test marked
    one_engine(name) in that engine's run, a Chromium flow in the SQLite run (the township's
    engine)."""
    engine = "postgresql" if POSTGRES else "sqlite"
    both = os.environ.get("BAOXUE_BOTH_ENGINES")
    for item in items:
        if POSTGRES and "sqlite_only" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="SQLite-only (this run is on PostgreSQL)"))
        once = item.get_closest_marker("one_engine")
        only = once.args[0] if once else "sqlite" if "chromium" in item.fixturenames else None
        if both and only and only != engine:
            item.add_marker(pytest.mark.skip(reason=f"the {only} run does it"))


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path | str:
    """Run the migrations once into a template database (a file, or a PostgreSQL database)."""
    from flask_migrate import upgrade
    tmp = tmp_path_factory.mktemp("template")
    if POSTGRES:
        _admin(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
        _admin(f"CREATE DATABASE {TEMPLATE}")
    app = create_app(_config(tmp, TEMPLATE if POSTGRES else None))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return TEMPLATE if POSTGRES else tmp / "baoxue.db"


def _build_app(folder: Path, template: tuple, created: list, **extra):
    """An app on a fresh copy of a template (database, instance folder or None): the migrated
    database, or the demo township (`demo_template`, whose instance folder holds its photos)."""
    database, instance = template
    if POSTGRES:
        name = f"baoxue_test_{os.getpid()}_{next(_numbers)}"
        _admin(f"CREATE DATABASE {name} TEMPLATE {database}")
        created.append(name)
    else:
        name = None
        shutil.copy(database, folder / "baoxue.db")
    if instance is not None:
        shutil.copytree(instance, folder / "instance")
    app = create_app(_config(folder, name, **extra))
    app.instance_path = str(folder / "instance")
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = _BYTECODE
    limiter.reset()
    return app


def _drop(created: list) -> None:
    for name in created:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, migrated_db):
    """The demo township (demo.load()) loaded once a run into a template of its own, for the
    tests marked `demo` and the module-scoped demo_app: a copy takes ~0.3 s, a load ~18 s."""
    import demo
    folder = tmp_path_factory.mktemp("demo-template")
    app = _build_app(folder, (migrated_db, None), created := [])
    with app.app_context():
        demo.load()
        db.session.remove()
        db.engine.dispose()
    if not POSTGRES:
        return folder / "baoxue.db", folder / "instance"
    _admin(f"DROP DATABASE IF EXISTS {DEMO_TEMPLATE} WITH (FORCE)")
    _admin(f"ALTER DATABASE {created[0]} RENAME TO {DEMO_TEMPLATE}")
    return DEMO_TEMPLATE, folder / "instance"


@pytest.fixture
def make_app(request, tmp_path, migrated_db):
    """Build an app on a fresh copy of the migrated database (instance folder under tmp); a test
    marked `demo` gets a copy of the demo township instead."""
    template = request.getfixturevalue("demo_template") if request.node.get_closest_marker(
        "demo") else (migrated_db, None)
    created = []
    yield lambda **extra: _build_app(tmp_path, template, created, **extra)
    _drop(created)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, demo_template):
    """One app per module holding the demo township, for tests that only read it."""
    created = []
    app = _build_app(tmp_path_factory.mktemp("demo"), demo_template, created)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    _drop(created)


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_app(make_app):
    """The app with CSRF protection on, as in production."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world(app):
    return f.World()


@pytest.fixture
def pledge_term(world):
    """A term of township A that covers every date, two more teachers at 甲一村小, and the
    班主任 holding a 教师包生 line for 张三: what pledges are issued for (test_pledges,
    test_scanin; a 班主任 with no such line signs the 班主任 pledge only)."""
    from datetime import date
    from models import Responsibility, Term
    row = Term(central_id=world.central_a.id, school_year=TODAY.year - 1, semester=1,
               start_date=date(2000, 1, 1), end_date=date(2100, 1, 1))
    db.session.add(row)
    db.session.add(Responsibility(student_id=world.s_a1.id, kind="teacher",
                                  user_id=world.users["teacher"].id))
    for i in range(2):
        f.user("teacher", world.a1, f"t_a1_{i}", name=f"教师{i}")
    db.session.commit()
    return row


@pytest.fixture
def signed_in(app):
    """with signed_in(user): code that reads current_user (access.scoped) outside a request."""
    from contextlib import contextmanager

    from flask_login import login_user

    @contextmanager
    def as_user(user):
        with app.test_request_context():
            login_user(user)
            yield user
    return as_user


@pytest.fixture
def login(app):
    """login(username) → a signed-in test client (each call a new browser)."""
    def sign_in(username, password=f.PASSWORD):
        c = app.test_client()
        r = c.post("/login", data={"username": username, "password": password})
        assert r.status_code == 303, f"login as {username} failed: {r.status_code}"
        return c
    return sign_in


def wait_for_job(client, location: str, timeout: float = 90) -> str:
    """Poll a print job's progress box as the page does, until the worker has finished it;
    returns the box's last HTML."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        box = client.get(location, headers={"HX-Request": "true", "HX-Target": "print-job"})
        assert box.status_code == 200, box.text
        if "hx-trigger" not in box.text:  # a finished job stops polling
            return box.text
        assert time.monotonic() < deadline, f"print job {location} did not finish: {box.text}"
        time.sleep(0.05)  # a test's job takes 0.1-2 s; a poll costs a few ms


@pytest.fixture
def batch_pdf():
    """batch_pdf(client, url, data) → the PDF bytes of a batch print, through the real worker."""
    def run(client, url, data=None):
        response = client.post(url, data=data or {})
        assert response.status_code == 303, response.text
        location = response.headers["Location"]
        assert "/prints/" in location
        box = wait_for_job(client, location)
        assert "下载 PDF" in box, box
        with client.get(location + ".pdf") as pdf:
            assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
            return pdf.data
    return run


@pytest.fixture
def blank_layout(monkeypatch):
    """For tests of who may open which route, not of what it prints (test_paper and the areas'
    own tests read the PDFs): each PDF's HTML is still made from its template with the data
    (a template's error is still a 500), but WeasyPrint lays out one blank page in its place,
    once. The role matrix asks for ~200 PDFs; laying them out took 20 of its 30 s."""
    import pdf
    real, blank = pdf._lay_out, []

    def lay_out_blank(static_folder, instance_path):
        if not blank:
            blank.append(real(static_folder, instance_path)("<p></p>"))
        return lambda html: blank[0]
    monkeypatch.setattr(pdf, "_lay_out", lay_out_blank)


@pytest.fixture
def live_server(app):
    """The app served by waitress on 127.0.0.1 (a free port), for real HTTP and the browser."""
    import threading

    from waitress import create_server, wasyncore
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    # Closed from its own loop's thread: closed from here, the loop could be waiting on a
    # socket just closed (EBADF in the server's thread). Once in ~1,100 runs the trigger's own
    # pipe was already gone (EBADF here): then the loop is stopped from here.
    try:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    except OSError:
        wasyncore.close_all(server._map, ignore_all=True)
    thread.join(timeout=5)
    server.task_dispatcher.shutdown()


class Http:
    """A client of real HTTP against the live server that keeps cookies as a browser does
    (the Set-Cookie it is sent; an expired or emptied cookie is dropped) and follows no
    redirects. Its cookies can be copied into another Http(base, cookies)."""

    def __init__(self, base: str, cookies: dict | None = None):
        self.base = base
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, form: dict | None = None):
        import http.client
        from http.cookies import SimpleCookie
        from urllib.parse import urlencode, urlsplit
        host = urlsplit(self.base)
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        conn.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                gone = morsel.value == "" or morsel["expires"].startswith("Thu, 01 Jan 1970")
                if gone or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict | None = None):
        return self.request("POST", path, form or {})


@pytest.fixture
def http(live_server):
    """http(cookies=None) → an Http client of the live server (a new browser each call)."""
    return lambda cookies=None: Http(live_server, cookies)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright: one browser for a test module; each
    chromium.new_page() is a context of its own (its own cookies: another user, another PC)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
