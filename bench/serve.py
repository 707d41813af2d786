"""The production server (waitress) on a throwaway database, for the load and fault runs.

prepare(url, instance) migrates the database and loads the demo township; Server(url,
instance) starts `waitress-serve` in a process of its own on 127.0.0.1 (loopback only), with
CSRF on as in production, and can be stopped or killed (SIGKILL) and started again. A
PostgreSQL run takes its server from BAOXUE_TEST_POSTGRES (scripts/with-postgres.sh)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def database_url(engine: str, folder: Path, name: str = "baoxue_bench") -> str:
    if engine == "sqlite":
        return f"sqlite:///{folder / 'baoxue.db'}"
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    server = os.environ.get("BAOXUE_TEST_POSTGRES")
    if not server:
        sys.exit("PostgreSQL runs go through scripts/with-postgres.sh (BAOXUE_TEST_POSTGRES)")
    admin = make_url(server).set(drivername="postgresql+psycopg")
    engine_ = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine_.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine_.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


def config(url: str, instance: Path) -> dict:
    return {"SECRET_KEY": "bench-secret", "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE": str(instance), "LOGIN_LIMIT": "1000 per minute"}


def make_app(url: str, instance: Path):
    from app import create_app
    cfg = config(url, instance)
    app = create_app({k: v for k, v in cfg.items() if k != "INSTANCE"})
    app.instance_path = str(instance)
    return app


def prepare(url: str, instance: Path) -> None:
    """Migrate and load the demo township (as `make run` does on a first start)."""
    from flask_migrate import upgrade

    import demo
    from extensions import db
    app = make_app(url, instance)
    with app.app_context():
        upgrade()
        demo.load()
        db.session.commit()
        db.engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """waitress-serve with the real app, in its own process group."""

    def __init__(self, url: str, instance: Path, threads: int = 8):
        self.url, self.instance, self.threads = url, instance, threads
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        env = dict(os.environ, BAOXUE_BENCH_CONFIG=json.dumps(config(self.url, self.instance)))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={self.port}",
             f"--threads={self.threads}", "--call", "bench.serve:wsgi_app"],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
            stderr=open(self.instance / "server.log", "ab"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/login", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not start; see {self.instance / 'server.log'}")

    def stop(self, kill: bool = False) -> None:
        """Stop (SIGTERM) or kill (SIGKILL, as a power cut would) the server and its print
        worker."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
            self.process.wait(timeout=30)


def wsgi_app():
    """waitress --call: the app on the bench's database and instance folder."""
    from app import serve
    cfg = json.loads(os.environ["BAOXUE_BENCH_CONFIG"])
    return serve(make_app(cfg["SQLALCHEMY_DATABASE_URI"], Path(cfg["INSTANCE"])))
