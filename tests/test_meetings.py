"""月度推进会: the agenda drafted from the data, presentation fragments, minutes saved as typed,
action items on the owner's home page and carried to the next meeting while open, the sign-in
sheet, minutes and report by their text, and the Excel report's figures equal the dashboard's."""
import re
import subprocess
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from blueprints.cases import workflow
from blueprints.dashboard import metrics
from extensions import db
from models import ActionItem, AuditLog, EarlyWarning, Meeting
from tests import TODAY



def text_of(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


@pytest.fixture
def data(world):
    """An overdue warning and an open case at 甲一村小; 张三 at high risk."""
    s = world.s_a1
    s.school_weary, s.learning_difficulty, s.left_behind = True, True, True  # 3 + 2 + 1
    db.session.add(EarlyWarning(student_id=s.id, school_id=s.school_id, rule="absence_run",
                                run_start=TODAY - timedelta(days=9), days=3, evidence=[],
                                opened_on=TODAY - timedelta(days=7),
                                due_on=TODAY - timedelta(days=6)))
    workflow.open_case(world.s_a1_other, "manual", TODAY - timedelta(days=12), None,
                       reason="外出")
    db.session.commit()


def schedule(client, month=None, held_on=None):
    return client.post("/meetings/new", data={
        "month": month or f"{TODAY:%Y-%m}", "held_on": (held_on or TODAY).isoformat(),
        "place": "中心学校会议室", "chair": "李国强", "attendees": "李国强（中心校）\n杨秀英（甲一村小）"})


def test_the_agenda_is_drafted_from_the_data(world, data, login):
    leader = login("leader")
    response = schedule(leader)
    assert response.status_code == 303
    meeting = db.session.scalar(db.select(Meeting))
    assert "甲一村小：高风险学生 1 人（张三）；超期未家访预警 1 条；未销号劝返个案 1 个（最长 12 天）" \
        in meeting.agenda
    twice = schedule(leader)  # a double-click, or 保存 again after Back
    assert twice.status_code == 422 and "这一天已安排了" in twice.text and "李国强" in twice.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 1
    assert "甲二教学点" not in meeting.agenda  # nothing to discuss there
    page = leader.get(f"/meetings/{meeting.id}").text
    assert "高风险学生 1 人" in page
    edited = meeting.agenda + "\n补充：表扬甲二教学点"
    assert leader.post(f"/meetings/{meeting.id}", data={
        "month": f"{TODAY:%Y-%m}", "held_on": TODAY.isoformat(), "place": "会议室",
        "chair": "李国强", "attendees": "", "agenda": edited}).status_code == 303
    db.session.expire_all()
    assert meeting.agenda.endswith("表扬甲二教学点")
    assert login("head").get(f"/meetings/{meeting.id}").status_code == 403


def test_a_meeting_form_opened_before_another_save_is_refused_with_its_input(world, data,
                                                                             login):
    """Two tabs on one meeting: A saves the place and 请假; B, opened before, saves the chair.
    B is refused with what it typed (it overwrote A's place and emptied 请假 before)."""
    leader = login("leader")
    schedule(leader)
    meeting = db.session.scalar(db.select(Meeting))
    page = leader.get(f"/meetings/{meeting.id}").text
    seen = re.search(r'id="seen"[^>]*value="(\w+)"', page).group(1)
    fields = {"month": f"{TODAY:%Y-%m}", "held_on": TODAY.isoformat(), "chair": "李国强",
              "attendees": "", "agenda": meeting.agenda, "seen": seen}
    assert leader.post(f"/meetings/{meeting.id}", data={
        **fields, "place": "镇政府三楼会议室", "absentees": "罗永红"}).status_code == 303
    late = leader.post(f"/meetings/{meeting.id}", data={**fields, "place": "中心学校会议室",
                                                        "chair": "王建华"})
    assert late.status_code == 422 and "已被其他人修改" in late.text and "王建华" in late.text
    db.session.expire_all()
    assert (meeting.place, meeting.absentees, meeting.chair) == ("镇政府三楼会议室", "罗永红",
                                                                 "李国强")


def test_presentation_walks_the_schools_and_saves_minutes_as_typed(world, data, login):
    leader = login("leader")
    schedule(leader)
    meeting = db.session.scalar(db.select(Meeting))
    first = leader.get(f"/meetings/{meeting.id}/present").text
    assert "1 / 4" in first and "高风险<b>1</b>" in first  # township, then 3 schools
    school_pages = [leader.get(f"/meetings/{meeting.id}/present?step={i}").text
                    for i in (1, 2, 3)]
    a1 = next(p for p in school_pages if "<h1>甲一村小</h1>" in p)
    assert "张三（三年级1班）" in a1 and "李四：疑似辍学，已 12 天" in a1
    seen = re.search(r'id="minutes-seen" name="seen" value="(\w+)"', first).group(1)
    saved = leader.post(f"/meetings/{meeting.id}/minutes", headers={
        "HX-Request": "true", "HX-Target": "minutes-saved"},
        data={"minutes": "甲一村小汇报", "seen": seen})
    assert saved.status_code == 200 and "已保存" in saved.text and len(saved.data) < 200
    db.session.expire_all()
    assert meeting.minutes == "甲一村小汇报"
    second_tab = leader.post(f"/meetings/{meeting.id}/minutes", headers={
        "HX-Request": "true", "HX-Target": "minutes-saved"},
        data={"minutes": "二、会议决定……", "seen": seen})  # a page opened before that save
    assert second_tab.status_code == 422 and "已在别的窗口或电脑上改过" in second_tab.text
    now = re.search(r'name="seen" hx-swap-oob="true" value="(\w+)"', saved.text).group(1)
    assert leader.post(f"/meetings/{meeting.id}/minutes", headers={  # the first page goes on
        "HX-Request": "true", "HX-Target": "minutes-saved"},
        data={"minutes": "甲一村小汇报。补充。", "seen": now}).status_code == 200
    db.session.expire_all()
    assert meeting.minutes == "甲一村小汇报。补充。"


def test_action_items_reach_the_owner_and_carry_until_done(world, data, login):
    leader = login("leader")
    schedule(leader, held_on=TODAY - timedelta(days=30))
    first = db.session.scalar(db.select(Meeting))
    head = world.users["village_head"]
    box = leader.post(f"/meetings/{first.id}/items", headers={
        "HX-Request": "true", "HX-Target": "action-items"}, data={
        "text": "一周内完成李四家访", "owner": f"u{head.id}", "school_id": world.a1.id,
        "due_on": (TODAY - timedelta(days=23)).isoformat()})
    assert box.status_code == 200 and 'id="action-items"' in box.text and "李四家访" in box.text
    bad = leader.post(f"/meetings/{first.id}/items", headers={
        "HX-Request": "true", "HX-Target": "action-items"}, data={"text": "", "owner": f"u{head.id}",
                                                                  "school_id": 0, "due_on": ""})
    assert bad.status_code == 422 and "请写明要做什么" in bad.text
    home = login("head").get("/").text
    assert "推进会布置给我的事项" in home and "一周内完成李四家访" in home and "已超期" in home
    schedule(leader)
    second = db.session.scalars(db.select(Meeting).order_by(Meeting.id.desc())).first()
    assert "上次会议布置事项的落实情况（已完成 0 项，未完成 1 项）" in second.agenda
    assert "未完成（已超期）：甲一村小：一周内完成李四家访（" in second.agenda
    assert "一周内完成李四家访" in leader.get(f"/meetings/{second.id}").text
    item = db.session.scalar(db.select(ActionItem))
    head_client = login("head")
    assert head_client.post(f"/meetings/items/{item.id}/done", data={}).status_code == 422
    assert head_client.post(f"/meetings/items/{item.id}/done",
                            data={"result": "已家访，孩子返校"}).status_code == 303
    third_draft = leader.post(f"/meetings/{second.id}/redraft")
    assert third_draft.status_code == 303
    db.session.expire_all()
    assert f"已完成：甲一村小：一周内完成李四家访（{head.name}，{TODAY} 完成：已家访，孩子返校）" \
        in second.agenda  # done: reported with what was done, no longer carried as open
    assert "已完成 1 项，未完成 0 项" in second.agenda
    other = login("teacher").post(f"/meetings/items/{item.id}/done", data={"result": "x"})
    assert other.status_code == 404  # not their item


def test_decisions_as_an_office_makes_and_closes_them(world, data, login):
    """A reviewer's month: a decision due before its meeting was accepted; a head's decision
    was filed under 全镇; a 村支书's could never be closed; a 纪要 printed again after a carried
    decision was done had lost it; someone on leave was also on the roll to sign."""
    from models import Cadre
    leader = login("leader")
    refused = leader.post("/meetings/new", data={
        "month": f"{TODAY:%Y-%m}", "held_on": TODAY.isoformat(), "chair": "李国强",
        "attendees": "李国强（中心校）\n熊光荣（甲二教学点 负责人）",
        "absentees": "熊光荣（甲二教学点 负责人）：生病住院"})
    assert refused.status_code == 422 and "熊光荣 也写在参会人员里" in refused.text
    half = leader.post("/meetings/new", data={
        "month": f"{TODAY:%Y-%m}", "held_on": TODAY.isoformat(), "chair": "李国强",
        "attendees": "熊光荣 甲二教学点 负责人", "absentees": "熊光荣:病假"})
    assert half.status_code == 422 and "熊光荣 也写在参会人员里" in half.text
    assert "生病住院" in refused.text  # what was typed stays
    schedule(leader, held_on=TODAY - timedelta(days=30))
    first = db.session.scalar(db.select(Meeting))
    cadre = Cadre(central_id=world.central_a.id, level="village", village="甲村", name="罗德明",
                  post="村支书")
    db.session.add(cadre)
    db.session.commit()
    head = world.users["village_head"]
    late = leader.post(f"/meetings/{first.id}/items", headers={
        "HX-Request": "true", "HX-Target": "action-items"}, data={
        "text": "冬季入户摸排", "owner": f"c{cadre.id}", "school_id": 0,
        "due_on": (TODAY - timedelta(days=31)).isoformat()})
    assert late.status_code == 422 and "完成期限不能早于会议日期" in late.text
    far = leader.post(f"/meetings/{first.id}/items", headers={
        "HX-Request": "true", "HX-Target": "action-items"}, data={
        "text": "冬季入户摸排", "owner": f"c{cadre.id}", "school_id": 0, "due_on": "2036-11-26"})
    assert far.status_code == 422 and "请核对年份" in far.text
    for text, owner in (("冬季入户摸排", f"c{cadre.id}"), ("留守儿童家访全覆盖", f"u{head.id}")):
        assert leader.post(f"/meetings/{first.id}/items", data={
            "text": text, "owner": owner, "school_id": 0,
            "due_on": (TODAY - timedelta(days=20)).isoformat()}).status_code == 303
    cadres_item, heads_item = db.session.scalars(db.select(ActionItem).order_by(ActionItem.id))
    assert cadres_item.school_id is None and heads_item.school_id == world.a1.id
    schedule(leader, held_on=TODAY - timedelta(days=5))
    second = db.session.scalars(db.select(Meeting).order_by(Meeting.id.desc())).first()
    page = login("officer").get(f"/meetings/{second.id}").text
    assert page.count('name="result"') == 2 and "已超期" in page  # both open, both late
    early = login("officer").post(f"/meetings/items/{cadres_item.id}/done", data={
        "result": "已摸排 32 户", "on": (TODAY - timedelta(days=31)).isoformat()},
        headers={"HX-Request": "true"})
    assert early.status_code == 422 and "完成日期应在开会日期" in early.text
    assert login("officer").post(f"/meetings/items/{cadres_item.id}/done", data={
        "result": "已摸排 32 户", "on": (TODAY - timedelta(days=2)).isoformat()}).status_code == 303
    db.session.expire_all()
    assert cadres_item.done_on == TODAY - timedelta(days=2)  # reported late: the day it was
    assert login("head").post(f"/meetings/items/{heads_item.id}/done",
                              data={"result": "已全覆盖"}).status_code == 303
    minutes = text_of(leader.get(f"/meetings/{second.id}/minutes.pdf").data)
    assert "冬季入户摸排" in minutes and "留守儿童家访全覆盖" in minutes  # open on its day
    page = leader.get(f"/meetings/{second.id}").text
    assert "已摸排 32 户" in page and 'name="result"' not in page


def test_papers_by_their_text_and_the_excel_report_equals_the_dashboard(world, data, login,
                                                                       signed_in):
    leader = login("leader")
    schedule(leader)
    meeting = db.session.scalar(db.select(Meeting))
    leader.post(f"/meetings/{meeting.id}/minutes", data={"minutes": "会议要求各校本周内完成家访"})
    leader.post(f"/meetings/{meeting.id}/items", data={
        "text": "核实李四去向", "owner": f"u{world.users['village_head'].id}",
        "school_id": world.a1.id, "due_on": TODAY.isoformat()})
    signin = text_of(leader.get(f"/meetings/{meeting.id}/signin.pdf").data)
    assert "签到表" in signin and re.search(r"2 +杨秀英 +甲一村小", signin)  # by column
    minutes = text_of(leader.get(f"/meetings/{meeting.id}/minutes.pdf").data)
    assert "纪要" in minutes and "会议要求各校本周内完成家访" in minutes and "核实李四去向" in minutes
    report = text_of(leader.get(f"/meetings/{meeting.id}/report.pdf").data)
    assert "控辍保学工作报告" in report and "李四" in report and "巩固率" in report
    sheet = load_workbook(BytesIO(leader.get(f"/meetings/{meeting.id}/report.xlsx").data)).active
    rows = {r[0]: r[1:] for r in sheet.values if r and r[0]}
    with signed_in(world.users["central_leader"]):
        columns = metrics.dashboard(TODAY, meeting.month)
    assert list(rows["在读"][:len(columns)]) == [c.status["enrolled"] for c in columns]
    assert list(rows["未销号劝返个案"][:len(columns)]) == [sum(c.cases.values()) for c in columns]
    assert list(rows["超期未处理预警"][:len(columns)]) == [c.warnings_overdue for c in columns]
    assert "入学率（%）" in rows and "小学适龄儿童入学率（%）" in rows  # the month's report has all 三率
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditLog).where(
        AuditLog.table_name == "meetings", AuditLog.action == "export")) == 4


def test_a_county_reader_can_follow_the_meeting(world, data, login):
    schedule(login("leader"))
    meeting = db.session.scalar(db.select(Meeting))
    county = login("county")
    assert county.get(f"/meetings/{meeting.id}/present").status_code == 200
    pages = [county.get(f"/meetings/{meeting.id}/present?step={i}").text for i in (1, 2)]
    assert any("张三" in p for p in pages)  # 甲一村小's child, on 甲镇's page


def test_printing_another_schools_ledger_is_a_404(world, login):
    head = login("head")
    assert head.post("/cases/ledger/print", data={"kind": "suspected",
                                                  "school": world.b1.id}).status_code == 404
    assert head.post("/cases/ledger/print", data={"kind": "suspected",
                                                  "school": 99999}).status_code == 404


def test_the_agenda_and_the_report_carry_the_months_activities(world, data, login):
    """Each school's part of the agenda says what it did in the meeting's month, by kind, or
    that it did nothing; the month's report has the same count as the dashboard."""
    from models import Activity
    month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month's meeting
    for kind, reached in (("parents_meeting", 40), ("law", 50), ("law", 30)):
        db.session.add(Activity(school_id=world.a1.id, held_on=month + timedelta(days=3),
                                kind=kind, title="活动", reached=reached))
    db.session.add(Activity(school_id=world.a2.id, held_on=TODAY, kind="letter", title="信",
                            reached=20))  # this month: not last month's business
    db.session.commit()
    leader = login("leader")
    assert schedule(leader, month=f"{month:%Y-%m}").status_code == 303
    meeting = db.session.scalar(db.select(Meeting))
    lines = meeting.agenda.splitlines()
    a1 = next(line for line in lines if "甲一村小：" in line)
    assert "高风险学生 1 人（张三）" in a1
    assert a1.endswith("；本月开展工作活动 3 次（家长会 1、法律法规宣传 2），覆盖 120 人")
    assert any(line.endswith("甲二教学点：本月未开展工作活动") for line in lines)
    sheet = load_workbook(BytesIO(leader.get(f"/meetings/{meeting.id}/report.xlsx").data)).active
    rows = {r[0]: r[1:] for r in sheet.values if r and r[0]}
    assert rows["本月工作活动（次）"][0] == 3  # 全镇, last month


def test_a_sent_months_report_keeps_its_figures_as_sent(world, data, login):
    """报送 keeps the monthly report's figures as they stood when the month was sent: a child
    who leaves afterwards changes today's dashboard, not the report of the month sent (its
    在读 went down by one, from an event of the next month)."""
    month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    schedule(login("leader"), month=f"{month:%Y-%m}")
    meeting = db.session.scalar(db.select(Meeting))
    officer = login("officer")

    def enrolled():
        sheet = load_workbook(BytesIO(officer.get(
            f"/meetings/{meeting.id}/report.xlsx").data)).active
        return next(row for row in sheet.values if row[0] == "在读")

    before = enrolled()
    draft = re.sub(r"\s", "", text_of(officer.get(f"/meetings/{meeting.id}/report.pdf").data))
    assert "工作报告（草稿）" in draft and "草稿：本月台账尚未报送" in draft  # not sent: a draft
    end = TODAY.replace(day=1) - timedelta(days=1)
    assert f"以下为{end.year}年{end.month}月{end.day}日（月底）的数字" in draft  # its figures' day
    assert "报送日期" not in draft
    assert officer.post("/cases/ledger/send", data={"month": f"{month:%Y-%m}"}).status_code == 303
    world.s_a2.change_status("transferred", TODAY, "随父母外出", "外省", None)
    db.session.commit()
    assert enrolled() == before
    text = re.sub(r"\s", "", text_of(officer.get(f"/meetings/{meeting.id}/report.pdf").data))
    assert "以上数字为报送时" in text and "草稿" not in text
    assert f"报送日期{TODAY.year}年{TODAY.month}月{TODAY.day}日" in text  # the day it was sent


def test_a_meeting_early_in_a_month_looks_back_on_the_month_before(world, login):
    """The 推进会 held on 7 December reviews November: its month is filled so (a reviewer's
    printed a 12月 report of seven days); in the second half of a month, that month."""
    from datetime import date
    from blueprints.meetings.forms import review_month
    assert review_month(date(2026, 12, 7)) == date(2026, 11, 1)
    assert review_month(date(2027, 1, 15)) == date(2026, 12, 1)
    assert review_month(date(2026, 12, 16)) == date(2026, 12, 1)
    form = login("leader").get("/meetings/new").text
    assert f'value="{review_month(TODAY):%Y-%m}"' in form and "默认回顾上个月" in form



def test_a_months_report_prints_from_its_ledger_without_a_meeting(world, data, login,
                                                                   batch_pdf):
    """October had a ledger but no meeting, and its report could not be printed at all: the
    month's ledger prints it (a draft until the month is sent)."""
    month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    officer = login("officer")
    page = officer.get(f"/cases/ledger?month={month:%Y-%m}").text
    assert f"打印{month.month}月工作报告" in page
    text = re.sub(r"\s", "", text_of(batch_pdf(officer, "/meetings/report",
                                                {"month": f"{month:%Y-%m}"})))
    assert f"{month.year}年{month.month}月控辍保学工作报告（草稿）" in text and "巩固率" in text
    assert db.session.scalar(db.select(Meeting)) is None
    assert login("head").post("/meetings/report", data={"month": f"{month:%Y-%m}"}
                              ).status_code == 403
    bad = officer.post("/meetings/report", data={"month": "十一月"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "请选择月份" in bad.text


def test_a_meeting_later_the_same_day_is_not_an_earlier_one(world, data, login):
    """A 领导小组会议 after the 推进会 of the same day: the 推进会's 纪要 does not carry the
    later meeting's decisions; a decision closed later on the 推进会's day was open at it."""
    leader = login("leader")
    schedule(leader, held_on=TODAY - timedelta(days=20))
    schedule(leader, held_on=TODAY - timedelta(days=3))
    first, second = db.session.scalars(db.select(Meeting).order_by(Meeting.id)).all()
    head = world.users["village_head"]
    leader.post(f"/meetings/{first.id}/items", data={
        "text": "冬季入户摸排", "owner": f"u{head.id}", "school_id": 0,
        "due_on": (TODAY - timedelta(days=10)).isoformat()})
    group = leader.post("/meetings/new", data={
        "kind": "group", "month": f"{TODAY:%Y-%m}", "held_on": second.held_on.isoformat(),
        "chair": "李国强", "attendees": "李国强（中心校）"})
    assert group.status_code == 303
    later = db.session.scalars(db.select(Meeting).order_by(Meeting.id.desc())).first()
    leader.post(f"/meetings/{later.id}/items", data={
        "text": "领导小组分工", "owner": f"u{head.id}", "school_id": 0,
        "due_on": TODAY.isoformat()})
    item = db.session.scalar(db.select(ActionItem).filter_by(text="冬季入户摸排"))
    assert login("head").post(f"/meetings/items/{item.id}/done", data={
        "result": "已摸排", "on": second.held_on.isoformat()}).status_code == 303
    minutes = text_of(leader.get(f"/meetings/{second.id}/minutes.pdf").data)
    assert "领导小组分工" not in minutes and "冬季入户摸排" in minutes


def test_text_of_spaces_alone_is_not_text(world, data, login):
    """A meeting decision of "   " was saved empty and reached its owner's home page: a required
    text is required once stripped, on every form (forms.Form)."""
    leader = login("leader")
    schedule(leader)
    meeting = db.session.scalar(db.select(Meeting))
    refused = leader.post(f"/meetings/{meeting.id}/items", headers={
        "HX-Request": "true", "HX-Target": "action-items"}, data={
        "text": "   ", "owner": f"u{world.users['village_head'].id}", "school_id": 0,
        "due_on": TODAY.isoformat()})
    assert refused.status_code == 422 and "请写明要做什么" in refused.text
    assert db.session.scalar(db.select(db.func.count()).select_from(ActionItem)) == 0


def test_a_roll_typed_as_offices_type_it(world, data, login):
    """A roll numbered （1）, a line beginning with its bracket or a colon, a leave written
    姓名，事由: each read or kept as typed (a 500 on the meeting and on its papers before)."""
    leader = login("leader")
    comma = leader.post("/meetings/new", data={
        "month": f"{TODAY:%Y-%m}", "held_on": TODAY.isoformat(), "chair": "李国强",
        "attendees": "（1）熊光荣（甲二教学点 负责人）", "absentees": "熊光荣，病假"})
    assert comma.status_code == 422 and "熊光荣 也写在参会人员里" in comma.text
    odd = leader.post("/meetings/new", data={
        "month": f"{TODAY:%Y-%m}", "held_on": TODAY.isoformat(), "chair": "李国强",
        "attendees": "（1）李国强（中心校 校长）\n：病假", "observers": "（县教育局）张科长"})
    assert odd.status_code == 303  # lines the reader cannot split are kept as typed, not a 500
    made = db.session.scalars(db.select(Meeting).order_by(Meeting.id.desc())).first()
    assert "张科长" in text_of(leader.get(f"/meetings/{made.id}/signin.pdf").data)


def test_a_printed_issue_number_stays_and_a_wrong_year_is_refused(world, data, login):
    """A 纪要 printed 第 1 期 became 第 2 期 when an earlier meeting was entered afterwards: the
    期号 follows the order meetings are entered; a meeting dated 1990 for 2026-11 is refused."""
    leader = login("leader")
    schedule(leader, held_on=TODAY)
    first = db.session.scalar(db.select(Meeting))
    assert first.issue_no == 1
    earlier = TODAY - timedelta(days=20)
    schedule(leader, month=f"{earlier:%Y-%m}", held_on=earlier)
    db.session.expire_all()
    assert first.issue_no == 1  # as printed
    wrong = leader.post("/meetings/new", data={
        "month": f"{TODAY:%Y-%m}", "held_on": "1990-12-03", "chair": "李国强"})
    assert wrong.status_code == 422 and "请核对年份" in wrong.text


def test_a_village_cadres_decision_is_for_the_village_school(world, data, login):
    """A decision given to a 村支书 is, by default, the school of the cadre's village (it was
    filed under 全镇)."""
    from models import Cadre
    leader = login("leader")
    schedule(leader)
    meeting = db.session.scalar(db.select(Meeting))
    cadre = Cadre(central_id=world.central_a.id, level="village", village="甲二村", name="王志刚",
                  post="村支书")
    world.a2.village = "甲二村"
    db.session.add(cadre)
    db.session.commit()
    assert leader.post(f"/meetings/{meeting.id}/items", data={
        "text": "动员适龄儿童入学", "owner": f"c{cadre.id}", "school_id": 0,
        "due_on": TODAY.isoformat()}).status_code == 303
    assert db.session.scalar(db.select(ActionItem)).school_id == world.a2.id

