"""家访 and 劝返复学: visits close warnings and open cases, the case workflow with its refusals,
follow-ups, 销号 only with an outcome, dropouts after the threshold, notices by their text."""
import re
import subprocess
from datetime import date, datetime, timedelta
from io import BytesIO

import pytest

from blueprints.attendance import rules
from blueprints.cases import workflow
from extensions import db
from models import (Absence, AuditLog, CaseNotice, DropoutCase, EarlyWarning, Guardian,
                    HomeVisit, StatusChange, Term)
from refusal import Refusal
from tests import TODAY
from tests import factories as f

PNG = f.png_of(40, 30)  # a real image: a scan's header is read


def text_of(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


@pytest.fixture
def case(world):
    row = workflow.open_case(world.s_a1, "manual", TODAY - timedelta(days=10), None,
                             reason="随父母外出")
    db.session.commit()
    return row


def visit_data(**overrides):
    data = {"visited_on": TODAY.isoformat(), "visitors": "吴老师（班主任）、陈主任",
            "met": "奶奶", "reasons": ["work_away", "school_weary"], "outcome": "will_return",
            "situation": "父母在外务工，孩子不想上学", "next_step": "周一再去"}
    data.update(overrides)
    return data


def test_a_visit_closes_the_warning_it_answers(world, login):
    warning = EarlyWarning(student_id=world.s_a1.id, school_id=world.a1.id, rule="absence_run",
                           run_start=TODAY - timedelta(days=3), days=3, opened_on=TODAY,
                           due_on=TODAY + timedelta(days=1), evidence=[])
    db.session.add(warning)
    db.session.commit()
    teacher = login("teacher")
    form = teacher.get(f"/cases/visits/new?student={world.s_a1.id}&warning={warning.id}")
    assert "记录家访后这条预警即处理完毕" in form.text and "张大山" in form.text
    response = teacher.post(f"/cases/visits/new?student={world.s_a1.id}&warning={warning.id}",
                            data={**visit_data(), "file": (BytesIO(PNG), "照片.png")})
    assert response.status_code == 303
    db.session.expire_all()
    visit = db.session.scalar(db.select(HomeVisit))
    assert visit.reason_labels == ["外出务工", "厌学"] and visit.file_path.endswith(".png")
    assert warning.status == "closed" and "答应近日返校" in warning.action
    with teacher.get(f"/cases/visits/{visit.id}/file") as photo:
        assert photo.data == PNG
    assert db.session.scalar(db.select(DropoutCase)) is None  # the child will return


def test_a_visit_finding_the_child_gone_opens_a_case(world, login):
    """Several 结果 ticked, as the paper form allows: the child gone and the family refusing."""
    head = login("head")
    form = head.get(f"/cases/visits/new?student={world.s_a1.id}").text
    order = [form.index(label) for label in ("方式", "日期", "家访人员", "见到谁", "原因", "情况",
                                             "结果（可多选）", "下一步")]
    assert order == sorted(order)  # the paper 家访记录表's order
    none = head.post(f"/cases/visits/new?student={world.s_a1.id}", data=visit_data(outcome=[]))
    assert none.status_code == 422 and "请勾选家访的结果" in none.text
    response = head.post(f"/cases/visits/new?student={world.s_a1.id}",
                         data=visit_data(outcome=["gone", "refused"]))
    case = db.session.scalar(db.select(DropoutCase))
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    assert (case.trigger, case.state) == ("visit", "suspected")
    visit = db.session.scalar(db.select(HomeVisit))
    assert visit.case_id == case.id and visit.outcomes == ["gone", "refused"]
    assert visit.outcome_label == "孩子不在家（外出、去向不明）、拒绝返校"
    printed = head.get(f"/cases/visits/{visit.id}.pdf").data
    text = subprocess.run(["pdftotext", "-", "-"], input=printed, capture_output=True
                          ).stdout.decode()
    assert "■拒绝返校" in text and "■孩子不在家" in text and "□答应近日返校" in text
    assert text.count(f"JF-{visit.id:06d}") == 2  # the record's number, and under its QR code
    fonts = subprocess.run(["pdffonts", "-"], input=printed, capture_output=True).stdout
    assert b"DejaVu" not in fonts  # every mark in the print fonts: no fallback face


def test_bad_visits_are_refused_and_keep_what_was_typed(world, login):
    head = login("head")
    future = head.post(f"/cases/visits/new?student={world.s_a1.id}", data=visit_data(
        visited_on=(TODAY + timedelta(days=1)).isoformat()))
    assert future.status_code == 422 and "不能晚于今天" in future.text and "孩子不想上学" in future.text
    fake = head.post(f"/cases/visits/new?student={world.s_a1.id}",
                     data={**visit_data(), "file": (BytesIO(b"MZ..."), "照片.jpg")})
    assert fake.status_code == 422 and "文件内容不是" in fake.text
    assert db.session.scalar(db.select(HomeVisit)) is None
    assert head.post(f"/cases/visits/new?student={world.s_a1.id}",
                     data=visit_data()).status_code == 303
    again = head.post(f"/cases/visits/new?student={world.s_a1.id}", data=visit_data())  # Back
    assert again.status_code == 422 and "这次家访已经记录过了" in again.text
    assert "孩子不想上学" in again.text
    assert db.session.scalar(db.select(db.func.count()).select_from(HomeVisit)) == 1
    assert login("head_b").get(f"/cases/visits/new?student={world.s_a1.id}").status_code == 404


def test_visits_are_listed_counted_and_printed(world, login):
    head = login("head")
    head.post(f"/cases/visits/new?student={world.s_a1.id}", data=visit_data())
    head.post(f"/cases/visits/new?student={world.s_a1_other.id}", data=visit_data())
    page = head.get(f"/cases/visits/?month={TODAY:%Y-%m}").text
    assert "共 <b>2</b> 次家访" in page and "甲一村小 2" in page
    visit = db.session.scalar(db.select(HomeVisit))
    filled = text_of(head.get(f"/cases/visits/{visit.id}.pdf").data)
    assert "控辍保学家访记录表" in filled and "张三" in filled and "孩子不想上学" in filled
    blank = text_of(head.get("/cases/visits/blank.pdf").data)
    assert "□厌学" in blank and "张三" not in blank


def test_the_case_walks_to_return_follow_ups_and_closing(world, case, login):
    head = login("head")

    def step(to, note="做了工作", **extra):
        return head.post(f"/cases/{case.id}/step", data={
            "to": to, "on": TODAY.isoformat(), "note": note, **extra})

    page = head.get(f"/cases/{case.id}").text
    assert re.search(r"<select[^>]*name=\"to\"[^>]*>\s*<option[^>]*value=\"\">（请选择）", page)
    unchosen = step("", "孩子今天已经回校上课。")
    assert unchosen.status_code == 422 and "请选择下一步。" in unchosen.text
    assert "孩子今天已经回校上课。" in unchosen.text
    assert step("verifying", "班主任和村主任核查，孩子在外婆家").status_code == 303
    assert step("persuading", "校长、村支书上门劝返").status_code == 303
    no_plan = step("returned", "孩子返校")
    assert no_plan.status_code == 422 and "复学适应方案" in no_plan.text
    assert step("returned", "孩子返校", reentry_plan="数学补课；吴老师结对").status_code == 303
    db.session.expire_all()
    assert [f.due_on for f in case.follow_ups] == [TODAY + timedelta(days=7),
                                                   TODAY + timedelta(days=30)]
    early = step("closed", "稳定")
    assert early.status_code == 422 and "完成一周和一个月回访后才能销号" in early.text
    for item in case.follow_ups:
        assert head.post(f"/cases/{case.id}/follow-ups/{item.id}", data={
            "on": TODAY.isoformat(), "note": "按时到校，情绪稳定"}).status_code == 303
    assert step("closed", "复学稳定，销号").status_code == 303
    db.session.expire_all()
    assert (case.state, case.outcome, case.closed_on) == ("closed", "returned", TODAY)
    assert [s.to_state for s in case.steps] == ["suspected", "verifying", "persuading",
                                                "returned", "closed"]
    assert all(s.user_id == world.users["village_head"].id for s in case.steps[1:])
    assert step("persuading").status_code == 422  # nothing after 销号


def test_invalid_steps_say_what_is_allowed(world, case, signed_in):
    with signed_in(world.users["village_head"]) as head:
        with pytest.raises(Refusal, match="不能直接改为“已销号”。可以改为：核查中"):
            workflow.move(case, "closed", TODAY, head, "想直接销号")
        with pytest.raises(Refusal, match="请写明这一步做了什么"):
            workflow.move(case, "verifying", TODAY, head, "  ")
        with pytest.raises(Refusal, match="转入学校名称和学籍接收证明"):
            workflow.move(case, "transferred", TODAY, head, "听说去外地了")
        workflow.move(case, "verifying", TODAY - timedelta(days=2), head, "打电话核实")
        with pytest.raises(Refusal, match="这一步的日期不能更早"):  # the history in its order
            workflow.move(case, "persuading", TODAY - timedelta(days=3), head, "入户劝返")
        workflow.move(case, "transferred", TODAY, head, "转入宁波某小学，学籍系统已接收，有证明")
        workflow.move(case, "closed", TODAY, head, "核实转学，销号")
        assert case.outcome == "transferred"


def test_home_delivery_changes_the_placement(world, case, signed_in):
    with signed_in(world.users["village_head"]) as head:
        workflow.move(case, "home_delivery", TODAY, head, "重度残疾，经评估改为送教上门")
    assert world.s_a1.placement == "home_delivery"


def test_a_returned_child_away_again_is_persuaded_again(world, case, signed_in):
    with signed_in(world.users["village_head"]) as head:
        workflow.move(case, "returned", TODAY, head, "返校", reentry_plan="补课")
        workflow.move(case, "persuading", TODAY, head, "又没来了")
    assert case.state == "persuading" and all(f.done_on for f in case.follow_ups)


def test_suspected_past_thirty_days_is_a_dropout_and_the_record_is_kept(world, app):
    old = workflow.open_case(world.s_a1, "manual", TODAY - timedelta(days=31), None)
    young = workflow.open_case(world.s_a1_other, "manual", TODAY - timedelta(days=29), None)
    db.session.commit()
    assert workflow.mark_dropouts(TODAY) == 1
    db.session.commit()
    assert old.dropout_on == TODAY and young.dropout_on is None
    assert world.s_a1.status == "dropout" and world.s_a1_other.status == "enrolled"
    change = db.session.scalar(db.select(StatusChange).filter_by(to_status="dropout"))
    assert "超过30天" in change.reason
    assert workflow.mark_dropouts(TODAY) == 0  # once


def test_a_run_past_seven_school_days_opens_a_suspected_case(world):
    db.session.add(Term(central_id=world.central_a.id, school_year=2026, semester=1,
                        start_date=date(2026, 9, 1), end_date=date(2027, 1, 20)))
    monday = date(2026, 11, 2)
    days = [monday + timedelta(days=i) for i in range(12) if (monday + timedelta(days=i))
            .weekday() < 5]  # 8 school days
    for day in days[:7]:
        db.session.add(Absence(student_id=world.s_a1.id, school_id=world.a1.id, day=day,
                               kind="unexcused"))
    db.session.flush()
    rules.evaluate(world.s_a1, days[6])
    assert db.session.scalar(db.select(DropoutCase)) is None  # 7 days: a warning only
    db.session.add(Absence(student_id=world.s_a1.id, school_id=world.a1.id, day=days[7],
                           kind="unexcused"))
    db.session.flush()
    rules.evaluate(world.s_a1, days[7])
    case = db.session.scalar(db.select(DropoutCase))
    assert case.trigger == "absence" and "连续无故缺课 8 个上课日" in case.reason


def test_notices_are_numbered_printed_and_audited(world, case, login):
    head = login("head")
    report = head.post(f"/cases/{case.id}/notices", data={"kind": "report"})
    text = text_of(report.data)
    assert "辍学学生情况报告表" in text and "张三" in text and "随父母外出" in text
    assert world.s_a1.id_number in text  # the head sees full IDs; it goes to the township
    order = text_of(head.post(f"/cases/{case.id}/notices", data={"kind": "order"}).data)
    assert "责令送学通知书" in order and "草稿" in order and "第五十八条" in order
    assert "张大山" in order
    numbers = [n.doc_no for n in db.session.scalars(db.select(CaseNotice).order_by(
        CaseNotice.id))]
    assert numbers == [f"KF{TODAY.year}-{world.a1.id:03d}-0001",
                       f"KF{TODAY.year}-{world.a1.id:03d}-0002"]
    page = head.get(f"/students/{world.s_a1.id}").text  # the child's timeline, and its file
    assert f"印发辍学学生情况报告表（{numbers[0]}）" in page
    again = text_of(login("teacher").get(f"/cases/notices/{case.notices[0].id}.pdf").data)
    assert numbers[0] in again and world.s_a1.id_number not in again  # a teacher: masked
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditLog).where(
        AuditLog.table_name == "case_notices", AuditLog.action == "export")) == 3


def test_a_notice_keeps_its_number_a_second_needs_asking(world, case, login):
    """Issue 18.5: pressing 打印 again for a kind the case has is refused (the page stays, the
    message says where to reprint it); a reprint has the same number and date; a second notice
    of the kind is a new number only when 另发一份 is ticked."""
    head = login("head")
    head.post(f"/cases/{case.id}/notices", data={"kind": "urge"})
    first = db.session.scalar(db.select(CaseNotice))
    twice = head.post(f"/cases/{case.id}/notices", data={"kind": "urge"},
                      headers={"HX-Request": "true"})
    assert twice.status_code == 422 and f"编号 {first.doc_no}" in twice.text
    assert "重印请点“文书”中的编号，编号和日期不变" in twice.text
    assert db.session.scalar(db.select(db.func.count()).select_from(CaseNotice)) == 1
    reprint = text_of(head.get(f"/cases/notices/{first.id}.pdf").data)
    assert first.doc_no in reprint
    head.post(f"/cases/{case.id}/notices", data={"kind": "urge", "again": "1"})
    numbers = [n.doc_no for n in db.session.scalars(db.select(CaseNotice).order_by(CaseNotice.id))]
    assert numbers[0] == first.doc_no and len(numbers) == 2 and numbers[1] != numbers[0]


def test_cases_list_and_scope(world, case, login):
    page = login("officer").get("/cases/").text
    assert "张三" in page and "疑似辍学" in page
    assert login("head_b").get(f"/cases/{case.id}").status_code == 404
    assert login("inspector").post(f"/cases/{case.id}/step", data={}).status_code == 403
    teacher = login("teacher")
    assert teacher.get(f"/cases/{case.id}").status_code == 200  # their class's child


def test_ledgers_and_monthly_counts_follow_every_step(world, login, signed_in):
    from openpyxl import load_workbook
    month = TODAY.replace(day=1)
    out = workflow.open_case(world.s_a1, "manual", month, None, reason="外出打工")
    out.whereabouts = "广东东莞"
    back = workflow.open_case(world.s_a1_other, "manual", month, None, reason="厌学")
    db.session.commit()
    with signed_in(world.users["village_head"]) as head:
        workflow.move(back, "returned", TODAY, head, "返校", reentry_plan="补课")
        for item in back.follow_ups:
            item.done_on, item.note = TODAY, "好"
        workflow.move(back, "closed", TODAY, head, "销号")
    db.session.commit()
    head = login("head")
    page = head.get(f"/cases/ledger?kind=suspected&month={TODAY:%Y-%m}").text
    assert "张三" in page and "李四" in page and "广东东莞" in page
    counts = page.split("各校情况")[1].split("</table>")[0]
    assert "<td>甲一村小</td><td class=\"num\">2</td><td class=\"num\">1</td>" \
           "<td class=\"num\">1</td><td class=\"num\">1</td>" in counts
    assert "张三" not in head.get(f"/cases/ledger?kind=dropout&month={TODAY:%Y-%m}").text
    sheet = load_workbook(BytesIO(head.get(
        f"/cases/ledger.xlsx?kind=suspected&month={TODAY:%Y-%m}").data)).active
    rows = list(sheet.values)
    assert rows[0][:5] == ("序号", "学校", "年级班级", "姓名", "学籍号")
    assert {r[3] for r in rows[1:]} == {"张三", "李四"}
    closed = next(r for r in rows[1:] if r[3] == "李四")
    assert closed[-1] == TODAY.isoformat() and "返校" in closed[12]
    ages = head.get("/cases/ledger?kind=age").text
    assert "适龄儿童台账" in ages and "张三" in ages  # born 2016: of school age
    head.application.config["PAGE_SIZE"] = 1  # on screen a page at a time, numbered on
    pages = [head.get(f"/cases/ledger?kind=suspected&month={TODAY:%Y-%m}&page={n}").text
             for n in (1, 2, 3)]
    shown = [p.split("<tbody>")[-1].split("</tbody>")[0] for p in pages]
    assert all("疑似辍学台账（" in p and "2 人）" in p for p in pages)
    assert [row.count("<tr>") for row in shown] == [1, 1, 1] and shown[2] == shown[1]
    assert ["<td>1</td>" in shown[0], "<td>2</td>" in shown[1]] == [True, True]
    assert {n for n in ("张三", "李四") if n in shown[0] + shown[1]} == {"张三", "李四"}


def test_a_past_months_ledger_shows_each_case_as_it_stood_then(world, login, signed_in):
    """Issue 18.5: October's ledger reprinted after the case was 销号 in November still shows it
    as it stood on 31 October (its state, its steps up to then, no 销号 date)."""
    from blueprints.cases import ledger
    month = (TODAY.replace(day=1) - timedelta(days=40)).replace(day=1)  # two months back
    _, month_end = ledger.month_range(f"{month:%Y-%m}")
    case = workflow.open_case(world.s_a1, "manual", month + timedelta(days=4), None, reason="厌学")
    db.session.commit()
    with signed_in(world.users["village_head"]) as head:
        workflow.move(case, "persuading", month + timedelta(days=9), head, "村干部上门劝返")
        workflow.move(case, "returned", month_end + timedelta(days=3), head, "返校",
                      reentry_plan="补课")
        for item in case.follow_ups:
            item.done_on, item.note = TODAY, "好"
        workflow.move(case, "closed", TODAY, head, "销号")
    db.session.commit()
    with signed_in(world.users["village_head"]):
        rows = ledger.case_rows("suspected", month, month_end, None, True)
    assert len(rows) == 1 and rows[0][3] == "张三"
    assert rows[0][11] == "劝返中" and rows[0][14] == ""  # no 销号 date in that month's ledger
    assert "村干部上门劝返" in rows[0][12] and "返校" not in rows[0][12]
    page = login("head").get(f"/cases/ledger?kind=suspected&month={month:%Y-%m}").text
    assert "劝返中" in page and "已销号" not in page.split("<tbody>")[1]


def test_a_ledger_row_reads_every_column_from_the_records(world, signed_in):
    """The ledger's rows are read as plain rows (ledger.case_rows): each column is the
    record's, the guardian the first by position, not the first written, the steps after
    the opening one in their order."""
    from blueprints.cases import ledger
    child = world.s_a1
    child.student_no, child.village, child.village_group, child.address = \
        "G" + child.id_number, "甲村", "三组", "12号"
    child.guardians.append(Guardian(name="王二妹", relation="母亲", phone="13900002222",
                                    position=-1))  # written second, listed first
    case = workflow.open_case(child, "manual", TODAY.replace(day=1), None, reason="外出打工")
    case.whereabouts = "广东东莞"
    db.session.commit()
    with signed_in(world.users["village_head"]) as head:
        workflow.move(case, "persuading", TODAY.replace(day=1), head, "村干部上门劝返")
        db.session.commit()
        month, month_end = ledger.month_range(f"{TODAY:%Y-%m}")
        full, masked = (ledger.case_rows("suspected", month, month_end, None, ids)[0]
                        for ids in (True, False))
    assert full == [1, "甲一村小", "三年级1班", "张三", child.student_no, "王二妹", "13900002222",
                    "甲村三组 12号", "外出打工", "广东东莞", world.users["teacher"].name, "劝返中",
                    f"{TODAY.replace(day=1):%m-%d} 村干部上门劝返",
                    TODAY.replace(day=1).isoformat(), ""]
    assert masked[4] != child.student_no and masked[4].startswith("G")
    assert masked[:4] == full[:4] and masked[5:] == full[5:]


def test_ledger_prints_masked_for_a_teacher(world, login, batch_pdf):
    workflow.open_case(world.s_a1, "manual", TODAY, None, reason="外出")
    world.s_a1.student_no = "G" + world.s_a1.id_number
    db.session.commit()
    text = text_of(batch_pdf(login("teacher"), "/cases/ledger/print",
                             {"kind": "suspected", "month": f"{TODAY:%Y-%m}"}))
    assert "疑似辍学台账" in text and "张三" in text and world.s_a1.id_number not in text


def test_the_childs_page_is_one_timeline(world, case, login):
    db.session.add(Absence(student_id=world.s_a1.id, school_id=world.a1.id, kind="sick",
                           day=TODAY - timedelta(days=1)))
    db.session.add(Term(central_id=world.central_a.id, school_year=TODAY.year - 1, semester=2,
                        start_date=TODAY - timedelta(days=30), end_date=TODAY + timedelta(days=30)))
    db.session.commit()
    head = login("head")
    head.post(f"/cases/visits/new?student={world.s_a1.id}", data=visit_data())
    head.post(f"/cases/{case.id}/step", data={"to": "persuading", "on": TODAY.isoformat(),
                                               "note": "村支书一起上门"})
    page = head.get(f"/students/{world.s_a1.id}").text
    timeline = page.split("<h2>时间线</h2>")[1]
    assert timeline.index("村支书一起上门") < timeline.index("随父母外出")  # newest first
    assert "家访</span>" in timeline and "劝返</span>" in timeline
    assert "病假 1 天" in timeline  # the term's attendance summary


def test_a_visit_answers_only_its_own_childs_warning(world, login):
    warning = EarlyWarning(student_id=world.s_a1.id, school_id=world.a1.id, rule="absence_run",
                           run_start=TODAY, days=3, opened_on=TODAY, due_on=TODAY, evidence=[])
    db.session.add(warning)
    db.session.commit()
    response = login("head").post(
        f"/cases/visits/new?student={world.s_a1_other.id}&warning={warning.id}",
        data=visit_data())
    assert response.status_code == 404
    db.session.expire_all()
    assert warning.status == "open" and db.session.scalar(db.select(HomeVisit)) is None


def test_a_sent_month_reprints_as_sent_and_a_change_is_a_correction(world, login, signed_in):
    """Issue 18.5: 报送 keeps a month's ledgers as sent. A change to the records afterwards
    does not change the month's page, Excel or monthly figures; the page says what changed and
    the officer sends a correction (its reason required), shown beside the first version."""
    from openpyxl import load_workbook
    from models import MonthReport
    month = (TODAY.replace(day=1) - timedelta(days=40)).replace(day=1)
    case = workflow.open_case(world.s_a1, "manual", month + timedelta(days=4), None, reason="厌学")
    db.session.commit()
    officer = login("officer")
    this_month = officer.post("/cases/ledger/send", data={"month": f"{TODAY:%Y-%m}"})
    assert this_month.status_code == 422 and "还没有过完" in this_month.text
    url = f"/cases/ledger?kind=suspected&month={month:%Y-%m}"
    assert officer.post("/cases/ledger/send", data={"month": f"{month:%Y-%m}"}).status_code == 303
    page = officer.get(url).text
    assert "台账已于" in page and "（第 1 版）" in page and "张三" in page
    # after sending: 李四 is found to have been out that month too, and 张三's case was moved
    workflow.open_case(world.s_a1_other, "manual", month + timedelta(days=6), None, reason="外出")
    case.whereabouts = "广东东莞"
    db.session.commit()
    page = officer.get(url).text
    table = page.split("<tbody>")[-1]
    assert "张三" in table and "李四" not in table  # the month as it was sent
    assert "报送以后记录有变化" in page and "疑似辍学台账多了 李四（甲一村小）" in page
    assert "疑似辍学台账中 张三（甲一村小）的记录有变化" in page
    sheet = load_workbook(BytesIO(officer.get(
        f"/cases/ledger.xlsx?kind=suspected&month={month:%Y-%m}").data)).active
    assert [r[3] for r in list(sheet.values)[1:]] == ["张三"]
    no_reason = officer.post("/cases/ledger/send", data={"month": f"{month:%Y-%m}"})
    assert no_reason.status_code == 422 and "更正报送请写明更正的原因" in no_reason.text
    assert officer.post("/cases/ledger/send", data={"month": f"{month:%Y-%m}",
                                                    "note": "补报李四"}).status_code == 303
    page = officer.get(url).text
    assert "（第 2 版，更正：补报李四）" in page and "李四" in page.split("<tbody>")[-1]
    assert "第 1 版" in page and "报送以后记录有变化" not in page
    first = officer.get(url + "&version=1").text.split("<tbody>")[-1]
    assert "张三" in first and "李四" not in first  # the first version stays as sent
    assert [r.version for r in db.session.scalars(db.select(MonthReport))] == [1, 2]
    assert login("head").post("/cases/ledger/send", data={
        "month": f"{month:%Y-%m}", "note": "x"}).status_code == 403


def test_a_sent_month_shows_each_user_only_their_own_children(world, login):
    """A sent ledger keeps the township's rows; a head of another school sees none of them and
    is not told of them as 少了, and a teacher sees their own children, not the school's."""
    month = (TODAY.replace(day=1) - timedelta(days=40)).replace(day=1)
    for child in (world.s_a1, world.s_a1_other):  # 张三 the teacher's class; 李四 not
        workflow.open_case(child, "manual", month + timedelta(days=4), None, reason="厌学")
    f.user("village_head", world.a2, "head_a2")
    db.session.commit()
    assert login("officer").post("/cases/ledger/send",
                                 data={"month": f"{month:%Y-%m}"}).status_code == 303
    url = f"/cases/ledger?kind=suspected&month={month:%Y-%m}"
    other = login("head_a2").get(url).text
    assert "台账已于" in other and "张三" not in other and "李四" not in other
    assert "少了" not in other and "报送以后记录有变化" not in other
    mine = login("teacher").get(url).text.split("<tbody>")[-1]
    assert "张三" in mine and "李四" not in mine
    from openpyxl import load_workbook
    sheet = load_workbook(BytesIO(login("teacher").get(
        f"/cases/ledger.xlsx?kind=suspected&month={month:%Y-%m}").data)).active
    assert [r[3] for r in list(sheet.values)[1:]] == ["张三"]


def test_every_kind_of_contact_is_recorded_and_counted_apart(world, login, pledge_term,
                                                            signed_in):
    """A teacher's 谈心 and a call to a parent working away are recorded like a visit, with
    their mode: listed as such, and the summary counts 家访 apart from the other contacts."""
    from blueprints.summaries import draft, sections
    teacher = login("teacher")
    for mode in ("visit", "talk", "phone"):
        r = teacher.post(f"/cases/visits/new?student={world.s_a1.id}",
                         data=visit_data(mode=mode, outcome="in_school"))
        assert r.status_code == 303
    assert "已记录对 张三 的电话联系" in teacher.get(r.headers["Location"]).text
    page = teacher.get("/cases/visits/").text
    assert "面谈/谈心" in page and "按方式" in page
    with signed_in(world.users["central_officer"]):
        paragraphs, figures, _ = sections.write(draft.township_unit(world.central_a),
                                                draft.term_period(pledge_term), TODAY)
    text = "".join(p for section in paragraphs for p in section)
    assert "共开展家访 1 人次" in text and "通过面谈/谈心 1 人次、电话联系 1 人次" in text
    assert figures["contacts_other"] == 2


def test_the_age_ledger_page_logs_the_full_ids_it_shows(world, login):
    """The 适龄儿童台账 shows a head 50 full ID numbers a page: each child's view is logged
    (查看完整身份证号, one entry a child, user and day), as the student page's is."""
    head = login("head")
    page = head.get("/cases/ledger?kind=age").text
    assert world.s_a1.id_number in page
    logged = db.session.scalars(db.select(AuditLog).filter_by(action="read_id")).all()
    assert world.s_a1.id in {e.row_id for e in logged}
    head.get("/cases/ledger?kind=age")
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditLog).where(
        AuditLog.action == "read_id")) == len(logged)  # once a day
    world.s_a1_other.student_no = "G" + world.s_a1_other.id_number  # a case's 学籍号 in full
    workflow.open_case(world.s_a1_other, "manual", TODAY, None, reason="厌学")
    db.session.commit()
    assert world.s_a1_other.student_no in head.get("/cases/ledger?kind=suspected").text
    assert world.s_a1_other.id in set(db.session.scalars(db.select(AuditLog.row_id).where(
        AuditLog.action == "read_id")))


def test_a_child_back_at_school_gets_no_notice_to_come_back(world, case, login):
    """A 复学通知书 was issued for a child already 已复学, asking the parent to bring them back
    within a week; the upward 报告表 may still be printed for the record."""
    head = login("head")
    case.state = "returned"
    db.session.commit()
    page = head.get(f"/cases/{case.id}").text
    assert ">复学通知书</option>" not in page and ">辍学学生情况报告表</option>" in page
    refused = head.post(f"/cases/{case.id}/notices", data={"kind": "return"},
                        headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "已是“已复学”" in refused.text
    assert "不能再向家长发复学通知书" in refused.text
    assert head.post(f"/cases/{case.id}/notices", data={"kind": "report"}).status_code == 200
    assert [n.kind for n in db.session.scalars(db.select(CaseNotice))] == ["report"]


def test_a_case_states_since_when_and_why_and_is_corrected_on_its_page(world, login):
    """A case opened from a 家访 answering a warning is out since the warning's first day and
    for the reasons the visit ticked (it printed "自12月7日起" for a child out since 12-02, and
    "家访发现孩子不在家"); its 情况, 去向 and first day out are corrected on its page, and the
    notices issued after say so."""
    start = TODAY - timedelta(days=5)
    warning = EarlyWarning(student_id=world.s_a1.id, school_id=world.a1.id, rule="absence_run",
                           run_start=start, days=3, opened_on=TODAY - timedelta(days=1),
                           due_on=TODAY, evidence=[])
    db.session.add(warning)
    db.session.commit()
    head = login("head")
    head.post(f"/cases/visits/new?student={world.s_a1.id}&warning={warning.id}",
              data=visit_data(outcome=["gone"]))
    case = db.session.scalar(db.select(DropoutCase))
    assert case.out_since == start and case.reason == "家访发现孩子不在家：外出务工、厌学"
    text = text_of(head.post(f"/cases/{case.id}/notices", data={"kind": "urge"}).data)
    assert f"{start.month}月{start.day}日起未到校上学" in text.replace("\n", "").replace(" ", "")
    future = head.post(f"/cases/{case.id}/facts", data={
        "reason": "随父外出", "whereabouts": "广东东莞", "out_since": "2100-01-01"})
    assert future.status_code == 422 and "首次未到校日期应在立案日期" in future.text
    assert 'value="广东东莞"' in future.text  # what was typed stays
    blank = head.post(f"/cases/{case.id}/facts", data={"reason": "   ", "whereabouts": "广东东莞"})
    assert blank.status_code == 422 and "请写明孩子为什么不在校" in blank.text
    long_ago = head.post(f"/cases/{case.id}/facts", data={"reason": "x", "out_since": "1990-01-01"})
    assert long_ago.status_code == 422 and "应在立案日期" in long_ago.text
    seen = re.search(r'name="seen" type="hidden" value="(\w+)"', head.get(f"/cases/{case.id}").text)
    earlier = TODAY - timedelta(days=6)
    assert head.post(f"/cases/{case.id}/facts", data={
        "reason": "随父外出务工", "whereabouts": "随父在广东东莞", "seen": seen.group(1),
        "out_since": earlier.isoformat()}).status_code == 303
    other_tab = head.post(f"/cases/{case.id}/facts", data={  # opened before that save
        "reason": "厌学", "whereabouts": "", "seen": seen.group(1)})
    assert other_tab.status_code == 422 and 'value="厌学"' in other_tab.text
    db.session.expire_all()
    assert (case.reason, case.whereabouts, case.out_since) == ("随父外出务工", "随父在广东东莞",
                                                               earlier)
    report = text_of(head.post(f"/cases/{case.id}/notices", data={"kind": "report"}).data)
    assert "随父在广东东莞" in report and "随父外出务工" in report and earlier.isoformat() in report
    entry = db.session.scalars(db.select(AuditLog).where(
        AuditLog.table_name == "dropout_cases").order_by(AuditLog.id.desc())).first()
    assert entry.after["whereabouts"] == "随父在广东东莞"  # the change is in the log
    assert login("head_b").post(f"/cases/{case.id}/facts", data={"reason": "x"}
                                ).status_code == 404


def test_each_school_sends_its_month_or_a_zero_report(world, login):
    """学校月报 and 零报告: once a month has ended each school reports it (its 疑似辍学 and 辍学
    rows as they stand, or 零报告), the central school sees who has and has not, a head is
    reminded on the home page; sent again, it needs its reason (a reviewer's heads had nowhere
    to report, and the centre no way to see who had)."""
    from models import AuditLog, SchoolReport
    month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
    workflow.open_case(world.s_a1, "manual", month + timedelta(days=4), None, reason="厌学")
    db.session.commit()
    head, officer = login("head"), login("officer")
    assert f"本校{month.month}月月报<b>未报送" in head.get("/").text
    early = head.post("/cases/ledger/school-report", data={
        "month": f"{TODAY:%Y-%m}", "school": world.a1.id})
    assert early.status_code == 422 and "还没有过完" in early.text
    sent = head.post("/cases/ledger/school-report", data={
        "month": f"{month:%Y-%m}", "school": world.a1.id, "note": "张三随父外出，正在劝返"})
    assert sent.status_code == 303
    zero = officer.post("/cases/ledger/school-report", data={
        "month": f"{month:%Y-%m}", "school": world.a2.id})
    assert zero.status_code == 303
    reports = {r.school_id: r for r in db.session.scalars(db.select(SchoolReport))}
    assert (reports[world.a1.id].suspected, reports[world.a1.id].zero) == (1, False)
    assert reports[world.a2.id].zero and reports[world.a2.id].content["suspected"] == []
    page = officer.get(f"/cases/ledger?month={month:%Y-%m}").text.split('id="school-reports"')[1]
    assert "疑似辍学 1 人、辍学 0 人" in page and "张三随父外出，正在劝返" in page
    assert "零报告" in page and page.count("未报送") == 1  # the central school's own
    assert f"本校{month.month}月月报" not in head.get("/").text
    again = head.post("/cases/ledger/school-report", data={
        "month": f"{month:%Y-%m}", "school": world.a1.id}, headers={"HX-Request": "true"})
    assert again.status_code == 422 and "再次报送（更正）请写明原因" in again.text
    other_tab = head.post("/cases/ledger/school-report", data={  # opened before the first send
        "month": f"{month:%Y-%m}", "school": world.a1.id, "shown": "0", "note": "首报"},
        headers={"HX-Request": "true"})
    assert other_tab.status_code == 422 and "这一页是报送前打开的" in other_tab.text
    assert head.post("/cases/ledger/school-report", data={
        "month": f"{month:%Y-%m}", "school": world.a1.id, "shown": "1",
        "note": "补报：李四本月也曾缺课"}).status_code == 303
    page = officer.get(f"/cases/ledger?month={month:%Y-%m}").text
    assert "第 1 版：张三随父外出，正在劝返" in page and "第 2 版：补报：李四本月也曾缺课" in page
    old = head.post("/cases/ledger/school-report", data={"month": "2019-03", "school": world.a1.id},
                    headers={"HX-Request": "true"})
    assert old.status_code == 422 and "只能报送最近一年内的月报" in old.text
    bad = head.post("/cases/ledger/school-report", data={"month": "2026-13", "school": world.a1.id},
                    headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "月份写成 2026-11 这样" in bad.text
    assert head.post("/cases/ledger/school-report", data={
        "month": f"{month:%Y-%m}", "school": world.a2.id, "note": "x"}).status_code == 404
    assert login("teacher").post("/cases/ledger/school-report", data={
        "month": f"{month:%Y-%m}", "school": world.a1.id}).status_code == 403
    logged = db.session.scalars(db.select(AuditLog.summary).where(
        AuditLog.table_name == "school_reports")).all()
    assert logged == [f"报送甲一村小{month.year}年{month.month}月月报（疑似辍学 1 人、辍学 0 人，第 1 版）",
                      f"报送甲二教学点{month.year}年{month.month}月月报（零报告，第 1 版）",
                      f"报送甲一村小{month.year}年{month.month}月月报（疑似辍学 1 人、辍学 0 人，第 2 版）"]


def test_a_sent_month_is_corrected_when_only_its_figures_changed(world, login):
    """A status change entered late, dated in the sent month, changes its report's figures, not
    its ledgers: the correction is taken (it was refused as "no change"); nothing changed at
    all is refused."""
    from models import MonthReport
    month = (TODAY.replace(day=1) - timedelta(days=40)).replace(day=1)
    for s in (world.s_a1, world.s_a1_other, world.s_a2):
        s.created_at = datetime(2020, 9, 1)
    db.session.commit()
    officer = login("officer")
    assert officer.post("/cases/ledger/send", data={"month": f"{month:%Y-%m}"}).status_code == 303
    same = officer.post("/cases/ledger/send", data={"month": f"{month:%Y-%m}", "note": "再报"},
                        headers={"HX-Request": "true"})
    assert same.status_code == 422 and "都没有变化" in same.text
    world.s_a2.change_status("transferred", month + timedelta(days=9), "随父母外出", "外省", None)
    db.session.commit()
    assert officer.post("/cases/ledger/send", data={
        "month": f"{month:%Y-%m}", "note": "补登转出"}).status_code == 303
    first, second = db.session.scalars(db.select(MonthReport).order_by(MonthReport.version))

    def enrolled(report):
        return next(row for row in report.content["figures"]["rows"] if row[0] == "在读")[1]
    assert enrolled(second) == enrolled(first) - 1


def test_a_second_case_for_a_child_is_refused_with_what_was_typed(world, case, login):
    """立案 for a child with a case not closed went silently to that case, said "已为…立案" and
    dropped what was typed: the page says where the case is, and a post is refused with the
    input kept."""
    head = login("head")
    page = head.get(f"/cases/new?student={world.s_a1.id}").text
    assert "已有未销号的劝返个案" in page and f"/cases/{case.id}" in page
    refused = head.post(f"/cases/new?student={world.s_a1.id}", data={"reason": "又外出了"},
                        headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "不用再立案" in refused.text
    assert db.session.scalar(db.select(db.func.count()).select_from(DropoutCase)) == 1
