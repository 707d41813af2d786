"""家长会 and 家长学校 per class per term (issue 20, part 7): recorded for a class or the whole
school, the coverage check of which classes held none, the class's sign-in sheet, and their
place in the monthly report and the drafted 工作总结."""
import subprocess
from datetime import timedelta

import pytest

from blueprints.dashboard import metrics
from blueprints.summaries import draft as drafting
from extensions import db
from models import Activity, AuditLog, Term, school_year_of
from tests import TODAY
from tests.test_activities import form, post



def text_of(data: bytes) -> str:
    return " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=data,
                                   capture_output=True, check=True).stdout.decode().split())


@pytest.fixture
def term(world):
    """This school year's term, around today (the world's classes are of this school year)."""
    row = Term(central_id=world.central_a.id, school_year=school_year_of(TODAY), semester=1,
               start_date=TODAY - timedelta(days=60), end_date=TODAY + timedelta(days=60))
    db.session.add(row)
    db.session.commit()
    return row


def test_a_class_meeting_covers_its_class_and_the_check_names_the_others(world, term, login):
    head = login("head")
    page = head.get("/activities/parents").text
    assert "2 个班本学期还没有开家长会或家长学校" in page
    response = post(head, "/activities/new", form(school_id=world.a1.id, reached="1",
                                                  class_id=str(world.class_a1.id)))
    assert response.status_code == 303
    assert db.session.scalar(db.select(Activity)).class_id == world.class_a1.id
    page = head.get("/activities/parents").text
    assert "1 个班本学期还没有开家长会或家长学校" in page and "家长会</a>" in page
    assert "100%" in page  # 1 parent came for the class's 1 child
    officer = login("officer").get("/activities/parents").text
    assert "2 个班本学期还没有开家长会或家长学校" in officer  # 甲二教学点 too
    # a whole school's meeting counts for each of its classes
    post(head, "/activities/new", form(school_id=world.a1.id, kind="parent_school",
                                       title="家长学校：怎样陪孩子写作业"))
    assert "每个班本学期都开过家长会或家长学校" in head.get("/activities/parents").text


def test_a_class_of_another_school_is_refused_and_the_form_kept(world, term, login):
    officer = login("officer")
    response = post(officer, "/activities/new", form(school_id=world.a2.id, title="二年级家长会",
                                                     class_id=str(world.class_a1.id)))
    assert response.status_code == 422
    assert "这个班级不是所选学校的" in response.text and "二年级家长会" in response.text
    assert db.session.scalar(db.select(db.func.count(Activity.id))) == 0
    # another township's class is not even a choice
    other = post(officer, "/activities/new", form(school_id=world.a1.id,
                                                  class_id=str(world.class_b1.id)))
    assert other.status_code == 422 and db.session.scalar(db.select(
        db.func.count(Activity.id))) == 0


def test_the_sign_in_sheet_lists_the_class_and_its_guardians(world, term, login):
    teacher = login("teacher")  # head teacher of 三年级1班
    sheet = teacher.get(f"/activities/parents/{world.class_a1.id}/signin.pdf")
    text = text_of(sheet.data)
    assert "甲一村小三年级1班家长会签到表" in text and "张三" in text and "张大山" in text
    assert "父亲" in text and "应到 1 人" in text and "13800001111" not in text
    assert teacher.get(f"/activities/parents/{world.other_class_a1.id}/signin.pdf"
                       ).status_code == 404
    assert db.session.scalar(db.select(db.func.count(AuditLog.id)).where(
        AuditLog.action == "export", AuditLog.table_name == "guardians")) == 1
    head = login("head")
    post(head, "/activities/new", form(school_id=world.a1.id, class_id=str(world.class_a1.id),
                                       reached="2", place="三年级教室"))
    activity = db.session.scalar(db.select(Activity))
    shown = head.get(f"/activities/{activity.id}").text
    assert "（三年级1班）" in shown and "打印签到表" in shown
    filled = text_of(head.get(f"/activities/parents/{world.class_a1.id}/signin.pdf"
                              f"?activity={activity.id}").data)
    assert "三年级教室" in filled and "防辍学家长会" in filled


def test_the_monthly_report_and_the_summary_count_the_classes(world, term, login, signed_in):
    head = login("head")
    post(head, "/activities/new", form(school_id=world.a1.id, class_id=str(world.class_a1.id),
                                       reached="2"))
    row = dict(metrics.REPORT_ROWS)["本学期未开家长会的班级"]
    with signed_in(world.users["central_officer"]):
        columns = {c.school.name if c.school else "全镇": row(c)
                   for c in metrics.dashboard(TODAY)}
        made = drafting.draft(drafting.township_unit(world.central_a),
                              drafting.term_period(term), TODAY)
    assert columns["全镇"] == 2 and columns["甲一村小"] == 1 and columns["甲二教学点"] == 1
    text = "".join(t for _, t in made.sections)
    assert "3 个班级中有 1 个召开了家长会或家长学校，还有 2 个班级未召开" in text
    assert made.figures["parent_classes_held"] == 1
