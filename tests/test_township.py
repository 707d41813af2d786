"""The central officer's set-up pages: schools, terms, classes, users and password resets, each
through its real HTTP endpoint, and the township boundary around all of them."""
from datetime import date

import pytest

from extensions import db
from models import ClassGroup, School, Term, User, UserSession, school_year_of
from tests import TODAY
from tests import factories as f

THIS_YEAR = school_year_of(TODAY)


def school_data(**overrides):
    data = {"name": "丙村小", "kind": "village", "code": "", "village": "丙村",
            "address": "丙村一组", "active": "y"}
    data.update(overrides)
    return data


def term_data(**overrides):
    # 2025-09-01 is a Monday: two full weeks, ten weekdays.
    data = {"school_year": "2025", "semester": "1", "start_date": "2025-09-01",
            "end_date": "2025-09-14", "holidays": ""}
    data.update(overrides)
    return data


def class_data(world, **overrides):
    data = {"school_id": world.a1.id, "school_year": str(THIS_YEAR), "grade": "5", "name": "2班",
            "head_teacher_id": str(world.users["teacher"].id)}
    data.update(overrides)
    return data


def user_data(world, **overrides):
    data = {"username": "qian", "name": "钱老师", "phone": "13800002222", "role": "teacher",
            "school_id": world.a1.id, "active": "y", "password": "newpass123"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def fresh(model, **by):
    db.session.expire_all()
    return db.session.scalar(db.select(model).filter_by(**by))


# Schools

def test_officer_adds_a_village_school_to_their_township(world, login):
    client = login("officer")
    assert "添加村小或教学点" in client.get("/township/schools/new").text
    response = client.post("/township/schools/new", data=school_data(code="5224230099"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/township/schools"
    school = fresh(School, name="丙村小")
    assert (school.kind, school.parent_id, school.code, school.village) == (
        "village", world.central_a.id, "5224230099", "丙村")
    assert school.active and school.township_id == world.central_a.id
    listing = client.get("/township/schools").text
    assert "已保存学校：丙村小。" in listing and "丙村一组" in listing


@pytest.mark.parametrize("name", ["甲二教学点", " 甲二教学点 ", "乙一村小"])
def test_duplicate_school_name_is_refused(world, login, name):
    response = login("officer").post("/township/schools/new", data=school_data(name=name))
    assert response.status_code == 422
    assert "已有同名学校。" in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(School)) == 5


@pytest.mark.parametrize("code", ["12345", "52242300991", "52242300ab"])
def test_school_code_must_be_ten_digits(world, login, code):
    response = login("officer").post("/township/schools/new", data=school_data(code=code))
    assert response.status_code == 422
    assert "学校标识码是 10 位数字。" in response.text
    assert f'value="{code}"' in response.text  # what the user typed is kept
    assert fresh(School, name="丙村小") is None


def test_school_code_used_by_another_school_is_refused(world, login):
    world.a2.code = "5224230001"
    db.session.commit()
    response = login("officer").post("/township/schools/new", data=school_data(code="5224230001"))
    assert response.status_code == 422
    assert "这个学校标识码已被其他学校使用。" in response.text


def test_school_name_is_stored_trimmed_and_stays_unique(world, login):
    client = login("officer")
    assert client.post("/township/schools/new",
                       data=school_data(name="  丙村小  ")).status_code == 303
    assert fresh(School, name="丙村小") is not None
    again = client.post("/township/schools/new", data=school_data(name="丙村小"))
    assert again.status_code == 422 and "已有同名学校。" in again.text


def test_officer_edits_a_school_keeping_its_name(world, login):
    client = login("officer")
    form = client.get(f"/township/schools/{world.a1.id}/edit").text
    assert "修改学校：甲一村小" in form and 'value="甲一村小"' in form
    response = client.post(f"/township/schools/{world.a1.id}/edit", data=school_data(
        name="甲一村小", kind="village", code="5224230011", village="甲一新村", address="新址"))
    assert response.status_code == 303
    school = fresh(School, id=world.a1.id)
    assert (school.name, school.code, school.village, school.address) == (
        "甲一村小", "5224230011", "甲一新村", "新址")
    assert school.parent_id == world.central_a.id


def test_central_school_stays_central(world, login):
    client = login("officer")
    response = client.post(f"/township/schools/{world.central_a.id}/edit",
                           data=school_data(name="甲镇中心学校", kind="village"))
    assert response.status_code == 422
    assert fresh(School, id=world.central_a.id).kind == "central"
    ok = client.post(f"/township/schools/{world.central_a.id}/edit",
                     data=school_data(name="甲镇中心学校", kind="central", village="甲镇"))
    assert ok.status_code == 303
    school = fresh(School, id=world.central_a.id)
    assert (school.kind, school.parent_id, school.village) == ("central", None, "甲镇")


def test_the_central_school_keeps_the_townships_letterhead(world, login):
    """The government's name, the county bureau, the 文号 and the 监督电话 that papers print: set
    on the central school only; empty, they are read from the names."""
    client = login("officer")
    assert 'name="hotline"' not in client.get(f"/township/schools/{world.a1.id}/edit").text
    assert 'name="hotline"' in client.get(f"/township/schools/{world.central_a.id}/edit").text
    assert world.a1.government_name == "甲镇人民政府" and world.a1.bureau_name == "县教育局"
    ok = client.post(f"/township/schools/{world.central_a.id}/edit", data=school_data(
        name="甲镇中心学校", kind="central", address="贵州省黔东南苗族侗族自治州凯里市甲镇",
        hotline="0855-8221234", doc_prefix="甲府教"))
    assert ok.status_code == 303
    village = fresh(School, id=world.a1.id)
    assert village.township.hotline == "0855-8221234" and village.township.doc_prefix == "甲府教"
    assert (village.bureau_name, village.county_government) == ("凯里市教育局", "凯里市人民政府")
    client.post(f"/township/schools/{world.central_a.id}/edit", data=school_data(
        name="甲镇中心学校", kind="central", government="甲镇政府", bureau="凯里市教育和科技局"))
    village = fresh(School, id=world.a1.id)
    assert (village.government_name, village.bureau_name) == ("甲镇政府", "凯里市教育和科技局")
    assert village.county_government == "凯里市人民政府"


# Terms

def test_officer_adds_a_term_and_school_days_skip_weekends_and_holidays(world, login):
    client = login("officer")
    holidays = "2025-09-03 开学典礼\n2025-09-06 周六补课日\n\n2025-09-10~2025-09-11 教师节"
    response = client.post("/township/terms/new", data=term_data(holidays=holidays))
    assert response.status_code == 303 and response.headers["Location"] == "/township/terms"
    term = fresh(Term, central_id=world.central_a.id)
    assert (term.school_year, term.semester, term.start_date, term.end_date) == (
        2025, 1, date(2025, 9, 1), date(2025, 9, 14))
    assert term.name == "2025–2026学年第一学期"
    days = term.school_days()
    assert len(days) == 7
    assert all(d.weekday() < 5 for d in days)
    assert {date(2025, 9, 3), date(2025, 9, 10), date(2025, 9, 11)}.isdisjoint(days)
    assert date(2025, 9, 12) in days and date(2025, 9, 1) in days
    page = client.get("/township/terms").text
    assert "已保存2025–2026学年第一学期，共 7 个上课日。" in page and "教师节" in page


@pytest.mark.parametrize("end", ["2025-08-31", "2025-09-01"])
def test_term_must_end_after_it_starts(world, login, end):
    response = login("officer").post("/township/terms/new", data=term_data(end_date=end))
    assert response.status_code == 422
    assert "结束日期应晚于开学日期。" in response.text
    assert fresh(Term, central_id=world.central_a.id) is None


@pytest.mark.parametrize("holidays, line", [
    ("2025-10-01 国庆节\n国庆 2025-10-02", "第 2 行“国庆 2025-10-02”格式不对"),
    ("2025-10-08~2025-10-01", "第 1 行“2025-10-08~2025-10-01”格式不对"),
    ("2025-02-30", "第 1 行“2025-02-30”格式不对"),
])
def test_bad_holiday_line_is_named(world, login, holidays, line):
    response = login("officer").post("/township/terms/new", data=term_data(holidays=holidays))
    assert response.status_code == 422
    assert line in response.text and "请写成 2025-10-01" in response.text
    assert fresh(Term, central_id=world.central_a.id) is None


def test_a_term_is_set_once_per_township(world, login):
    client = login("officer")
    assert client.post("/township/terms/new", data=term_data()).status_code == 303
    again = client.post("/township/terms/new", data=term_data(start_date="2025-09-02"))
    assert again.status_code == 422 and "这个学期已经设置过了。" in again.text
    assert client.post("/township/terms/new", data=term_data(semester="2", start_date="2026-02-23",
                                                             end_date="2026-07-03")).status_code == 303
    # Township B sets its own first term of the same year.
    f.user("central_officer", world.central_b, "officer_b")
    db.session.commit()
    assert login("officer_b").post("/township/terms/new", data=term_data()).status_code == 303
    assert db.session.scalar(db.select(db.func.count()).select_from(Term)) == 3


def test_editing_a_term_keeps_its_own_semester(world, login):
    client = login("officer")
    client.post("/township/terms/new", data=term_data())
    term_id = fresh(Term, central_id=world.central_a.id).id
    response = client.post(f"/township/terms/{term_id}/edit",
                           data=term_data(end_date="2025-09-30", holidays="2025-09-29"))
    assert response.status_code == 303
    term = fresh(Term, id=term_id)
    assert term.end_date == date(2025, 9, 30) and len(term.school_days()) == 21


# Classes

def test_officer_adds_a_class_with_a_head_teacher(world, login):
    client = login("officer")
    form = client.get("/township/classes/new").text
    assert f"{world.users['central_officer'].name}（甲镇中心学校）" in form
    assert f"{world.head_b.name}（乙一村小）" not in form
    response = client.post("/township/classes/new", data=class_data(world, name=" 2班 "))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/township/classes?year={THIS_YEAR}"
    klass = fresh(ClassGroup, school_id=world.a1.id, grade=5)
    assert (klass.name, klass.school_year, klass.head_teacher_id) == (
        "2班", THIS_YEAR, world.users["teacher"].id)
    page = client.get(f"/township/classes?year={THIS_YEAR}").text
    assert "已保存班级：甲一村小 五年级2班。" in page


def test_duplicate_class_is_refused(world, login):
    response = login("officer").post("/township/classes/new", data=class_data(
        world, grade="3", name=" 1班"))  # world.class_a1 is 三年级1班 of 甲一村小 this year
    assert response.status_code == 422
    assert "这个学校本学年已有同名班级。" in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(ClassGroup)) == 4


def test_officer_edits_a_class_and_clears_its_head_teacher(world, login):
    client = login("officer")
    form = client.get(f"/township/classes/{world.class_a1.id}/edit").text
    assert "修改班级：甲一村小 三年级1班" in form
    response = client.post(f"/township/classes/{world.class_a1.id}/edit", data=class_data(
        world, grade="3", name="1班", head_teacher_id="0"))
    assert response.status_code == 303
    klass = fresh(ClassGroup, id=world.class_a1.id)
    assert (klass.grade, klass.name, klass.head_teacher_id) == (3, "1班", None)
    # Renaming onto another class of the same school and year is the duplicate message.
    clash = client.post(f"/township/classes/{world.other_class_a1.id}/edit",
                        data=class_data(world, grade="3", name="1班"))
    assert clash.status_code == 422 and "这个学校本学年已有同名班级。" in clash.text


def test_village_head_manages_only_their_own_schools_classes(world, login):
    client = login("head")
    listing = client.get(f"/township/classes?year={THIS_YEAR}").text
    assert "甲一村小" in listing and "甲二教学点" not in listing and "乙一村小" not in listing
    assert client.get(f"/township/classes/{world.class_a1.id}/edit").status_code == 200
    assert client.get(f"/township/classes/{world.class_a2.id}/edit").status_code == 404
    assert client.get(f"/township/classes/{world.class_b1.id}/edit").status_code == 404
    stolen = client.post(f"/township/classes/{world.class_b1.id}/edit",
                         data=class_data(world, school_id=world.b1.id, grade="3", name="改名"))
    assert stolen.status_code == 404
    assert fresh(ClassGroup, id=world.class_b1.id).name == "1班"
    elsewhere = client.post("/township/classes/new", data=class_data(world, school_id=world.a2.id))
    assert elsewhere.status_code == 422
    assert fresh(ClassGroup, school_id=world.a2.id, grade=5) is None
    own = client.post("/township/classes/new", data=class_data(world))
    assert own.status_code == 303
    assert fresh(ClassGroup, school_id=world.a1.id, grade=5).head_teacher_id == \
        world.users["teacher"].id


def test_village_head_picks_head_teachers_of_their_own_school_only(world, login):
    client = login("head")
    form = client.get("/township/classes/new").text
    assert f"{world.users['teacher'].name}（甲一村小）" in form
    assert f"{world.users['central_officer'].name}（甲镇中心学校）" not in form
    response = client.post("/township/classes/new", data=class_data(
        world, head_teacher_id=str(world.users["central_officer"].id)))
    assert response.status_code == 422
    assert fresh(ClassGroup, school_id=world.a1.id, grade=5) is None


@pytest.mark.parametrize("username", ["teacher", "inspector", "leader"])
def test_other_roles_cannot_manage_classes(world, login, username):
    assert login(username).get("/township/classes").status_code == 403


# Users

def test_officer_adds_a_user_who_can_then_sign_in(world, login, client):
    response = login("officer").post("/township/users/new", data=user_data(world))
    assert response.status_code == 303 and response.headers["Location"] == "/township/users"
    user = fresh(User, username="qian")
    assert (user.name, user.role, user.school_id, user.phone, user.active) == (
        "钱老师", "teacher", world.a1.id, "13800002222", True)
    assert user.password_hash != "newpass123"
    signed_in = client.post("/login", data={"username": "qian", "password": "newpass123"})
    assert signed_in.status_code == 303
    assert client.get("/").status_code == 200


def test_new_user_needs_a_long_enough_password(world, login):
    response = login("officer").post("/township/users/new", data=user_data(world, password="short"))
    assert response.status_code == 422 and "密码至少 8 位。" in response.text
    assert fresh(User, username="qian") is None


@pytest.mark.parametrize("role, label", [("central_officer", "中心校管理员"),
                                         ("central_leader", "中心校领导"),
                                         ("inspector", "督导查看")])
def test_central_roles_belong_to_the_central_school(world, login, role, label):
    response = login("officer").post("/township/users/new", data=user_data(world, role=role))
    assert response.status_code == 422
    assert f"“{label}”的账号应属于中心学校。" in response.text
    assert fresh(User, username="qian") is None


def test_username_taken_is_refused(world, login):
    client = login("officer")
    taken = client.post("/township/users/new", data=user_data(world, username="teacher"))
    assert taken.status_code == 422 and "这个用户名已被使用，请换一个。" in taken.text
    # Even when the holder is in another township (usernames are global).
    other = client.post("/township/users/new", data=user_data(world, username="head_b"))
    assert other.status_code == 422 and "这个用户名已被使用，请换一个。" in other.text
    assert fresh(User, username="qian") is None


def test_officer_edits_a_user_keeping_the_username(world, login):
    teacher = world.users["teacher"]
    response = login("officer").post(f"/township/users/{teacher.id}/edit", data=user_data(
        world, username="teacher", name="吴老师", password=None, active=None))
    assert response.status_code == 303
    user = fresh(User, id=teacher.id)
    assert (user.username, user.name, user.active) == ("teacher", "吴老师", False)
    assert user.check_password(f.PASSWORD)  # editing does not touch the password


def test_a_teacher_moved_to_another_school_leaves_the_old_ones_class(world, login):
    """A reviewer moved a 班主任 to another school and the teacher still read and marked the
    old school's class: the move ends the headship and the 包生 lines there."""
    from models import ClassGroup, Responsibility
    teacher = world.users["teacher"]
    db.session.add(Responsibility(student_id=world.s_a1_other.id, kind="teacher",
                                  user_id=teacher.id))
    db.session.commit()
    assert login("teacher").get(f"/students/{world.s_a1.id}").status_code == 200
    assert login("officer").post(f"/township/users/{teacher.id}/edit", data=user_data(
        world, username="teacher", name=teacher.name, password=None,
        school_id=world.a2.id)).status_code == 303
    assert fresh(ClassGroup, id=world.class_a1.id).head_teacher_id is None
    assert db.session.scalar(db.select(Responsibility)) is None
    moved = login("teacher")
    for url in (f"/students/{world.s_a1.id}", f"/students/{world.s_a1_other.id}",
                f"/attendance/classes/{world.class_a1.id}"):
        assert moved.get(url).status_code == 404, url


@pytest.mark.parametrize("change", [{"active": None}, {"role": "teacher"}])
def test_officer_cannot_deactivate_or_demote_themself(world, login, change):
    officer = world.users["central_officer"]
    data = user_data(world, username="officer", name=officer.name, role="central_officer",
                     school_id=world.central_a.id, password=None)
    data.update(change)
    response = login("officer").post(f"/township/users/{officer.id}/edit",
                                     data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 422
    assert "不能停用自己的账号或去掉自己的管理员角色。" in response.text
    user = fresh(User, id=officer.id)
    assert user.active and user.role == "central_officer"


def test_reset_password_signs_the_user_out_everywhere(world, login):
    teacher_id = world.users["teacher"].id
    teachers_browser = login("teacher")
    assert teachers_browser.get("/").status_code == 200
    assert db.session.query(UserSession).filter_by(user_id=teacher_id).count() == 1
    response = login("officer").post(f"/township/users/{teacher_id}/password",
                                     data={"password": "brandnew99"})
    assert response.status_code == 303 and response.headers["Location"] == "/township/users"
    user = fresh(User, id=teacher_id)
    assert user.sessions == []  # every sign-in of the teacher ended on the server
    assert user.check_password("brandnew99") and not user.check_password(f.PASSWORD)
    signed_out = teachers_browser.get("/")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    assert login("teacher", "brandnew99").get("/").status_code == 200


def test_reset_password_too_short_is_refused(world, login):
    teacher_id = world.users["teacher"].id
    response = login("officer").post(f"/township/users/{teacher_id}/password",
                                     data={"password": "short"})
    assert response.status_code == 422
    assert "密码至少 8 位。" in response.text and "重置密码" in response.text
    assert fresh(User, id=teacher_id).check_password(f.PASSWORD)


@pytest.mark.parametrize("username", ["leader", "head", "teacher", "inspector"])
def test_only_the_officer_manages_schools_terms_and_users(world, login, username):
    client = login(username)
    for url in ("/township/schools", "/township/terms", "/township/users", "/township/audit"):
        assert client.get(url).status_code == 403, url
    assert client.post("/township/schools/new", data=school_data()).status_code == 403
    assert fresh(School, name="丙村小") is None


# Township boundary

def test_officer_cannot_see_or_edit_another_township(world, login):
    term_b = Term(central_id=world.central_b.id, school_year=2025, semester=1,
                  start_date=date(2025, 9, 1), end_date=date(2026, 1, 20))
    db.session.add(term_b)
    db.session.commit()
    client = login("officer")
    for url in (f"/township/schools/{world.b1.id}/edit",
                f"/township/schools/{world.central_b.id}/edit",
                f"/township/users/{world.head_b.id}/edit",
                f"/township/terms/{term_b.id}/edit",
                f"/township/classes/{world.class_b1.id}/edit"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/township/schools/{world.b1.id}/edit",
                       data=school_data(name="被改名")).status_code == 404
    assert client.post(f"/township/users/{world.head_b.id}/edit", data=user_data(
        world, username="head_b", password=None, active=None)).status_code == 404
    assert client.post(f"/township/users/{world.head_b.id}/password",
                       data={"password": "takeover1"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(School, world.b1.id).name == "乙一村小"
    head_b = db.session.get(User, world.head_b.id)
    assert head_b.active and head_b.check_password(f.PASSWORD)

    schools = client.get("/township/schools").text
    assert "甲一村小" in schools and "乙一村小" not in schools and "乙镇中心学校" not in schools
    users = client.get("/township/users").text
    assert "head" in users and "head_b" not in users and "county" not in users
    assert "2025–2026学年" not in client.get("/township/terms").text


def test_officer_cannot_place_users_or_classes_in_another_township(world, login):
    client = login("officer")
    user = client.post("/township/users/new", data=user_data(world, school_id=world.b1.id))
    assert user.status_code == 422 and fresh(User, username="qian") is None
    klass = client.post("/township/classes/new", data=class_data(world, school_id=world.b1.id))
    assert klass.status_code == 422
    assert fresh(ClassGroup, school_id=world.b1.id, grade=5) is None
    form = client.get("/township/users/new").text
    assert "甲二教学点" in form and "乙一村小" not in form
