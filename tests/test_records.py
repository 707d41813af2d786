"""非正常学籍: the worklist in each user's scope, the clean-up's steps in order, 办结 changing
the status, the count over time, the Excel for the county, and the report and summary lines."""
from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from blueprints.records import cleanup
from extensions import db
from models import AuditLog, RecordCheck
from tests import TODAY
from tests import factories as f



@pytest.fixture
def left(world):
    """张三 (甲一村小) 其他离校 60 days ago; 赵六 (township B) 问题学籍."""
    officer = world.users["central_officer"]
    world.s_a1.change_status("left", TODAY - timedelta(days=60), "开学未到校", "", officer)
    world.s_b1.change_status("problem", TODAY - timedelta(days=30), "重复学籍", "", officer)
    db.session.commit()
    return world.s_a1


def form(**values):
    base = {"whereabouts": "school_elsewhere", "place": "浙江省宁波市北仑区",
            "school_name": "宁波市北仑区某小学", "verified_how": "phone", "verified_by": "杨老师",
            "verified_on": (TODAY - timedelta(days=20)).isoformat(), "reported_on": "",
            "request": "", "requested_on": "", "done_on": "", "note": ""}
    return {**base, **values}


def test_the_worklist_is_scoped_and_counts_by_stage(world, left, login):
    page = login("officer").get("/records/").text
    assert "张三" in page and "赵六" not in page  # another township's child
    assert "待查明去向" in page and "其他离校 1，问题学籍 0" in page
    assert "张三" in login("head").get("/records/").text
    assert "张三" not in login("head_b").get("/records/").text
    assert "张三" in login("teacher").get("/records/").text  # their class's child, read only
    assert "办理" not in login("teacher").get("/records/").text
    assert login("teacher").get(f"/records/{left.id}").status_code == 403


def test_steps_go_in_order_and_a_refusal_keeps_what_was_typed(world, left, login):
    officer = login("officer")
    r = officer.post(f"/records/{left.id}", data=form(verified_on="", verified_how="",
                                                      reported_on=TODAY.isoformat()))
    assert r.status_code == 422
    assert "去向查明并核实后才能上报" in r.text and "宁波市北仑区某小学" in r.text
    assert "学生名册" in r.text  # the page with its menu, not an error page
    assert db.session.scalar(db.select(RecordCheck)) is None
    future = (TODAY + timedelta(days=1)).isoformat()
    assert "核实日期不能晚于今天" in officer.post(f"/records/{left.id}",
                                          data=form(verified_on=future)).text
    before = (TODAY - timedelta(days=90)).isoformat()
    assert "不能早于孩子成为其他离校/问题学籍的日期" in officer.post(
        f"/records/{left.id}", data=form(verified_on=before)).text
    assert "请先填写上报日期" in officer.post(f"/records/{left.id}", data=form(
        request="transfer", requested_on=TODAY.isoformat())).text
    assert "上报日期不能早于核实日期" in officer.post(f"/records/{left.id}", data=form(
        reported_on=(TODAY - timedelta(days=30)).isoformat())).text
    assert db.session.scalar(db.select(RecordCheck)) is None
    assert officer.post(f"/records/{left.id}", data=form(
        reported_on=TODAY.isoformat())).status_code == 303
    check = db.session.scalar(db.select(RecordCheck))
    assert check.stage == "request" and check.found == "外地就读 浙江省宁波市北仑区 宁波市北仑区某小学"


def test_done_makes_the_child_transferred_and_ends_the_clean_up(world, left, login):
    officer = login("officer")
    day = (TODAY - timedelta(days=10)).isoformat()
    r = officer.post(f"/records/{left.id}", data=form(
        reported_on=day, request="transfer", requested_on=day, done_on=TODAY.isoformat()))
    assert r.status_code == 303
    db.session.refresh(left)
    assert left.status == "transferred"
    change = left.status_changes[0]
    assert (change.from_status, change.to_status, change.changed_on) == ("left", "transferred", TODAY)
    assert "宁波市北仑区某小学" in change.destination and "申请转学已办结" in change.reason
    page = officer.get("/records/").text
    assert "已办结" in page and "张三" in page  # the township sees what it did
    r = officer.post(f"/records/{left.id}", data=form(note="改一下"))
    assert r.status_code == 422 and "已于" in r.text and "办结，不能再修改" in r.text
    assert officer.post(f"/records/{world.s_a1_other.id}", data=form()).status_code == 404


def test_a_village_head_verifies_but_the_county_steps_are_the_officers(world, left, login):
    head = login("head")
    r = head.post(f"/records/{left.id}", data=form(reported_on=TODAY.isoformat(),
                                                   request="transfer",
                                                   requested_on=TODAY.isoformat()))
    assert r.status_code == 303
    check = db.session.scalar(db.select(RecordCheck))
    assert check.verified_by == "杨老师" and check.reported_on is None and check.request == ""
    assert check.stage == "report"
    assert db.session.scalar(db.select(AuditLog).filter_by(table_name="record_checks"))


def test_a_proof_that_is_not_a_scan_is_refused(world, left, login):
    r = login("officer").post(f"/records/{left.id}", data={
        **form(), "proof": (BytesIO(b"not an image"), "proof.jpg")},
        content_type="multipart/form-data")
    assert r.status_code == 422 and "文件内容不是 PDF、JPG 或 PNG" in r.text
    assert db.session.scalar(db.select(RecordCheck)) is None
    r = login("officer").post(f"/records/{left.id}", data={
        **form(), "proof": (BytesIO(f.png_of(40, 30)), "proof.png")},
        content_type="multipart/form-data")
    assert r.status_code == 303
    with login("head").get(f"/records/{left.id}/proof") as proof:
        assert proof.status_code == 200 and proof.data.startswith(b"\x89PNG")
    assert login("head_b").get(f"/records/{left.id}/proof").status_code == 404


def test_the_count_over_time_reads_the_status_history(world, signed_in):
    officer = world.users["central_officer"]
    start = date(TODAY.year - 1, 9, 1) if TODAY.month >= 9 else date(TODAY.year - 2, 9, 1)
    world.s_a1.change_status("left", start + timedelta(days=3), "未到校", "", officer)
    world.s_a1.change_status("enrolled", start + timedelta(days=40), "劝返复学", "", officer)
    world.s_a2.change_status("problem", start + timedelta(days=20), "重复", "", officer)
    db.session.commit()
    with signed_in(officer):
        trend = cleanup.trend(TODAY)
    assert trend[0] == (date(start.year, 9, 30), 2)
    assert trend[1][1] == 1  # 张三 back in school on 11 October
    assert trend[-1] == (TODAY, 1)
    with signed_in(world.users["village_head"]):  # 甲一村小 only: 王五 is at 甲二教学点
        assert cleanup.trend(TODAY)[0][1] == 1


def test_the_excel_for_the_county_is_audited_and_masks_ids_for_readers(world, left, login):
    r = login("officer").get("/records/export.xlsx")
    sheet = load_workbook(BytesIO(r.data)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("学校", "姓名", "性别", "身份证号") and rows[1][1] == "张三"
    assert rows[1][3] == left.id_number and rows[1][-1] == "待查明去向"
    masked = list(load_workbook(BytesIO(login("leader").get("/records/export.xlsx").data))
                  .active.values)
    assert "*" in masked[1][3]
    assert db.session.scalar(db.select(AuditLog).filter_by(
        action="export", table_name="record_checks")).after["rows"] == 1


def test_the_monthly_report_and_the_summary_carry_the_count(world, left, login, pledge_term,
                                                            signed_in):
    from blueprints.summaries import draft, sections
    officer = login("officer")
    day = (TODAY - timedelta(days=5)).isoformat()
    officer.post(f"/records/{left.id}", data=form(reported_on=day, request="transfer",
                                                  requested_on=day, done_on=day))
    with signed_in(world.users["central_officer"]):
        paragraphs, figures, _ = sections.write(draft.township_unit(world.central_a),
                                                draft.term_period(pledge_term), TODAY)
    text = "".join(p for section in paragraphs for p in section)
    assert "开展非正常学籍清理" in text and "办结转学或删除 1 人" in text
    assert figures["abnormal_done"] == 1 and figures["abnormal_end"] == 0
    from blueprints.dashboard.metrics import REPORT_ROWS
    assert "非正常学籍（其他离校、问题学籍）" in [label for label, _ in REPORT_ROWS]


@pytest.fixture
def graduate(world):
    """张三 finished 九年级 this July (or last), 毕业."""
    from blueprints.records import leavers
    year = leavers.default_year(TODAY)
    s = world.s_a1
    s.grade = 9
    s.change_status("graduated", date(year + 1, 7, 5), "九年级毕业", "", world.users["central_officer"])
    db.session.commit()
    return s


def test_leavers_destinations_the_unknown_first_and_a_school_named(world, graduate, login):
    from models import Leaver
    head = login("head")
    page = head.get("/records/leavers").text
    assert "张三" in page and "去向不明<b>1</b>" in page
    r = head.post(f"/records/leavers/{graduate.id}", data={"destination": "high_school",
                                                          "school_name": "", "note": ""},
                  headers={"HX-Request": "true", "HX-Target": f"leaver-{graduate.id}"})
    assert r.status_code == 422 and "普通高中：请写明就读的学校" in r.text
    assert 'value="high_school" selected' in r.text  # what was chosen stays
    assert db.session.scalar(db.select(Leaver)) is None
    r = head.post(f"/records/leavers/{graduate.id}", data={
        "destination": "high_school", "school_name": "某县第一中学", "note": ""})
    assert r.status_code == 200 and "已保存" in r.text
    row = db.session.scalar(db.select(Leaver))
    assert (row.destination_label, row.school_name, row.confirmed_on) == (
        "普通高中", "某县第一中学", TODAY)
    assert "张三" not in login("head_b").get("/records/leavers").text
    assert login("officer").post(f"/records/leavers/{world.s_a1_other.id}", data={
        "destination": "work"}).status_code in (303, 422)  # not a 九年级 graduate
    assert db.session.scalar(db.select(db.func.count(Leaver.id))) == 1
    with login("officer").get("/records/leavers.xlsx") as r:
        assert r.status_code == 200
    assert db.session.scalar(db.select(AuditLog).filter_by(action="export", table_name="leavers"))


def test_primary_leavers_not_taken_into_a_junior_school_are_listed(world, login):
    """小升初: a 六年级 leaver the township's 初中 took in is enrolled there in 七年级 (one record
    a child); one whose record still says 毕业 is listed to be found, with 立案."""
    from blueprints.records import leavers
    year = leavers.default_year(TODAY)
    for s in (world.s_a1, world.s_a1_other):
        s.grade = 6
        s.change_status("graduated", date(year + 1, 7, 5), "小学毕业", "", None)
    taken = world.s_a1_other  # the central school's 初中 took her in
    taken.change_status("enrolled", date(year + 1, 9, 1), "升入初中", "", None)
    taken.school_id, taken.class_id, taken.grade = world.central_a.id, None, 7
    db.session.commit()
    page = login("head").get("/records/primary-leavers").text
    assert "未升入本镇初中<b><span class=\"tag bad\">1</span>" in page
    assert "张三" in page and "李四" not in page
    assert f"/cases/new?student={world.s_a1.id}" in page
    assert "张三" not in login("head_b").get("/records/primary-leavers").text
    from blueprints.cases import workflow
    workflow.open_case(world.s_a1, "manual", TODAY, None, reason="未升入初中")
    db.session.commit()
    assert "已立案：疑似辍学" in login("head").get("/records/primary-leavers").text


def test_the_summary_says_where_the_last_leavers_went(world, graduate, login, signed_in):
    """普职结合 in the 工作总结 of the school year after they left."""
    from blueprints.records import leavers
    from blueprints.summaries import draft
    from models import Term
    year = leavers.default_year(TODAY) + 1
    term = Term(central_id=world.central_a.id, school_year=year, semester=1,
                start_date=date(year, 9, 1), end_date=date(year + 1, 1, 20))
    db.session.add(term)
    db.session.commit()
    with signed_in(world.users["central_officer"]):
        made = draft.draft(draft.township_unit(world.central_a), draft.term_period(term), TODAY)
    text = "".join(t for _, t in made.sections)
    assert f"{year}届九年级毕业生 1 人；去向不明 1 人，正在逐人跟进" in text
    login("head").post(f"/records/leavers/{graduate.id}", data={
        "destination": "vocational", "school_name": "某县职业技术学校", "note": ""})
    db.session.expire_all()  # the first draft loaded 张三 without a destination
    with signed_in(world.users["central_officer"]):
        made = draft.draft(draft.township_unit(world.central_a), draft.term_period(term), TODAY)
    text = "".join(t for _, t in made.sections)
    assert f"{year}届九年级毕业生 1 人，其中职业学校 1 人。" in text
    assert made.figures["leavers_vocational"] == 1


def test_a_long_whereabouts_ends_the_clean_up(world, left, login):
    """办结 writes the 去向 into the status history, which holds 120 characters: a full place and
    school (200) still end it (PostgreSQL refused the longer text)."""
    officer = login("officer")
    day = (TODAY - timedelta(days=10)).isoformat()
    r = officer.post(f"/records/{left.id}", data=form(
        place="浙江省宁波市北仑区" * 13, school_name="宁波市北仑区某某实验小学" * 6,
        reported_on=day, request="transfer", requested_on=day, done_on=TODAY.isoformat()))
    assert r.status_code == 303
    db.session.refresh(left)
    assert left.status == "transferred" and len(left.status_changes[0].destination) == 120


def test_a_wrong_year_shows_the_latest_leavers(world, graduate, login):
    officer = login("officer")
    for year in ("0", "-3", "99999", "abc"):
        assert "九年级毕业生去向" in officer.get(f"/records/leavers?year={year}").text
        assert officer.get(f"/records/leavers.xlsx?year={year}").status_code == 200
