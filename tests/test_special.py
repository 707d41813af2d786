"""残疾儿童: the 残联's list imported (its own columns and certificate numbers, bad rows refused
whole), matched to the register and given a responsible school, registered or made a case,
assessed and placed, kept in scope, printed as the 台账 with its counts, and in the reports."""
import subprocess
from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import Workbook

from extensions import db
from models import AuditLog, DisabledChild, DropoutCase, Student
from tests import TODAY
from tests import factories as f

HEAD = ["序号", "姓名", "身份证号", "残疾类别", "残疾等级", "残疾证号", "村", "家庭住址", "监护人", "联系电话"]


def sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEAD)
    for n, row in enumerate(rows, 1):
        ws.append([n, *row])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data, filename="残疾儿童名单.xlsx"):
    return client.post("/special/import", data={"file": (BytesIO(data), filename)},
                       content_type="multipart/form-data")


def commit(client, preview, remove=False):
    import re
    token = re.search(r'name="token" value="(\w+)"', preview.text).group(1)
    return client.post("/special/import/commit", data={"token": token,
                                                       **({"remove": "1"} if remove else {})})


@pytest.fixture
def listed(world, login):
    """The 残联's list: 张三 (on the register at 甲一村小, the category and level from his
    certificate number), and 小红 of 甲一村's village, no 残疾证, not registered anywhere."""
    red = f.id_number(date(2015, 3, 1), "女")
    village = world.a1.village
    rows = [("张三", world.s_a1.id_number, "", "", world.s_a1.id_number + "42", "", "", "张大山",
             "13800001111"),
            ("小红", red, "智力", "二级", "", village, f"青山镇{village}", "王某", "13900002222")]
    officer = login("officer")
    preview = upload(officer, sheet(rows))
    assert preview.status_code == 200 and "新增 <b>2</b>" in preview.text
    assert commit(officer, preview).status_code == 303
    return {c.name: c for c in db.session.scalars(db.select(DisabledChild))}


def test_the_list_is_matched_and_each_child_given_a_school(world, listed):
    zhang, red = listed["张三"], listed["小红"]
    assert (zhang.student_id, zhang.school_id) == (world.s_a1.id, world.a1.id)
    assert (zhang.category_label, zhang.level_label) == ("肢体", "二级")  # from the 证号
    assert red.student is None and red.school_id == world.a1.id  # 就近: her village's school
    assert (red.category_label, red.level_label, red.certificate_no) == ("智力", "二级", "")
    assert red.placement_label == "未登记学籍" and zhang.placement_label == "未安置"
    assert db.session.scalar(db.select(AuditLog).filter_by(
        action="import", table_name="disabled_children")).after["added"] == 2


def test_a_bad_list_is_refused_whole_with_its_rows_named(world, login):
    officer = login("officer")
    good = f.id_number(date(2014, 1, 1))
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    other = f.id_number(date(2013, 2, 2))
    r = upload(officer, sheet([("甲", good, "肢体", "二级", "", "", "", "", ""),
                               ("乙", wrong, "", "", "", "", "", "", ""),
                               ("丙", other, "脚", "五级", good + "42", "", "", "", "")]))
    assert r.status_code == 422
    assert "第 3 行" in r.text and "第 4 行" in r.text and "第 2 行" not in r.text
    assert "残疾类别“脚”不认识" in r.text and "残疾等级“五级”不认识" in r.text
    assert "残疾证号的前 18 位应与身份证号相同" in r.text and "学生名册" in r.text
    assert db.session.scalar(db.select(db.func.count(DisabledChild.id))) == 0
    assert upload(officer, b"not a spreadsheet", "x.xlsx").status_code == 422
    as_numbers = upload(officer, sheet([("丁", int(other[:15] + "000"), "", "", "", "", "", "", ""),
                                        ("戊", good, "", "", 52242320140101523142, "", "", "",
                                         "")]))  # a 残疾证号 of 20 digits typed in a 常规 cell
    assert as_numbers.status_code == 422 and "第 2 行" in as_numbers.text
    assert "身份证号被 Excel 存成了数字" in as_numbers.text
    assert "残疾证号被 Excel 存成了数字" in as_numbers.text
    assert "前 18 位应与身份证号相同" not in as_numbers.text.split("第 3 行")[1]


def test_a_new_list_removes_a_child_only_when_ticked(world, listed, login):
    officer = login("officer")
    again = sheet([("小红", listed["小红"].id_number, "智力", "二级", "", "", "", "", "")])
    preview = upload(officer, again)
    assert "原名单中有 <b>1</b> 人不在这份名单里" in preview.text and "张三" in preview.text
    commit(officer, preview)
    assert db.session.scalar(db.select(db.func.count(DisabledChild.id))) == 2
    commit(officer, upload(officer, again), remove=True)
    assert [c.name for c in db.session.scalars(db.select(DisabledChild))] == ["小红"]


def test_placement_is_the_childs_and_needs_a_record_here_or_a_named_school(world, listed,
                                                                          login):
    officer, red, zhang = login("officer"), listed["小红"], listed["张三"]
    day = (TODAY - timedelta(days=3)).isoformat()
    place = {"school_id": world.a1.id, "assessed_on": day, "assessment": "中度", "note": "",
             "placement": "inclusive", "placed_on": day, "placed_school": ""}
    r = officer.post(f"/special/{red.id}", data=place)
    assert r.status_code == 422 and "随班就读、送教上门要先建立学籍或立案" in r.text
    assert "中度" in r.text  # what was typed stays
    r = officer.post(f"/special/{red.id}", data={**place, "placement": "special_school"})
    assert "请写明孩子就读的特教学校或外地学校" in r.text
    assert officer.post(f"/special/{red.id}", data={
        **place, "placement": "special_school", "placed_school": "某县特殊教育学校"}).status_code == 303
    db.session.refresh(red)
    assert red.placement_label == "特教学校" and red.placed_school == "某县特殊教育学校"
    future = (TODAY + timedelta(days=1)).isoformat()
    assert "安置日期不能晚于今天" in officer.post(f"/special/{zhang.id}",
                                           data={**place, "placed_on": future}).text
    on_register = {k: v for k, v in place.items() if k not in ("placed_school", "school_id")}
    assert officer.post(f"/special/{zhang.id}", data={  # as the page posts it for him
        **on_register, "placement": "home_delivery"}).status_code == 303
    db.session.refresh(world.s_a1)
    assert (world.s_a1.placement, world.s_a1.disabled) == ("home_delivery", True)
    assert login("head").post(f"/special/{zhang.id}", data=place).status_code == 303
    assert login("head_b").get(f"/special/{zhang.id}").status_code == 404


def test_an_unregistered_child_is_registered_or_made_a_case(world, listed, login):
    officer, red = login("officer"), listed["小红"]
    r = officer.post(f"/special/{red.id}/register", data={"how": "case"})
    assert r.status_code == 303
    db.session.refresh(red)
    student = red.student
    assert student.school_id == world.a1.id and student.status == "dropout" and student.disabled
    case = db.session.scalar(db.select(DropoutCase).filter_by(student_id=student.id))
    assert case.trigger_label == "残联名单比对"
    officer.post(f"/special/{red.id}/register", data={"how": "enrol"})  # twice: refused
    assert db.session.scalar(db.select(db.func.count(Student.id)).filter_by(
        id_number=red.id_number)) == 1


def test_scope_and_the_ledger_with_its_counts(world, listed, login, batch_pdf):
    assert "小红" in login("head").get("/special/").text
    assert "小红" not in login("head_b").get("/special/").text
    assert "张三" in login("teacher").get("/special/").text  # their class's child
    assert "小红" not in login("teacher").get("/special/").text
    with login("officer").get("/special/ledger.pdf") as r:
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=r.data,
                              capture_output=True, check=True).stdout.decode()
    assert "适龄残疾儿童少年台账" in text and "共 2 人（其中无残疾证 1 人）" in text
    assert "未安置 2 人（其中未登记学籍 1 人）" in text
    r = login("leader").get("/special/ledger.xlsx")
    assert r.status_code == 200
    exports = db.session.scalars(db.select(AuditLog).filter_by(
        action="export", table_name="disabled_children").order_by(AuditLog.id)).all()
    assert [(e.after["format"], e.after["full_ids"]) for e in exports] == [
        ("pdf", True), ("xlsx", False)]


def test_the_summary_and_the_monthly_report_count_the_placements(world, listed, login,
                                                                 pledge_term):
    from flask_login import login_user
    from blueprints.summaries import draft, sections
    officer = login("officer")
    day = TODAY.isoformat()
    officer.post(f"/special/{listed['张三'].id}", data={
        "school_id": world.a1.id, "assessed_on": day, "assessment": "", "note": "",
        "placement": "home_delivery", "placed_on": day, "placed_school": ""})
    with officer.application.test_request_context():
        login_user(world.users["central_officer"])
        paragraphs, figures, _ = sections.write(draft.township_unit(world.central_a),
                                                draft.term_period(pledge_term), TODAY)
    text = "".join(p for section in paragraphs for p in section)
    assert "与残联对接，比对适龄残疾儿童 2 人（含无残疾证 1 人）" in text
    assert "其中送教上门 1 人，尚待评估安置 1 人" in text
    assert figures["disabled_home_delivery"] == 1
    assert "随迁子女" not in text  # none registered: no sentence
    world.s_a1.migrant = True
    db.session.commit()
    with officer.application.test_request_context():
        login_user(world.users["central_officer"])
        paragraphs, figures, _ = sections.write(draft.township_unit(world.central_a),
                                                draft.term_period(pledge_term), TODAY)
    text = "".join(p for section in paragraphs for p in section)
    assert f"现有在读学生 {figures['enrolled_now']} 人，其中随迁子女 1 人" in text


def test_a_child_who_moved_school_goes_with_the_record(world, listed, login):
    """A registered child's list row follows their record: moved to 甲二教学点, 甲一村小's head
    no longer sees or places them, and their responsible school is the new one."""
    zhang = listed["张三"]
    world.s_a1.school_id, world.s_a1.class_id = world.a2.id, None
    db.session.commit()
    head = login("head")
    assert "张三" not in head.get("/special/").text
    assert head.get(f"/special/{zhang.id}").status_code == 404
    officer = login("officer")
    day = TODAY.isoformat()
    assert officer.post(f"/special/{zhang.id}", data={
        "assessed_on": day, "assessment": "", "note": "", "placement": "inclusive",
        "placed_on": day}).status_code == 303
    db.session.refresh(zhang)
    assert zhang.school_id == world.a2.id and zhang.responsible_school == world.a2
    assert "甲二教学点" in officer.get("/special/").text
