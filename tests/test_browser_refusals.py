"""A refusal keeps the page (issue 17, the response contract of responses.py), in Chromium, in
every area where a user can be refused: after the refusal the menu, the page's own content and
what the user typed are still there, and the message says what to fix.

Messages (a refusal, a conflict, a file gone) show in the message area: from an htmx request
without a swap; from a plain form (an upload) or link (a download) after the browser is sent
back to its page. A form with errors is re-rendered with them beside what was typed.
"""
import re
import shutil
from datetime import timedelta

import pytest

from extensions import db
from models import PrintJob, now
from tests import TODAY
from tests import factories as f
from tests.test_access import _url_args

pytestmark = pytest.mark.skipif(not shutil.which("chromium"),
                                reason="Debian's chromium is not installed (make test installs it)")


@pytest.fixture
def rows(world):
    """The world with a row of every kind (a warning, a case with a follow-up, a pledge, a
    programme, a pair, a meeting and its decision, a summary ...): their ids by name."""
    defaults, _ = _url_args(world, world.s_a1_other)
    return defaults


def sign_in(chromium, base, username):
    page = chromium.new_page(viewport={"width": 1024, "height": 768})
    page.set_default_timeout(8000)
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", f.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return page


def message(page, text):
    """The message area shows text (an error)."""
    page.locator("#messages .msg.error", has_text=text).wait_for()


def kept(page, *selectors, menu="nav.main-nav"):
    """The menu (a presentation's own page turner) and the page's own content are still
    there."""
    assert page.locator(menu).is_visible()
    for selector in selectors:
        assert page.locator(selector).first.is_visible(), selector


def busy(user, n=3):
    """The user already has n batches under way: every batch print is refused (MAX_OPEN_JOBS)."""
    for _ in range(n):
        db.session.add(PrintJob(user_id=user.id, kind="student_sheets", title="排队中",
                                filename="x.pdf", total=1))
    db.session.commit()


BUSY = "您已有 3 个打印任务正在进行"


def test_home_and_attendance_refusals_keep_the_page(world, rows, live_server, chromium):
    head = sign_in(chromium, live_server, "head")
    # home: a meeting's decision marked done without saying how
    head.get_by_role("button", name="完成").click()
    message(head, "请写明完成情况。")
    kept(head, "text=推进会布置给我的事项", "input[name=result]")
    # attendance: a warning closed without saying what was done
    head.goto(live_server + "/attendance/warnings")
    head.get_by_role("button", name="关闭预警").click()
    message(head, "请写明做了什么")
    kept(head, "main table", "input[name=action]")
    # a stale page: the same warning closed meanwhile on another PC, then closed again here
    other_pc = sign_in(chromium, live_server, "head")
    other_pc.goto(live_server + "/attendance/warnings")
    other_pc.fill("input[name=action]", "电话联系了家长")
    other_pc.get_by_role("button", name="关闭预警").click()
    other_pc.locator("#messages .msg.success").wait_for()
    head.fill("input[name=action]", "家访见到家长")
    head.get_by_role("button", name="关闭预警").click()
    message(head, "这条预警已经处理过了")
    kept(head, "main table")
    assert head.input_value("input[name=action]") == "家访见到家长"


def test_cases_refusal_keeps_what_was_typed(world, rows, live_server, chromium):
    head = sign_in(chromium, live_server, "head")
    head.goto(f"{live_server}/cases/{rows['case_id']}")
    head.fill("input[name=on]", "")
    head.fill("input[name=note]", "电话联系了家长，孩子在校")
    head.get_by_role("button", name="记录回访").click()
    message(head, "请填写回访日期。")
    kept(head, "text=复学一周回访")
    assert head.input_value("input[name=note]") == "电话联系了家长，孩子在校"
    step = head.locator("select[name=to]")
    step.select_option(index=1)
    chosen = step.input_value()
    head.get_by_role("button", name="保存这一步").click()  # what was done left unwritten
    head.locator("text=请写明这一步做了什么").wait_for()
    assert head.locator("select[name=to]").input_value() == chosen
    assert head.url.endswith(f"/cases/{rows['case_id']}")  # F5 reloads the case, not a POST


def test_batch_prints_refused_in_every_area_that_prints(world, rows, live_server, chromium):
    """students, 包保, 佐证材料, 资助: a fourth batch while three are under way."""
    busy(world.users["village_head"])
    head = sign_in(chromium, live_server, "head")
    head.goto(live_server + "/students/")
    head.get_by_role("button", name=re.compile("打印学生信息表")).click()
    message(head, BUSY)
    kept(head, "#student-results table")
    head.goto(live_server + "/responsibility/")
    head.locator("form[action$='/responsibility/table'] button").first.click()
    message(head, BUSY)
    kept(head, "h2:has-text('缺少责任人')")
    head.goto(f"{live_server}/aid/programs/{rows['program_id']}")
    head.locator(f"form[action$='/aid/programs/{rows['program_id']}/notice'] button").click()
    message(head, BUSY)
    kept(head, "main table")
    officer = sign_in(chromium, live_server, "officer")
    busy(world.users["central_officer"])
    officer.goto(f"{live_server}/evidence/?school={world.a1.id}&term={rows['term_id']}")
    officer.get_by_role("button", name="打印佐证材料（PDF）").click()
    message(officer, BUSY)
    kept(officer, "text=打印佐证材料（PDF）")


def test_plain_upload_and_download_refusals_come_back_to_their_page(world, rows, live_server,
                                                                   chromium, tmp_path):
    """A scan that is not a scan (a form that uploads, not htmx) and a download whose file is
    gone (a plain link): the browser is back on its page, with the message."""
    head = sign_in(chromium, live_server, "head")
    head.goto(f"{live_server}/pledges/?term={rows['term_id']}")
    head.select_option("#kind", "guardian_commitment")  # a guardian letter without its class
    head.select_option("#school_id", str(world.a1.id))
    head.get_by_role("button", name="生成").click()
    message(head, "家长承诺书、告知书按班级生成")
    assert head.input_value("#kind") == "guardian_commitment"  # the choices stay
    assert head.input_value("#school_id") == str(world.a1.id)
    fake = tmp_path / "签字.pdf"
    fake.write_bytes(b"MZ this is a program, not a scan")
    head.locator("input[type=file]").first.set_input_files(str(fake))
    head.get_by_role("button", name="上传扫描件").first.click()
    message(head, "文件内容不是 PDF、JPG 或 PNG")
    assert "/pledges/" in head.url
    kept(head, "main table")
    # the scan-in of a signed stack: a file that is not a scan is named, nothing is attached
    head.get_by_role("link", name="扫描回收签字文书").click()
    head.set_input_files("#scan-files", str(fake))
    head.get_by_role("button", name="上传并识别").click()
    message(head, "“签字.pdf”：文件内容不是 PDF、JPG 或 PNG")
    assert head.url.endswith("/prints/scan-in")
    kept(head, "#scan-files")

    job = PrintJob(user_id=world.users["village_head"].id, kind="student_sheets",
                   title="学生信息表 3 份", filename="学生信息表.pdf", total=3, done=3,
                   status="done", size=1000, finished_at=now())
    db.session.add(job)
    db.session.commit()
    head.goto(f"{live_server}/prints/{job.id}")
    head.get_by_role("link", name="下载 PDF").click()
    message(head, "这个打印文件已不存在")
    assert head.url.endswith(f"/prints/{job.id}")
    kept(head, "text=学生信息表 3 份")

    # a photo over the limit on a form sent to its own address: its body is never read, so the
    # error page leads back in the browser's history, where the form holds what was typed
    head.goto(f"{live_server}/cases/visits/new?student={world.s_a1.id}")
    head.fill("#situation", "孩子在家，奶奶说明天送来")
    big = tmp_path / "照片.jpg"
    big.write_bytes(b"\xff\xd8" + b"0" * (21 * 1024 * 1024))
    head.locator("input[type=file]").set_input_files(str(big))
    head.get_by_role("button", name="保存家访记录").click()
    head.locator("text=上传的文件太大").wait_for()
    head.get_by_role("link", name="返回刚才的表单").click()
    head.wait_for_url(re.compile(r"/cases/visits/new"))
    assert head.input_value("#situation") == "孩子在家，奶奶说明天送来"


def test_forms_with_errors_keep_what_was_typed(world, rows, live_server, chromium, tmp_path):
    """活动, 总结, 结对, 用户, 登录: the form comes back with the error beside the field and
    everything typed; 推进会's minutes, saved as they are typed, are refused with a message."""
    head = sign_in(chromium, live_server, "head")
    head.goto(live_server + "/activities/new")
    head.fill("#title", "防辍学家长会")
    fake = tmp_path / "照片.jpg"
    fake.write_bytes(b"MZ not a photo")
    head.locator("input[type=file]").set_input_files(str(fake))
    head.locator("main button[type=submit]").click()
    head.locator("text=文件内容不是 PDF、JPG 或 PNG").wait_for()
    kept(head, "#title")
    assert head.input_value("#title") == "防辍学家长会"

    head.goto(f"{live_server}/summaries/{rows['summary_id']}/edit")
    head.fill("#title", "甲一村小本学期工作总结（修改）")
    for area in head.locator("main textarea").all():
        area.fill("")
    head.locator("main button[type=submit]").first.click()
    head.locator("text=各部分的正文都是空的").wait_for()
    kept(head, "main textarea")
    assert head.input_value("#title") == "甲一村小本学期工作总结（修改）"

    teacher = sign_in(chromium, live_server, "teacher")
    teacher.goto(live_server + "/pairs/mine")
    card = teacher.locator("article.pair").first
    card.locator("input[name=held_on]").fill((TODAY + timedelta(days=2)).isoformat())
    card.locator("input[name=content]").fill("电话问了学习和生活")
    card.locator("input[name=progress]").fill("数学作业按时交了")
    card.get_by_role("button", name="记录").click()
    teacher.locator("text=日期不能晚于今天。").wait_for()
    kept(teacher, "article.pair")
    assert teacher.locator("article.pair input[name=progress]").first.input_value() == \
        "数学作业按时交了"

    officer = sign_in(chromium, live_server, "officer")
    officer.goto(f"{live_server}/meetings/{rows['meeting_id']}/present")
    minutes = "会上逐校通报了本月考勤。" * 2000  # 24,000 characters, saved as typed
    officer.fill("textarea[name=minutes]", minutes)
    officer.locator("textarea[name=minutes]").blur()
    message(officer, "会议记录太长（最多 2 万字）")
    kept(officer, "#action-items", "text=决定事项", menu="nav.present-nav")
    assert officer.input_value("textarea[name=minutes]") == minutes

    officer.goto(live_server + "/township/users/new")
    officer.fill("#username", "teacher")
    officer.fill("#name", "钱老师")
    officer.fill("#password", "longenough1")
    officer.locator("main button[type=submit]").click()
    officer.locator("text=这个用户名已被使用，请换一个。").wait_for()
    assert officer.input_value("#name") == "钱老师"
    kept(officer, "#username")

    stranger = chromium.new_page()
    stranger.goto(live_server + "/login")
    stranger.fill("#username", "head")
    stranger.fill("#password", "wrong-one")
    stranger.click("main button[type=submit]")
    stranger.locator("text=用户名或密码不正确").wait_for()
    assert stranger.input_value("#username") == "head"


def test_a_double_click_saves_once(world, rows, live_server, chromium):
    """A 家访 (a plain form, for its photo) and a 资助项目 (an htmx form: its button is disabled
    while it is sent) double-clicked: one request and one record each (static/js/app.js; a
    reviewer's double-clicks made two of each, and Chromium alone sent a plain form twice
    when the machine was busy)."""
    from models import AidProgram, HomeVisit
    head = sign_in(chromium, live_server, "head")
    head.goto(f"{live_server}/cases/visits/new?student={world.s_a1.id}")
    head.fill("#visitors", "吴老师（班主任）")
    head.fill("#situation", "孩子在家，奶奶说明天送来")
    head.locator("input[name=outcome]").first.check()
    before = db.session.scalar(db.select(db.func.count()).select_from(HomeVisit))
    sent = []
    head.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    head.get_by_role("button", name="保存家访记录").dblclick()
    head.wait_for_url(re.compile(r"/(students|cases)/\d+$"))  # the child's, or the case opened
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(HomeVisit)) == before + 1
    assert len(sent) == 1, sent

    officer = sign_in(chromium, live_server, "officer")
    officer.goto(live_server + "/aid/programs/new")
    officer.fill("#name", "冬季爱心助学")
    officer.fill("#amount", "300")
    officer.locator("input[name=flags]").first.check()
    posts, held = [], []
    officer.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    officer.get_by_role("button", name="保存").dblclick()
    officer.locator("#messages .msg.success", has_text="已保存资助项目：冬季爱心助学").wait_for()
    assert len(posts) == 1, posts  # the button is disabled while the form is sent
    # Saved, the form stays on screen until the next page comes (HX-Location): a busy
    # machine's second click came then. That page is held here while the user clicks again.
    officer.goto(live_server + "/aid/programs/new")
    officer.fill("#name", "春季爱心助学")
    officer.fill("#amount", "300")
    officer.locator("input[name=flags]").first.check()
    officer.route(re.compile(r"/aid/programs/\d+$"), lambda route: held.append(route))
    with officer.expect_request(lambda r: r.method == "GET" and "/aid/programs/" in r.url):
        officer.get_by_role("button", name="保存").click()
    save = officer.get_by_role("button", name="保存")
    assert save.is_disabled()
    save.click(force=True)
    held[0].continue_()
    officer.locator("#messages .msg.success", has_text="已保存资助项目：春季爱心助学").wait_for()
    assert len(posts) == 2, posts
    assert db.session.scalar(db.select(db.func.count()).select_from(AidProgram).where(
        AidProgram.name.in_(["冬季爱心助学", "春季爱心助学"]))) == 2


def test_a_school_reports_its_month_once_and_a_second_send_needs_its_reason(
        world, rows, live_server, chromium):
    """学校月报 in Chromium: a double-click on 报送月报 sends once; 再次报送 without a reason is
    refused with the page, its table and the menu kept; a case's correction with a blank 情况
    keeps what was typed."""
    from models import DropoutCase, SchoolReport
    month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    head = sign_in(chromium, live_server, "head")
    head.goto(f"{live_server}/cases/ledger?month={month:%Y-%m}")
    row = head.locator("#school-reports + p + table tr, #school-reports + table tr",
                       has_text="甲一村小")
    row.get_by_role("button", name="报送月报").dblclick()
    head.locator("#messages .msg.success", has_text="已报送甲一村小").wait_for()
    assert db.session.scalar(db.select(db.func.count()).select_from(SchoolReport)) == 1
    row = head.locator("#school-reports + p + table tr, #school-reports + table tr",
                       has_text="甲一村小")
    row.get_by_role("button", name="再次报送").click()
    message(head, "再次报送（更正）请写明原因")
    kept(head, "#school-reports")
    assert db.session.scalar(db.select(db.func.count()).select_from(SchoolReport)) == 1

    case = db.session.get(DropoutCase, rows["case_id"])
    head.goto(f"{live_server}/cases/{case.id}")
    head.locator("summary", has_text="更正情况").click()
    head.fill("#reason", "   ")
    head.fill("#whereabouts", "随父在广东东莞")
    head.get_by_role("button", name="保存更正").click()
    head.locator(".error", has_text="请写明孩子为什么不在校").first.wait_for()
    kept(head, "#whereabouts")
    assert head.input_value("#whereabouts") == "随父在广东东莞"
