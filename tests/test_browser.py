"""The foundation's flow in a real browser (Debian's Chromium driven by Playwright) against the
app served by waitress on 127.0.0.1: a village head signs in, finds a child by pinyin initials,
fixes a wrong ID number with the inline check, imports a roster with two bad rows and sees why,
and cannot reach another school's child."""
import re
import shutil
import threading
from io import BytesIO

import pytest
from openpyxl import Workbook

from blueprints.students.roster import TEMPLATE_COLUMNS
from extensions import db
from models import Student
from tests import factories as f

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not shutil.which("chromium"),
                                reason="Debian's chromium is not installed (make test installs it)")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(app):
    from waitress import create_server
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.set_default_timeout(8000)
        yield page
        browser.close()


def _roster(world) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(TEMPLATE_COLUMNS)
    good = [f.id_number() for _ in range(3)]
    bad_check = good[0][:17] + ("0" if good[0][17] != "0" else "1")
    rows = [("孙悟空", good[1]), ("猪八戒", bad_check), ("沙和尚", world.s_b1.id_number),
            ("唐三藏", good[2])]
    for name, number in rows:
        ws.append([{"姓名": name, "身份证号": number, "年级": "三年级", "班级": "1班"}.get(h, "")
                   for h in TEMPLATE_COLUMNS])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_village_head_day_one(world, live_server, page, tmp_path):
    base = live_server
    page.goto(base + "/students/")
    assert "/login" in page.url  # every page needs a signed-in user
    page.fill("#username", "head")
    page.fill("#password", f.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/students/$"))

    # find a child by pinyin initials: the results swap in as a fragment, the URL keeps the search
    page.fill("#q", "zs")
    page.wait_for_url(re.compile(r"q=zs"))
    results = page.locator("#student-results")
    assert "张三" in results.inner_text() and "李四" not in results.inner_text()

    # open the child, then fix a wrong ID number with the inline check
    results.get_by_role("link", name="张三").click()
    page.get_by_role("link", name="修改信息").click()
    id_field = page.locator("#id_number")
    right = id_field.input_value()
    wrong = right[:17] + ("0" if right[17] != "0" else "1")
    id_field.fill(wrong)
    page.wait_for_selector("#id-check.error")
    assert "校验位不对" in page.inner_text("#id-check")
    page.fill("#birth_date", "2010-01-01")
    id_field.fill(right)
    page.wait_for_selector("#id-check.ok-text")
    assert page.input_value("#birth_date") == "2016-05-17"  # filled from the ID number
    page.fill("#name", "张三丰")
    page.click("#student-form button[type=submit]")
    page.wait_for_selector("text=已保存 张三丰 的信息")
    db.session.expire_all()
    assert db.session.get(Student, world.s_a1.id).name == "张三丰"

    # import a roster with two bad rows: the preview says exactly which and why, nothing written
    roster = tmp_path / "名册.xlsx"
    roster.write_bytes(_roster(world))
    before = db.session.query(Student).count()
    page.goto(base + "/students/import")
    page.set_input_files("#file", str(roster))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=2 行有问题")
    text = page.inner_text("main")
    assert "第 3 行" in text and "校验位不对" in text
    assert "第 4 行" in text and "已在乙一村小登记" in text
    assert db.session.query(Student).count() == before

    # another school's child is not there for this user
    response = page.goto(f"{base}/students/{world.s_a2.id}")
    assert response.status == 404 and "不在您的管理范围内" in page.inner_text("main")
    assert page.console_errors == [] or all("404" in e for e in page.console_errors)
