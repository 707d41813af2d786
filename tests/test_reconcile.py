"""四查三比对: importing the 户籍 list (all or nothing, by ID), findings per village, explaining
a child, opening a case for a child in no school, 名在人不在."""
import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import Workbook

from blueprints.cases import reconcile
from extensions import db
from models import AuditLog, DropoutCase, HouseholdChild
from tests import TODAY
from tests import factories as f
from tests import sheets



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


def import_list(client, data, remove=False, filename="户籍.xlsx"):
    """Upload, read the preview, confirm (ticking 移出 when remove): the confirmation's response."""
    preview = upload(client, data, filename)
    assert preview.status_code == 200 and "确认导入" in preview.text, preview.text
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.text).group(1)
    return client.post("/cases/reconcile/import/commit",
                       data={"token": token, **({"remove": "1"} if remove else {})})


def listed() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(h.name, h.village) for h in db.session.scalars(
        db.select(HouseholdChild).order_by(HouseholdChild.village, HouseholdChild.name))]


def born_of_age(years=9):
    return date(TODAY.year - years, 3, 3)


def test_import_compare_explain_and_open_a_case(world, login):
    never = f.id_number(born_of_age(11), "女")
    away = f.id_number(born_of_age(10))
    rows = [("张三", world.s_a1.id_number, "甲一村", "一组", "张大山", "13800001111"),
            ("龙小燕", never, "甲一村", "三组", "龙德明", "13900002222"),
            ("杨文杰", away, "甲二村", "", "杨光华", "")]
    officer = login("officer")
    response = import_list(officer, household_file(rows))
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


def test_what_excel_did_to_a_list_is_named_not_stored(world, login):
    """An ID typed into a 常规 cell is a number whose last digits are lost (433127201405016262
    is kept as 433127201405016000): refused, as is a file whose IDs all came back ending in 000
    (one in eleven of those passes the checksum), and a cell longer than the list keeps."""
    real = f.id_number(born_of_age())
    officer = login("officer")
    as_number = upload(officer, household_file([("甲", int(real[:15] + "000"), "甲一村", "", "",
                                                 "")]))
    assert as_number.status_code == 422
    assert "第 2 行" in as_number.text and "身份证号被 Excel 存成了数字" in as_number.text
    assert "校验位" not in as_number.text  # the lost digits, not a checksum, are the fault
    csv = "姓名,身份证号\r\n甲,4.33127E+17\r\n".encode("gbk")
    assert "身份证号被 Excel 存成了数字" in upload(officer, csv, "户籍.csv").text
    zeroed = [(name, n[:15] + "000", "甲一村", "", "", "") for name, n in
              (("乙", f.id_number(born_of_age())), ("丙", f.id_number(born_of_age(10))))]
    response = upload(officer, household_file(zeroed))
    assert response.status_code == 422 and response.text.count("末三位是 000") == 2
    long_phone = upload(officer, household_file([("丁", real, "甲一村", "二组", "丁大",
                                                  "13900002222、13900003333（母）")]))
    assert long_phone.status_code == 422
    assert "联系电话太长（最多 20 个字）" in long_phone.text
    assert db.session.scalar(db.select(HouseholdChild)) is None


def test_importing_again_updates_by_id_and_keeps_explanations(world, login):
    number = f.id_number(born_of_age())
    officer = login("officer")
    import_list(officer, household_file([("王小", number, "甲一村", "", "", ""),
                                         ("李小", f.id_number(born_of_age()), "甲一村", "", "", "")]))
    child = db.session.scalar(db.select(HouseholdChild).filter_by(name="王小"))
    officer.post(f"/cases/reconcile/{child.id}/explain",
                 data={"kind": "special_school", "note": "县特校就读"})
    import_list(officer, household_file([("王小明", number, "甲一村", "", "", "")]), remove=True)
    db.session.expire_all()
    rows = db.session.scalars(db.select(HouseholdChild)).all()
    assert [(r.name, r.village, r.explained) for r in rows] == [("王小明", "甲一村",
                                                                  "special_school")]


def test_a_one_village_list_never_empties_the_others(world, login):
    """Issue 18.4: a list from one village office over the township's list updates that village;
    the other villages stay; a child missing from the covered village goes only when confirmed."""
    officer = login("officer")
    township = [(f"甲{n}", f.id_number(born_of_age()), "甲一村", "", "", "") for n in range(3)] + \
        [(f"乙{n}", f.id_number(born_of_age()), "甲二村", "", "", "") for n in range(4)]
    import_list(officer, household_file(township))
    one_village = [("甲0改", township[0][1], "甲一村", "", "", ""),
                   ("新来", f.id_number(born_of_age()), "甲一村", "", "", "")]
    preview = upload(officer, household_file(one_village))
    text = preview.text
    assert "这份名单包含 甲一村，只更新这些村" in text and "其他村原有的 4 人不受影响" in text
    assert "新增 <b>1</b>，更新 <b>1</b>" in text
    assert "原名单中有 <b>2</b> 人（甲一村）" in text and "甲1" in text and "甲2" in text
    assert len(listed()) == 7  # the preview writes nothing

    assert import_list(officer, household_file(one_village)).status_code == 303  # not ticked
    assert sorted(n for n, v in listed() if v == "甲一村") == sorted(["新来", "甲0改", "甲1", "甲2"])
    assert len([n for n, v in listed() if v == "甲二村"]) == 4
    import_list(officer, household_file(one_village), remove=True)  # ticked: 甲1 and 甲2 go
    assert sorted(n for n, v in listed() if v == "甲一村") == sorted(["新来", "甲0改"])
    assert len(listed()) == 6
    entry = db.session.scalars(db.select(AuditLog).filter_by(
        action="import", table_name="household_children").order_by(AuditLog.id.desc())).first()
    assert entry.after["removed"] == 2 and entry.after["villages"] == ["甲一村"]


def test_a_list_with_rows_of_no_village_is_the_whole_townships(world, login):
    officer = login("officer")
    import_list(officer, household_file([("甲", f.id_number(born_of_age()), "甲一村", "", "", ""),
                                         ("乙", f.id_number(born_of_age()), "甲二村", "", "", "")]))
    whole = household_file([("丙", f.id_number(born_of_age()), "", "", "", "")])
    preview = upload(officer, whole)
    assert "按<b>全镇名单</b>处理" in preview.text and "原名单中有 <b>2</b> 人" in preview.text
    import_list(officer, whole, remove=True)
    assert listed() == [("丙", "")]


def test_a_confirmation_needs_the_previewed_file(world, login):
    officer = login("officer")
    assert officer.post("/cases/reconcile/import/commit", data={"token": "abc"}).status_code == 404
    upload(officer, household_file([("甲", f.id_number(born_of_age()), "甲一村", "", "", "")]))
    other = login("officer")  # another sign-in has no such preview
    assert other.post("/cases/reconcile/import/commit", data={"token": "0" * 32}).status_code == 404
    assert listed() == []


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
    response = import_list(login("officer"), data, filename=filename.replace("名册", "户籍"))
    assert response.status_code == 303
    row = db.session.scalar(db.select(HouseholdChild).filter_by(id_number=child))
    assert (row.name, row.village, row.village_group) == ("欧阳娜娜", "甲一村", "二组")


def test_a_village_list_with_merged_cells_keeps_each_childs_village(world, login):
    """Village clerks merge 村 down the whole list and 组 down each group, under a merged title:
    every child keeps the village and group of the merged cell (they read as empty before, and
    the list was taken for the whole township's, offering to remove every other village)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["甲一村适龄儿童花名册"])
    ws.append(["姓名", "身份证号", "村", "组"])
    kids = [("甲", "一组"), ("乙", "一组"), ("丙", "二组")]
    for name, group in kids:
        ws.append([name, f.id_number(born_of_age()), "甲一村", group])
    ws.merge_cells("A1:D1")
    ws.merge_cells("C3:C5")
    ws.merge_cells("D3:D4")  # openpyxl keeps the first cell's value only, as Excel does
    out = BytesIO()
    wb.save(out)
    officer = login("officer")
    preview = upload(officer, out.getvalue())
    assert "按全镇名单处理" not in preview.text
    assert import_list(officer, out.getvalue()).status_code == 303
    db.session.expire_all()
    assert [(h.name, h.village, h.village_group) for h in db.session.scalars(
        db.select(HouseholdChild).order_by(HouseholdChild.id))] == [
        ("甲", "甲一村", "一组"), ("乙", "甲一村", "一组"), ("丙", "甲一村", "二组")]


def test_a_village_group_written_several_ways_is_one_group(world, login):
    """村民小组 as village clerks write them: 5组, 第五组, 05 and 五组 are one group, listed
    together (a reviewer's GBK list previewed four groups)."""
    rows = [(name, f.id_number(born_of_age()), "甲一村", group, "", "")
            for name, group in (("甲", "5组"), ("乙", "第五组"), ("丙", "05"), ("丁", "五组"))]
    assert import_list(login("officer"), household_file(rows)).status_code == 303
    db.session.expire_all()
    assert {h.village_group for h in db.session.scalars(db.select(HouseholdChild))} == {"五组"}


def test_a_list_with_the_xueji_systems_id_header_and_marked_numbers_reads(world, login):
    """身份证件号 (the 学籍 system's header) names the ID column here too; an ID kept as text
    with a leading ' or as a CSV's ="…" is the ID."""
    first, second = f.id_number(born_of_age()), f.id_number(born_of_age(10))
    data = household_file([("甲", "'" + first, "甲一村", "", "", "")],
                          headers=("姓名", "身份证件号", "户籍村", "组", "监护人", "联系电话"))
    officer = login("officer")
    assert import_list(officer, data).status_code == 303
    csv = f'姓名,身份证件号,户籍村\r\n乙,"=""{second}""",甲一村\r\n'.encode("gbk")
    assert import_list(officer, csv, filename="户籍.csv").status_code == 303
    db.session.expire_all()
    assert {h.id_number for h in db.session.scalars(db.select(HouseholdChild))} == {first, second}


def test_the_townships_age_ledger_ends_with_the_children_no_school_has(world, login):
    """The 适龄儿童台账 of the township is every child of school age it knows: the register's,
    then the 户籍 list's children with no record anywhere (never registered, or explained as
    studying elsewhere), on the page's last page, in its Excel and its print; a school's is its
    register (a reviewer's ledger left out the 23 children the list had and no school)."""
    from io import BytesIO as Bytes
    from openpyxl import load_workbook
    lost, away = f.id_number(born_of_age(9), "女"), f.id_number(born_of_age(10), "男")
    for name, number, born in (("欧阳娜娜", lost, born_of_age(9)), ("覃小军", away, born_of_age(10)),
                               ("张三", world.s_a1.id_number, world.s_a1.birth_date)):
        db.session.add(HouseholdChild(central_id=world.central_a.id, name=name, sex="女",
                                      id_number=number, birth_date=born, village="甲一村",
                                      imported_on=TODAY))
    db.session.flush()
    db.session.scalar(db.select(HouseholdChild).filter_by(id_number=away)).explained = "elsewhere"
    db.session.commit()
    page = login("officer").get("/cases/ledger?kind=age").text
    assert "欧阳娜娜" in page and "未入学（待核实）" in page and "无本镇学籍：在外地就读" in page
    assert page.count("张三") == 1  # on the register: once
    assert "（5 人，6–15 周岁）" in page and "全库都没有学籍的适龄儿童（2 人" in page
    assert lost not in page  # masked on screen
    sheet = list(load_workbook(Bytes(login("officer").get("/cases/ledger.xlsx?kind=age").data))
                 .active.values)
    assert [r[1] for r in sheet[-2:]] == ["欧阳娜娜", "覃小军"] and sheet[-1][4] == away
    assert "欧阳娜娜" not in login("head").get("/cases/ledger?kind=age").text  # a school's
