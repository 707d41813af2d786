"""资助: programmes, eligibility, grants one by one and by class (all or nothing), status
steps, corrections as new entries, gaps, sums to the fen, the finance Excel, the 公示 list."""
import subprocess
from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from blueprints.aid import grants
from extensions import db
from models import AidGrant, AidProgram, AuditLog, Term, yuan
from refusal import Refusal
from tests import TODAY
from tests import factories as f


@pytest.fixture
def term(world):
    row = Term(central_id=world.central_a.id, school_year=TODAY.year - 1, semester=1,
               start_date=date(2000, 1, 1), end_date=date(2100, 1, 1))
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def subsidy(world, term):
    """生活补助 for poor, orphaned or disabled children: 500.00 yuan, boarders 1,000.50."""
    row = AidProgram(central_id=world.central_a.id, term=term, kind="living_subsidy",
                     name="秋季生活补助", source="中央和省级财政", amount=50000,
                     boarder_amount=100050, flags="poverty,orphan,disabled")
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def kids(world):
    """Class A1: 张三 (not eligible) and three eligible children, one a boarder; plus one
    eligible child in another class of A1 and one in A2."""
    out = {
        "poor": f.student(world.a1, world.class_a1, name="贫一", poverty=True),
        "orphan": f.student(world.a1, world.class_a1, name="孤二", orphan=True, boarder=True),
        "disabled": f.student(world.a1, world.class_a1, name="残三", disabled=True),
        "other_class": f.student(world.a1, world.other_class_a1, name="贫四", poverty=True),
        "a2": f.student(world.a2, world.class_a2, name="贫五", poverty=True),
        "left": f.student(world.a1, world.class_a1, name="转六", poverty=True,
                          status="transferred"),
    }
    db.session.commit()
    return out


def test_yuan_is_parsed_and_shown_without_floats():
    assert grants.parse_yuan("625") == 62500 and grants.parse_yuan("312.5") == 31250
    assert grants.parse_yuan(" 0.07 ") == 7 and yuan(123456789) == "1,234,567.89"
    assert yuan(-50) == "-0.50"
    for bad in ("", "1.234", "-5", "12元", "1e3"):
        with pytest.raises(Refusal, match="金额请填写元"):
            grants.parse_yuan(bad)


def test_officer_sets_up_a_programme_with_a_chinese_message_for_bad_input(world, term, login):
    officer = login("officer")
    data = {"term_id": term.id, "kind": "living_subsidy", "name": "生活补助", "amount": "500",
            "boarder_amount": "1000", "flags": ["poverty", "orphan"], "active": "y"}
    bad = officer.post("/aid/programs/new", data={**data, "amount": "五百"})
    assert bad.status_code == 422 and "金额请填写元" in bad.text and "五百" in bad.text
    none = officer.post("/aid/programs/new", data={**data, "flags": []})
    assert none.status_code == 422 and "请至少选择一类资助对象" in none.text
    assert officer.post("/aid/programs/new", data=data).status_code == 303
    program = db.session.scalar(db.select(AidProgram))
    assert (program.amount, program.boarder_amount, program.flags) == (50000, 100000,
                                                                       "poverty,orphan")
    assert login("head").get("/aid/programs/new").status_code == 403
    again = officer.post("/aid/programs/new", data={**data, "amount": "600"})  # a second click
    assert again.status_code == 422 and "这个学期已有资助项目“生活补助”" in again.text
    assert "600" in again.text  # what was typed stays
    assert db.session.scalar(db.select(db.func.count()).select_from(AidProgram)) == 1
    assert officer.post(f"/aid/programs/{program.id}/edit", data={**data, "amount": "600"}
                        ).status_code == 303  # its own name is no clash


def test_a_child_paid_twice_the_same_subsidy_in_a_term_is_shown(world, subsidy, kids, login):
    """Two programmes of 生活补助 in one term (made by a double-click before names were
    checked, or by hand): a child granted in both is 错助 on the gaps page, not in balance."""
    second = AidProgram(central_id=world.central_a.id, term=subsidy.term, kind="living_subsidy",
                        name="秋季生活补助（补）", amount=50000, flags="poverty")
    gift = AidProgram(central_id=world.central_a.id, term=subsidy.term, kind="donation",
                      name="爱心助学", amount=20000, flags="poverty")
    db.session.add_all([second, gift])
    db.session.commit()
    head = login("head")
    for program in (subsidy, second, gift):
        assert head.post(f"/aid/programs/{program.id}/bulk", data={
            "class_id": world.class_a1.id, "method": "card", "applied_on": "2026-10-08"}
        ).status_code == 303
    extra = head.get("/aid/gaps").text.split("有资助但")[1]
    assert extra.count("本学期已在“秋季生活补助”领取同类资助（重复资助）") == 1  # 贫一
    assert "贫一" in extra and "爱心助学" not in extra  # a donation may come on top
    db.session.add(AidGrant(program=gift, student=kids["poor"], school_id=world.a1.id,
                            amount=20000, applied_on=TODAY))  # an old double, before the check
    db.session.commit()
    assert "本项目发放了 2 次（重复资助）" in head.get("/aid/gaps").text


def test_eligibility_follows_the_flags_and_enrolment_with_categories(world, subsidy, kids,
                                                                     signed_in):
    with signed_in(world.users["central_officer"]):
        rows = grants.eligible(subsidy)
    names = [r.student.name for r in rows]
    assert sorted(names) == sorted(["贫一", "孤二", "残三", "贫四", "贫五"])  # not 张三, not 转六
    by_name = {r.student.name: r for r in rows}
    assert by_name["孤二"].categories == ["孤儿/事实无人抚养"]
    assert by_name["孤二"].standard == 100050 and by_name["贫一"].standard == 50000
    everyone = AidProgram(central_id=world.central_a.id, term=subsidy.term, kind="nutrition",
                          name="营养餐", amount=40000, everyone=True)
    db.session.add(everyone)
    db.session.flush()
    with signed_in(world.users["central_officer"]):
        assert len(grants.eligible(everyone, school_id=world.a1.id)) == 6  # every enrolled


def test_head_grants_a_class_in_one_action_and_sees_the_gaps(world, subsidy, kids, login):
    head = login("head")
    response = head.post(f"/aid/programs/{subsidy.id}/bulk", data={
        "class_id": world.class_a1.id, "method": "card", "applied_on": "2026-10-08"})
    assert response.status_code == 303
    made = db.session.scalars(db.select(AidGrant).order_by(AidGrant.id)).all()
    assert sorted(g.student.name for g in made) == ["孤二", "残三", "贫一"]
    assert sum(g.amount for g in made) == 50000 + 100050 + 50000
    assert {g.status for g in made} == {"applied"} and made[0].applied_on == date(2026, 10, 8)
    # again: nothing twice
    head.post(f"/aid/programs/{subsidy.id}/bulk", data={
        "class_id": world.class_a1.id, "method": "card", "applied_on": "2026-10-08"})
    assert db.session.scalar(db.select(db.func.count()).select_from(AidGrant)) == 3
    gaps = head.get("/aid/gaps").text
    assert "贫四" in gaps and "贫五" not in gaps  # A2 is not the head's school
    assert "贫一" not in gaps.split("有资助但")[0]
    # the child leaves: the grant now shows as one to a child no longer enrolled
    kids["poor"].status = "transferred"
    db.session.commit()
    extra = head.get("/aid/gaps").text.split("有资助但")[1]
    assert "贫一" in extra and "已转出" in extra


def test_bulk_grant_is_all_or_nothing(world, subsidy, kids, login, monkeypatch, app):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    real = grants.grant
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)
    monkeypatch.setattr(grants, "grant", failing)
    response = login("head").post(f"/aid/programs/{subsidy.id}/bulk", data={
        "class_id": world.class_a1.id, "method": "card", "applied_on": "2026-10-08"})
    assert response.status_code == 500 and "没有保存" in response.text  # app.py rolls back
    assert db.session.scalar(db.select(db.func.count()).select_from(AidGrant)) == 0


def test_steps_move_forward_by_grant_or_by_class(world, subsidy, kids, login):
    head = login("head")
    head.post(f"/aid/programs/{subsidy.id}/students/{kids['poor'].id}")
    one = db.session.scalar(db.select(AidGrant))
    assert head.post(f"/aid/grants/{one.id}/status", data={"to": "paid"}).status_code == 303
    db.session.expire_all()
    assert one.status == "paid" and one.reviewed_on == one.paid_on == TODAY
    back = head.post(f"/aid/grants/{one.id}/status", data={"to": "applied"})
    assert back.status_code == 422 and "不能从“已发放”改为“申请”" in back.text
    head.post(f"/aid/programs/{subsidy.id}/bulk", data={
        "class_id": world.class_a1.id, "method": "cash", "applied_on": "2026-10-08"})
    head.post(f"/aid/programs/{subsidy.id}/advance", data={"class_id": world.class_a1.id,
                                                            "to": "paid"})
    db.session.expire_all()
    assert {g.status for g in db.session.scalars(db.select(AidGrant))} == {"paid"}
    page = head.get(f"/students/{kids['orphan'].id}").text  # the child's page, per term
    assert "秋季生活补助" in page and "1,000.50" in page and "已发放" in page
    # not eligible: refused with the reason
    refused = head.post(f"/aid/programs/{subsidy.id}/students/{world.s_a1.id}")
    assert refused.status_code == 422 and "不符合" in refused.text


def test_a_correction_adds_entries_and_never_edits(world, subsidy, kids, login):
    head = login("head")
    head.post(f"/aid/programs/{subsidy.id}/students/{kids['orphan'].id}")
    original = db.session.scalar(db.select(AidGrant))
    no_reason = head.post(f"/aid/grants/{original.id}/correct", data={"amount": "500"})
    assert no_reason.status_code == 422 and "原因" in no_reason.text
    spaces = head.post(f"/aid/grants/{original.id}/correct", data={"amount": "500",
                                                                    "reason": "   "})
    assert spaces.status_code == 422 and "请写明更正原因" in spaces.text.split('id="field-reason"')[1]
    response = head.post(f"/aid/grants/{original.id}/correct",
                         data={"amount": "500.00", "reason": "误按寄宿生标准"})
    assert response.status_code == 303
    db.session.expire_all()
    entries = db.session.scalars(db.select(AidGrant).order_by(AidGrant.id)).all()
    assert [g.amount for g in entries] == [100050, -100050, 50000]
    assert entries[0].note == "" and all(g.correction_of_id == original.id for g in entries[1:])
    assert sum(g.amount for g in entries) == 50000
    audit_rows = db.session.scalars(db.select(AuditLog).filter_by(table_name="aid_grants",
                                                                  action="create")).all()
    assert len(audit_rows) == 3
    assert not db.session.scalars(db.select(AuditLog).filter_by(table_name="aid_grants",
                                                                action="update")).all()
    # a correction is not corrected again; the original is
    again = head.post(f"/aid/grants/{entries[2].id}/correct", data={"amount": "1", "reason": "x"})
    assert again.status_code == 422 and "请更正原始记录" in again.text


def test_sums_to_the_fen_and_the_finance_excel(world, subsidy, kids, login, signed_in):
    head = login("head")
    head.post(f"/aid/programs/{subsidy.id}/bulk", data={
        "class_id": world.class_a1.id, "method": "card", "applied_on": "2026-10-08"})
    head.post(f"/aid/programs/{subsidy.id}/students/{kids['other_class'].id}")
    expected = 50000 + 100050 + 50000 + 50000
    page = login("officer").get("/aid/").text
    assert yuan(expected) in page  # 2,500.50
    with signed_in(world.users["central_officer"]):
        totals = grants.totals(subsidy.term_id)
    assert [(s.name, n, fen) for _, s, n, fen in totals] == [("甲一村小", 4, expected)]
    response = head.get(f"/aid/programs/{subsidy.id}/export.xlsx")
    ws = load_workbook(BytesIO(response.data)).active
    rows = list(ws.values)
    assert rows[0][:6] == ("序号", "学校", "年级班级", "姓名", "性别", "身份证号")
    assert [r[3] for r in rows[1:5]] == ["残三", "孤二", "贫一", "贫四"]
    assert rows[2][5] == kids["orphan"].id_number  # the head sees full IDs
    assert rows[-1][0] == "合计" and rows[-1][8] == "2,500.50" and rows[-1][3] == "4 人"
    entry = db.session.scalar(db.select(AuditLog).filter_by(action="export",
                                                            table_name="aid_grants"))
    assert entry.after["rows"] == 4 and entry.after["full_ids"] is True
    leader_sheet = load_workbook(BytesIO(login("leader").get(
        f"/aid/programs/{subsidy.id}/export.xlsx").data)).active
    assert kids["orphan"].id_number not in str(list(leader_sheet.values))


def test_notice_prints_what_publicity_allows(world, subsidy, kids, login, batch_pdf):
    """Issue 19: name, school, grade and class and amount; no ID number (not even masked), no
    family category; a 公示期 of 5 working days with its dates."""
    from blueprints.aid.paper import publicity_end
    head = login("head")
    assert head.post(f"/aid/programs/{subsidy.id}/notice").status_code == 422  # nothing yet
    head.post(f"/aid/programs/{subsidy.id}/bulk", data={
        "class_id": world.class_a1.id, "method": "card", "applied_on": "2026-10-08"})
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], capture_output=True, check=True,
                          input=batch_pdf(head, f"/aid/programs/{subsidy.id}/notice")
                          ).stdout.decode()
    assert "秋季生活补助公示" in text and "2,000.50" in text
    for kid in (kids["poor"], kids["orphan"], kids["disabled"]):
        assert kid.name in text and kid.masked_id not in text and kid.id_number not in text
    assert "孤儿" not in text and "残疾" not in text and "身份证" not in text
    until = publicity_end(TODAY)
    assert f"至{until.year}年{until.month}月{until.day}日" in text.replace("\n", "").replace(" ", "")
    assert publicity_end(date(2026, 12, 7)) == date(2026, 12, 11)  # Monday -> Friday
    assert publicity_end(date(2026, 12, 5)) == date(2026, 12, 11)  # Saturday -> next Friday
    assert publicity_end(date(2026, 12, 10)) == date(2026, 12, 16)  # Thursday -> Wednesday
    kids["poor"].status = "transferred"  # paid, then left: the money was paid all the same
    db.session.commit()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], capture_output=True, check=True,
                          input=batch_pdf(head, f"/aid/programs/{subsidy.id}/notice")
                          ).stdout.decode()
    assert kids["poor"].name in text and "2,000.50" in text
    listed = head.get("/aid/").text
    assert "2,000.50" in listed  # the programme's row counts what was paid, as the 公示 does


def test_the_programmes_list_counts_the_users_own_children(world, subsidy, kids, login,
                                                          signed_in):
    """The list's coverage and totals join the programme's grants to the children the user
    sees (not the grants scoped again): a village head's are their school's alone."""
    officer = login("officer")
    for child in ("poor", "a2"):
        assert officer.post(f"/aid/programs/{subsidy.id}/students/{kids[child].id}"
                            ).status_code in (200, 303)
    with signed_in(world.users["village_head"]):
        assert grants.summary(subsidy) == (4, 3, 1, 50000)  # 甲一村小: 贫一 孤二 残三 贫四
        assert [(s.name, n, fen) for _, s, n, fen in grants.totals(subsidy.term_id)] == [
            ("甲一村小", 1, 50000)]
    with signed_in(world.users["central_officer"]):
        assert grants.summary(subsidy) == (5, 3, 2, 100000)
        assert sorted((s.name, n, fen) for _, s, n, fen in grants.totals(subsidy.term_id)) == [
            ("甲一村小", 1, 50000), ("甲二教学点", 1, 50000)]
    page = login("head").get("/aid/").text
    assert "甲二教学点" not in page and yuan(50000) in page and yuan(100000) not in page


def test_scope_teacher_has_no_aid_pages_and_heads_only_their_school(world, subsidy, kids,
                                                                     login):
    assert login("teacher").get("/aid/").status_code == 403
    head_b = login("head_b")
    assert head_b.get(f"/aid/programs/{subsidy.id}").status_code == 404
    other = login("head").post(f"/aid/programs/{subsidy.id}/students/{kids['a2'].id}")
    assert other.status_code == 404
    assert "贫五" not in login("head").get(f"/aid/programs/{subsidy.id}").text
    assert "贫五" in login("officer").get(f"/aid/programs/{subsidy.id}").text


def test_a_past_terms_gaps_count_the_children_on_the_register_then(world, kids, login):
    """漏助 of a term that has ended: a child first registered after its end was not there to
    be paid (a reviewer's spring list named two children who came in September)."""
    spring = Term(central_id=world.central_a.id, school_year=TODAY.year - 1, semester=2,
                  start_date=TODAY - timedelta(days=300), end_date=TODAY - timedelta(days=150))
    db.session.add(spring)
    db.session.add(AidProgram(central_id=world.central_a.id, term=spring, kind="living_subsidy",
                              name="春季生活补助", amount=50000, flags="poverty"))
    kids["poor"].change_status("enrolled", TODAY - timedelta(days=100), "新生入学", "", None)
    kids["other_class"].change_status("enrolled", TODAY - timedelta(days=200), "转入", "", None)
    db.session.commit()
    missing = login("head").get(f"/aid/gaps?term={spring.id}").text.split("有资助但")[0]
    assert kids["other_class"].name in missing and kids["poor"].name not in missing
    program = db.session.scalar(db.select(AidProgram).filter_by(name="春季生活补助"))
    page = login("head").get(f"/aid/programs/{program.id}").text  # not offered 申请 either
    assert kids["other_class"].name in page and kids["poor"].name not in page
    db.session.add(AidGrant(program=program, student=kids["poor"], school_id=world.a1.id,
                            amount=50000, applied_on=TODAY))
    db.session.commit()
    extra = login("head").get(f"/aid/gaps?term={spring.id}").text.split("有资助但")[1]
    assert f"{TODAY - timedelta(days=100)} 才入学，不是这个学期的学生" in extra


def test_a_grant_stays_with_the_school_that_paid_it(world, subsidy, kids, login, signed_in):
    """A child paid by 甲一村小 who moved to 甲二教学点 since: the grant is 甲一村小's account
    (its sums, 公示 and 发放表, once under 甲一村小 for everyone), 甲二教学点 does not count it
    and does not owe it (not 漏助), and the payer is not told it paid in error (a reviewer saw
    the same money under different schools for different users)."""
    head_a2 = f.user("village_head", world.a2, "head_a2")
    db.session.commit()
    head = login("head")
    head.post(f"/aid/programs/{subsidy.id}/students/{kids['poor'].id}")
    kids["poor"].school_id, kids["poor"].class_id = world.a2.id, world.class_a2.id
    db.session.commit()
    for user in (world.users["village_head"], world.users["central_officer"]):
        with signed_in(user):
            assert [(s.name, n, fen) for _, s, n, fen in grants.totals(subsidy.term_id)] == [
                ("甲一村小", 1, 50000)]
            assert [r.student.name for r in grants.paid(subsidy)] == ["贫一"]
    with signed_in(world.users["village_head"]):
        assert grants.summary(subsidy) == (3, 3, 1, 50000)  # 孤二 残三 贫四 today; 贫一 paid
        assert grants.gaps(subsidy.term_id).extra == []
    with signed_in(head_a2):
        assert grants.totals(subsidy.term_id) == [] and grants.paid(subsidy) == []
        assert grants.summary(subsidy) == (2, 1, 0, 0)  # 贫一 (paid by 甲一村小), 贫五 missing
        missing = [r.student.name for _, r in grants.gaps(subsidy.term_id).missing]
        assert missing == ["贫五"]
    sheet = load_workbook(BytesIO(head.get(f"/aid/programs/{subsidy.id}/export.xlsx").data))
    assert [r[1:4] for r in sheet.active.values if r[3] == "贫一"] == [
        ("甲一村小", "二年级1班", "贫一")]
    page = head.get(f"/aid/programs/{subsidy.id}").text  # the payer sees where it went
    assert "本校发放、学生已转走或不再符合条件（1 人）" in page and "甲二教学点" in page.split("已转走")[1]
    grant = db.session.scalar(db.select(AidGrant))
    assert f"/aid/grants/{grant.id}/correct" in page.split("已转走")[1]  # the payer moves it on
    other = login("head_a2")
    assert "（甲一村小发放）" in other.get(f"/aid/programs/{subsidy.id}").text
    for url, data in ((f"/aid/grants/{grant.id}/correct", {"amount": "0", "reason": "错发"}),
                      (f"/aid/grants/{grant.id}/status", {"to": "paid"})):
        refused = other.post(url, data=data, headers={"HX-Request": "true"})
        assert refused.status_code == 422 and "只能由甲一村小审核、发放或更正" in refused.text
    assert db.session.scalar(db.select(db.func.count()).select_from(AidGrant)) == 1
    twice = other.post(f"/aid/programs/{subsidy.id}/students/{kids['poor'].id}",
                       headers={"HX-Request": "true"})  # the new school applies again
    assert twice.status_code == 422 and "已有秋季生活补助的资助记录（甲一村小" in twice.text
    assert db.session.scalar(db.select(db.func.count()).select_from(AidGrant)) == 1
