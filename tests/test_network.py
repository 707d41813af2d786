"""The responsibility network as schools run it (issue 20, parts 4 and 5): 行政人员包年级, the
whole network on one page and one sheet, the 控辍保学领导小组, its meetings, and decisions given
to cadres of the government line."""
from datetime import timedelta

import pytest

from extensions import db
from models import ActionItem, AuditLog, Cadre, GradeLead, GroupMember, Meeting, Responsibility
from tests import TODAY
from tests import factories as f
from tests.test_meetings import text_of



@pytest.fixture
def network(world):
    """A 副镇长 who 包村 甲一村, a 村支书 who 包户 there, a teacher who 包生 张三."""
    town = Cadre(central_id=world.central_a.id, level="township", name="钱镇长", post="副镇长",
                 phone="13700000002")
    village = Cadre(central_id=world.central_a.id, level="village", village="甲一村",
                    name="赵村支", post="村支书")
    db.session.add_all([town, village])
    for s in (world.s_a1, world.s_a1_other):
        s.village = "甲一村"
    db.session.flush()
    db.session.add_all([
        Responsibility(student_id=world.s_a1.id, kind="township_cadre", cadre_id=town.id),
        Responsibility(student_id=world.s_a1_other.id, kind="township_cadre", cadre_id=town.id),
        Responsibility(student_id=world.s_a1.id, kind="village_cadre", cadre_id=village.id),
        Responsibility(student_id=world.s_a1.id, kind="teacher",
                       user_id=world.users["teacher"].id)])
    db.session.commit()
    return {"town": town, "village": village}


def test_the_network_page_shows_every_line_counted(world, network, login):
    page = login("leader").get("/responsibility/network").text
    # the school line: the head 包全校, each class's head teacher, a 科任教师 and their children
    assert "甲一村小（在读 2 人）· 校长包全校：" in page and world.users["village_head"].name in page
    assert f"1班\n      {world.users['teacher'].name}（1人）" in page
    assert f"{world.users['teacher'].name} 1人" in page and "无班主任" in page  # 四年级1班
    # the government line per village
    assert "钱镇长 2人" in page and "赵村支 1人" in page
    assert "乙一村小" not in page  # another township
    assert login("teacher").get("/responsibility/network").status_code == 403


def test_a_village_head_gives_a_grade_to_a_leader(world, login):
    head = login("head")
    ok = head.post("/responsibility/grades", data={"school": world.a1.id, "grade": 3,
                                                   "user": world.users["village_head"].id})
    assert ok.status_code == 303
    lead = db.session.scalar(db.select(GradeLead))
    assert (lead.school_id, lead.grade, lead.user_id) == (world.a1.id, 3,
                                                          world.users["village_head"].id)
    page = head.get("/responsibility/network", follow_redirects=True).text
    assert f'<option value="{world.users["village_head"].id}" selected>' in page
    # a user of another township is refused with a message; another school's grade is a 404
    refused = head.post("/responsibility/grades", data={"school": world.a1.id, "grade": 3,
                                                        "user": world.head_b.id})
    assert refused.status_code == 404
    assert head.post("/responsibility/grades", data={"school": world.a2.id, "grade": 2,
                                                     "user": world.users["village_head"].id}
                     ).status_code == 404
    bad = head.post("/responsibility/grades", data={"school": world.a1.id, "grade": 12,
                                                    "user": world.users["village_head"].id},
                    headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "请选择年级" in bad.text
    head.post("/responsibility/grades", data={"school": world.a1.id, "grade": 3, "user": 0})
    assert db.session.scalar(db.select(db.func.count(GradeLead.id))) == 0
    assert db.session.scalar(db.select(db.func.count(AuditLog.id)).where(
        AuditLog.table_name == "grade_leads")) == 2  # given, then cleared


def test_the_leading_group_with_school_staff_and_cadres(world, network, login):
    officer = login("officer")
    leader = world.users["central_leader"]
    assert officer.post("/responsibility/group", data={
        "position": "leader", "person": f"u{leader.id}", "duty": "全面负责"}).status_code == 303
    assert officer.post("/responsibility/group", data={
        "position": "deputy", "person": f"c{network['town'].id}",
        "duty": "负责政府线劝返"}).status_code == 303
    missing = officer.post("/responsibility/group", data={"position": "member", "person": ""})
    assert missing.status_code == 422 and "请选择一位人员" in missing.text
    page = login("head").get("/responsibility/network").text
    assert page.index("组长") < page.index("副组长")
    assert "钱镇长" in page and "副镇长" in page and "负责政府线劝返" in page
    member = db.session.scalar(db.select(GroupMember).filter_by(position="deputy"))
    assert login("head").post(f"/responsibility/group/{member.id}/remove").status_code == 403
    assert officer.post(f"/responsibility/group/{member.id}/remove").status_code == 303
    assert db.session.scalar(db.select(db.func.count(GroupMember.id))) == 1
    assert login("head_b").get("/responsibility/network").text.count("全面负责") == 0


def test_a_group_meeting_and_a_decision_given_to_a_cadre(world, network, login):
    officer = login("officer")
    officer.post("/responsibility/group", data={
        "position": "deputy", "person": f"c{network['town'].id}", "duty": "政府线"})
    form = officer.get("/meetings/new?kind=group").text
    assert "钱镇长（甲镇人民政府 副镇长）" in form  # the group's members are the attendees
    assert officer.post("/meetings/new", data={
        "kind": "group", "month": f"{TODAY:%Y-%m}", "held_on": TODAY.isoformat(),
        "place": "镇政府会议室", "chair": "李国强", "attendees": "钱镇长（镇政府 副镇长）"}
    ).status_code == 303
    meeting = db.session.scalar(db.select(Meeting))
    assert meeting.title == f"{TODAY.year}年{TODAY.month}月控辍保学领导小组会议"
    assert meeting.issue_no == 1
    added = officer.post(f"/meetings/{meeting.id}/items", data={
        "text": "协调甲一村劝返李四", "owner": f"c{network['town'].id}", "school_id": world.a1.id,
        "due_on": (TODAY + timedelta(days=7)).isoformat()})
    assert added.status_code == 303
    item = db.session.scalar(db.select(ActionItem))
    assert item.cadre_id == network["town"].id and item.owner_id is None
    assert "协调甲一村劝返李四（钱镇长" in officer.get(f"/meetings/{meeting.id}").text
    minutes = text_of(officer.get(f"/meetings/{meeting.id}/minutes.pdf").data)
    assert "控辍保学领导小组会议纪要" in minutes and "钱镇长" in minutes
    # the officer follows the cadre's decision up and marks it done
    assert officer.post(f"/meetings/items/{item.id}/done", data={
        "result": "已劝返"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).done_on == TODAY


def test_the_network_sheet_prints_the_whole_township(world, network, login):
    officer = login("officer")
    officer.post("/responsibility/group", data={
        "position": "leader", "person": f"u{world.users['central_leader'].id}", "duty": "全面负责"})
    officer.post("/responsibility/grades", data={"school": world.a1.id, "grade": 3,
                                                 "user": world.users["village_head"].id})
    response = officer.get("/responsibility/network.pdf")
    assert response.mimetype == "application/pdf"
    text = " ".join(text_of(response.data).split())
    assert "全镇控辍保学责任网络表" in text and "全面负责" in text
    assert "甲一村小" in text and "甲二教学点" in text and "钱镇长 2人" in text
    assert "乙一村小" not in text
    one = " ".join(text_of(officer.get(f"/responsibility/network.pdf?school={world.a2.id}")
                           .data).split())
    assert "甲二教学点控辍保学责任网络表" in one and "甲一村小" not in one
    assert db.session.scalar(db.select(db.func.count(AuditLog.id)).where(
        AuditLog.action == "export", AuditLog.table_name == "grade_leads")) == 2


def test_the_township_summary_names_the_group_and_the_grade_leads(world, network, login,
                                                                   signed_in):
    from blueprints.summaries import draft as drafting
    from models import Term, school_year_of
    term = Term(central_id=world.central_a.id, school_year=school_year_of(TODAY), semester=1,
                start_date=TODAY - timedelta(days=60), end_date=TODAY + timedelta(days=60))
    db.session.add(term)
    db.session.commit()
    officer = login("officer")
    officer.post("/responsibility/group", data={
        "position": "leader", "person": f"c{network['town'].id}", "duty": "全面负责"})
    officer.post("/responsibility/group", data={
        "position": "member", "person": f"u{world.users['village_head'].id}"})
    officer.post("/responsibility/grades", data={"school": world.a1.id, "grade": 3,
                                                 "user": world.users["village_head"].id})
    with signed_in(world.users["central_officer"]):
        town = drafting.draft(drafting.township_unit(world.central_a),
                              drafting.term_period(term), TODAY)
        school = drafting.draft(drafting.school_unit(world.a1), drafting.term_period(term), TODAY)
    text = "".join(t for _, t in town.sections)
    assert "成立以副镇长钱镇长为组长的控辍保学工作领导小组，成员 2 人（其中镇、村干部 1 人）" in text
    assert "行政人员包年级 1 个" in text and town.figures["group_members"] == 2
    assert "领导小组" not in "".join(t for _, t in school.sections)


def test_a_paper_names_a_post_not_a_role(world):
    """The network sheet and the rolls print 单位 and 职务: a 教学点's head is its 负责人 (not
    村小负责人), the officer a 控辍专干 (not 中心校管理员), a township cadre with the government."""
    from models import Cadre, GroupMember
    head = f.user("village_head", world.a2, "head_a2", name="杨正华")
    mayor = Cadre(central_id=world.central_a.id, level="township", name="龙继红", post="镇长")
    db.session.add(mayor)
    db.session.flush()
    units = [GroupMember(person=p).unit for p in (head, world.users["central_officer"], mayor)]
    assert units == ["甲二教学点 负责人", "甲镇中心学校 控辍专干", "甲镇人民政府 镇长"]
    assert GroupMember(person=mayor).post == "镇长"
