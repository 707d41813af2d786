"""Does a long batch print slow other users? Serves the demo township with waitress on
127.0.0.1, times a village head's register page (GET /students/) idle, then while the officer's
batch of 学生信息表 (three grades of the township, rendered by the print worker) runs.
Run with `make bench` or `.venv/bin/python bench/print_load.py`."""
from __future__ import annotations

import http.cookiejar
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, token_from: str) -> str:
        token = re.search(r'"X-CSRFToken": "([^"]+)"', self.get(token_from)).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        with self.opener.open(self.base + path, body) as response:
            return response.geturl()


def sign_in(base: str, username: str) -> Browser:
    browser = Browser(base)
    browser.post("/login", {"username": username, "password": "demo1234"}, "/login")
    return browser


def timed(browser: Browser, path: str, until) -> list[float]:
    times = []
    while not until(len(times)):
        start = time.perf_counter()
        browser.get(path)
        times.append(time.perf_counter() - start)
    return times


def summary(times: list[float]) -> str:
    q = statistics.quantiles(times, n=20)
    return (f"n={len(times):3d}  p50 {statistics.median(times) * 1000:6.1f} ms  "
            f"p95 {q[18] * 1000:6.1f} ms")


def main() -> None:
    from flask_migrate import upgrade
    from waitress import create_server

    import demo
    from app import create_app
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.db",
                          "PRINT_FOLDER": f"{tmp}/prints"})
        app.instance_path = tmp
        with app.app_context():
            upgrade()
            demo.load()
        server = create_server(app, host="127.0.0.1", port=0, threads=8)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{server.effective_port}"
        head, officer = sign_in(base, "head"), sign_in(base, "admin")
        head.get("/students/")
        idle = timed(head, "/students/", lambda n: n >= 100)
        # warm the print worker (its first start imports WeasyPrint), then the measured batch
        job = officer.post("/students/sheets", {"grade": "1"}, "/students/")
        while "hx-trigger" in officer.get(job.replace(base, "")):
            time.sleep(0.2)
        started = time.perf_counter()
        job = officer.post("/students/sheets", {"grade": "3"}, "/students/").replace(base, "")
        state = {"running": True}

        def watch():
            while "hx-trigger" in officer.get(job):
                time.sleep(0.5)
            state["running"] = False
            state["seconds"] = time.perf_counter() - started
        watcher = threading.Thread(target=watch)
        watcher.start()
        busy = timed(head, "/students/", lambda n: not state["running"])
        watcher.join()
        title = re.search(r"<b>(学生信息表 \d+ 份)</b>", officer.get(job)).group(1)
        server.close()
    print(f"Register page for a village head while the officer prints, {time.strftime('%Y-%m-%d')}")
    print(f"idle:                 {summary(idle)}")
    print(f"during a batch print: {summary(busy)}   ({title}, {state['seconds']:.1f} s)")


if __name__ == "__main__":
    main()
