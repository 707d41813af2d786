"""双线四包: the cadre directory, one child's lines, bulk assignment, coverage, and scope."""
import pytest

from extensions import db
from models import AuditLog, Cadre, Responsibility, Student
from tests import factories as f


@pytest.fixture
def cadres(world):
    made = {
        "village": Cadre(central_id=world.central_a.id, level="village", village="甲一村",
                         name="赵村支", post="村支书", phone="13700000001"),
        "township": Cadre(central_id=world.central_a.id, level="township", name="钱镇长",
                          post="副镇长", phone="13700000002"),
        "other_town": Cadre(central_id=world.central_b.id, level="village", village="乙一村",
                            name="孙外镇", post="村主任"),
    }
    db.session.add_all(made.values())
    world.s_a1.village = "甲一村"
    world.s_a1.left_behind = True
    world.s_a1.school_weary = True  # 留守 and 厌学: risk level 中
    db.session.commit()
    return made


def test_officer_keeps_the_cadre_directory(world, login):
    client = login("officer")
    missing = client.post("/responsibility/cadres/new", data={"level": "village", "village": "",
                                                              "name": "李村官", "post": "村主任"})
    assert missing.status_code == 422 and "村干部请填写所在村" in missing.text
    ok = client.post("/responsibility/cadres/new", data={"level": "village", "village": "甲一村",
                                                         "name": "李村官", "post": "村主任",
                                                         "phone": "13600000000", "active": "y"})
    assert ok.status_code == 303
    cadre = db.session.scalar(db.select(Cadre).filter_by(name="李村官"))
    assert cadre.central_id == world.central_a.id
    assert "李村官" in client.get("/responsibility/cadres").text
    assert "李村官" not in login("head_b").get("/responsibility/cadres").text
    assert login("head").post("/responsibility/cadres/new", data={}).status_code == 403


def test_assign_one_childs_lines_and_show_them(world, cadres, login):
    head = login("head")
    teacher = world.users["teacher"]
    page = head.get(f"/responsibility/students/{world.s_a1.id}")
    assert "赵村支" in page.text and "孙外镇" not in page.text  # another township's cadre
    response = head.post(f"/responsibility/students/{world.s_a1.id}", data={
        "leader": world.users["village_head"].id, "class_teacher": teacher.id, "teacher": 0,
        "township_cadre": cadres["township"].id, "village_cadre": cadres["village"].id})
    assert response.status_code == 303
    db.session.expire_all()
    lines = world.s_a1.responsible()
    assert set(lines) == {"leader", "class_teacher", "township_cadre", "village_cadre"}
    assert lines["village_cadre"].cadre.name == "赵村支"
    shown = head.get(f"/students/{world.s_a1.id}").text
    assert "赵村支" in shown and "13700000001" in shown and "未指定" in shown  # 教师包生 open
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditLog).where(
        AuditLog.table_name == "responsibilities", AuditLog.action == "create")) == 4


def test_a_person_out_of_scope_cannot_be_assigned(world, cadres, login):
    head = login("head")
    response = head.post(f"/responsibility/students/{world.s_a1.id}", data={
        "leader": 0, "class_teacher": world.head_b.id, "teacher": 0, "township_cadre": 0,
        "village_cadre": cadres["other_town"].id})
    assert response.status_code == 422  # neither is among the choices
    assert db.session.scalar(db.select(Responsibility)) is None


def test_teacher_sees_the_children_they_are_responsible_for(world, login):
    other = world.s_a1_other  # not in the teacher's class
    teacher_client = login("teacher")
    assert teacher_client.get(f"/students/{other.id}").status_code == 404
    other.assign("teacher", world.users["teacher"])
    db.session.commit()
    assert teacher_client.get(f"/students/{other.id}").status_code == 200


def test_bulk_class_teacher_fills_gaps_and_replace_overwrites(world, login):
    f.student(world.a1, world.class_a1, name="甲")
    world.s_a1.assign("class_teacher", world.users["village_head"])
    db.session.commit()
    head = login("head")
    response = head.post("/responsibility/bulk", data={"kind": "class_teacher",
                                                       "school_id": world.a1.id})
    assert response.status_code == 303
    db.session.expire_all()
    kept = world.s_a1.responsible()["class_teacher"].user
    assert kept.username == "head"  # gaps only: the existing line stays
    new = db.session.scalar(db.select(Student).filter_by(name="甲"))
    assert new.responsible()["class_teacher"].user.username == "teacher"
    assert "class_teacher" not in world.s_a1_other.responsible()  # its class has no head teacher
    head.post("/responsibility/bulk", data={"kind": "class_teacher", "school_id": world.a1.id,
                                            "replace": "y"})
    db.session.expire_all()
    assert world.s_a1.responsible()["class_teacher"].user.username == "teacher"


def test_bulk_village_cadre_needs_a_village_cadre(world, cadres, login):
    head = login("head")
    wrong = head.post("/responsibility/bulk", data={
        "kind": "village_cadre", "school_id": world.a1.id, "village": "甲一村",
        "person": f"u{world.users['teacher'].id}"})
    assert wrong.status_code == 422 and "请选择一位干部" in wrong.text
    town = head.post("/responsibility/bulk", data={
        "kind": "village_cadre", "school_id": world.a1.id, "village": "甲一村",
        "person": f"c{cadres['township'].id}"})
    assert "请选择一位村干部" in town.text
    ok = head.post("/responsibility/bulk", data={
        "kind": "village_cadre", "school_id": world.a1.id, "village": "甲一村",
        "person": f"c{cadres['village'].id}"})
    assert ok.status_code == 303
    db.session.expire_all()
    assert world.s_a1.responsible()["village_cadre"].cadre.name == "赵村支"
    assert "village_cadre" not in world.s_a1_other.responsible()  # another village


def test_coverage_lists_at_risk_children_until_every_line_is_filled(world, cadres, login):
    head = login("head")
    text = head.get("/responsibility/").text
    assert "张三" in text and "李四" not in text  # 李四 is at low risk
    student = world.s_a1
    for kind, person in (("leader", world.users["village_head"]),
                         ("class_teacher", world.users["teacher"]),
                         ("teacher", world.users["teacher"]),
                         ("township_cadre", cadres["township"]),
                         ("village_cadre", cadres["village"])):
        student.assign(kind, person)
    db.session.commit()
    assert ">张三<" not in head.get("/responsibility/").text
    assert "每一名重点关注学生都已有双线责任人" in head.get("/responsibility/").text


def test_coverage_counts_every_child_and_pages_the_list(world, cadres, login, app):
    world.s_a1_other.status = "suspended"  # out of school: at risk whatever the score
    db.session.commit()
    head = login("head")
    page = head.get("/responsibility/").text
    assert "（2 人）" in page and "张三" in page and "李四" in page
    assert "第 1 / " not in page  # one page: no pager
    app.config["PAGE_SIZE"] = 1
    first, second = (head.get(f"/responsibility/?page={n}").text for n in (1, 2))
    assert "（2 人）" in first and "第 1 / 2 页" in first and "第 2 / 2 页" in second
    assert (">张三<" in first) != (">张三<" in second)
    assert (">李四<" in first) != (">李四<" in second)
    assert "第 2 / 2 页" in head.get("/responsibility/?page=9").text  # past the end: the last
    officer = login("officer")  # several schools: how many each lacks, a school's list a click on
    township = officer.get("/responsibility/").text
    assert "张三" not in township and "共 2 名重点关注学生缺少责任人" in township
    link = f'href="/responsibility/?school={world.a1.id}">{world.a1.name}<b>2</b>'
    assert link in township
    school = officer.get(f"/responsibility/?school={world.a1.id}&page=2").text
    assert f"{world.a1.name}（2 人）" in school and "第 2 / 2 页" in school
    assert f"/responsibility/?school={world.a1.id}&amp;page=1" in school  # the pager keeps it


def test_responsibility_table_prints_masked_ids_for_a_school_or_a_village(world, cadres, login,
                                                                          batch_pdf):
    import subprocess
    world.s_a1.assign("village_cadre", cadres["village"])
    db.session.commit()
    head = login("head")
    data = batch_pdf(head, "/responsibility/table", {"school": world.a1.id})
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data,
                          capture_output=True, check=True).stdout.decode()
    number = world.s_a1.id_number
    assert "双线四包" in text and "张三" in text and "赵村支" in text
    assert number[:4] + "*" * 10 + number[-4:] in text and number not in text  # posted publicly
    assert "张三" in subprocess.run(["pdftotext", "-", "-"], input=batch_pdf(
        head, "/responsibility/table", {"village": "甲一村"}), capture_output=True).stdout.decode()
    assert head.post("/responsibility/table").status_code == 422
    township = subprocess.run(["pdftotext", "-", "-"], input=batch_pdf(
        login("officer"), "/responsibility/table", {"all": "1"}), capture_output=True,
        check=True).stdout.decode()  # every school of the township, each its own sheet
    assert "甲一村小控辍保学" in township and "乙一村小" not in township
    assert head.post("/responsibility/table", data={"school": world.b1.id}).status_code == 404
    assert db.session.scalar(db.select(AuditLog).filter_by(table_name="responsibilities",
                                                           action="export"))


def test_the_table_prints_a_classs_shared_lines_once_and_names_who_differs(world, login, batch_pdf):
    """学校领导包片 and 班主任包班 are held for a whole class: printed in the class's band (repeated
    on every page the class runs onto), a child with another holder named after that holder."""
    import subprocess
    from blueprints.responsibility.table import bands
    teacher, head = world.users["teacher"], world.users["village_head"]
    wang = f.student(world.a1, world.class_a1, name="王小明", id_number=None)
    sun = f.student(world.a1, world.class_a1, name="孙丽", sex="女", id_number=None)
    for child in (world.s_a1, wang):
        child.assign("class_teacher", teacher)
    sun.assign("class_teacher", head)
    db.session.commit()
    band = bands([world.s_a1, wang, sun], with_school=False)[0]
    assert band.label == world.s_a1.class_label and len(band.students) == 3
    assert [(h.person, h.names) for h in band.lines["class_teacher"]] == [
        (teacher, []), (head, ["孙丽"])]  # the most children first, unnamed
    assert [(h.person, h.names) for h in band.lines["leader"]] == [(None, [])]  # blank to write
    data = batch_pdf(login("head"), "/responsibility/table", {"school": world.a1.id})
    text = "".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=data,
                                  capture_output=True, check=True).stdout.decode().split())
    assert f"班主任包班：{teacher.name}" in text and f"{head.name}（孙丽）" in text
    assert text.count("班主任包班") == 2  # a band for each of 甲一村小's two classes


def test_a_schools_teachers_month_as_facts(world, login, signed_in, batch_pdf):
    """教师控辍保学工作量化表: each teacher's month as facts — their class's rolls taken of the
    month's school days, its warnings visited in time and overdue, their visits, the children
    they 包 out of school — for the head and the central school, printed to sign."""
    import subprocess
    from datetime import timedelta
    from blueprints.attendance import rules
    from blueprints.cases import workflow
    from blueprints.responsibility import assessment
    from models import EarlyWarning, HomeVisit, RollCall, Term
    from tests import TODAY
    first = TODAY.replace(day=1)
    db.session.add(Term(central_id=world.central_a.id, school_year=2000, semester=1,
                        start_date=first - timedelta(days=200),
                        end_date=first + timedelta(days=60)))
    db.session.commit()
    teacher = world.users["teacher"]
    days = [d for d in rules.calendar(world.central_a.id).before(TODAY) if first <= d < TODAY]
    for day in days[:1]:
        db.session.add(RollCall(class_id=world.class_a1.id, day=day))
    db.session.add_all([
        EarlyWarning(student_id=world.s_a1.id, school_id=world.a1.id, rule="absence_run",
                     run_start=first, days=3, evidence=[], opened_on=first, due_on=first,
                     closed_on=first, status="closed"),
        HomeVisit(student=world.s_a1, school_id=world.a1.id, user_id=teacher.id,
                  visited_on=first, visitors="吴老师", outcome="in_school"),
        Responsibility(student_id=world.s_a1_other.id, kind="teacher", user_id=teacher.id)])
    workflow.open_case(world.s_a1_other, "manual", first, None, reason="外出")
    db.session.commit()
    with signed_in(world.users["village_head"]):
        school, month = assessment.SheetFilter().chosen(TODAY)
        line = next(x for x in assessment.sheet(school.id, month, TODAY) if x.user == teacher)
    assert school == world.a1 and line.rolls == (min(1, len(days)), len(days))
    assert (line.warnings, line.in_time, line.overdue, line.visits) == (1, 1, 0, 1)
    assert (line.children, line.out) == (1, 1)
    db.session.add(EarlyWarning(student_id=world.s_a1.id, school_id=world.a1.id,
                                rule="absence_run", run_start=first - timedelta(days=9), days=3,
                                evidence=[], opened_on=first - timedelta(days=8),
                                due_on=first - timedelta(days=7)))  # last month's, still open
    db.session.commit()
    with signed_in(world.users["village_head"]):
        line = next(x for x in assessment.sheet(school.id, month, TODAY) if x.user == teacher)
    assert (line.warnings, line.in_time, line.overdue) == (2, 1, 1)  # overdue in this month too
    page = login("head").get("/responsibility/assessment").text
    assert teacher.name in page and "三年级1班" in page
    assert login("head").get(f"/responsibility/assessment?school={world.a2.id}").status_code == 404
    assert login("teacher").get("/responsibility/assessment").status_code == 403
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], capture_output=True, check=True,
                          input=batch_pdf(login("officer"), "/responsibility/assessment/print",
                                          {"school": str(world.a1.id), "month": ""})).stdout
    assert "教师控辍保学工作量化表" in text.decode() and teacher.name in text.decode()
