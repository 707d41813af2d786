"""The rules of print, checked on the laid-out pages of every document the office prints, built
from the demo township by the same batch functions the print button calls (printjobs.BATCHES):
no name split across lines, no number parted from its unit, no lone last character, signature
blocks whole on one page, table headers on one line, "第 N 页 共 M 页" on every page.
Then what each kind of paper must carry, read from its text."""
from __future__ import annotations

import re

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_login import login_user

import pdf
import printjobs
from extensions import db
from models import (CaseNotice, ClassGroup, DropoutCase, Guardian, Pledge, School, Student, Term,
                    User)
from tests import TODAY
from tests import paper

pytestmark = [pytest.mark.usefixtures("demo_app"), pytest.mark.one_engine("postgresql")]


@contextmanager
def as_officer(app):
    with app.test_request_context():
        login_user(db.session.scalar(sa.select(User).where(User.username == "admin")))
        yield


@pytest.fixture(scope="module")
def names(demo_app):
    rows = set(db.session.scalars(sa.select(Student.name)))
    rows |= set(db.session.scalars(sa.select(User.name)))
    return rows | set(db.session.scalars(sa.select(Guardian.name)))


@pytest.fixture(scope="module")
def issued(demo_app):
    """This term's pledges of every kind at 石桥村小, and a 劝返 case's notices."""
    from blueprints.cases import workflow
    from blueprints.pledges import issue
    from models import PLEDGE_KINDS
    with as_officer(demo_app):
        school = db.session.scalar(sa.select(School).where(School.name == "石桥村小"))
        term = Term.current(db.session.scalars(sa.select(Term).order_by(
            Term.start_date.desc())).all(), TODAY)
        klass = db.session.scalar(sa.select(ClassGroup).where(
            ClassGroup.school_id == school.id, ClassGroup.grade == 3))
        central = school.parent
        for kind in PLEDGE_KINDS:
            issue.generate(kind, central if kind == "township_village" else school, term, klass)
        case = db.session.scalars(sa.select(DropoutCase).order_by(DropoutCase.id)).first()
        officer = db.session.scalar(sa.select(User).where(User.username == "admin"))
        for kind in ("report", "urge", "order", "return"):
            workflow.issue_notice(case, kind, officer, TODAY)
        db.session.commit()
    return school, term, case


def laid_out(app, kind: str, params: dict) -> list:
    """The documents of a print, laid out. With BAOXUE_PAPER_DIR set, each print is also
    written there as a PDF, to be looked at by eye."""
    with as_officer(app):
        job = printjobs.BATCHES[kind](params)
        documents = pdf.layout(job.parts)
        db.session.rollback()  # what a print marks is not what these tests read
    if os.environ.get("BAOXUE_PAPER_DIR"):
        pages = [page for d in documents for page in d.pages]
        documents[0].copy(pages).write_pdf(Path(os.environ["BAOXUE_PAPER_DIR"]) / job.filename)
    return documents


def pledges_of(kind: str) -> list[Pledge]:
    from models import PledgeTemplate
    return db.session.scalars(sa.select(Pledge).join(PledgeTemplate).where(
        PledgeTemplate.kind == kind).order_by(Pledge.id)).all()


def flat(document) -> str:
    """A document's text with its line breaks taken out, to find a sentence however it wraps."""
    return "".join(paper.page_texts(document)).replace("\n", "")


def assert_rules(documents, names, unnumbered=0):
    broken = [f"文书 {n}：{p}" for n, d in enumerate(documents, 1)
              for p in paper.problems(d, names, unnumbered)]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("kind", ["teacher", "class_teacher", "village_school", "township_village",
                                  "village_committee", "guardian_commitment", "guardian_notice"])
def test_pledges_keep_the_rules(demo_app, issued, names, kind):
    pledge = pledges_of(kind)[0]
    assert_rules(laid_out(demo_app, "pledges", {"id": pledge.id}), names)


@pytest.mark.parametrize("kind", ["report", "urge", "order", "return"])
def test_case_notices_keep_the_rules(demo_app, issued, names, kind):
    notice = db.session.scalar(sa.select(CaseNotice).where(CaseNotice.kind == kind))
    assert_rules(laid_out(demo_app, "case_notice", {"id": notice.id}), names)


def test_aid_publicity_keeps_the_rules_and_prints_the_hotline_beside_the_seal(demo_app, names):
    from models import AidProgram
    program = db.session.scalars(sa.select(AidProgram).order_by(AidProgram.id)).first()
    central = db.session.get(School, program.central_id)
    central.hotline = "0851-88886666"
    db.session.commit()
    documents = laid_out(demo_app, "aid_notice", {"id": program.id})
    assert_rules(documents, names)
    last = paper.page_texts(documents[0])[-1]
    today = TODAY
    assert "监督电话：0851-88886666" in last
    assert f"{central.name}（盖章）" in last and f"{today.year}年{today.month}月{today.day}日" in last


def test_a_class_of_45_fits_its_weekly_roll_on_one_page(demo_app, names):
    from tests.factories import student
    school = db.session.scalar(sa.select(School).where(School.kind == "central"))
    klass = ClassGroup(school=school, school_year=db.session.scalar(
        sa.select(ClassGroup.school_year).limit(1)), grade=1, name="45人班")
    db.session.add(klass)
    pool = sorted(names)
    for n in range(45):
        student(school, klass, name=pool[n * 7 % len(pool)], id_number=None)
    db.session.commit()
    documents = laid_out(demo_app, "roll_sheet", {"class_id": klass.id})
    assert_rules(documents, names)
    assert len(documents[0].pages) == 1
    text = paper.page_texts(documents[0])[0]
    assert "应到（人）" in text and "实到（人）" in text and "45" in text


def test_case_notices_carry_stub_receipt_dates_issuer_and_rights(demo_app, issued):
    from datetime import timedelta
    school, _, case = issued
    township = school.parent
    township.doc_prefix = "青府教"
    db.session.commit()
    today, deadline = TODAY, TODAY + timedelta(days=5)
    order = db.session.scalar(sa.select(CaseNotice).where(CaseNotice.kind == "order"))
    stub, document = laid_out(demo_app, "case_notice", {"id": order.id})  # paged each alone
    assert [len(stub.pages), len(document.pages)] == [1, 1]
    text = flat(stub) + flat(document)
    assert "责令送学通知书（存根）" in flat(stub) and "送 达 回 证" in flat(document)
    assert "第五十八条给予批评教育、责令限期改正" in text and "行政处罚" not in text  # as the law says
    for line in paper.page_texts(document)[-1].splitlines():  # a contact's phone beside the name
        phone = re.search(r"(?<!\d)1\d{10}(?!\d)", line)
        assert not phone or re.search(r"[\u4e00-\u9fff] 1\d{10}", line), line
    assert "青山镇人民政府（盖章）" in text and f"青府教〔{today.year}〕" in text
    assert f"{today.year}年{today.month}月{today.day}日" in text
    assert f"五日内（{deadline.year}年{deadline.month}月{deadline.day}日前）" in text
    assert "申请行政复议" in text and "提起行政诉讼" in text
    student = case.student
    assert f"{student.birth_date.year}年{student.birth_date.month}月{student.birth_date.day}日出生" \
        in text and student.id_number in text
    urge = db.session.scalar(sa.select(CaseNotice).where(CaseNotice.kind == "urge"))
    text = "".join(flat(d) for d in laid_out(demo_app, "case_notice", {"id": urge.id}))
    week = today + timedelta(days=7)
    assert "督促入学通知书（存根）" in text and "回　执" in text and "监护人（签字）" in text
    assert f"七日内（{week.year}年{week.month}月{week.day}日前）" in text
    report = db.session.scalar(sa.select(CaseNotice).where(CaseNotice.kind == "report"))
    text = flat(laid_out(demo_app, "case_notice", {"id": report.id})[0])
    assert "报送：青山镇人民政府、某县教育局" in text and "填报人：" in text


def test_pledges_carry_their_parties_copies_and_number_on_every_page(demo_app, issued):
    village = pledges_of("township_village")[0]
    with as_officer(demo_app):  # 一式两份: identical copies, laid out once and printed twice
        assert [part.copies for part in printjobs.BATCHES["pledges"]({"id": village.id}).parts] == [2]
    documents = laid_out(demo_app, "pledges", {"id": village.id})
    pages = paper.page_texts(documents[0])
    assert len(documents) == 1 and len(pages) > 1  # a village's children run on
    assert "甲方（乡镇人民政府）：青山镇人民政府" in pages[0] and "主任（签字）" in pages[-1]
    assert "一式两份，甲乙双方各执一份" in flat(documents[0])
    for page in pages[1:]:
        assert village.doc_no in page and village.title in page  # a loose sheet is matched
    first_child = village.clauses[-1][2][0][0]  # the village's children are in a table
    assert any(line.tag == "td" and line.text.strip() == first_child
               for line in paper.lines(documents[0]))
    letter = pledges_of("guardian_commitment")[0]
    text = flat(laid_out(demo_app, "pledges", {"id": letter.id})[0])
    assert f"家长（监护人）：{letter.party_b_name}" in text
    assert "联系电话：" in text and "家庭住址：" in text and "与学生关系：" in text
    teacher = pledges_of("teacher")[0]
    text = flat(laid_out(demo_app, "pledges", {"id": teacher.id})[0])
    assert "1．" in text and "1. " not in text
    head = pledges_of("village_school")[0]  # a 村小's head signs as its 负责人, not a 教学点's
    text = flat(laid_out(demo_app, "pledges", {"id": head.id})[0])
    kind = "教学点" if head.school.kind == "point" else "村小"
    assert f"乙方（{kind}负责人）（盖章）：" in text and "村小、教学点" not in text


@pytest.fixture(scope="module")
def meeting(demo_app, issued):
    """This month's 推进会 with invited people, minutes and decisions."""
    from models import ActionItem, Meeting
    school, _, _ = issued
    officer = db.session.scalar(sa.select(User).where(User.username == "admin"))
    today = TODAY
    row = Meeting(central_id=school.parent_id, month=today.replace(day=1), held_on=today,
                  place="中心学校三楼会议室", chair="李国强",
                  attendees="王建华 青山镇中心学校 控辍专干\n杨秀英（石桥村小 负责人）\n刘长春 石桥村 村主任",
                  absentees="黄德明（柳塘村小 负责人）：参加县里培训",
                  observers="罗永红（青山镇人民政府 副镇长）",
                  distribution="某县教育局，青山镇人民政府，各村小、教学点",
                  agenda="一、通报本月控辍保学情况\n二、研究劝返工作",
                  minutes="本月全镇在校学生 1236 人，疑似辍学 3 人，已劝返 2 人。会议要求各校在 12 月 15 日前完成家访。")
    row.items = [ActionItem(owner=officer, school=school, due_on=today,
                            text="石桥村小对连续缺课 3 天以上的学生逐一家访，建立台账")]
    db.session.add(row)
    db.session.commit()
    return row


@pytest.mark.parametrize("kind", ["signin", "minutes", "report"])
def test_meeting_papers_keep_the_rules(demo_app, names, meeting, kind):
    assert_rules(laid_out(demo_app, "meeting", {"id": meeting.id, "kind": kind}), names)


def test_the_monthly_report_names_its_addressee_sender_and_reporter(demo_app, meeting):
    text = flat(laid_out(demo_app, "meeting", {"id": meeting.id, "kind": "report"})[0])
    officer = db.session.scalar(sa.select(User).where(User.username == "admin"))
    assert "报送：某县教育局" in text and "报送单位：青山镇中心学校（青山镇人民政府）" in text
    assert f"填报人：{officer.name}" in text and f"联系电话：{officer.phone}" in text


def test_sign_in_sheet_and_minutes_carry_what_their_formats_have(demo_app, meeting):
    signin = laid_out(demo_app, "meeting", {"id": meeting.id, "kind": "signin"})[0]
    heads = [line.text for line in paper.lines(signin) if line.tag == "th"]
    assert heads == ["序号", "姓名", "单位", "职务", "联系电话", "签到时间", "本人签名"]
    cells = [line.text for line in paper.lines(signin) if line.tag == "td"]
    assert cells[:4] == ["1", "王建华", "青山镇中心学校", "控辍专干"]
    assert cells[4:8] == ["2", "杨秀英", "石桥村小", "负责人"]
    text = flat(signin)
    assert "请假：黄德明（柳塘村小负责人）：参加县里培训" in text.replace(" ", "")
    assert "列席：罗永红" in text
    minutes = flat(laid_out(demo_app, "meeting", {"id": meeting.id, "kind": "minutes"})[0])
    for expected in ("第 1 期", "出　　席王建华（青山镇中心学校控辍专干）、杨秀英（石桥村小负责人）",
                     "请　　假黄德明（柳塘村小负责人）（参加县里培训）", "列　　席罗永红",
                     "分送：某县教育局，青山镇人民政府，各村小、教学点。",
                     "一、会议议程（一）通报本月控辍保学情况（二）研究劝返工作二、会议记录"):
        assert expected in minutes, expected


def test_typed_numbering_goes_one_level_under_the_papers_own():
    """An agenda typed 一、二、 under the 纪要's own 一、会议议程 is printed （一）（二）; a record's
    （一） 1. one level down each; an agenda typed without numbers is numbered."""
    import typeset

    def plain(markup):
        return str(markup).replace("\u2060", "").replace("\u00a0", " ").split("<br>")
    assert plain(typeset.outline("一、通报\n\n  二、研判", number=True)) == [
        "（一）通报", "", "（二）研判"]
    assert plain(typeset.outline("通报出勤\n研判学生\n", number=True)) == [
        "（一）通报出勤", "（二）研判学生"]
    assert plain(typeset.outline("（三）家访\n1.张三\n十二、末项\n2026.10.5 开会\n(2) 王五")) == [
        "3．家访", "（1）张三", "（十二）末项", "2026.10.5 开会", "(2) 王五"]


@pytest.mark.parametrize("kind", ["suspected", "dropout", "age"])
def test_ledgers_keep_the_rules(demo_app, names, kind):
    """The township's ledgers of cases, and the 适龄儿童台账 of one village school: the whole
    township's runs to 47 pages of the same table (29 s) and is held to no other rule."""
    params = {"kind": kind}
    if kind == "age":
        params["school"] = db.session.scalar(sa.select(School.id).where(School.name == "石桥村小"))
    documents = laid_out(demo_app, "ledger", params)
    assert_rules(documents, names)
    assert kind != "age" or len(documents[0].pages) > 1  # the head repeated, pages counted
    unit = "石桥村小" if kind == "age" else "青山镇中心学校"  # who keeps it signs and seals it
    assert f"{unit}（盖章）" in flat(documents[0]) and "负责人（签字）" in flat(documents[0])


def test_the_townships_responsibility_table_keeps_the_rules(demo_app, names):
    """The whole township in one print, a document per school, a child a line."""
    documents = laid_out(demo_app, "responsibility_table", {"all": "1"})
    assert_rules(documents, names)
    schools = db.session.scalars(sa.select(School).order_by(School.id)).all()
    assert len(documents) == len([s for s in schools if s.active])
    central = flat(documents[0])
    assert central.startswith(f"{schools[0].name}控辍保学“双线四包”责任表")
    enrolled = db.session.scalar(sa.select(sa.func.count(Student.id)).where(
        Student.school_id == schools[0].id, Student.status == "enrolled"))
    rows = [line for line in paper.lines(documents[0]) if line.tag == "td"]
    assert len({id(line.block) for line in rows}) == len(rows)  # no cell wraps: a child a line
    assert len(documents[0].pages) <= enrolled // 28 + 1  # about 30 a landscape page
    assert "—" not in central  # a line nobody holds yet is blank to write in


def test_the_new_ledgers_and_the_home_teaching_record_keep_the_rules(demo_app, names):
    """Issue 20: the 残疾儿童台账 with its counts, the 辍学风险学生台账 with its reasons, and a
    送教上门记录 with its plan, its visits,
    the guardian's signature column and blank lines for the visits to come, on one page."""
    from models import TutoringPair
    ledger = laid_out(demo_app, "disabled_ledger", {})
    assert_rules(ledger, names)
    risky = laid_out(demo_app, "risk_ledger", {})
    assert_rules(risky, names)
    assert "辍学风险学生台账" in flat(risky[0]) and "厌学" in flat(risky[0])
    assert "适龄残疾儿童少年台账" in flat(ledger[0]) and "送教上门" in flat(ledger[0])
    pair = db.session.scalar(sa.select(TutoringPair).filter_by(kind="home_delivery"))
    record = laid_out(demo_app, "home_teaching", {"id": pair.id})
    assert_rules(record, names)
    text = flat(record[0])
    assert len(record[0].pages) == 1 and "家长签字" in text and "每周 1 次，每次 1.5 小时" in text
    assert text.count("1.5 小时") >= 1 + len(pair.sessions) and pair.student.name in text


def test_the_townships_network_sheet_keeps_the_rules(demo_app, names):
    """Issue 20, part 4: the whole network on one sheet: the 领导小组 with cadres, every school's
    grades with their 包年级 leaders, and the government line by village."""
    from models import Cadre
    sheet = laid_out(demo_app, "network", {})
    assert_rules(sheet, names | set(db.session.scalars(sa.select(Cadre.name))))
    text = flat(sheet[0])
    assert "全镇控辍保学责任网络表" in text and "龙继红" in text and "全面负责" in text
    assert "李国强" in text and "石桥村小" in text and "杨秀英" in text and "村干部包户" in text
    assert len(sheet[0].pages) <= 4


def test_a_childs_counselling_record_keeps_the_rules(demo_app, names):
    """Issue 20, part 6: the 学生心理辅导记录表 of a 厌学 child of the demo, on one page."""
    from models import CounselingRecord
    child_id = db.session.scalar(sa.select(CounselingRecord.student_id).where(
        CounselingRecord.student_id.is_not(None)).order_by(CounselingRecord.id))
    sheet = laid_out(demo_app, "counseling_record", {"student": child_id})
    assert_rules(sheet, names)
    text = flat(sheet[0])
    assert len(sheet[0].pages) == 1 and "学生心理辅导记录表" in text and "厌学" in text


def test_student_sheets_and_visit_forms_keep_the_rules(demo_app, names, issued):
    from models import HomeVisit
    school, _, _ = issued
    assert_rules(laid_out(demo_app, "student_sheets", {"school": school.id}), names)
    visit = db.session.scalars(sa.select(HomeVisit).order_by(HomeVisit.id)).first()
    assert_rules(laid_out(demo_app, "visit_record", {"id": visit.id}), names)
    assert_rules(laid_out(demo_app, "visit_record", {}), names)


def test_evidence_pack_and_work_summary_keep_the_rules(demo_app, names, issued):
    from blueprints.summaries import draft as drafting
    from models import WorkSummary
    from tests.factories import png_of
    import uploads
    school, term, _ = issued
    signed = pledges_of("teacher")[0]
    with demo_app.test_request_context():
        signed.scan_path = uploads.store(uploads.SCANS, str(signed.id), png_of(600, 850), "png")
    db.session.commit()
    documents = laid_out(demo_app, "evidence", {"school": school.id, "term": term.id})
    assert_rules(documents, names, unnumbered=1)  # the cover
    text = flat(documents[0])
    caption = f"1.{signed.doc_no}{signed.title}（{signed.party_b_name}）"  # under its image
    assert caption in text.replace(" ", "")
    if term.end_date.replace(day=1) > TODAY:
        assert "（未到）" in text  # a month not yet come is not a month of zeros
    from models import Activity
    meeting = db.session.scalar(sa.select(Activity).where(  # a 家长会 of one class, named so
        Activity.school_id == school.id, Activity.class_id.is_not(None),
        Activity.held_on.between(term.start_date, term.end_date)))
    assert f"（{meeting.class_group.label}）：{meeting.title}" in text
    with as_officer(demo_app):
        made = drafting.draft(drafting.township_unit(school.parent), drafting.term_period(term),
                              TODAY)
        summary = WorkSummary(central_id=school.parent_id, school_year=term.school_year,
                              semester=term.semester, title=made.title,
                              sections=[list(s) for s in made.sections], figures=made.figures)
        db.session.add(summary)
        db.session.commit()
    assert_rules(laid_out(demo_app, "summary", {"id": summary.id}), names)


def test_a_cell_keeps_a_number_with_its_unit():
    import typeset
    out = str(typeset.cell("无故缺课（3 个上课日）；张三 13800001111"))
    assert "3\u2060个" in out  # glued, the space gone
    assert "）；张" in out  # the list still breaks at its separators


def test_a_number_after_a_closing_quote_is_set_tight():
    import typeset
    assert typeset.tight("结对“爱心妈妈” 192对，帮扶 3 次") == "结对“爱心妈妈”192对，帮扶3次"


def test_a_child_who_left_has_no_placement_on_the_age_ledger():
    from types import SimpleNamespace
    from blueprints.cases import ledger
    child = SimpleNamespace(name="潘宏博", sex="男", birth_date=None, id_number="", masked_id="",
                            village="石桥村", village_group="五组", guardians=[],
                            school=SimpleNamespace(name="石桥村小"), class_label="六年级1班",
                            status="transferred", status_label="转出", placement_label="在校就读")
    assert ledger.age_row(1, child, False)[-2:] == ["转出", ""]


def test_a_title_breaks_after_its_unit_and_period_only():
    import typeset
    words = ("青山镇中心学校", "2026—2027学年", "第一学期", "控辍保学工作总结")
    assert str(typeset.title("".join(words))) == "".join(str(typeset.keep(w)) for w in words)


def test_a_childs_whole_file_keeps_the_rules(demo_app, names):
    """一人一档: a child with a case and visits, on paper: the facts, both lines, the risk, and
    every dated event (a reviewer's file was the 学生信息表's enrolment record only)."""
    from models import DropoutCase, HomeVisit
    case = db.session.scalar(sa.select(DropoutCase).join(
        HomeVisit, HomeVisit.student_id == DropoutCase.student_id).limit(1))
    documents = laid_out(demo_app, "student_file", {"id": case.student_id})
    assert_rules(documents, names)
    text = flat(documents[0])
    for expected in ("学生个人档案", case.student.name, "包保责任人（双线四包）", "工作记录", "家访",
                     f"{case.student.school.name}（盖章）"):
        assert expected in text, expected

