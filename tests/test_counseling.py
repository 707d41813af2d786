"""心理辅导 (issue 20, part 6): individual and group counselling recorded apart from pairs, the
厌学 children's 转化, confidentiality, and the counts in the monthly report and the summary."""
from datetime import timedelta

import pytest

from blueprints.dashboard import metrics
from blueprints.summaries import draft as drafting
from extensions import db
from models import AuditLog, CounselingRecord, Term, TutoringPair, school_year_of
from tests import TODAY



@pytest.fixture
def weary(world):
    world.s_a1.school_weary = True
    world.s_a1_other.learning_difficulty = True
    db.session.commit()


def talk(client, **changes):
    data = {"held_on": (TODAY - timedelta(days=1)).isoformat(), "kind": "individual",
            "topic": "school_weary", "content": "谈心 30 分钟，约定每天按时到校。",
            "change": "", "next_step": "两周后再谈"}
    data.update(changes)
    return client.post("/counseling/new", data=data)


def test_a_teacher_records_a_talk_and_the_conversion_follows_it(world, weary, login):
    teacher = login("teacher")
    page = teacher.get("/counseling/").text
    assert "1 人还没有辅导记录" in page and "张三" in page
    form = teacher.get(f"/counseling/new?student={world.s_a1.id}").text
    assert f'<option selected value="{world.s_a1.id}">' in form or \
        f'<option value="{world.s_a1.id}" selected>' in form
    assert talk(teacher, student_id=world.s_a1.id).status_code == 303
    assert talk(teacher, student_id=world.s_a1.id, change="better",
                held_on=TODAY.isoformat()).status_code == 303
    page = teacher.get("/counseling/").text
    assert "明显好转" in page and "还没有辅导记录" not in page
    assert db.session.scalar(db.select(db.func.count(TutoringPair.id))) == 0  # apart from pairs
    assert db.session.scalar(db.select(db.func.count(AuditLog.id)).where(
        AuditLog.table_name == "counseling_records")) == 2


def test_mistakes_are_refused_with_what_was_typed_kept(world, weary, login):
    head = login("head")
    missing = talk(head, content="孩子说不想来学校")
    assert missing.status_code == 422 and "个别辅导请选择学生" in missing.text
    assert "孩子说不想来学校" in missing.text
    group = talk(head, kind="group", group_label="", group_size="")
    assert "Not a valid" not in group.text
    assert group.status_code == 422 and "团体辅导请写明辅导对象" in group.text
    assert "团体辅导请填写人数" in group.text
    future = talk(head, student_id=world.s_a1.id, held_on=(TODAY + timedelta(days=1)).isoformat())
    assert future.status_code == 422 and "日期不能晚于今天" in future.text
    assert db.session.scalar(db.select(db.func.count(CounselingRecord.id))) == 0
    assert talk(head, kind="group", group_label="三年级厌学倾向小组", group_size="6").status_code == 303
    again = talk(head, kind="group", group_label="三年级厌学倾向小组", group_size="6")  # Back, 保存
    assert again.status_code == 422 and "这次辅导已经记录过了" in again.text
    assert db.session.scalar(db.select(db.func.count(CounselingRecord.id))) == 1
    record = db.session.scalar(db.select(CounselingRecord))
    assert (record.student_id, record.group_size, record.school_id) == (None, 6, world.a1.id)


def test_records_are_confidential(world, weary, login):
    teacher = login("teacher")
    talk(teacher, student_id=world.s_a1.id)
    record = db.session.scalar(db.select(CounselingRecord))
    assert "谈心 30 分钟" in login("head").get("/counseling/").text  # the school's head
    assert login("inspector").get("/counseling/").status_code == 403
    assert login("head_b").get(f"/counseling/{record.id}/edit").status_code == 404
    # a child the teacher does not teach is not theirs to counsel
    assert talk(teacher, student_id=world.s_a2.id).status_code in (404, 422)
    # another teacher of the school may not rewrite the record; the head may correct it
    from tests import factories as f
    f.user("teacher", world.a1, "other_teacher")
    db.session.commit()
    world.s_a1.responsibilities  # noqa: B018 (loaded)
    other = login("other_teacher")
    assert other.get(f"/counseling/{record.id}/edit").status_code == 404  # not even seen
    corrected = login("head").post(f"/counseling/{record.id}/edit", data={
        "held_on": record.held_on.isoformat(), "kind": "individual", "student_id": world.s_a1.id,
        "topic": "learning", "content": "改为学习困难谈心", "change": "some"})
    assert corrected.status_code == 303
    db.session.expire_all()
    assert db.session.get(CounselingRecord, record.id).topic == "learning"


def test_the_report_and_the_summary_count_counselling(world, weary, login, signed_in):
    head = login("head")
    talk(head, student_id=world.s_a1.id, change="better", held_on=TODAY.isoformat())
    talk(head, kind="group", group_label="三年级小组", group_size="5", held_on=TODAY.isoformat())
    term = Term(central_id=world.central_a.id, school_year=school_year_of(TODAY), semester=1,
                start_date=TODAY - timedelta(days=60), end_date=TODAY + timedelta(days=60))
    db.session.add(term)
    db.session.commit()
    row = dict(metrics.REPORT_ROWS)["本月心理辅导（人次）"]
    with signed_in(world.users["inspector"]):  # counts, not the records, for an inspector
        columns = {c.school.name if c.school else "全镇": row(c)
                   for c in metrics.dashboard(TODAY)}
    assert columns["全镇"] == 6 and columns["甲一村小"] == 6
    with signed_in(world.users["central_officer"]):
        made = drafting.draft(drafting.township_unit(world.central_a),
                              drafting.term_period(term), TODAY)
    text = "".join(t for _, t in made.sections)
    assert "开展心理辅导个别辅导 1 次、团体辅导 1 次，覆盖学生 6 人次" in text
    assert "对 1 名厌学学生逐人谈心辅导，其中 1 人明显好转" in text


def test_a_childs_record_sheet_for_their_file(world, weary, login):
    import subprocess
    teacher = login("teacher")
    talk(teacher, student_id=world.s_a1.id, change="some")
    talk(teacher, student_id=world.s_a1.id, change="better", held_on=TODAY.isoformat(),
         content="再次谈心，孩子这周每天按时到校。")
    assert "记录表" in teacher.get("/counseling/").text
    sheet = teacher.get(f"/counseling/students/{world.s_a1.id}.pdf")
    assert sheet.mimetype == "application/pdf"
    text = " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=sheet.data,
                                   capture_output=True, check=True).stdout.decode().split())
    assert "学生心理辅导记录表" in text and "张三" in text and "明显好转" in text
    assert "再次谈心" in text and "保密" in text
    assert login("inspector").get(f"/counseling/students/{world.s_a1.id}.pdf").status_code == 403
    assert login("head_b").get(f"/counseling/students/{world.s_a1.id}.pdf").status_code == 404
    assert db.session.scalar(db.select(db.func.count(AuditLog.id)).where(
        AuditLog.action == "export", AuditLog.table_name == "counseling_records")) == 1
