"""Batch printing through the print worker (printjobs.py): progress, ownership, scope, limits,
interrupted and expired jobs."""
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

import printjobs
from extensions import db
from models import AuditLog, Pledge, PledgeTemplate, PrintJob, Term, now
from blueprints.pledges.texts import DEFAULTS
from tests import TODAY
from tests import factories as f
from tests.conftest import Http, wait_for_job


def text_of(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def start(client, url="/students/sheets", data=None) -> str:
    response = client.post(url, data=data or {})
    assert response.status_code == 303, response.text
    return response.headers["Location"]


def test_a_long_single_document_shows_its_pages_as_they_are_laid_out(app):
    """One part (an evidence pack, a ledger): the worker hears WeasyPrint lay out each page and
    reports pages (at most once a second), not 0 of 1."""
    import pdf
    heard = []
    with app.test_request_context():
        rows = [["序号", "姓名"]] + [[str(n), f"学生{n}"] for n in range(200)]
        data = pdf.render([pdf.Part("print/ledger.html", {
            "title": "测试台账", "columns": [("序号", 6), ("姓名", 10)], "rows": rows,
            "today": TODAY})], pages=heard.append)
    assert heard[:3] == [1, 2, 3] and heard[-1] == pdf.page_count(data) > 3
    reports, clock = [], iter([0.0, 0.5, 1.2, 1.3, 2.5])
    throttled = printjobs.Throttled(reports.append)
    throttled.last = -10
    original, printjobs.time.monotonic = printjobs.time.monotonic, lambda: next(clock)
    try:
        for n in range(1, 6):
            throttled(n)
    finally:
        printjobs.time.monotonic = original
    assert reports == [1, 3, 5]


def test_progress_page_then_download_for_the_owner_only(world, login):
    for n in range(6):
        f.student(world.a1, world.class_a1, name=f"学生{n}")
    db.session.commit()
    head = login("head")
    # a job the worker has not taken up: its whole page polls its progress box (made here, as
    # the worker may finish seven sheets before the page of a real job is asked for)
    waiting = PrintJob(user_id=world.users["village_head"].id, kind="student_sheets",
                       params={"class_id": world.class_a1.id}, title="学生信息表 7 份",
                       filename="学生信息表.pdf", total=7)
    db.session.add(waiting)
    db.session.commit()
    page = head.get(f"/prints/{waiting.id}")
    assert page.status_code == 200 and "学生信息表 7 份" in page.text
    assert 'id="print-job"' in page.text and "http-equiv=\"refresh\"" in page.text
    db.session.delete(waiting)
    db.session.commit()
    location = start(head, data={"class_id": world.class_a1.id})
    box = wait_for_job(head, location)
    assert "下载 PDF" in box and "7 份，7 页" in box  # counted as the heading counts
    job = db.session.scalar(db.select(PrintJob))
    db.session.refresh(job)
    assert (job.status, job.done, job.total, job.pages) == ("done", 7, 7, 7)
    assert job.size > 10_000
    with head.get(location + ".pdf") as pdf:
        assert pdf.status_code == 200 and "学生0" in text_of(pdf.data)
    assert "学生信息表 7 份" in head.get("/prints/").text
    # nobody else sees or downloads it, not even the central officer
    officer = login("officer")
    assert officer.get(location).status_code == 404
    assert officer.get(location + ".pdf").status_code == 404
    assert "学生信息表 7 份" not in officer.get("/prints/").text
    entry = db.session.scalar(db.select(AuditLog).filter_by(action="export", username="head"))
    assert entry.after == {"rows": 7, "full_ids": True, "format": "pdf"}
    # the job row itself is bookkeeping, not an audited change
    assert db.session.scalar(db.select(AuditLog).filter_by(table_name="print_jobs")) is None


def test_a_batch_holds_only_rows_in_the_askers_scope(world, login, batch_pdf):
    # a teacher asking for every school's sheets gets the children of their own class only
    data = batch_pdf(login("teacher"), "/students/sheets", {"status": "all"})
    text = text_of(data)
    assert "张三" in text and "李四" not in text and "王五" not in text and "赵六" not in text
    number = world.s_a1.id_number
    assert number not in text and number[:4] + "*" * 10 + number[-4:] in text


def test_inspector_may_print_but_does_not_mark_pledges_printed(world, login, batch_pdf):
    term = Term(central_id=world.central_a.id, school_year=2025, semester=1,
                start_date=date(2025, 9, 1), end_date=date(2026, 1, 20))
    template = PledgeTemplate(central_id=world.central_a.id, kind="teacher",
                              **DEFAULTS["teacher"])
    db.session.add(Pledge(template=template, term=term, school_id=world.a1.id,
                          doc_no="KB-T-1", title="控辍保学目标责任书", content="正文一",
                          party_a_name="甲一村小", party_b_name="吴老师"))
    db.session.commit()
    inspector = login("inspector")
    assert "吴老师" in text_of(batch_pdf(inspector, "/pledges/print", {"term": term.id}))
    db.session.expire_all()
    assert db.session.scalar(db.select(Pledge)).status == "generated"
    assert inspector.post(f"/pledges/{1}/status", data={"to": "signed"}).status_code == 403


def test_refusals_say_what_to_change(world, login, monkeypatch):
    head = login("head")
    response = head.post("/students/sheets", data={"q": "没有这个人"})
    assert response.status_code == 422 and "没有符合筛选条件的学生" in response.text
    response = head.post("/pledges/print", data={})
    assert response.status_code == 422 and "没有符合筛选条件的文书" in response.text
    monkeypatch.setattr("blueprints.students.sheets.MAX_SHEETS", 1)
    response = head.post("/students/sheets", data={"school": world.a1.id})
    assert response.status_code == 422 and "一次最多打印 1 份" in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(PrintJob)) == 0


def test_a_user_has_at_most_three_batches_under_way(world, login):
    user = world.users["village_head"]
    for n in range(printjobs.MAX_OPEN_JOBS):
        db.session.add(PrintJob(user_id=user.id, kind="student_sheets", params={},
                                title=f"任务{n}", filename="x.pdf", status="running"))
    db.session.commit()
    response = login("head").post("/students/sheets", data={"class_id": world.class_a1.id})
    assert response.status_code == 422 and "已有 3 个打印任务正在进行" in response.text


def test_a_job_without_heartbeat_shows_as_interrupted_and_frees_its_place(world, login):
    user = world.users["village_head"]
    stale = {"running": now() - PrintJob.STALLED_AFTER - timedelta(minutes=1),
             "queued": now() - PrintJob.QUEUED_AFTER - timedelta(minutes=1)}
    for n, status in enumerate(("running", "queued", "running")):
        db.session.add(PrintJob(user_id=user.id, kind="student_sheets", params={},
                                title=f"任务{n}", filename="x.pdf", status=status,
                                total=10, done=3, updated_at=stale[status]))
    db.session.commit()
    head = login("head")
    box = head.get("/prints/1", headers={"HX-Request": "true", "HX-Target": "print-job"}).text
    assert "中断" in box and "请重新打印" in box and "hx-trigger" not in box
    assert head.post("/students/sheets", data={"class_id": world.class_a1.id}).status_code == 303
    # a queued job shown as interrupted is never run late (the user was told to print again)
    job = db.session.scalar(db.select(PrintJob).filter_by(status="queued"))
    printjobs.work({"SECRET_KEY": "test-secret",
                    "SQLALCHEMY_DATABASE_URI": db.engine.url.render_as_string(False),
                    "PRINT_FOLDER": "/tmp"}, job.id)
    db.session.expire_all()
    assert db.session.get(PrintJob, job.id).status == "queued" and job.done == 3


def test_files_older_than_a_day_are_refused_and_deleted(world, login, app):
    head = login("head")
    location = start(head, data={"class_id": world.class_a1.id})
    wait_for_job(head, location)
    later = start(head, data={"class_id": world.class_a1.id})
    wait_for_job(head, later)
    first, second = db.session.scalars(db.select(PrintJob).order_by(PrintJob.id)).all()
    with app.test_request_context():
        paths = printjobs.file_of(first), printjobs.file_of(second)
    assert all(p.is_file() for p in paths)
    for job in (first, second):
        job.created_at = now() - PrintJob.KEEP_FOR - timedelta(minutes=1)
    db.session.commit()
    response = head.get(location + ".pdf")  # refused at once, and the file goes
    assert response.status_code == 404 and "只保留一天" in response.text
    assert not paths[0].exists() and "文件已过期" in head.get(location).text
    wait_for_job(head, start(head, data={"class_id": world.class_a1.id}))  # a new batch tidies
    assert not paths[1].exists()


def test_a_worker_error_fails_the_job_with_a_message(world, login):
    head = login("head")
    # the rows went away between asking and printing: the worker (run here in-process) fails
    # the job with the reason instead of raising
    db.session.add(PrintJob(user_id=world.users["village_head"].id, kind="student_sheets",
                            params={"q": "没有这个人"}, title="空", filename="x.pdf"))
    db.session.commit()
    job = db.session.scalar(db.select(PrintJob).filter_by(title="空"))
    printjobs.work({"SECRET_KEY": "test-secret",
                    "SQLALCHEMY_DATABASE_URI": db.engine.url.render_as_string(False),
                    "PRINT_FOLDER": "/tmp"}, job.id)
    db.session.expire_all()
    job = db.session.get(PrintJob, job.id)
    assert job.status == "failed" and "没有符合筛选条件的学生" in job.error
    box = head.get(f"/prints/{job.id}", headers={"HX-Request": "true",
                                                 "HX-Target": "print-job"}).text
    assert "没有符合筛选条件的学生" in box


def test_the_worker_gets_the_sites_settings(app):
    """instance/config.py settings reach the print worker's app, so a document computed there
    (a ledger, a report) uses the township's rules, not the defaults."""
    from app import create_app
    app.config["CONSOLIDATION_RATE"] = "cohort"
    app.config["ATTENDANCE_RULES"] = {**app.config["ATTENDANCE_RULES"], "warning_days": 5}
    config = printjobs.settings(app)
    assert config["SQLALCHEMY_DATABASE_URI"] == app.config["SQLALCHEMY_DATABASE_URI"]
    assert "PERMANENT_SESSION_LIFETIME" not in config  # not a plain value
    worker = create_app(config)
    assert worker.config["CONSOLIDATION_RATE"] == "cohort"
    assert worker.config["ATTENDANCE_RULES"]["warning_days"] == 5


SERVER = """
import sys
sys.path.insert(0, sys.argv[1])
from waitress import create_server
from app import create_app, serve
app = serve(create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": sys.argv[2],
                        "WTF_CSRF_ENABLED": False}))
app.instance_path = sys.argv[3]
server = create_server(app, host="127.0.0.1", port=0, threads=4)
print(server.effective_port, flush=True)
server.run()
"""


def _children(pid: int) -> list[int]:
    """The processes whose parent is pid (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be read


@pytest.mark.parametrize("how", [  # one a run of `make test`: the engine is not what is tried
    pytest.param(signal.SIGTERM, marks=pytest.mark.one_engine("sqlite")),
    pytest.param(signal.SIGKILL, marks=pytest.mark.one_engine("postgresql"))])
def test_the_print_worker_ends_with_the_server(app, world, tmp_path, how):
    """Issue 16 (7): after waitress exited, its print worker and multiprocessing's resource
    tracker kept running. A server started as `make run` starts it (serve(), waitress) prints
    a batch, then is stopped (SIGTERM, as `kill` or systemd) or killed (SIGKILL, as the
    out-of-memory killer): both children end within 5 seconds."""
    db.session.commit()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(Path(__file__).parents[1]),
         app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path / "served")],
        stdout=subprocess.PIPE, start_new_session=True)
    children = []
    try:
        pc = Http(f"http://127.0.0.1:{int(server.stdout.readline())}")
        assert pc.post("/login", {"username": "head", "password": f.PASSWORD}).status == 303
        asked = pc.post("/students/sheets", {"class_id": str(world.class_a1.id)})
        assert asked.status == 303
        location, deadline = asked.getheader("Location"), time.monotonic() + 60
        while "下载 PDF" not in pc.get(location).text:
            assert time.monotonic() < deadline, "the batch was not printed"
            time.sleep(0.2)
        children = _children(server.pid)
        assert len(children) >= 2, children  # the print worker and the resource tracker
        server.send_signal(how)
        server.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(_running(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in children if _running(pid)]
    finally:
        server.stdout.close()
        if server.poll() is None:
            server.kill()
            server.wait()
        for pid in _children(server.pid) + [p for p in children if _running(p)]:
            os.kill(pid, signal.SIGKILL)  # a failed run leaves nothing behind


def test_a_long_batch_is_laid_out_by_the_workers_renderers_in_order(world, login):
    """pdf.render with the worker's process pool: the documents are laid out in runs in other
    processes and joined in order, page numbers counted within each document as before."""
    for n in range(11):
        f.student(world.a1, world.class_a1, name=f"学生{n:02d}")
    db.session.commit()
    head = login("head")
    location = start(head, data={"class_id": world.class_a1.id})
    assert "下载 PDF" in wait_for_job(head, location)
    with head.get(location + ".pdf") as response:
        text = text_of(response.data)
    pages = text.split("\f")[:-1]
    names = [re.search(r"学生\d\d|张三", page).group(0) for page in pages]
    assert names == [f"学生{n:02d}" for n in range(11)] + ["张三"]  # the register's order
    assert all("第 1 页 共 1 页" in page for page in pages)
