"""The audit log: every write leaves an entry in the same transaction (and a rolled-back write
none), secrets never reach it, and the officer reads their own township's entries, filtered and
with ID numbers masked."""
import re
from datetime import date, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import AuditLog, School, Student, User, mask_id
from tests import TODAY
from tests import factories as f

ROW = re.compile(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>\s*<td>(.*?)</td>",
                 re.S)


def student_form(world, number, **overrides):
    data = {"school_id": world.a1.id, "class_id": world.class_a1.id, "grade": 0,
            "name": "陈小红", "id_number": number, "sex": "女", "birth_date": "2017-03-08",
            "ethnicity": "汉族", "student_no": "", "placement": "in_school", "village": "甲一村",
            "village_group": "三组", "address": "", "notes": "", "guardians-0-name": "陈大海",
            "guardians-0-relation": "父亲", "guardians-0-phone": "13912345678",
            "guardians-1-name": "", "guardians-1-relation": "", "guardians-1-phone": "",
            "left_behind": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def entries(**by):
    db.session.expire_all()
    return db.session.scalars(db.select(AuditLog).filter_by(**by).order_by(AuditLog.id)).all()


def rows(page):
    """(user, action label, object, summary) of each entry the audit page lists."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [(user, action, obj, summary) for _, user, action, obj, summary in ROW.findall(body)]


@pytest.fixture
def created(world, login):
    """An officer registers 陈小红 through the form; returns (client, student id, ID number)."""
    client = login("officer")
    number = f.id_number(date(2017, 3, 8), "女")
    response = client.post("/students/new", data=student_form(world, number))
    assert response.status_code == 303
    student = db.session.scalar(db.select(Student).filter_by(name="陈小红"))
    return client, student.id, number


def test_creating_a_student_is_logged_with_its_fields(world, created):
    _, student_id, number = created
    officer = world.users["central_officer"]
    [entry] = entries(action="create", table_name="students", username="officer")
    assert (entry.user_id, entry.school_id, entry.summary) == (officer.id, world.a1.id, "陈小红")
    assert entry.before is None
    after = entry.after
    assert after["id"] == student_id
    assert (after["name"], after["id_number"], after["sex"], after["birth_date"]) == (
        "陈小红", number, "女", "2017-03-08")
    assert (after["school_id"], after["class_id"], after["grade"]) == (
        world.a1.id, world.class_a1.id, 3)
    assert after["left_behind"] is True and after["village_group"] == "三组"
    assert not {"version", "created_at", "updated_at", "name_pinyin"} & set(after)
    # The guardian and the first status change are logged with the same school.
    [guardian] = entries(action="create", table_name="guardians", username="officer")
    assert guardian.after["name"] == "陈大海" and guardian.school_id == world.a1.id
    [change] = entries(action="create", table_name="status_changes", username="officer")
    assert change.after["to_status"] == "enrolled" and change.school_id == world.a1.id


def test_create_entries_name_the_new_row(world, created):
    client, student_id, _ = created
    [entry] = entries(action="create", table_name="students", username="officer")
    assert entry.row_id == student_id
    listed = rows(client.get("/township/audit?action=create&table=students&user=officer").text)
    assert listed == [("officer", "新增", f"学生 #{student_id}", "陈小红")]


def test_updating_a_student_logs_only_the_changed_fields(world, created):
    client, student_id, number = created
    response = client.post(f"/students/{student_id}/edit", data=student_form(
        world, number, name="陈晓红", village="甲二村", version="1"))
    assert response.status_code == 303
    [entry] = entries(action="update", table_name="students")
    assert (entry.row_id, entry.username, entry.school_id) == (student_id, "officer", world.a1.id)
    assert entry.before == {"name": "陈小红", "village": "甲一村"}
    assert entry.after == {"name": "陈晓红", "village": "甲二村"}
    assert entries(action="update", table_name="guardians") == []  # unchanged


def test_a_stale_edit_writes_nothing_and_logs_nothing(world, created):
    client, student_id, number = created
    response = client.post(f"/students/{student_id}/edit", data=student_form(
        world, number, name="陈晓红", version="0"))
    assert response.status_code == 422 and "已被其他人修改" in response.text
    assert entries(action="update") == []
    assert db.session.get(Student, student_id).name == "陈小红"


def test_deleting_a_student_keeps_its_last_content_in_the_log(world, created):
    client, student_id, number = created
    response = client.delete(f"/students/{student_id}")
    assert response.status_code == 303
    assert db.session.get(Student, student_id) is None
    [entry] = entries(action="delete", table_name="students")
    assert (entry.row_id, entry.username, entry.school_id) == (student_id, "officer", world.a1.id)
    assert entry.after is None
    assert (entry.before["name"], entry.before["id_number"], entry.before["village"]) == (
        "陈小红", number, "甲一村")
    # Its guardian and history go with it, each logged, still under the child's school.
    deleted = {e.table_name: e for e in entries(action="delete")}
    assert set(deleted) == {"students", "guardians", "status_changes"}
    assert deleted["guardians"].before["name"] == "陈大海"
    assert deleted["guardians"].school_id == world.a1.id


def test_password_hashes_never_reach_the_log(world, login):
    client = login("officer")
    teacher = world.users["teacher"]
    old_hash = teacher.password_hash
    assert client.post(f"/township/users/{teacher.id}/password",
                       data={"password": "brandnew99"}).status_code == 303
    [entry] = entries(action="update", table_name="users", row_id=teacher.id)
    assert entry.before == {"password_hash": "******"}
    assert entry.after == {"password_hash": "******"}
    new_hash = db.session.get(User, teacher.id).password_hash
    # A new user's entry, and a user's own password change, mask it too.
    client.post("/township/users/new", data={
        "username": "qian", "name": "钱老师", "role": "teacher", "school_id": world.a1.id,
        "active": "y", "password": "newpass123"})
    [created] = entries(action="create", table_name="users", username="officer")
    assert created.after["password_hash"] == "******" and created.after["username"] == "qian"
    own = login("head").post("/password", data={"current": f.PASSWORD, "new": "headpass99",
                                                "confirm": "headpass99"})
    assert own.status_code == 303
    head_entry = entries(action="update", table_name="users", username="head")[-1]
    assert head_entry.after == {"password_hash": "******"}
    everything = repr([(e.before, e.after, e.summary) for e in entries()])
    for secret in (old_hash, new_hash, db.session.get(User, head_entry.row_id).password_hash,
                   "brandnew99", "newpass123", "headpass99"):
        assert secret not in everything


def test_a_rolled_back_write_leaves_no_entry(world):
    logged = len(entries())
    db.session.add(School(name="丙村小", kind="village", parent=world.central_a))
    db.session.flush()  # the entry is written in the same transaction ...
    assert db.session.scalar(db.select(AuditLog).filter_by(summary="丙村小")) is not None
    db.session.add(School(name="甲一村小", kind="village", parent=world.central_a))  # duplicate
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()  # ... so it goes with the failed write
    assert db.session.scalar(db.select(School).filter_by(name="丙村小")) is None
    assert entries(summary="丙村小") == []
    assert len(entries()) == logged


def test_audit_page_lists_entries_and_masks_id_numbers(world, created):
    client, student_id, number = created
    client.post(f"/students/{student_id}/edit", data=student_form(
        world, number, id_number=(new := f.id_number(date(2017, 3, 8), "女")), version="1"))
    page = client.get("/township/audit")
    assert page.status_code == 200
    listed = rows(page.text)
    assert ("officer", "新增", f"学生 #{student_id}", "陈小红") in listed
    assert ("officer", "修改", f"学生 #{student_id}", "陈小红") in listed
    assert ("officer", "登录", "", f"{world.users['central_officer'].name} 登录（127.0.0.1）") in listed
    assert number not in page.text and new not in page.text
    assert mask_id(number) in page.text and mask_id(new) in page.text
    assert "身份证号" in page.text  # the field's label, not its column name


def test_audit_page_filters(world, created, login):
    client, student_id, _ = created
    login("head")  # a sign-in in township A
    old = AuditLog(at=datetime(2020, 3, 5, 10, 0), username="officer", action="update",
                   table_name="schools", row_id=world.a1.id, school_id=world.a1.id,
                   summary="旧的修改")
    db.session.add(old)
    db.session.commit()

    def summaries(query):
        return {summary for *_, summary in rows(client.get(f"/township/audit?{query}").text)}

    creates = rows(client.get("/township/audit?action=create").text)
    assert creates and {action for _, action, _, _ in creates} == {"新增"}
    guardians = rows(client.get("/township/audit?table=guardians").text)
    assert guardians and {obj.split(" #")[0] for _, _, obj, _ in guardians} == {"监护人"}
    assert summaries("table=guardians&user=officer") == {"陈大海（父亲）"}
    by_head = rows(client.get("/township/audit?user=head").text)
    assert by_head and {user for user, *_ in by_head} == {"head"}
    assert summaries("action=login&user=head") == {f"{world.users['village_head'].name} 登录（127.0.0.1）"}
    assert summaries("to=2020-12-31") == {"旧的修改"}
    assert summaries("from=2020-03-05&to=2020-03-05") == {"旧的修改"}
    today = TODAY.isoformat()
    recent = summaries(f"from={today}")
    assert "陈小红" in recent and "旧的修改" not in recent
    assert summaries("from=2020-03-06&to=2020-03-07") == set()
    assert "没有符合条件的记录。" in client.get("/township/audit?from=2020-03-06&to=2020-03-07").text
    assert summaries("from=not-a-date&table=schools&action=update") == {"旧的修改"}  # a bad date is ignored


def test_officer_does_not_see_another_townships_entries(world, login):
    f.user("central_officer", world.central_b, "officer_b")
    db.session.commit()
    login("head_b")
    login("officer_b").delete(f"/students/{world.s_b1.id}")
    assert entries(action="delete", table_name="students")[0].school_id == world.b1.id
    page = login("officer").get("/township/audit").text
    listed = rows(page)
    assert ("officer", "登录", "", f"{world.users['central_officer'].name} 登录（127.0.0.1）") in listed
    assert {user for user, *_ in listed} == {"officer", "system"}  # system: the World's set-up
    summaries = {summary for *_, summary in listed}
    assert "甲一村小" in summaries and "张三" in summaries
    for theirs in ("赵六", "乙一村小", "乙镇中心学校", "head_b", "officer_b"):
        assert theirs not in page
    b_page = login("officer_b").get("/township/audit").text
    assert "赵六" in b_page and "head_b" in b_page


def test_sign_ins_and_failed_sign_ins_are_logged(world, client, login):
    login("teacher")
    [entry] = entries(action="login")
    teacher = world.users["teacher"]
    assert (entry.user_id, entry.username, entry.school_id) == (teacher.id, "teacher", world.a1.id)
    assert client.post("/login", data={"username": "teacher", "password": "wrong-one"}
                       ).status_code == 422
    [failed] = entries(action="login_failed")
    assert (failed.username, failed.school_id) == ("teacher", world.a1.id)
    assert client.post("/login", data={"username": "nobody", "password": "wrong-one"}
                       ).status_code == 422
    # an unknown name is logged without it (it may be a password typed in the wrong box)
    unknown = entries(action="login_failed")[1]
    assert (unknown.username, unknown.user_id, unknown.school_id) == ("", None, None)
    page = login("officer").get("/township/audit?action=login_failed").text
    assert ("teacher", "登录失败", "", "teacher 登录失败（127.0.0.1）") in rows(page)
    assert ("", "登录失败", "", "（未知用户名） 登录失败（127.0.0.1）") in rows(page)
    assert "nobody" not in page


def test_a_guardian_removed_in_the_form_is_logged_as_deleted(world, created):
    client, student_id, number = created
    response = client.post(f"/students/{student_id}/edit", data=student_form(
        world, number, version="1", **{"guardians-0-name": "", "guardians-0-relation": "",
                                       "guardians-0-phone": ""}))
    assert response.status_code == 303
    assert db.session.get(Student, student_id).guardians == []
    [entry] = entries(action="delete", table_name="guardians")
    assert entry.before["name"] == "陈大海" and entry.username == "officer"
    assert entry.school_id == world.a1.id


def test_a_cleared_responsibility_line_is_logged_as_deleted(world, login):
    from models import Responsibility
    world.s_a1.assign("leader", world.users["central_leader"])
    db.session.commit()
    world.s_a1.assign("leader", None)  # what the 包保 form does for 无
    db.session.commit()
    assert db.session.scalar(db.select(Responsibility)) is None
    [entry] = entries(action="delete", table_name="responsibilities")
    assert entry.before["kind"] == "leader" and entry.school_id == world.a1.id


def test_reading_a_full_id_number_is_logged_once_a_day_per_child_and_user(world, login):
    """Issue 16 (6): viewing a child's page, form or 学生信息表 with the full number shown, or
    finding a child by their whole ID number or 学籍号, is recorded (个人信息保护法 Art. 28);
    one entry per child, user and day. Masked views and partial searches are not reads of the
    number. The officer filters the log by them."""
    child, other = world.s_a1, world.s_a1_other
    head, teacher, officer = login("head"), login("teacher"), login("officer")
    for _ in range(2):
        assert head.get(f"/students/{child.id}").status_code == 200
    assert head.get(f"/students/{child.id}/edit").status_code == 200
    assert head.get(f"/students/{child.id}/sheet").status_code == 200
    [read] = entries(action="read_id")
    assert (read.username, read.row_id, read.school_id, read.table_name) == (
        "head", child.id, world.a1.id, "students")
    assert read.summary == f"查看 {child.name} 的完整身份证号（学生信息页）"
    assert child.id_number not in (read.summary + str(read.after))

    assert teacher.get(f"/students/{child.id}").status_code == 200  # shown masked: no read
    assert len(entries(action="read_id")) == 1
    # a search by the whole number is a read, by the teacher too (the number is confirmed)
    assert child.name in teacher.get(f"/students/?q={child.id_number}").text
    assert child.name in officer.get(f"/students/?q={child.id_number.lower()}",
                                     headers={"HX-Request": "true",
                                              "HX-Target": "student-results"}).text
    officer.get(f"/students/?q={other.id_number[:10]}")  # part of a number: not a read
    officer.get(f"/students/?q={other.id_number[-4:]}")
    reads = {(e.username, e.row_id, e.after["how"]) for e in entries(action="read_id")}
    assert reads == {("head", child.id, "学生信息页"), ("teacher", child.id, "按完整号码查找"),
                     ("officer", child.id, "按完整号码查找")}

    # the next day, the same page is a read again
    for entry in entries(action="read_id"):
        entry.at = datetime(2020, 1, 1)
    db.session.commit()
    head.get(f"/students/{child.id}")
    assert len(entries(action="read_id", username="head")) == 2

    page = officer.get("/township/audit?action=read_id")
    assert '<option value="read_id" selected>查看完整身份证号</option>' in page.text
    listed = rows(page.text)
    assert listed and {action for _, action, _, _ in listed} == {"查看完整身份证号"}
    assert ("head", "查看完整身份证号", f"学生 #{child.id}",
            f"查看 {child.name} 的完整身份证号（学生信息页）") in listed
    assert child.id_number not in page.text


def test_the_log_speaks_chinese_tables_fields_and_values(app, world, login):
    """Issue 17 (8): the page showed `work_summaries #1`, `students_start`, `None`, `False`.
    Every audited table and column has a Chinese label; values read 是/否/（空）, codes by
    their labels; a summary's figures by their own labels."""
    import audit
    from models import WorkSummary
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        if model in audit.UNAUDITED:
            continue
        assert model.__tablename__ in audit.TABLE_LABELS, model.__tablename__
        for column in mapper.column_attrs:
            if column.key not in audit.QUIET | {"id"}:
                assert column.key in audit.FIELD_LABELS, (model.__tablename__, column.key)
    child = world.s_a1
    child.left_behind, child.address, child.placement = not child.left_behind, "", "inclusive"
    db.session.add(WorkSummary(central_id=world.central_a.id, school_id=world.a1.id,
                               school_year=2025, semester=1, title="工作总结",
                               sections=[["一、工作概述", "正文"]],
                               figures={"students_start": 120, "dropout_rate": 0.0}))
    db.session.commit()
    page = login("officer").get("/township/audit").text
    body = page.split("<tbody>", 1)[1]
    for english in ("work_summaries", "students_start", "None", "False", "True", "left_behind",
                    "inclusive", "in_school"):
        assert english not in body, english
    assert "工作总结 #" in body and "学年初在读（人）：120" in body and "留守" in body
    assert "在校就读" in body and "随班就读" in body  # codes by their labels
    assert "是" in body or "否" in body
