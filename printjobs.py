"""Batch printing: long PDFs are rendered by a print worker process while the user watches a
progress bar, so a 300-page batch neither ties up a web thread nor slows other users (WeasyPrint
is CPU-bound Python: in a thread it would hold the GIL the web threads need).

Each area registers a batch kind with @batch("kind"): a function of the request's parameters
that, under the current user's scope, returns a Batch (the documents, a title, a file name and
what to do when printed). The same function serves a single document at once (render_now) and a
batch in the worker (start), so a document prints the same way however it is asked for.

The worker is one spawned process per app process (batches queue behind each other), and it
ends when the app process does (_end_with_parent); it signs in
as the user who asked, so access.scoped() and the audit log see that user. It writes its progress
on its own connection after every document; a job whose heartbeat is older than
PrintJob.STALLED_AFTER is shown as interrupted (the server was restarted). Files are kept for a
day in instance/prints/ and only their owner may download them.
"""
from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import multiprocessing.util
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, send_file
from flask_login import current_user, login_user

import access
import pdf
from extensions import db
from models import PrintJob, now
from refusal import Refusal

MAX_OPEN_JOBS = 3  # unfinished batches one user may have at once

BATCHES: dict[str, Callable[[dict], Batch]] = {}


@dataclass
class Batch:
    title: str  # 责任书 24 份
    filename: str  # the download's name
    parts: list[pdf.Part]
    finish: Callable[[], None] = field(default=lambda: None)  # mark and audit; caller commits
    unit: str = "份"  # what the parts are, as the title counts them (份, 所学校, 个班)


def batch(kind: str):
    """Register the function that builds a batch kind from request parameters."""
    def register(fn):
        BATCHES[kind] = fn
        return fn
    return register


def render_now(kind: str, params: dict):
    """Print at once (single documents): the PDF as a response."""
    job = BATCHES[kind](params)
    data = pdf.render(job.parts)
    job.finish()
    db.session.commit()
    return send_file(BytesIO(data), mimetype="application/pdf", download_name=job.filename)


def start(kind: str, params: dict) -> PrintJob:
    """Check a batch request in the web process and queue it for the worker."""
    _expire_old_files()
    open_jobs = [j for j in db.session.scalars(access.scoped(PrintJob).where(
        PrintJob.status.in_(("queued", "running")))) if not j.stalled]
    if len(open_jobs) >= MAX_OPEN_JOBS:
        raise Refusal(f"您已有 {len(open_jobs)} 个打印任务正在进行，请等它们完成后再打印。")
    built = BATCHES[kind](params)
    job = PrintJob(user_id=current_user.id, kind=kind, params=params, title=built.title,
                   filename=built.filename, total=pdf.copies(built.parts), unit=built.unit)
    db.session.add(job)
    db.session.commit()
    _dispatch(current_app._get_current_object(), job.id)
    return job


def queue_position(job: PrintJob) -> int:
    """How many unfinished jobs were asked for before this one."""
    if job.status != "queued":
        return 0
    return db.session.scalar(sa.select(sa.func.count()).select_from(PrintJob).where(
        PrintJob.status.in_(("queued", "running")), PrintJob.id < job.id,
        PrintJob.updated_at > now() - PrintJob.QUEUED_AFTER)) or 0


def file_of(job: PrintJob) -> Path:
    return _folder(current_app) / f"{job.id}.pdf"


def _folder(app) -> Path:
    path = Path(app.config.get("PRINT_FOLDER") or Path(app.instance_path) / "prints")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _expire_old_files() -> None:
    old = db.session.scalars(sa.select(PrintJob).where(
        PrintJob.expired.is_(False), PrintJob.created_at < now() - PrintJob.KEEP_FOR)).all()
    for job in old:
        file_of(job).unlink(missing_ok=True)
        job.expired = True


# The worker process ------------------------------------------------------------------------

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_end_with_parent)
        return _pool


def _end_with_parent() -> None:
    """In the print worker: end as soon as the app process does, however it ends (a SIGTERM
    skips Python's exit handlers; a SIGKILL skips everything). Otherwise the worker, and with
    it multiprocessing's resource tracker (which ends when its last user does), kept running
    after waitress had exited. The parent's sentinel becomes readable when the parent exits."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch():
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)  # a job under way shows as interrupted, as after any restart
    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _dispatch(app, job_id: int) -> None:
    config = settings(app)
    config["PRINT_FOLDER"] = str(_folder(app))
    config["INSTANCE_PATH"] = app.instance_path  # uploads a document embeds (activity photos)
    try:
        future = _executor().submit(work, config, job_id)
    except BrokenProcessPool:
        _reset_pool()
        future = _executor().submit(work, config, job_id)

    def done(fut):
        error = fut.exception()
        if error is None:
            return
        if isinstance(error, BrokenProcessPool):
            _reset_pool()
        with app.app_context():
            _set(job_id, status="failed", error="打印程序意外退出，请重新打印；如果一再出现，请联系中心校管理员。")
    future.add_done_callback(done)


PLAIN = (str, int, float, bool, dict, list, tuple, type(None))


def settings(app) -> dict:
    """The web app's settings as the worker needs them: every plain value (the database, the
    instance/config.py settings such as CONSOLIDATION_RATE or ATTENDANCE_RULES that documents
    compute with), so a document prints the same in the worker as at once."""
    return {key: value for key, value in app.config.items()
            if key.isupper() and isinstance(value, PLAIN)}


def _reset_pool() -> None:
    global _pool
    with _pool_lock:
        _pool = None


def _set(job_id: int, **values) -> None:
    """Progress and status on a connection of its own, outside the worker's session. A write
    that fails (the database busy for longer than its timeout) is logged and skipped: a lost
    progress step costs nothing, and a job that never reports again shows as interrupted."""
    try:
        with db.engine.begin() as conn:
            conn.execute(sa.update(PrintJob).where(PrintJob.id == job_id)
                         .values(updated_at=now(), **values))
    except sa.exc.OperationalError:
        logging.getLogger("baoxue.print").exception("print job %s: could not record %s",
                                                    job_id, values)


class Throttled:
    """A progress report at most once a second (a page takes 20-80 ms: a write each would
    double the work on SQLite)."""

    def __init__(self, report: Callable[[int], None], every: float = 1.0):
        self.report, self.every, self.last = report, every, 0.0

    def __call__(self, n: int) -> None:
        clock = time.monotonic()
        if clock - self.last >= self.every:
            self.last = clock
            self.report(n)


_worker_app = None
_renderers: ProcessPoolExecutor | None = None


def _render_pool(count: int) -> ProcessPoolExecutor | None:
    """The worker's own processes that lay out a long batch at once (pdf.render): one a CPU
    core (PRINT_PROCESSES), none on a single core. Started at the first long batch, kept."""
    global _renderers
    if count < 2:
        return None
    if _renderers is None:
        _renderers = ProcessPoolExecutor(max_workers=count,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_end_with_parent)
        # when the worker ends, before multiprocessing joins its children: otherwise the
        # worker waits for its renderers and they wait for work (a shutdown() here waited too)
        multiprocessing.util.Finalize(_renderers, _end_renderers, args=(_renderers,),
                                      exitpriority=10)
    return _renderers


def _end_renderers(pool: ProcessPoolExecutor) -> None:
    for process in list((pool._processes or {}).values()):
        process.terminate()


def _drop_render_pool() -> None:
    global _renderers
    _renderers = None


def work(config: dict, job_id: int) -> None:
    """Runs in the print worker: render the job's documents and save the PDF."""
    global _worker_app
    from app import create_app
    if _worker_app is None or _worker_app.config["SQLALCHEMY_DATABASE_URI"] != \
            config["SQLALCHEMY_DATABASE_URI"]:
        if _worker_app is not None:
            with _worker_app.app_context():
                db.engine.dispose()
        _worker_app = create_app(config)
    app = _worker_app
    app.config.update({k: v for k, v in config.items() if k != "INSTANCE_PATH"})
    app.instance_path = config.get("INSTANCE_PATH", app.instance_path)
    with app.test_request_context():
        try:
            job = db.session.get(PrintJob, job_id)
            if job is None or job.status != "queued" or job.stalled:
                return  # shown as interrupted already: the user was told to print again
            login_user(job.user)
            _set(job_id, status="running")
            built = BATCHES[job.kind](job.params)
            pages = Throttled(lambda n: _set(job_id, pages=n))
            data = pdf.render(built.parts, progress=lambda n: _set(job_id, done=n), pages=pages,
                              pool=_render_pool(app.config["PRINT_PROCESSES"]))
            file_of(job).write_bytes(data)
            built.finish()
            job.status, job.done = "done", pdf.copies(built.parts)
            job.total = job.done
            job.pages = pdf.page_count(data)
            job.size, job.finished_at, job.updated_at = len(data), now(), now()
            db.session.commit()
        except Exception as error:  # the user sees a message; the log has the traceback
            db.session.rollback()
            if isinstance(error, BrokenProcessPool):  # a renderer died: new ones next time
                _drop_render_pool()
            logging.getLogger("baoxue.print").exception("print job %s failed", job_id)
            message = str(error) if isinstance(error, Refusal) else \
                "排版时出错，没有生成文件。请重新打印；如果一再出现，请联系中心校管理员。"
            _set(job_id, status="failed", error=message[:200], finished_at=now())
        finally:
            db.session.remove()
