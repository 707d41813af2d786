"""Excel roster import (blueprints/students/importer.py and the import views): upload → preview
with every bad row and why → commit all or nothing."""
from __future__ import annotations

import os
import re
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import pytest

import excel
from openpyxl import Workbook

import demo
from blueprints.students import importer
from extensions import db
from models import AuditLog, ClassGroup, Guardian, Student, school_year_of
from tests import TODAY
from tests import factories as f
from tests import sheets

COLUMNS = ["姓名", "性别", "身份证号", "年级", "班级", "监护人", "关系", "联系电话"]

def xlsx(headers: list, rows: list[list], title: str | None = None) -> bytes:
    """An .xlsx file in memory: an optional title row, the headers, then the rows."""
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, school_id, data: bytes, filename="名册.xlsx", **headers):
    return client.post("/students/import", data={"school_id": school_id,
                                                 "file": (BytesIO(data), filename)},
                       content_type="multipart/form-data", headers=headers)


def commit(client, token, school_id, **headers):
    return client.post("/students/import/commit", data={"token": token, "school_id": school_id},
                       headers=headers)


def token_in(html: str) -> str:
    match = re.search(r'name="token" value="([0-9a-f]+)"', html)
    assert match, "the preview offers no commit form"
    return match.group(1)


def count(model=Student) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def stored_uploads(app) -> list[str]:
    folder = Path(app.instance_path) / "imports"
    return os.listdir(folder) if folder.exists() else []


def new_id(born=date(2017, 3, 8), sex="女") -> str:
    return f.id_number(born, sex)


def one_row(name="甲", number=None, grade="3", klass="") -> bytes:
    """A file of one student with a fresh valid ID (unless given)."""
    return xlsx(COLUMNS, [[name, "", number or new_id(), grade, klass, "", "", ""]])


# A good file ---------------------------------------------------------------------------------

def test_good_file_previews_then_commits_exactly_those_students(app, world, login):
    boy, girl = new_id(date(2016, 4, 2), "男"), new_id(date(2014, 11, 30), "女")
    data = xlsx(COLUMNS + ["重点群体", "寄宿", "外出务工"], [
        ["陈小明", "", boy, "三年级", "1班", "陈大海", "爸爸", "13912345678", "留守", "", "是"],
        ["周 小丽", "女", girl, "5", "(2)班", "周奶奶", "奶奶", "", "低保、单亲", "是", ""],
    ])
    client = login("head")
    before, audits_before = count(), count(AuditLog)

    preview = upload(client, world.a1.id, data)
    assert preview.status_code == 200
    assert "共 2 名学生，全部检查通过，将导入到 <b>甲一村小</b>" in preview.text
    assert "将新建班级：五年级2班。" in preview.text  # 三年级1班 exists already
    assert "确认导入 2 名学生" in preview.text
    assert "陈小明" in preview.text and "周小丽" in preview.text  # spaces in names removed
    assert preview.text.count('<span class="tag ok">通过</span>') == 2
    assert count() == before  # the preview writes nothing
    assert len(stored_uploads(app)) == 1

    done = commit(client, token_in(preview.text), world.a1.id)
    assert done.status_code == 303
    assert done.headers["Location"] == f"/students/?school={world.a1.id}&sort=class"
    assert "已导入 2 名学生到甲一村小。" in client.get(done.headers["Location"]).text

    assert count() == before + 2
    ming = db.session.scalar(db.select(Student).filter_by(id_number=boy))
    li = db.session.scalar(db.select(Student).filter_by(id_number=girl))
    assert (ming.name, ming.sex, ming.birth_date, ming.grade) == ("陈小明", "男", date(2016, 4, 2), 3)
    assert (li.name, li.sex, li.birth_date, li.grade) == ("周小丽", "女", date(2014, 11, 30), 5)
    assert ming.school_id == li.school_id == world.a1.id
    assert ming.class_id == world.class_a1.id
    new_class = li.class_group
    assert (new_class.school_id, new_class.grade, new_class.name, new_class.school_year) == \
        (world.a1.id, 5, "2班", school_year_of(TODAY))
    assert ming.left_behind and not ming.boarder and not ming.poverty
    assert li.poverty and li.single_parent and li.boarder and not li.left_behind
    assert [(g.name, g.relation, g.phone, g.works_away) for g in ming.guardians] == \
        [("陈大海", "父亲", "13912345678", True)]
    assert [(g.name, g.relation) for g in li.guardians] == [("周奶奶", "祖母")]
    for student in (ming, li):
        assert student.status == "enrolled"
        assert [(c.from_status, c.to_status, c.reason, c.user_id) for c in student.status_changes] \
            == [(None, "enrolled", "新登记（Excel 导入）", world.users["village_head"].id)]

    imports = db.session.scalars(db.select(AuditLog).filter_by(action="import")).all()
    assert len(imports) == 1
    assert (imports[0].username, imports[0].school_id, imports[0].after) == \
        ("head", world.a1.id, {"rows": 2, "new_classes": 1})
    assert "导入 2 名学生到甲一村小" in imports[0].summary
    assert count(AuditLog) > audits_before + 1  # and the row-level create entries
    assert stored_uploads(app) == []  # the uploaded copy is gone

    again = commit(client, token_in(preview.text), world.a1.id)  # a double submit
    assert again.status_code == 404
    assert count() == before + 2


def test_commit_by_htmx_answers_hx_location(world, login):
    client = login("officer")
    preview = upload(client, world.a2.id, one_row("吴小军", grade="2", klass="1"))
    done = commit(client, token_in(preview.text), world.a2.id, **{"HX-Request": "true"})
    assert done.status_code == 204
    assert done.headers["HX-Location"] == f"/students/?school={world.a2.id}&sort=class"
    student = db.session.scalar(db.select(Student).filter_by(name="吴小军"))
    assert (student.school_id, student.class_id) == (world.a2.id, world.class_a2.id)


def test_title_row_and_blank_rows_keep_excel_row_numbers(world, login):
    data = xlsx(COLUMNS, [["甲", "", new_id(), "3", "", "", "", ""],
                          [None] * 8,
                          ["乙", "", "110105194912310021", "3", "", "", "", ""]],
                title="甲一村小 2026 年秋季学生名册")
    preview = upload(login("head"), world.a1.id, data)
    # row 1 title, row 2 headers, row 3 甲, row 4 blank, row 5 乙
    assert "共 2 行，其中 <b>1 行有问题</b>" in preview.text
    assert re.search(r"第 5 行</td><td>乙</td>.*校验位不对", preview.text, re.S)


# Bad files: nothing written, nothing to commit -----------------------------------------------

def assert_refused(app, client, school_id, before):
    """Nothing was written, no upload was kept and there is nothing to commit."""
    assert count() == before
    assert stored_uploads(app) == []
    assert commit(client, "0" * 32, school_id).status_code == 404
    assert count() == before


BAD_FILES = {
    "no ID column": (["姓名", "性别", "年级"], [["张小", "男", "3"]],
                     ["缺少必需的列：身份证号。"]),
    "no grade nor class": (["姓名", "身份证号"], [["张小", "ID"]], ["缺少必需的列：年级。"]),
    "no name column": (["学生", "身份证号", "年级"], [["张小", "ID", "3"]],
                       ["找不到“姓名”列"]),
    "headers only": (COLUMNS, [], ["文件里只有列名，没有学生数据。"]),
    "bad check digit": (COLUMNS, [["好", "", "ID", "3", "", "", "", ""],
                                  ["坏", "", "110105194912310021", "3", "", "", "", ""]],
                        ["第 3 行", "身份证号校验位不对：最后一位应为"]),
    "duplicate in file": (COLUMNS, [["甲", "", "ID", "3", "", "", "", ""],
                                    ["乙", "", "ID2", "3", "", "", "", ""],
                                    ["丙", "", "ID", "3", "", "", "", ""]],
                          ["第 4 行", "身份证号与第 2 行重复。"]),
    "ID stored as a number": (COLUMNS, [["甲", "", 110105201605170012, "3", "", "", "", ""]],
                              ["身份证号被 Excel 存成了数字，末几位已经丢失"]),
    "IDs come back from a number": (COLUMNS, [["甲", "", "ID000", "3", "", "", "", ""],
                                             ["乙", "", "ID2000", "3", "", "", "", ""],
                                             ["丙", "", "ID", "3", "", "", "", ""]],
                                    ["第 2 行", "第 3 行", "末三位是 000"]),
    "a birth date to come": (["姓名", "身份证件类型", "身份证件号", "性别", "出生日期", "年级"],
                             [["林安娜", "护照", "E12345678", "女", "2031-05-01", "3"]],
                             ["出生日期 2031-05-01 不合理"]),
    "a mark in a name": (COLUMNS, [["小明😀", "", "ID", "3", "", "", "", ""]],
                         ["姓名“小明😀”里有汉字、字母和“·”以外的符号"]),
    "sex disagrees with ID": (COLUMNS, [["甲", "男", "ID", "3", "", "", "", ""]],
                              ["性别“男”与身份证号不符（身份证号显示为女）。"]),
    "grade and class disagree": (COLUMNS, [["甲", "", "ID", "三年级", "四年级1班", "", "", ""]],
                                 ["年级“三年级”与班级“四年级1班”不一致。"]),
    "bad phone": (COLUMNS, [["甲", "", "ID", "3", "", "", "", "电话号码"]],
                  ["联系电话“电话号码”格式不对"]),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_file_writes_nothing_and_says_why(app, world, login, case):
    headers, rows, expected = BAD_FILES[case]
    ids = {"ID": new_id(), "ID2": new_id()}  # fresh valid IDs (female)
    ids.update({k + "000": v[:15] + "000" for k, v in ids.items()})  # as Excel leaves them
    rows = [[ids.get(c, c) if isinstance(c, str) else c for c in r] for r in rows]
    client = login("head")
    before = count()
    preview = upload(client, world.a1.id, xlsx(headers, rows))
    assert preview.status_code in (200, 422)  # bad rows listed; a file that cannot be read: 422
    for text in expected:
        assert text in preview.text
    if preview.status_code == 200:  # 重新上传 comes back to the same school and mode
        assert f"?school={world.a1.id}&amp;mode=add" in preview.text
    assert "确认导入" not in preview.text and 'name="token"' not in preview.text
    assert_refused(app, client, world.a1.id, before)


def test_id_registered_in_another_school_names_that_school_only(app, world, login):
    client = login("head")
    before = count()
    preview = upload(client, world.a1.id, one_row("新生", world.s_b1.id_number, klass="1班"))
    assert "身份证号已在乙一村小登记，不能重复登记。" in preview.text
    assert "赵六" not in preview.text  # nothing more of another township's child
    assert "确认导入" not in preview.text
    assert_refused(app, client, world.a1.id, before)


def test_student_no_registered_elsewhere_is_refused(app, world, login):
    world.s_a2.student_no = "G2024001"
    db.session.commit()
    preview = upload(login("head"), world.a1.id, xlsx(COLUMNS + ["学籍号"], [
        ["新生", "", new_id(), "3", "", "", "", "", "g2024001"]]))
    assert "学籍号已在甲二教学点登记，不能重复登记。" in preview.text
    assert "确认导入" not in preview.text


@pytest.mark.parametrize("data, expected", [
    (os.urandom(2048), "无法读取这个文件：它不是有效的表格文件。"),
    (b"", "这个文件是空的。"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(1024), "无法读取这个文件：它不是有效的表格文件。"),
    (b"PK\x03\x04" + os.urandom(1024), "无法读取这个文件：它不是有效的表格文件。"),
], ids=["random bytes", "empty", "xls signature", "zip signature"])
def test_files_that_are_not_spreadsheets(app, world, login, data, expected):
    client = login("officer")
    before = count()
    preview = upload(client, world.a1.id, data)
    assert preview.status_code == 422 and expected in preview.text  # the form again, with why
    assert f'<option selected value="{world.a1.id}">' in preview.text  # the school kept
    assert_refused(app, client, world.a1.id, before)


@pytest.mark.parametrize("filename", ["名册.pdf", "名册.docx", "名册", "名册.et"])
def test_form_refuses_other_extensions(app, world, login, filename):
    client = login("head")
    before = count()
    response = upload(client, world.a1.id, one_row(), filename=filename)
    assert response.status_code == 422
    assert "只能导入Excel 或 WPS 表格（.xlsx、.xls；WPS 的 .et 请先另存为 .xlsx）、.ods 或 .csv 文件。" \
        in response.text
    assert_refused(app, client, world.a1.id, before)


def test_a_macro_workbook_is_a_workbook(world, login):
    preview = upload(login("head"), world.a1.id, one_row(), filename="名册.xlsm")
    assert "全部检查通过" in preview.text


def test_form_requires_a_file(world, login):
    response = login("head").post("/students/import", data={"school_id": world.a1.id})
    assert response.status_code == 422
    assert "请选择要导入的名册文件。" in response.text


def _small_upload_limit(make_app):
    app = make_app(MAX_CONTENT_LENGTH=8 * 1024)
    ctx = app.app_context()
    ctx.push()
    world = f.World()
    return app, ctx, world


def test_oversized_upload_is_refused_with_413(make_app):
    app, ctx, world = _small_upload_limit(make_app)
    try:
        client = app.test_client()
        signed_in = client.post("/login", data={"username": "head", "password": f.PASSWORD})
        assert signed_in.status_code == 303
        before = count()
        response = upload(client, world.a1.id, os.urandom(20 * 1024))
        assert response.status_code == 413
        assert "文件太大" in response.text and "请压缩或拆分后重新上传" in response.text
        assert count() == before and stored_uploads(app) == []
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


def test_oversized_upload_message_states_the_real_limit(make_app):
    """Regression: the 413 text once floored the limit to whole MB ('上限 0 MB' for 8 KB)."""
    app, ctx, world = _small_upload_limit(make_app)
    try:
        client = app.test_client()
        client.post("/login", data={"username": "head", "password": f.PASSWORD})
        response = upload(client, world.a1.id, os.urandom(20 * 1024))
        assert response.status_code == 413
        assert "上限 0 MB" not in response.text
        assert "（上限 8 KB）" in response.text
    finally:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


# The demo roster -----------------------------------------------------------------------------

def test_demo_roster_has_exactly_two_bad_rows(app, world, login):
    data = demo.sample_roster(world.a1)
    holder = db.session.scalar(
        db.select(Student).where(Student.school_id != world.a1.id, Student.id_number.is_not(None))
        .limit(1)).school.name  # the child sample_roster copies in as row 9
    client = login("head")
    before = count()
    preview = upload(client, world.a1.id, data, filename="示例名册.xlsx")
    assert preview.status_code == 200
    assert "导入预览：示例名册.xlsx" in preview.text
    assert "共 12 行，其中 <b>2 行有问题</b>，整批没有导入。" in preview.text
    bad = re.findall(r'<tr class="row-error"><td class="num">第 (\d+) 行</td>.*?</tr>',
                     preview.text, re.S)
    assert bad == ["5", "9"]
    assert re.search(r"第 5 行</td>.*?身份证号校验位不对", preview.text, re.S)
    assert re.search(rf"第 9 行</td>.*?身份证号已在{holder}登记，不能重复登记。", preview.text, re.S)
    assert "确认导入" not in preview.text
    assert_refused(app, client, world.a1.id, before)


# Checked again at commit, and only by the uploader -------------------------------------------

def test_commit_checks_the_file_again(app, world, login):
    ids = [new_id(), new_id()]
    client = login("head")
    preview = upload(client, world.a1.id, xlsx(COLUMNS, [
        ["甲", "", ids[0], "3", "1班", "", "", ""], ["乙", "", ids[1], "3", "1班", "", "", ""]]))
    assert "全部检查通过" in preview.text
    f.student(world.b1, world.class_b1, name="抢先登记", sex="女", id_number=ids[1])
    db.session.commit()
    before = count()

    response = commit(client, token_in(preview.text), world.a1.id)
    assert response.status_code == 422
    assert "其中 <b>1 行有问题</b>，整批没有导入" in response.text
    assert "身份证号已在乙一村小登记，不能重复登记。" in response.text
    assert count() == before
    assert db.session.scalar(db.select(Student).filter_by(id_number=ids[0])) is None
    assert db.session.scalar(db.select(AuditLog).filter_by(action="import")) is None


def test_token_works_only_in_the_uploaders_session(app, world, login):
    head = login("head")
    preview = upload(head, world.a1.id, one_row())
    token = token_in(preview.text)
    before = count()
    assert commit(login("officer"), token, world.a1.id).status_code == 404  # another user
    assert commit(login("head"), token, world.a1.id).status_code == 404  # same user, other browser
    assert commit(head, "0123456789abcdef0123456789abcdef", world.a1.id).status_code == 404
    assert commit(head, "../" + token, world.a1.id).status_code == 404
    assert commit(head, "", world.a1.id).status_code == 404
    assert count() == before
    assert commit(head, token, world.a1.id).status_code == 303  # the real one still works
    assert count() == before + 1


@pytest.mark.parametrize("school", ["b1", "a2", "central_a"])
def test_village_head_cannot_import_into_another_school(app, world, login, school):
    other = getattr(world, school)
    data = one_row()
    head = login("head")
    before = count()
    refused = upload(head, other.id, data)
    assert refused.status_code == 422  # not one of the form's choices
    assert "确认导入" not in refused.text
    assert stored_uploads(app) == []

    preview = upload(head, world.a1.id, data)  # a good preview for the own school...
    assert commit(head, token_in(preview.text), other.id).status_code == 404  # ...sent elsewhere
    assert count() == before
    assert db.session.scalar(db.select(db.func.count()).select_from(ClassGroup)
                             .where(ClassGroup.school_id == other.id)) == \
        (0 if school == "central_a" else 1)


def test_officer_cannot_import_into_another_township(world, login):
    response = upload(login("officer"), world.b1.id,
                      one_row())
    assert response.status_code == 422
    assert count() == 4


def test_officer_commits_only_into_the_previewed_school(world, login):
    officer = login("officer")
    preview = upload(officer, world.a1.id, one_row())
    token = token_in(preview.text)
    assert commit(officer, token, world.a2.id).status_code == 404
    assert count() == 4
    assert commit(officer, token, world.a1.id).status_code == 303
    assert count() == 5


def test_a_school_that_is_not_a_choice_is_refused_in_chinese(world, login):
    response = upload(login("officer"), world.b1.id, one_row())
    assert response.status_code == 422 and "不是有效的选择" in response.text
    assert "Not a valid choice" not in response.text


@pytest.mark.parametrize("user", ["teacher", "leader", "inspector"])
def test_only_register_editors_may_import(world, login, user):
    client = login(user)
    assert client.get("/students/import").status_code == 403
    data = one_row()
    assert upload(client, world.a1.id, data).status_code == 403
    assert count() == 4


def test_a_new_preview_replaces_the_previous_upload(app, world, login):
    """Regression: every previewed upload (a roster of minors) used to stay in instance/imports."""
    head = login("head")
    data = one_row()
    first = token_in(upload(head, world.a1.id, data).text)
    second = token_in(upload(head, world.a1.id, data).text)
    assert commit(head, first, world.a1.id).status_code == 404  # only the newest can be committed
    assert stored_uploads(app) == [f"roster-{world.users['village_head'].id}-{second}.sheet"]


# Parsing the spellings people use ------------------------------------------------------------

@pytest.mark.parametrize("text, grade", [
    ("三年级", 3), ("3", 3), ("3年级", 3), ("小学三年级", 3), ("初一", 7), ("初三", 9),
    ("七年级", 7), ("九年级", 9), ("一年级1班", 1), ("高一", None), ("三", None), ("", None),
    ("10", None), ("12", None),  # regression: once read as grade 1 (the first digit)
])
def test_parse_grade(text, grade):
    assert importer.parse_grade(text) == grade


def test_grade_out_of_range_is_refused(world, login):
    """Regression: a grade of '10' was imported as 一年级 instead of being refused."""
    data = one_row(grade="10")
    preview = upload(login("head"), world.a1.id, data)
    assert "年级“10”无法识别" in preview.text and "确认导入" not in preview.text


@pytest.mark.parametrize("text, parsed", [
    ("1班", (None, "1班")), ("1", (None, "1班")), ("01", (None, "1班")), ("(1)班", (None, "1班")),
    ("（2）班", (None, "2班")), ("12班", (None, "12班")), ("三年级1班", (3, "1班")),
    ("3年级2班", (3, "2班")), ("初一(2)班", (7, "2班")), ("一班", (None, None)),
    ("火箭班", (None, None)),
])
def test_parse_class(text, parsed):
    assert importer.parse_class(text) == parsed


@pytest.mark.parametrize("value, parsed", [
    ("2015-09-01", date(2015, 9, 1)), ("2015/9/1", date(2015, 9, 1)),
    ("2015.9.1", date(2015, 9, 1)),
    ("20150901", date(2015, 9, 1)), ("2015年9月1日", date(2015, 9, 1)),
    (datetime(2015, 9, 1, 0, 0), date(2015, 9, 1)), (date(2015, 9, 1), date(2015, 9, 1)),
    ("2015-13-01", None), ("九月一日", None), (None, None),
])
def test_parse_date(value, parsed):
    assert excel.parse_date(value) == parsed


# The 学籍 system's export, as it is, in every file an office has (issue 18.1, 18.2) ----------

XUEJI = ["学校名称", "年级", "班级", "姓名", "性别", "出生日期", "民族", "身份证件类型", "身份证件号",
         "全国学籍号", "就读方式", "是否留守儿童", "是否进城务工人员随迁子女", "是否孤儿", "残疾人类型",
         "现住址", "联系电话", "成员1姓名", "成员1关系", "成员1联系电话", "成员2姓名", "成员2关系",
         "成员2联系电话", "健康状况"]


@pytest.mark.parametrize("kind", sheets.KINDS)
def test_the_xueji_systems_export_imports_as_it_is(app, world, login, kind):
    boy, girl = new_id(date(2016, 4, 2), "男"), new_id(date(2014, 11, 30), "女")
    data, filename = sheets.make(kind, [XUEJI, [
        "甲一村小", "三年级", "1班", "陈小明", "1", "20160402", "06", "1", boy, "G" + boy, "2",
        "2", "0", "0", "0", "石桥村3组", "13912345678", "陈大海", "父亲", "13912345678",
        "吴秀", "母亲", "13812345678", "健康"], [
        "甲一村小", "五年级", "2班", "周小丽", "2", "20141130", "01", "居民身份证", girl, "",
        "1", "1", "是", "否", "1", "石桥村1组", "", "周奶奶", "祖母", "", "", "", "", "健康"]])
    client = login("head")
    preview = upload(client, world.a1.id, data, filename=filename)
    assert "共 2 名学生，全部检查通过" in preview.text, preview.text
    assert "这些列没有导入：学校名称、健康状况。" in preview.text
    assert commit(client, token_in(preview.text), world.a1.id).status_code == 303

    ming = db.session.scalar(db.select(Student).filter_by(id_number=boy))
    li = db.session.scalar(db.select(Student).filter_by(id_number=girl))
    assert (ming.sex, ming.birth_date, ming.ethnicity, ming.student_no) == \
        ("男", date(2016, 4, 2), "苗族", "G" + boy)
    assert ming.boarder and ming.left_behind and not ming.migrant and not ming.disabled
    assert ming.placement == "in_school" and ming.address == "石桥村3组"
    assert [(g.name, g.relation, g.phone) for g in ming.guardians] == [
        ("陈大海", "父亲", "13912345678"), ("吴秀", "母亲", "13812345678")]
    assert (li.sex, li.ethnicity, li.grade) == ("女", "汉族", 5)
    assert not li.boarder and li.left_behind and li.migrant and not li.orphan and li.disabled
    assert [(g.name, g.relation) for g in li.guardians] == [("周奶奶", "祖母")]


@pytest.mark.parametrize("column, value, message", [
    ("性别", "3", "性别“3”应为“男”或“女”（学籍系统的代码 1、2 也可以）。"),
    ("民族", "60", "民族代码“60”不存在"),
    ("就读方式", "走校", "就读方式“走校”无法识别：学籍系统填“走读”或“住校”（1、2）"),
    ("安置方式", "在家", "安置方式“在家”无法识别"),
    ("是否孤儿", "不详", "是否孤儿“不详”应填“是”或“否”（学籍系统的代码 1、0 也可以）。"),
    ("身份证件类型", "8", "身份证件类型“8”无法识别，可填：居民身份证、香港特区护照/身份证明"),
], ids=["sex", "ethnic code", "attendance", "placement", "yes-no", "document type"])
def test_each_xueji_convention_names_what_is_wrong(world, login, column, value, message):
    preview = upload(login("head"), world.a1.id, xlsx(
        ["姓名", "身份证件号", "年级", column], [["新生", new_id(), "3", value]]))
    assert message in preview.text and "确认导入" not in preview.text


@pytest.mark.parametrize("text, expected", [("01", "汉族"), ("6", "苗族"), ("苗", "苗族"),
                                            ("苗族", "苗族"), ("", "汉族"), ("97", "其他")])
def test_ethnicity_by_name_or_code(text, expected):
    errors = []
    assert importer._ethnicity(text, errors) == expected and errors == []


def test_an_older_file_whose_jiudu_column_holds_a_placement_still_reads(world, login):
    number = new_id()
    client = login("head")
    preview = upload(client, world.a1.id, xlsx(["姓名", "身份证号", "年级", "就读方式", "寄宿"],
                                               [["新生", number, "3", "送教上门", "是"]]))
    assert "全部检查通过" in preview.text
    commit(client, token_in(preview.text), world.a1.id)
    child = db.session.scalar(db.select(Student).filter_by(id_number=number))
    assert child.placement == "home_delivery" and child.boarder


def test_a_roster_saved_as_gbk_csv_by_wps_reads_its_chinese(world, login):
    rows = [["姓名", "身份证号", "年级", "班级"], ["欧阳娜娜", new_id(), "四年级", "1班"]]
    data, _ = sheets.make("csv-gbk", rows)
    assert "欧阳娜娜".encode("gbk") in data and data[:3] != b"\xef\xbb\xbf"
    preview = upload(login("head"), world.a1.id, data, filename="名册.csv")
    assert "欧阳娜娜" in preview.text and "全部检查通过" in preview.text


def book(*sheets_: tuple[str, list[list]], hidden: str = "") -> bytes:
    """An .xlsx of named sheets (rows each), the one named `hidden` hidden."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets_:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        ws.sheet_state = "hidden" if title == hidden else "visible"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_how_offices_really_lay_a_roster_out(world, login):
    """Column names with spaces, a required-mark or a note (姓 名, 身份证号*, 身份证号码(18位)),
    a hidden 代码表 before the list, a header of two rows (家庭成员1 merged over 姓名 关系
    联系电话) are read; a list split over two sheets is refused by name, not half read; a
    hidden row and a cell holding an Excel error (#N/A, read as empty) are named, not imported
    unseen; a file with an open password is told as such."""
    head = login("head")
    first, second = new_id(), new_id(date(2016, 5, 5), "男")
    noisy = book(("代码表", [["代码", "名称"], ["1", "男"]]),
                 ("学生", [["学生名单"], ["姓 名", "身份证号码\n(18位)", "年级*"],
                           ["甲", first, "3"]]), hidden="代码表")
    preview = upload(head, world.a1.id, noisy)
    assert "共 1 名学生，全部检查通过" in preview.text, preview.text

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "年级", "家庭成员1", None, None])
    ws.append([None, None, None, "姓名", "关系", "联系电话"])
    ws.append(["乙", second, "3", "乙父", "父亲", "13900001111"])
    for column in "ABC":
        ws.merge_cells(f"{column}1:{column}2")
    ws.merge_cells("D1:F1")
    out = BytesIO()
    wb.save(out)
    preview = upload(head, world.a1.id, out.getvalue())
    assert "全部检查通过" in preview.text and "第 3 行" not in preview.text
    commit(head, token_in(preview.text), world.a1.id)
    child = db.session.scalar(db.select(Student).filter_by(id_number=second))
    assert [(g.name, g.relation, g.phone) for g in child.guardians] == [
        ("乙父", "父亲", "13900001111")]
    called = upload(head, world.a1.id, xlsx(["姓名", "身份证号", "年级", "监护人", "关系"], [
        ["庚", new_id(date(2016, 6, 6)), "3", "家长", "父亲"]]))  # data, though 家长 names a column
    assert "共 1 名学生，全部检查通过" in called.text, called.text

    split = book(("三年级1班", [["姓名", "身份证号", "年级"], ["丙", new_id(), "3"]]),
                 ("三年级2班", [["姓名", "身份证号", "年级"], ["丁", new_id(), "3"]]))
    refused = upload(head, world.a1.id, split)
    assert "这个文件有 2 张工作表都有名单（三年级1班、三年级2班）" in refused.text
    wb = Workbook()
    for row in (["姓名", "身份证号", "年级"], ["戊", new_id(), "3"], ["己", new_id(), "3"]):
        wb.active.append(row)
    wb.active.row_dimensions[3].hidden = True  # filtered out, or hidden by hand
    out = BytesIO()
    wb.save(out)
    unseen = upload(head, world.a1.id, out.getvalue())
    assert "表格里有隐藏的行（第 3 行）" in unseen.text and "确认导入" not in unseen.text
    wb = Workbook()
    for row in (["姓名", "身份证号", "年级", "联系电话"], ["庚", new_id(), "3", "#N/A"]):
        wb.active.append(row)
    wb.active["D2"].data_type = "e"  # a lookup formula that found nothing
    out = BytesIO()
    wb.save(out)
    assert "表格里有 Excel 的错误值（D2 格 #N/A）" in upload(head, world.a1.id, out.getvalue()).text
    locked = (Path(__file__).parent / "files" / "locked.xlsx").read_bytes()  # msoffcrypto, 1234
    assert "这个文件设了打开密码" in upload(head, world.a1.id, locked).text
    web_page = "<html><table><tr><td>姓名</td></tr></table></html>".encode()
    assert "其实是网页格式" in upload(head, world.a1.id, web_page, filename="名册.xls").text


def test_dates_and_numbers_as_offices_type_them(world, login):
    """出生日期 as the number Excel shows for a date cell turned 常规, with a time of day, in
    full-width digits, or as 出生年月 without the day; a phone in full-width digits: each read,
    and checked against the ID number as before."""
    born = [date(2015, 9, 15), date(2015, 10, 22), date(2015, 11, 25), date(2015, 9, 3)]
    ids = [new_id(day) for day in born]
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    rows = [["甲", ids[0], "3", 42262, "13900001111"],
            ["乙", ids[1], "3", "2015-10-22 00:00:00", "１３９００００２２２２".translate(wide)],
            ["丙", ids[2], "3", "20151125".translate(wide), ""],
            ["丁", ids[3], "3", "2015.09", ""]]
    head = login("head")
    preview = upload(head, world.a1.id, xlsx(["姓名", "身份证号", "年级", "出生年月", "联系电话"], rows))
    assert "共 4 名学生，全部检查通过" in preview.text, preview.text
    rows[3][3] = "2015.08"  # a month the ID does not say
    wrong = upload(head, world.a1.id, xlsx(["姓名", "身份证号", "年级", "出生年月", "联系电话"], rows))
    assert "第 5 行" in wrong.text and "出生日期与身份证号不符（身份证号显示为 2015-09-03）" in wrong.text


# 学期初同步 (issue 18.3) ------------------------------------------------------------------------

def sync_upload(client, school_id, data, filename="名册.xlsx"):
    return client.post("/students/import", data={"school_id": school_id, "mode": "sync",
                                                 "file": (BytesIO(data), filename)},
                       content_type="multipart/form-data")


def sync_commit(client, preview_html, school_id, **choices):
    return client.post("/students/import/commit", data={
        "token": token_in(preview_html), "school_id": school_id, "mode": "sync", **choices})


def test_term_start_sync_updates_adds_and_asks_about_the_missing(world, login):
    """This term's export over 甲一村小: 张三 moves up to 四年级2班 with a guardian more, a new
    child comes, 李四 is not on the list and the head says she transferred; nothing is written
    before the confirmation, which is one audited change."""
    zhang, li = world.s_a1, world.s_a1_other
    newcomer = new_id(date(2017, 3, 1), "女")
    data = xlsx(["姓名", "身份证号", "年级", "班级", "监护人", "关系", "联系电话", "是否留守儿童"], [
        ["张三", zhang.id_number, "四年级", "2班", "张奶奶", "祖母", "13700001111", "2"],
        ["王小花", newcomer, "二年级", "1班", "王大", "父亲", "", "0"]])
    head = login("head")
    before = count()
    preview = sync_upload(head, world.a1.id, data)
    text = preview.text
    assert "新增 <b>1</b> 人，更新 <b>1</b> 人" in text and "名单上没有 <b>1</b> 人" in text
    assert "年级：3 → 4" in text and "班级：1班 → 2班" in text
    assert ("监护人：张大山（父亲）13800001111 → 张奶奶（祖母）13700001111；"
            "张大山（父亲）13800001111") in text
    assert "留守：否 → 是" in text and "王小花" in text and "李四" in text
    assert count() == before  # the preview writes nothing

    missing_destination = sync_commit(head, text, world.a1.id, **{f"m{li.id}": "transferred"})
    assert missing_destination.status_code == 422
    assert "转出必须填写去向" in missing_destination.text
    assert 'value="transferred" selected' in missing_destination.text  # the choice stays
    db.session.expire_all()
    assert (zhang.grade, li.status) == (3, "enrolled") and count() == before

    done = sync_commit(head, text, world.a1.id, **{f"m{li.id}": "transferred",
                                                   f"d{li.id}": "县城第二小学"})
    assert done.status_code == 303
    assert "学期初同步完成：新增 1 人，更新 1 人，离校 1 人" in head.get(done.headers["Location"]).text
    db.session.expire_all()
    assert (zhang.grade, zhang.class_group.name, zhang.left_behind) == (4, "2班", True)
    assert [(g.name, g.relation) for g in zhang.guardians] == [("张奶奶", "祖母"),
                                                               ("张大山", "父亲")]
    assert (li.status, li.status_changes[0].destination) == ("transferred", "县城第二小学")
    assert count() == before + 1
    entry = db.session.scalars(db.select(AuditLog).filter_by(action="import").order_by(
        AuditLog.id.desc())).first()
    assert entry.after == {"new": 1, "updated": 1, "left": 1, "unchanged": 0}


def test_a_sync_leaves_alone_what_the_file_does_not_say(world, login):
    """No 重点群体 column: the focus groups stay; an empty guardian cell keeps the guardians;
    a missing child left as 仍在本校 stays enrolled."""
    zhang, li = world.s_a1, world.s_a1_other
    zhang.poverty = True
    db.session.commit()
    head = login("head")
    preview = sync_upload(head, world.a1.id, xlsx(["姓名", "身份证号", "年级", "班级", "监护人"], [
        ["张三", zhang.id_number, "3", "1班", ""]]))
    assert "更新 <b>0</b> 人，1 人没有变化" in preview.text
    assert sync_commit(head, preview.text, world.a1.id).status_code == 303
    db.session.expire_all()
    assert zhang.poverty and [g.name for g in zhang.guardians] == ["张大山"]
    assert li.status == "enrolled"


def test_a_sync_never_drops_a_guardian_the_file_does_not_name(world, login):
    """The register's own export has one guardian's columns, the 学籍 system's two: a sync
    updates the guardian it names (a new phone) and keeps the others with their phones."""
    zhang = world.s_a1
    zhang.guardians.append(Guardian(name="李秀", relation="母亲", phone="13900002222",
                                    position=1, works_away=True))
    db.session.commit()
    father, relation = zhang.guardians[0].name, zhang.guardians[0].relation
    head = login("head")
    preview = sync_upload(head, world.a1.id, xlsx(
        ["姓名", "身份证号", "年级", "班级", "监护人", "关系", "联系电话"],
        [["张三", zhang.id_number, "3", "1班", father, "", "13811112222"]]))
    assert "更新 <b>1</b> 人" in preview.text
    assert sync_commit(head, preview.text, world.a1.id).status_code == 303
    db.session.expire_all()
    assert [(g.name, g.relation, g.phone, g.works_away) for g in zhang.guardians] == [
        (father, relation, "13811112222", False),
        ("李秀", "母亲", "13900002222", True)]
    away = sync_upload(head, world.a1.id, xlsx(  # the father goes out to work
        ["姓名", "身份证号", "年级", "班级", "监护人", "外出务工"],
        [["张三", zhang.id_number, "3", "1班", father, "是"]]))
    assert f"{father}（{relation}）13811112222，外出务工" in away.text  # what changes, shown
    assert sync_commit(head, away.text, world.a1.id).status_code == 303
    db.session.expire_all()
    assert [g.works_away for g in zhang.guardians] == [True, True]


def test_a_sync_of_the_registers_own_export_takes_no_one_back(world, login):
    """The register's export of every status lists a child 转出: a sync leaves her 转出 (she
    became 在读 again, behind 137 guardian lines), and 休学 stays 休学 without the column; an
    import refuses to register a child the file says left."""
    zhang, li = world.s_a1, world.s_a1_other
    li.change_status("transferred", TODAY, "随父母外出", "县城第二小学", None)
    zhang.status = "suspended"
    db.session.commit()
    head = login("head")
    preview = sync_upload(head, world.a1.id, xlsx(["姓名", "身份证号", "年级", "班级", "学籍状态"], [
        ["张三", zhang.id_number, "3", "1班", ""], ["李四", li.id_number, "3", "1班", "转出"]]))
    assert "→ 在读" not in preview.text  # neither is taken back in
    assert "名单上没有 <b>0</b> 人" in preview.text  # 李四 is on it, as 转出
    assert sync_commit(head, preview.text, world.a1.id).status_code == 303
    db.session.expire_all()
    assert (zhang.status, li.status) == ("suspended", "transferred")
    gone = upload(head, world.a1.id, xlsx(["姓名", "身份证号", "年级", "学籍状态"], [
        ["王五", new_id(), "3", "已转出"]]))
    assert "学籍状态是“转出”：导入只登记在读的学生" in gone.text


def test_a_sync_still_refuses_a_child_of_another_school(world, login):
    preview = sync_upload(login("head"), world.a1.id, xlsx(["姓名", "身份证号", "年级"], [
        ["赵六", world.s_b1.id_number, "3"]]))
    assert "身份证号已在乙一村小登记，不能重复登记。" in preview.text and "确认同步" not in preview.text


def test_children_without_a_resident_id_are_registered_with_their_document(world, login):
    """Issue 18.1: a child with a passport, a 台湾居民来往大陆通行证 or no document yet is
    registered with the document's type and number (no made-up ID number), sex and birth date
    from their own columns; the same child twice is caught by name + birth date + guardian."""
    head = login("head")
    header = ["姓名", "性别", "出生日期", "身份证件类型", "身份证件号", "年级", "监护人"]
    preview = upload(head, world.a1.id, xlsx(header, [
        ["林安娜", "2", "20160301", "护照", "E12345678", "3", "林先生"],
        ["陈家豪", "1", "2015-06-01", "4", "01234567", "4", "陈太太"],
        ["小石头", "男", "2017-02-02", "尚无证件", "", "2", "石大山"],
        ["没性别", "", "", "6", "P7654321", "2", ""]]))
    assert "没有居民身份证号的儿童，请填写性别和出生日期。" in preview.text  # 第 5 行
    preview = upload(head, world.a1.id, xlsx(header, [
        ["林安娜", "2", "20160301", "护照", "E12345678", "3", "林先生"],
        ["陈家豪", "1", "2015-06-01", "4", "01234567", "4", "陈太太"],
        ["小石头", "男", "2017-02-02", "尚无证件", "", "2", "石大山"]]))
    assert "共 3 名学生，全部检查通过" in preview.text, preview.text
    assert commit(head, token_in(preview.text), world.a1.id).status_code == 303
    anna = db.session.scalar(db.select(Student).filter_by(name="林安娜"))
    assert (anna.id_type, anna.id_document, anna.id_number) == ("passport", "E12345678", None)
    assert (anna.sex, anna.birth_date, anna.id_type_label) == ("女", date(2016, 3, 1), "护照")
    stone = db.session.scalar(db.select(Student).filter_by(name="小石头"))
    assert (stone.id_type, stone.id_document, stone.id_number) == ("none", None, None)
    again = upload(login("officer"), world.a2.id, xlsx(header, [
        ["林安娜", "女", "2016-03-01", "6", "E12345678", "3", "林先生"],
        ["小石头", "男", "2017-02-02", "", "", "2", "石大山"],
        ["小石头", "男", "2017-02-02", "无", "", "2", "石大山"]]))
    assert "证件号已在甲一村小登记，不能重复登记。" in again.text
    assert "身份证号为空。持护照、港澳台证件或还没有证件的儿童" in again.text
    assert "甲一村小已登记同名、同出生日期、同监护人的小石头" in again.text
    assert "确认导入" not in again.text
