"""四查三比对: importing the 户籍 list (all or nothing, by ID), findings per village, explaining
a child, opening a case for a child in no school, 名在人不在."""
from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import Workbook

from blueprints.cases import reconcile
from extensions import db
from models import AuditLog, DropoutCase, HouseholdChild
from tests import factories as f
from tests import sheets

TODAY = date.today()


def household_file(rows, headers=("姓名", "身份证号", "户籍村", "组", "监护人", "联系电话")):
    wb = Workbook()
    wb.active.append(list(headers))
    for row in rows:
        wb.active.append(list(row))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data, filename="户籍.xlsx"):
    return client.post("/cases/reconcile/import", data={"file": (BytesIO(data), filename)})


def born_of_age(years=9):
    return date(TODAY.year - years, 3, 3)


def test_import_compare_explain_and_open_a_case(world, login):
    never = f.id_number(born_of_age(11), "女")
    away = f.id_number(born_of_age(10))
    rows = [("张三", world.s_a1.id_number, "甲一村", "一组", "张大山", "13800001111"),
            ("龙小燕", never, "甲一村", "三组", "龙德明", "13900002222"),
            ("杨文杰", away, "甲二村", "", "杨光华", "")]
    officer = login("officer")
    response = upload(officer, household_file(rows))
    assert response.status_code == 303
    assert db.session.scalar(db.select(db.func.count()).select_from(HouseholdChild)) == 3
    page = officer.get("/cases/reconcile").text
    out = page.split("不在任何学校")[1].split("<h2>已说明")[0]
    assert "龙小燕" in out and "杨文杰" in out and "张三" not in out  # 张三 is enrolled
    assert "没有学籍" in out and never not in page  # IDs masked in the list
    yang = db.session.scalar(db.select(HouseholdChild).filter_by(name="杨文杰"))
    no_note = officer.post(f"/cases/reconcile/{yang.id}/explain", data={"kind": "elsewhere"})
    assert no_note.status_code == 422 and "写明依据" in no_note.text
    assert officer.post(f"/cases/reconcile/{yang.id}/explain", data={
        "kind": "migrant", "note": "随父母在浙江宁波某小学就读，有学籍证明"}).status_code == 303
    long = db.session.scalar(db.select(HouseholdChild).filter_by(name="龙小燕"))
    response = officer.post(f"/cases/reconcile/{long.id}/case", data={"school_id": world.a1.id})
    case = db.session.scalar(db.select(DropoutCase))
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    assert (case.trigger, case.state, case.student.name) == ("reconciliation", "suspected",
                                                             "龙小燕")
    assert case.student.status == "dropout" and case.student.school_id == world.a1.id
    page = officer.get("/cases/reconcile").text
    assert "随父母在浙江宁波" in page.split("<h2>已说明")[1]
    assert "龙小燕" in page.split("不在任何学校")[1].split("<h2>已说明")[0]  # out until back
    entry = db.session.scalar(db.select(AuditLog).filter_by(action="import",
                                                            table_name="household_children"))
    assert entry.after["rows"] == 3


def test_a_bad_list_writes_nothing_and_names_each_row(world, login):
    good = f.id_number(born_of_age())
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [("甲", good, "甲一村", "", "", ""), ("乙", bad_check, "甲一村", "", "", ""),
            ("丙", good, "甲一村", "", "", ""), ("", f.id_number(), "甲一村", "", "", "")]
    response = upload(login("officer"), household_file(rows))
    assert response.status_code == 422
    assert "第 3 行" in response.text and "校验位不对" in response.text
    assert "第 4 行" in response.text and "与第 2 行重复" in response.text
    assert "第 5 行" in response.text and "姓名没有填" in response.text
    assert db.session.scalar(db.select(HouseholdChild)) is None
    no_name = upload(login("officer"), household_file([("x",)], headers=("名字",)))
    assert no_name.status_code == 422 and "找不到“姓名”列" in no_name.text


def test_importing_again_updates_by_id_and_keeps_explanations(world, login):
    number = f.id_number(born_of_age())
    officer = login("officer")
    upload(officer, household_file([("王小", number, "甲一村", "", "", ""),
                                    ("李小", f.id_number(born_of_age()), "甲一村", "", "", "")]))
    child = db.session.scalar(db.select(HouseholdChild).filter_by(name="王小"))
    officer.post(f"/cases/reconcile/{child.id}/explain",
                 data={"kind": "special_school", "note": "县特校就读"})
    upload(officer, household_file([("王小明", number, "甲二村", "", "", "")]))
    db.session.expire_all()
    rows = db.session.scalars(db.select(HouseholdChild)).all()
    assert [(r.name, r.village, r.explained) for r in rows] == [("王小明", "甲二村",
                                                                  "special_school")]


def test_only_children_of_school_age_are_compared(world, signed_in):
    start = date(TODAY.year if TODAY.month >= 9 else TODAY.year - 1, 9, 1)
    assert reconcile.of_age(date(start.year - 6, 9, 1), TODAY)  # six on 1 September
    assert not reconcile.of_age(date(start.year - 6, 9, 2), TODAY)  # a day too young
    assert reconcile.of_age(date(start.year - 16, 9, 2), TODAY)  # fifteen
    assert not reconcile.of_age(date(start.year - 16, 9, 1), TODAY)  # sixteen


def test_names_in_school_but_not_attending(world, signed_in):
    from models import Absence, Term
    db.session.add(Term(central_id=world.central_a.id, school_year=TODAY.year - 1, semester=1,
                        start_date=TODAY - timedelta(days=60), end_date=TODAY))
    db.session.flush()
    with signed_in(world.users["central_officer"]):
        from blueprints.attendance import rules
        days = rules.calendar(world.central_a.id).before(TODAY)[-9:]
        for day in days:
            db.session.add(Absence(student_id=world.s_a1.id, school_id=world.a1.id, day=day,
                                   kind="unexcused"))
        db.session.flush()
        found = reconcile.absent_enrolled(TODAY)
    assert [(s.name, len(run)) for s, run in found] == [("张三", 9)]


def test_reconciliation_is_for_the_central_school(world, login):
    assert login("head").get("/cases/reconcile").status_code == 403
    assert login("leader").get("/cases/reconcile").status_code == 200
    assert upload(login("leader"), household_file([])).status_code == 403


@pytest.mark.parametrize("kind", ["xls", "ods", "csv-gbk"])
def test_the_household_list_reads_from_every_spreadsheet(world, login, kind):
    """The 户籍 list as the 派出所 or a village office sends it: .xls, .ods, a GBK .csv."""
    child = f.id_number(born_of_age(9), "女")
    data, filename = sheets.make(kind, [["姓名", "公民身份号码", "村委会", "组"],
                                        ["欧阳娜娜", child, "甲一村", "二组"]])
    response = upload(login("officer"), data, filename.replace("名册", "户籍"))
    assert response.status_code in (200, 303), response.text
    row = db.session.scalar(db.select(HouseholdChild).filter_by(id_number=child))
    assert (row.name, row.village, row.village_group) == ("欧阳娜娜", "甲一村", "二组")
