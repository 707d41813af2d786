"""The student register: search, filters, fragments, add/edit with inline ID checks, status
history, masking, delete."""
from datetime import date

import pytest

import forms

from extensions import db
from models import AuditLog, StatusChange, Student
from tests import TODAY
from tests import factories as f

HX_RESULTS = {"HX-Request": "true", "HX-Target": "student-results"}


def _form(world, **overrides):
    data = {"school_id": world.a1.id, "class_id": world.class_a1.id, "grade": 0, "name": "陈小红",
            "id_number": f.id_number(date(2017, 3, 8), "女"), "sex": "女",
            "birth_date": "2017-03-08", "ethnicity": "汉族", "student_no": "",
            "placement": "in_school", "village": "甲一村", "village_group": "三组",
            "address": "", "notes": "", "guardians-0-name": "陈大海",
            "guardians-0-relation": "父亲", "guardians-0-phone": "13912345678",
            "guardians-0-works_away": "y", "guardians-1-name": "", "guardians-1-relation": "",
            "guardians-1-phone": "", "left_behind": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def names(world):
    for name in ("张小山", "曾明", "李思思"):
        f.student(world.a1, world.class_a1, name=name)
    db.session.commit()


@pytest.mark.parametrize("q, found, absent", [
    ("zs", ["张三"], ["李四", "张小山"]),
    ("zxs", ["张小山"], ["张三"]),
    ("zhang", ["张三", "张小山"], ["李四"]),
    ("zm", ["曾明"], ["张三"]),          # 曾 as a surname reads zeng
    ("思", ["李思思"], ["李四"]),
    ("ZS", ["张三"], ["李四"]),
])
def test_search_by_name_and_pinyin_initials(world, names, login, q, found, absent):
    text = login("head").get(f"/students/?q={q}", headers=HX_RESULTS).text
    for name in found:
        assert name in text
    for name in absent:
        assert f">{name}<" not in text


def test_search_by_id_number_and_student_no(world, login):
    world.s_a1.student_no = "G" + world.s_a1.id_number
    db.session.commit()
    client = login("head")
    assert "张三" in client.get(f"/students/?q={world.s_a1.id_number[-6:]}").text
    assert "张三" in client.get(f"/students/?q=g{world.s_a1.id_number[:10]}").text
    assert ">张三<" not in client.get("/students/?q=000000000000", headers=HX_RESULTS).text
    wide = world.s_a1.id_number.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    assert "张三" in client.get(f"/students/?q={wide}").text  # as a Chinese IME types digits


def test_results_are_a_fragment_only_when_targeted(world, login):
    client = login("head")
    fragment = client.get("/students/?q=zs", headers=HX_RESULTS)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "张三" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    boosted = client.get("/students/?q=zs", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text and 'value="zs"' in boosted.text
    restore = client.get("/students/", headers={"HX-Request": "true",
                                                "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_filters_status_flag_grade_and_url_kept_in_pager(make_app):
    app = make_app(PAGE_SIZE=2)
    with app.app_context():
        world = f.World()
        for i in range(4):
            f.student(world.a1, world.class_a1, name=f"留守{i}", left_behind=True)
        gone = f.student(world.a1, world.class_a1, name="辍学生", status="dropout")
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"username": "head", "password": f.PASSWORD})
        page1 = client.get("/students/?flag=left_behind")
        assert "共 <b>4</b> 人" in page1.text
        assert "flag=left_behind" in page1.text and "page=2" in page1.text
        assert "辍学生" not in client.get("/students/?q=cxs", headers=HX_RESULTS).text
        assert "辍学生" in client.get("/students/?status=dropout").text
        assert "辍学生" in client.get("/students/?status=all&grade=3&q=cx").text
        assert "共 <b>0</b> 人" in client.get("/students/?grade=9").text
        assert gone.id
        db.session.remove()
        db.engine.dispose()


def test_the_class_filter_offers_the_chosen_schools_classes(world, login):
    officer = login("officer")  # sees every school of township A
    page = officer.get("/students/").text
    select = page.split('id="f-class"')[1].split("</select>")[0]
    assert "disabled" in select and "请先选学校" in select and "<option value=\"" + \
        str(world.class_a1.id) not in select
    chosen = officer.get(f"/students/?school={world.a1.id}", headers=HX_RESULTS).text
    oob = chosen.split('id="class-filter" hx-swap-oob="true"')[1].split("</select>")[0]
    assert f'value="{world.class_a1.id}"' in oob and f'value="{world.class_a2.id}"' not in oob
    assert "共 <b>2</b> 人" in chosen  # 张三 and 李四
    # a class alone (the link from 班级管理) brings its school; a class of another school goes
    alone = officer.get(f"/students/?class_id={world.class_a2.id}").text
    assert "共 <b>1</b> 人" in alone and world.s_a2.name in alone
    assert f'<option value="{world.a2.id}" selected' in alone
    moved = officer.get(f"/students/?school={world.a1.id}&class_id={world.class_a2.id}",
                        headers=HX_RESULTS).text
    assert "共 <b>2</b> 人" in moved and world.s_a2.name not in moved
    assert "hx-swap-oob" not in officer.get("/students/").text.split('id="student-results"')[1]
    head = login("head").get("/students/").text  # one school: its classes at once
    assert f'value="{world.class_a1.id}"' in head.split('id="f-class"')[1].split("</select>")[0]


def test_ids_are_masked_in_lists_and_full_only_for_those_who_need_them(world, login):
    world.s_a1.student_no = "G" + world.s_a1.id_number  # the usual 学籍号 holds the ID
    db.session.commit()
    number = world.s_a1.id_number
    masked = number[:4] + "*" * 10 + number[-4:]
    head, teacher = login("head"), login("teacher")
    listing = head.get("/students/").text
    assert masked in listing and number not in listing
    assert number in head.get(f"/students/{world.s_a1.id}").text
    page = teacher.get(f"/students/{world.s_a1.id}").text
    assert masked in page and number not in page  # neither as ID nor inside the 学籍号


def test_add_student_fills_pinyin_guardians_and_history(world, login):
    response = login("head").post("/students/new", data=_form(world))
    assert response.status_code == 303
    student = db.session.scalar(db.select(Student).filter_by(name="陈小红"))
    assert (student.name_initials, student.grade, student.sex) == ("cxh", 3, "女")
    assert student.left_behind and student.guardians[0].works_away
    assert [c.to_status for c in student.status_changes] == ["enrolled"]
    assert response.headers["Location"] == f"/students/{student.id}"


def test_a_child_with_a_passport_or_no_document_is_registered_by_hand(world, login):
    """Issue 18.1 on the form: the document's type and number, never a made-up ID number."""
    head = login("head")
    no_number = head.post("/students/new", data=_form(world, id_type="passport", id_number=""))
    assert no_number.status_code == 422 and "请填写护照的号码。" in no_number.text
    both = head.post("/students/new", data=_form(world, id_type="passport", id_document="E1234567"))
    assert both.status_code == 422 and "身份证号一栏请留空" in both.text
    ok = head.post("/students/new", data=_form(world, id_type="passport", id_number="",
                                                id_document="e 1234567"))
    assert ok.status_code == 303
    child = db.session.scalar(db.select(Student).filter_by(name="陈小红"))
    assert (child.id_type, child.id_document, child.id_number) == ("passport", "E1234567", None)
    page = head.get(f"/students/{child.id}").text
    assert "<dt>身份证件</dt><dd>护照" in page and "E1234567" in page
    again = head.post("/students/new", data=_form(world, name="陈小绿", id_type="passport",
                                                   id_number="", id_document="E1234567"))
    assert again.status_code == 422 and "该证件号已在甲一村小登记" in again.text
    none = head.post("/students/new", data=_form(world, name="石头", id_type="none",
                                                  id_number="", id_document="X99999"))
    assert none.status_code == 303
    stone = db.session.scalar(db.select(Student).filter_by(name="石头"))
    assert (stone.id_type, stone.id_document, stone.id_number) == ("none", None, None)


def test_add_by_htmx_answers_hx_location(world, login):
    response = login("head").post("/students/new", data=_form(world),
                                  headers={"HX-Request": "true", "HX-Target": "student-form"})
    assert response.status_code == 204
    assert response.headers["HX-Location"].startswith("/students/")
    assert "HX-Trigger" not in response.headers  # the next page is loaded: no event to hear


def test_invalid_form_keeps_input_and_says_what_to_fix(world, login):
    response = login("head").post("/students/new", data=_form(world, id_number="110105194912310021"),
                                  headers={"HX-Request": "true", "HX-Target": "student-form"})
    assert response.status_code == 422
    assert "<html" not in response.text  # the form fragment only
    assert "校验位不对" in response.text and 'value="陈小红"' in response.text
    assert db.session.scalar(db.select(Student).filter_by(name="陈小红")) is None
    emoji = login("head").post("/students/new", data=_form(world, name="小明😀"),
                               headers={"HX-Request": "true", "HX-Target": "student-form"})
    assert emoji.status_code == 422 and "姓名只能是汉字、字母" in emoji.text
    assert 'value="小明😀"' in emoji.text  # kept, to be corrected
    for name in ("阿依古丽·买买提", "王〇", "𠮷野", "Anna Li"):  # 〇, a rare character, a foreigner
        assert forms.PERSON_NAME.fullmatch(name), name


def test_duplicate_id_anywhere_names_the_school_that_holds_it(world, login):
    response = login("head").post("/students/new", data=_form(world, id_number=world.s_b1.id_number,
                                                              sex="男", birth_date="2016-05-17"))
    assert response.status_code == 422
    assert "该身份证号已在乙一村小登记" in response.text
    assert "赵六" not in response.text  # nothing more of the other township's child


def test_sex_and_birth_date_must_agree_with_the_id(world, login):
    response = login("head").post("/students/new", data=_form(world, sex="男",
                                                              birth_date="2017-03-09"))
    assert response.status_code == 422
    assert "性别与身份证号不符" in response.text and "出生日期与身份证号不符" in response.text


@pytest.mark.parametrize("typed, expected", [
    ("1101051949", "已输入 10 位，还差 8 位"),
    ("110105194912310021", "校验位不对"),
    ("", "输入 18 位身份证号后自动校验"),
])
def test_inline_id_check_messages(world, login, typed, expected):
    response = login("head").post("/students/check-id", data={"id_number": typed})
    assert response.status_code == 200 and expected in response.text


def test_inline_id_check_fills_birth_date_and_sex(world, login):
    number = f.id_number(date(2015, 10, 2), "女")
    text = login("head").post("/students/check-id", data={"id_number": number}).text
    assert "身份证号有效：2015-10-02 出生，女" in text
    assert 'id="birth_date" name="birth_date" value="2015-10-02" hx-swap-oob="true"' in text
    assert '<option value="女" selected>' in text


def test_inline_id_check_reports_duplicates_but_not_the_record_itself(world, login):
    client = login("head")
    taken = client.post("/students/check-id", data={"id_number": world.s_b1.id_number}).text
    assert "已在乙一村小登记" in taken
    own = client.post("/students/check-id", data={"id_number": world.s_a1.id_number,
                                                   "student_id": world.s_a1.id}).text
    assert "身份证号有效" in own


def test_edit_updates_and_stale_form_is_refused(world, login):
    client = login("head")
    student = world.s_a1
    data = _form(world, name="张三丰", id_number=student.id_number, sex="男",
                 birth_date="2016-05-17", version=str(student.version))
    assert client.post(f"/students/{student.id}/edit", data=data).status_code == 303
    db.session.expire_all()
    assert (student.name, student.name_initials) == ("张三丰", "zsf")
    stale = client.post(f"/students/{student.id}/edit", data=dict(data, name="张四"))
    assert stale.status_code == 422
    assert "已被其他人修改" in stale.text and 'value="张四"' in stale.text
    db.session.expire_all()
    assert student.name == "张三丰"


def test_status_change_is_kept_as_history(world, login):
    client = login("head")
    url = f"/students/{world.s_a1.id}/status"
    missing = client.post(url, data={"to_status": "transferred", "changed_on": "2026-10-08",
                                     "reason": "随父母外出务工", "destination": ""})
    assert missing.status_code == 422 and "转出必须填写去向" in missing.text
    same = client.post(url, data={"to_status": "enrolled", "changed_on": "2026-10-08", "reason": "x"})
    assert "当前已经是“在读”" in same.text
    ok = client.post(url, data={"to_status": "transferred", "changed_on": "2026-10-08",
                                "reason": "随父母外出务工", "destination": "浙江省宁波市某小学"})
    assert ok.status_code == 303
    db.session.expire_all()
    change = db.session.scalar(db.select(StatusChange).filter_by(student_id=world.s_a1.id))
    assert (change.from_status, change.to_status, change.destination) == (
        "enrolled", "transferred", "浙江省宁波市某小学")
    page = client.get(f"/students/{world.s_a1.id}").text
    assert "在读 → 转出" in page and "2026-10-08" in page
    assert ">张三<" not in client.get("/students/", headers=HX_RESULTS).text  # not 在读 any more


def test_a_status_change_before_registration_or_in_the_future_is_refused(world, login):
    """Issue 18.5: a history in date order: no change dated before the child came onto the
    register (their first change) nor after today; what was typed stays on the form."""
    world.s_a1.change_status("enrolled", date(2026, 9, 1), "新登记", "", None)
    db.session.commit()
    client = login("head")
    url = f"/students/{world.s_a1.id}/status"
    early = client.post(url, data={"to_status": "suspended", "changed_on": "2026-08-20",
                                   "reason": "生病住院"})
    assert early.status_code == 422
    assert "日期不能早于该学生在本系统登记的日期（2026-09-01）。" in early.text and "生病住院" in early.text
    future = client.post(url, data={"to_status": "suspended", "changed_on": "2099-01-01",
                                    "reason": "生病住院"})
    assert future.status_code == 422 and "日期不能晚于今天。" in future.text
    assert len(db.session.get(Student, world.s_a1.id).status_changes) == 1
    world.s_a1.change_status("dropout", date(2026, 10, 13), "外出打工", "", None)
    db.session.commit()
    before_last = client.post(url, data={"to_status": "enrolled", "changed_on": "2026-10-01",
                                         "reason": "返校"})  # would read 辍学 after 在读
    assert before_last.status_code == 422
    assert "日期不能早于上一次学籍变动的日期（2026-10-13）。" in before_last.text


def test_marking_a_child_dropout_puts_the_child_on_the_dropout_ledger_at_once(world, login,
                                                                              signed_in):
    """The status form's 辍学: the child's case (opened now if there is none) is a dropout's
    from that day, so the 辍学台账 lists the child as the dashboard counts it."""
    from blueprints.cases import ledger
    from models import DropoutCase
    client = login("head")
    assert client.post(f"/students/{world.s_a1.id}/status", data={
        "to_status": "dropout", "changed_on": TODAY.isoformat(),
        "reason": "随父母外出务工"}).status_code == 303
    case = db.session.scalar(db.select(DropoutCase))
    assert (case.student_id, case.dropout_on, case.state) == (world.s_a1.id, TODAY, "suspected")
    first, last = ledger.month_range(f"{TODAY:%Y-%m}")
    with signed_in(world.users["village_head"]):
        assert [c for c, _ in ledger.cases("dropout", first, last)] == [case.id]


def test_class_options_are_the_schools_own(world, login):
    text = login("officer").get(f"/students/class-options?school_id={world.a2.id}").text
    assert "二年级1班" in text and "三年级1班" not in text


def test_officer_deletes_a_mistaken_record_by_htmx(world, login):
    victim_id = f.student(world.a1, name="误登记").id
    db.session.commit()
    response = login("officer").delete(f"/students/{victim_id}",
                                       headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Location"] == "/students/"
    db.session.expire_all()
    assert db.session.get(Student, victim_id) is None
    entry = db.session.scalar(db.select(AuditLog).filter_by(action="delete", table_name="students",
                                                            row_id=victim_id))
    assert entry.before["name"] == "误登记" and entry.username == "officer"


def test_empty_register_shows_what_to_do(app, login):
    central = f.school("空镇中心学校", kind="central")
    f.user("central_officer", central, "empty")
    db.session.commit()
    text = login("empty").get("/students/").text
    assert "名册里还没有学生" in text and "从 Excel 导入名册" in text


def test_masked_roles_cannot_rebuild_an_id_digit_by_digit(world, login):
    number, link = world.s_a1.id_number, f'/students/{world.s_a1.id}"'
    for username in ("teacher", "leader", "inspector"):
        client = login(username)
        assert link not in client.get(f"/students/?q={number[:10]}").text  # a prefix
        assert link not in client.get(f"/students/?q={number[6:14]}").text  # the birth date
        assert link in client.get(f"/students/?q={number}").text  # the whole number
        assert link in client.get(f"/students/?q={number[-4:]}").text  # the digits they see
    assert link in login("head").get(f"/students/?q={number[6:14]}").text  # sees full IDs


def test_the_home_page_counts_the_register_by_status_and_the_enrolled_by_group(world, login):
    """One statement counts both (blueprints/home/overview.py): a focus group counts the
    enrolled only, a status every child the user sees."""
    world.s_a1.left_behind = True
    world.s_a1_other.left_behind, world.s_a1_other.status = True, "suspended"
    world.s_a2.orphan = True
    world.s_b1.left_behind = True  # township B's
    db.session.commit()
    page = login("officer").get("/").text
    assert "在读<b>2</b>" in page and "休学<b>1</b>" in page
    assert "留守<b>1</b>" in page and "孤儿/事实无人抚养<b>1</b>" in page and "单亲<b>0</b>" in page
    head = login("head").get("/").text  # 甲一村小 alone
    assert "在读<b>1</b>" in head and "留守<b>1</b>" in head and "孤儿/事实无人抚养<b>0</b>" in head
