"""周考勤 and 预警: the school-day calendar, runs of unexcused days at their edges (weekends,
holidays, a sick day), warnings opened once and kept up to date, the grid's fragments, scope."""
import re
from datetime import date, timedelta

import pytest

from blueprints.attendance import rules
from extensions import db
from models import Absence, AuditLog, ClassGroup, EarlyWarning, Term
from tests import TODAY
from tests import factories as f

MON = date(2026, 11, 16)  # a Monday in term


@pytest.fixture
def term(world):
    row = Term(central_id=world.central_a.id, school_year=2026, semester=1,
               start_date=date(2026, 9, 1), end_date=date(2027, 1, 20),
               holidays="2026-10-01~2026-10-07 国庆节\n2026-11-20 运动会")
    db.session.add(row)
    db.session.commit()
    return row


def absent(student, *days, kind="unexcused"):
    for day in days:
        db.session.add(Absence(student_id=student.id, school_id=student.school_id, day=day,
                               kind=kind))
    db.session.flush()


def d(offset: int) -> date:
    return MON + timedelta(days=offset)


def test_calendar_skips_weekends_and_holidays(world, term):
    cal = rules.calendar(world.central_a.id)
    assert cal.is_school_day(d(0)) and not cal.is_school_day(d(5))  # Saturday
    assert not cal.is_school_day(d(4))  # 运动会 on Friday 20th
    assert not cal.is_school_day(date(2026, 10, 2))
    assert cal.shift(d(3), 1) == d(7)  # Thursday → next Monday (Friday is a holiday)
    assert [day for day, school in cal.week(MON)] == [d(i) for i in range(5)]


def test_a_run_counts_school_days_across_a_weekend_and_a_holiday(world, term):
    s = world.s_a1
    absent(s, d(2), d(3), d(7))  # Wed, Thu, (Fri holiday, weekend), Mon
    assert rules.unexcused_run(s, d(7)) == [d(2), d(3), d(7)]


def test_a_sick_day_or_a_present_day_breaks_the_run(world, term):
    s = world.s_a1
    absent(s, d(0), d(1))
    absent(s, d(2), kind="sick")
    absent(s, d(3), d(7))
    assert rules.unexcused_run(s, d(7)) == [d(3), d(7)]
    other = world.s_a1_other
    absent(other, d(0), d(1), d(3))  # present on Wednesday
    assert rules.unexcused_run(other, d(3)) == [d(3)]


def test_a_warning_opens_at_three_days_once_and_grows(world, term):
    s = world.s_a1
    absent(s, d(0), d(1))
    assert rules.evaluate(s, d(1)) is None
    absent(s, d(2))
    warning = rules.evaluate(s, d(2))
    assert (warning.days, warning.run_start, warning.opened_on) == (3, d(0), d(2))
    assert warning.due_on == d(3)  # a visit within one school day
    db.session.commit()
    assert rules.evaluate(s, d(2)) is None  # running the rules again changes nothing
    absent(s, d(3))
    grown = rules.evaluate(s, d(3))
    assert grown is warning and warning.days == 4 and len(warning.evidence) == 4
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(EarlyWarning)) == 1


def test_a_returned_child_absent_again_gets_a_new_warning(world, term):
    s = world.s_a1
    absent(s, d(0), d(1), d(2))
    first = rules.evaluate(s, d(2))
    db.session.commit()
    absent(s, d(8), d(9), d(10))  # back on Thu/Mon, away again Tue–Thu of the next week
    second = rules.evaluate(s, d(10))
    assert second is not first and second.run_start == d(8)


def test_thresholds_are_settings(world, term, app):
    app.config["ATTENDANCE_RULES"] = {**app.config["ATTENDANCE_RULES"], "warning_days": 5,
                                      "visit_within": 2}
    s = world.s_a1
    absent(s, d(0), d(1), d(2))
    assert rules.evaluate(s, d(2)) is None
    absent(s, d(3), d(7))
    warning = rules.evaluate(s, d(7))
    assert warning.days == 5 and warning.due_on == d(9)


def test_the_nightly_run_finds_what_the_grid_did_not(world, term):
    absent(world.s_a1, d(0), d(1), d(2))
    absent(world.s_a2, d(0), d(1))
    assert rules.run_all(d(3)) == 1
    db.session.commit()
    assert rules.run_all(d(3)) == 0


def test_a_child_taught_at_home_leaves_the_grid_and_its_warnings(world, term, login):
    """送教上门 (and 特教学校, 异地就读): not expected in class, so not on the daily grid, and
    absences recorded before the placement open no warning."""
    taught = f.student(world.a1, world.class_a1, name="送教生", placement="home_delivery")
    absent(taught, d(0), d(1), d(2))
    db.session.commit()
    assert rules.evaluate(taught, d(3)) is None and rules.run_all(d(3)) == 0
    page = login("teacher").get(f"/attendance/classes/{world.class_a1.id}?week={MON}").text
    assert "张三" in page and "送教生" not in page


def cell(client, klass, student, day, mode="unexcused", reason="", shown=None):
    """A click on a cell that showed `shown` (a kind, "" for none; None: an older page's cell,
    which says nothing of what it showed)."""
    value = f"{student.id}:{day.isoformat()}" + ("" if shown is None else f":{shown}")
    return client.post(f"/attendance/classes/{klass.id}/mark", headers={"HX-Request": "true"},
                       data={"cell": value, "mode": mode, "reason": reason})


def test_a_click_does_what_its_cell_showed_whatever_another_tab_did(world, term, login):
    """Two tabs on the same week: A marks 无故; B, still showing "·", clicks 无故 too. The day
    stays 无故 (toggling the database's state cleared it, with no word). A click on a cell
    showing 无故 in 无故 mode clears it, as it always did."""
    teacher = login("teacher")
    page = teacher.get(f"/attendance/classes/{world.class_a1.id}?week={MON}").text
    assert f'value="{world.s_a1.id}:{d(0).isoformat()}:"' in page  # the cell says what it shows
    cell(teacher, world.class_a1, world.s_a1, d(0), shown="")  # tab A
    second = cell(login("head"), world.class_a1, world.s_a1, d(0), shown="")  # tab B
    assert "k-unexcused" in second.text
    assert db.session.scalar(db.select(Absence)).kind == "unexcused"
    cleared = cell(teacher, world.class_a1, world.s_a1, d(0), shown="unexcused")
    assert "k-" not in cleared.text.split(">")[0]
    assert db.session.scalar(db.select(Absence)) is None


def test_the_grid_saves_each_click_and_answers_with_a_small_cell(world, term, login):
    teacher = login("teacher")
    page = teacher.get(f"/attendance/classes/{world.class_a1.id}?week={MON}")
    assert page.status_code == 200 and "张三" in page.text and 'id="mark-mode"' in page.text
    response = cell(teacher, world.class_a1, world.s_a1, d(0), reason="没来，电话没人接")
    # the day's first entry takes its roll: the week's table comes back, the day now 已点名
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#roll-grid"
    assert "k-unexcused" in response.text and "没来，电话没人接" in response.text
    assert response.text.count("已点名") == 1
    response = cell(teacher, world.class_a1, world.s_a1, d(0), mode="personal")
    assert response.status_code == 200 and len(response.data) < 600  # later: the cell alone
    assert "k-personal" in response.text
    absence = db.session.scalar(db.select(Absence))
    assert (absence.day, absence.kind, absence.user_id) == (d(0), "personal",
                                                           world.users["teacher"].id)
    sick = cell(teacher, world.class_a1, world.s_a1, d(0), mode="sick")  # another kind: change
    assert "k-sick" in sick.text
    again = cell(teacher, world.class_a1, world.s_a1, d(0), mode="sick")  # same kind: clear
    assert "k-" not in again.text.split(">")[0] and "·" in again.text
    assert db.session.scalar(db.select(Absence)) is None
    logged = db.session.scalars(db.select(AuditLog).filter_by(table_name="absences")).all()
    assert [e.action for e in logged] == ["create", "update", "update", "delete"]


def test_a_week_nobody_entered_is_not_a_week_everyone_came(world, term, login):
    """已点名: a school day shows "·" (到校) only once its roll was taken, by 全到 or by a first
    mark; a day not taken shows blank cells and 全到 beside its date."""
    from models import RollCall
    teacher = login("teacher")
    page = teacher.get(f"/attendance/classes/{world.class_a1.id}?week={MON}").text
    cells = re.findall(r'<td class="cell[^"]*">.*?</td>', page, re.S)
    days = page.count("全到</button>")  # the week's school days (its Friday is a holiday)
    assert cells and not any("·" in c for c in cells) and days == 4
    children = page.count('<tr><th><a href="/students/')
    assert children and page.count(" unrolled") == days * children
    taken = teacher.post(f"/attendance/classes/{world.class_a1.id}/roll",
                         data={"day": d(1).isoformat()}, headers={"HX-Request": "true"})
    assert taken.status_code == 200 and taken.text.count("已点名") == 1
    assert taken.text.count(">·</button>") == children
    assert taken.text.count("全到</button>") == days - 1
    roll = db.session.scalar(db.select(RollCall))
    assert (roll.day, roll.user_id) == (d(1), world.users["teacher"].id)
    again = teacher.post(f"/attendance/classes/{world.class_a1.id}/roll",
                         data={"day": d(1).isoformat()}, headers={"HX-Request": "true"})
    assert again.status_code == 200 and db.session.query(RollCall).count() == 1
    future = teacher.post(f"/attendance/classes/{world.class_a1.id}/roll",
                          data={"day": "2100-01-04"}, headers={"HX-Request": "true"})
    assert future.status_code == 422 and "还没到这一天" in future.text


def test_the_third_day_brings_the_warning_box_out_of_band(world, term, login):
    teacher = login("teacher")
    for i in (0, 1):
        assert 'hx-swap-oob' not in cell(teacher, world.class_a1, world.s_a1, d(i)).text
    third = cell(teacher, world.class_a1, world.s_a1, d(2)).text
    assert 'id="class-warnings" hx-swap-oob="true"' in third and "连续无故缺课 3 天" in third
    head_page = login("head").get("/attendance/warnings").text
    assert "张三" in head_page and "2026-11-16、2026-11-17、2026-11-18" in head_page
    assert "班主任" in head_page


def test_bad_cells_are_refused_with_a_reason(world, term, login):
    teacher = login("teacher")
    weekend = cell(teacher, world.class_a1, world.s_a1, d(5))
    assert weekend.status_code == 422 and "不是上课日" in weekend.text
    future = cell(teacher, world.class_a1, world.s_a1, TODAY + timedelta(days=1))
    assert future.status_code == 422 and "还没到这一天" in future.text
    other_class = cell(teacher, world.class_a1, world.s_a1_other, d(0))
    assert other_class.status_code == 404  # not the teacher's child
    assert login("teacher").get(
        f"/attendance/classes/{world.other_class_a1.id}").status_code == 404
    assert login("head_b").post(f"/attendance/classes/{world.class_a1.id}/mark",
                                data={"cell": f"{world.s_a1.id}:{d(0)}"}).status_code == 404
    assert db.session.scalar(db.select(Absence)) is None


def test_a_warning_closes_only_with_what_was_done(world, term, login):
    absent(world.s_a1, d(0), d(1), d(2))
    warning = rules.evaluate(world.s_a1, d(2))
    db.session.commit()
    head = login("head")
    empty = head.post(f"/attendance/warnings/{warning.id}/close", data={"action": " "})
    assert empty.status_code == 422 and "请写明做了什么" in empty.text
    ok = head.post(f"/attendance/warnings/{warning.id}/close",
                   data={"action": "家访见到奶奶，孩子生病未请假，明天返校"})
    assert ok.status_code == 303
    db.session.expire_all()
    assert warning.status == "closed" and warning.closed_by_id == world.users["village_head"].id
    assert "明天返校" in head.get("/attendance/warnings?status=closed").text
    assert login("inspector").post(f"/attendance/warnings/{warning.id}/close",
                                   data={"action": "x"}).status_code == 403


def test_overdue_warnings_stand_out(world, term, login):
    absent(world.s_a1, d(0), d(1), d(2))
    rules.evaluate(world.s_a1, d(2))  # due 19 November, long past
    db.session.commit()
    page = login("officer").get("/attendance/warnings").text
    assert "1 条已超期" in page and "row-error" in page


def test_blank_roll_sheet_lists_the_class(world, term, login):
    import subprocess
    f.student(world.a1, world.class_a1, name="李小花")
    db.session.commit()
    response = login("teacher").get(f"/attendance/classes/{world.class_a1.id}/roll.pdf?week={MON}")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.data,
                          capture_output=True, check=True).stdout.decode()
    assert "学生周考勤表" in text and "张三" in text and "李小花" in text and "休" in text


def test_flask_rules_run_is_the_nightly_command(world, term, app):
    absent(world.s_a1, d(0), d(1), d(2))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rules", "run", "--date", "2026-11-18"])
    assert result.exit_code == 0 and "1 warnings opened or updated" in result.output
    warning = db.session.scalar(db.select(EarlyWarning))
    assert warning.opened_on == d(2)
    entry = db.session.scalar(db.select(AuditLog).filter_by(table_name="warnings"))
    assert entry.username == "rules"
    # and it leaves the query planner statistics (ANALYZE): SQLite keeps them in sqlite_stat1;
    # PostgreSQL is vacuumed too (the scores it stored leave dead row versions)
    if db.engine.dialect.name == "sqlite":
        analyzed = db.session.execute(db.text("SELECT DISTINCT tbl FROM sqlite_stat1")).scalars()
        assert {"students", "absences", "risk_scores"} <= set(analyzed)
    else:
        vacuumed = db.session.execute(db.text(
            "SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL"
            " AND last_analyze IS NOT NULL")).scalars()
        assert {"students", "absences", "risk_scores"} <= set(vacuumed)


def test_the_home_page_shows_what_is_due(world, term, login):
    absent(world.s_a1, d(0), d(1), d(2))
    rules.evaluate(world.s_a1, d(2))
    db.session.commit()
    for username in ("head", "officer", "teacher"):
        page = login(username).get("/").text
        assert "预警待处理<b>1</b>" in page and "1 条已超期" in page and "超期预警" in page
    assert "预警待处理" not in login("head_b").get("/").text


def test_a_whole_schools_blank_rolls_print_at_once(world, term, login, batch_pdf):
    import subprocess
    other = f.klass(world.a1, grade=5)
    db.session.commit()
    head = login("head")
    assert "全校本周空白考勤表" in head.get("/attendance/").text
    data = batch_pdf(head, "/attendance/rolls", {"school": world.a1.id, "week": MON})
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()
    classes = db.session.scalars(db.select(ClassGroup).filter_by(school_id=world.a1.id)).all()
    assert text.count("学生周考勤表") == len(classes) >= 1 and "张三" in text
    assert other.label in text
    assert head.post("/attendance/rolls", data={"school": world.b1.id}).status_code == 404


def test_a_class_that_took_no_roll_is_told_to_whom_answers_for_it(world, term, login,
                                                                   signed_in):
    """未点名: the school days of the last week a class with children entered nothing, for its
    teacher, its school's head and the township (a reviewer found a class with no roll for two
    days, shown nowhere); an empty class, another township and an inspector are not told."""
    from blueprints.attendance import rolls
    from models import RollCall
    monday = d(7)  # the last five school days before it: 11-13, 11-16 ... 11-19 (11-20 a holiday)
    for klass in (world.class_a1, world.other_class_a1, world.class_a2):
        klass.school_year = 2026
    f.klass(world.a1, grade=6, year=2026)  # no children: nothing to take
    for day in (d(-3), d(0), d(1), d(3)):
        db.session.add(RollCall(class_id=world.class_a1.id, day=day))
    db.session.commit()
    with signed_in(world.users["village_head"]):
        assert rolls.unrolled(monday) == {world.class_a1.id: [d(2)],
                                          world.other_class_a1.id: [d(-3), d(0), d(1), d(2), d(3)]}
    with signed_in(world.users["teacher"]):
        assert rolls.unrolled(monday) == {world.class_a1.id: [d(2)]}
    with signed_in(world.users["central_officer"]):
        assert set(rolls.unrolled(monday)) == {world.class_a1.id, world.other_class_a1.id,
                                               world.class_a2.id}
    with signed_in(world.head_b):
        assert rolls.unrolled(monday) == {}
    with signed_in(world.users["village_head"]):
        now = rolls.unrolled(TODAY)  # the pages: the suite's day
    home, index = login("head").get("/").text, login("head").get("/attendance/").text
    other = now.get(world.other_class_a1.id)
    assert ("近一周未点名的班级" in home) == bool(now)
    assert not other or f"有 {len(other)} 天未点名" in index
    assert "未点名" not in login("inspector").get("/").text


def test_the_term_start_arrivals_list_who_has_not_come(world, term, login, batch_pdf,
                                                          signed_in):
    """开学报到: in the term's first ten school days a child whose class took its roll and who
    was absent every such day has not come (listed first, to be visited); a class with no roll
    at all is not known; one present day is arrived. The list prints to be signed."""
    import subprocess
    from models import RollCall
    days = [d for d in term.school_days()][:10]
    for day in days[:3]:
        db.session.add(RollCall(class_id=world.class_a1.id, day=day))
    absent(world.s_a1, *days[:3], kind="sick")
    db.session.add(RollCall(class_id=world.other_class_a1.id, day=days[0]))  # 李四 came
    db.session.commit()
    page = login("officer").get("/attendance/arrivals").text
    assert f"{days[0]} 至 {days[-1]}" in page
    rows = page.split("未到校的学生（1 人）")[1]
    assert "张三" in rows.split("没有点名的班级")[0] and "病假 3 天" in rows  # ill, not 无故
    assert "没有点名的班级（1 个）" in page and "甲二教学点 二年级1班（1 人）" in page
    assert "王五" not in page and "李四" not in page and "记录家访" in rows
    assert login("head").get(f"/attendance/arrivals?school={world.b1.id}").status_code == 404
    head = login("head").get("/attendance/arrivals").text
    assert "王五" not in head and "张三" in head  # 甲二教学点's child is not the head's
    from blueprints.attendance import arrivals
    with signed_in(world.users["village_head"]):
        assert arrivals.not_come(term.start_date + timedelta(days=14)) == 1  # the 待办's count
        assert arrivals.not_come(term.start_date + timedelta(days=40)) == 0  # weeks after
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], capture_output=True, check=True,
                          input=batch_pdf(login("officer"), "/attendance/arrivals/print",
                                          {"school": ""})).stdout.decode()
    assert "开学报到未到校学生名单" in text and "张三" in text and "未家访" in text
    assert "全班1人" in text.replace(" ", "") and "班级未点名" in text  # a class not known: once
    assert "甲镇中心学校（盖章）" in text.replace(" ", "")
    mine = subprocess.run(["pdftotext", "-", "-"], capture_output=True, check=True,
                          input=batch_pdf(login("teacher"), "/attendance/arrivals/print",
                                          {"school": ""})).stdout.decode()
    assert "甲一村小三年级1班" in mine.replace("\n", "")  # a teacher's list is of their class
