"""The metrics module against hand-computed figures on a fixed dataset: transfers in and out,
a death, a dropout, a dropout who came back, and a child who moved between two schools."""
from datetime import date, timedelta

import pytest

from blueprints.dashboard import metrics
from extensions import db
from models import HouseholdChild, StatusChange
from tests import TODAY
from tests import factories as f

START, END = date(2025, 9, 1), date(2026, 7, 15)


def history(student, *changes):
    """changes: (date, from, to); replaces the factory's (none)."""
    student.status_changes = [StatusChange(changed_on=d, from_status=a, to_status=b)
                              for d, a, b in changes]
    student.status = changes[-1][2]


@pytest.fixture
def dataset(world):
    before = date(2024, 9, 1)
    kids = {name: f.student(world.a1, world.class_a1, name=name)
            for name in ("甲", "乙", "丙", "丁", "戊", "己")}
    moved = f.student(world.a2, world.class_a2, name="庚")  # moved from a1 to a2 in the year
    history(kids["甲"], (before, None, "enrolled"))
    history(kids["乙"], (before, None, "enrolled"), (date(2025, 10, 10), "enrolled",
                                                       "transferred"))
    history(kids["丙"], (before, None, "enrolled"), (date(2025, 11, 11), "enrolled", "deceased"))
    history(kids["丁"], (date(2025, 12, 1), None, "enrolled"))  # transferred in
    history(kids["戊"], (before, None, "enrolled"), (date(2026, 3, 1), "enrolled", "dropout"))
    history(kids["己"], (before, None, "enrolled"), (date(2026, 3, 1), "enrolled", "dropout"),
            (date(2026, 4, 1), "dropout", "enrolled"))  # persuaded back: not a dropout
    history(moved, (before, None, "enrolled"))
    for s in (world.s_a1, world.s_a1_other, world.s_a2, world.s_b1):
        db.session.delete(s)
    db.session.commit()
    return kids | {"庚": moved}


def test_rates_by_hand(world, dataset):
    students = list(dataset.values())
    found = metrics.rates(students, START, END)
    town, a1, a2 = found[None], found[world.a1.id], found[world.a2.id]
    assert (town.start, town.out, town.deceased, town.transferred_in, town.dropouts) == \
        (6, 1, 1, 1, 1)
    assert town.dropout_rate == 16.7 and town.consolidation_rate == 80.0  # 1/6; 4/5
    assert (a1.start, a1.out, a1.deceased, a1.transferred_in, a1.dropouts) == (5, 1, 1, 1, 1)
    assert a1.dropout_rate == 20.0 and a1.consolidation_rate == 75.0  # 1/5; 3/4
    assert (a2.start, a2.dropout_rate, a2.consolidation_rate) == (1, 0.0, 100.0)  # 庚 once


def test_a_child_gone_without_a_transfer_is_not_kept(world, dataset, login):
    """其他离校 (left with no transfer, whereabouts not verified) is not counted as kept in 巩固率,
    nor as a dropout; found and transferred later, they leave the base as a transfer (a reviewer
    found ten such children inside a 99.7% 巩固率)."""
    gone = f.student(world.a1, world.class_a1, name="辛")
    history(gone, (date(2024, 9, 1), None, "enrolled"), (date(2026, 2, 1), "enrolled", "left"))
    db.session.commit()
    town = metrics.rates(list(dataset.values()) + [gone], START, END)[None]
    assert (town.start, town.dropouts, town.left) == (7, 1, 1)
    assert town.consolidation_rate == 66.7  # (7 - 1 - 1 + 1 - 1 - 1) / (7 - 1 - 1 + 1) = 4/6
    assert town.dropout_rate == 14.3  # 1/7: 辛 is not a dropout
    history(gone, (date(2024, 9, 1), None, "enrolled"), (date(2026, 2, 1), "enrolled", "left"),
            (date(2026, 3, 1), "left", "transferred"))  # found at a school elsewhere
    db.session.commit()
    town = metrics.rates(list(dataset.values()) + [gone], START, END)[None]
    assert (town.out, town.left, town.consolidation_rate) == (2, 0, 80.0)  # 4/5


def test_enrolment_rate_from_the_household_list(world, dataset, signed_in):
    today = TODAY
    for name in ("甲", "戊", "庚"):
        s = dataset[name]
        s.birth_date = date(today.year - 10, 1, 1)
        db.session.add(HouseholdChild(central_id=world.central_a.id, name=name,
                                      id_number=s.id_number, birth_date=s.birth_date, sex="男",
                                      imported_on=today))
    db.session.add(HouseholdChild(central_id=world.central_a.id, name="未入学",
                                  id_number=f.id_number(date(today.year - 9, 1, 1)),
                                  birth_date=date(today.year - 9, 1, 1), sex="女",
                                  imported_on=today))
    db.session.commit()
    with signed_in(world.users["central_officer"]):
        r = metrics.enrolment(world.central_a.id, today)[None]
    assert (r.listed, r.listed_enrolled, r.enrolment_rate) == (4, 2, 50.0)  # 甲, 庚 of 4
    with signed_in(world.users["central_officer"]):
        assert metrics.enrolment(world.central_b.id, today)[None].enrolment_rate is None  # no list
        assert metrics.dashboard(today)[0].rates.enrolment_rate == 50.0  # the township's
    with signed_in(world.users["village_head"]):  # a school's column is not the township's
        assert metrics.dashboard(today)[0].rates.enrolment_rate is None


def test_enrolment_takes_the_townships_explanations(world, signed_in):
    """入学率 and the 四查三比对: a child explained as studying elsewhere is in school, one 转出 to
    a school elsewhere too; one explained as dead leaves the list (a reviewer's 在外地就读 child
    stayed "not enrolled" after it was explained)."""
    today = TODAY
    born = date(today.year - 9, 1, 1)
    world.s_a2.change_status("transferred", today, "随父母外出", "外省某小学", None)
    rows = [("在外地", "elsewhere"), ("已故", "deceased"), ("未入学", None)]
    for name, why in rows:
        db.session.add(HouseholdChild(central_id=world.central_a.id, name=name, sex="男",
                                      id_number=f.id_number(born), birth_date=born,
                                      imported_on=today, explained=why))
    db.session.add(HouseholdChild(central_id=world.central_a.id, name="王五", sex="男",
                                  id_number=world.s_a2.id_number, birth_date=born,
                                  imported_on=today))
    db.session.commit()
    with signed_in(world.users["central_officer"]):
        r = metrics.enrolment(world.central_a.id, today)[None]
    assert (r.listed, r.listed_enrolled) == (3, 2)  # 在外地, 王五 of 3 (已故 not listed)


def test_a_rate_that_cannot_be_right_is_flagged_not_reported(world, login):
    """Issue 18.6: a 户籍 list of one child gives 入学率 0% or 100% of 1; the dashboard and the
    monthly report say why the figure needs checking instead of showing it as fact."""
    today = TODAY
    db.session.add(HouseholdChild(central_id=world.central_a.id, name="孤单", sex="女",
                                  id_number=f.id_number(date(today.year - 9, 1, 1)),
                                  birth_date=date(today.year - 9, 1, 1), imported_on=today))
    db.session.commit()
    page = login("officer").get("/dashboard/").text
    warning = page.split("这些数字需要核实：")[1].split("</div></div>")[0]
    assert "入学率的分母只有 1 人，不能当作全镇的比例。" in warning
    assert "户籍名单上的适龄儿童只有 1 人，不到学籍在读人数" in warning
    rates = metrics.Rates(listed=40, listed_enrolled=12, start=40)
    assert rates.doubts(enrolled=45) == ["入学率只有 30.0%：请核实户籍名单和学籍是否完整后再上报。"]
    assert metrics.Rates(listed=40, listed_enrolled=39, start=40).doubts(enrolled=45) == []


def test_the_dashboard_links_every_number_and_leaves_out_what_is_not_there(world, login):
    page = login("officer").get("/dashboard/").text
    assert "全镇" in page and "甲一村小" in page and "乙一村小" not in page
    assert f'/students/?status=enrolled&amp;school={world.a1.id}">2</a>' in page  # 张三, 李四
    assert "本学期资助" not in page  # no programme this term: absent, not zero
    assert "未导入户籍名单" in page and "巩固率 = (学年初在读" in page
    assert "<svg" in page and "<script" not in page.split("</head>")[1]
    head = login("head").get("/dashboard/").text
    assert "甲二教学点" not in head and "（甲一村小）。" in head and "（全镇）" not in head
    assert "未导入户籍名单" not in head  # the list is the township's: a school's is not one
    assert "（全镇）。" in page  # the figures under the formulas say whose they are


def test_a_county_reader_sees_one_column_per_township(world, login):
    page = login("county").get("/dashboard/").text
    head = page.split("<thead>")[1].split("</thead>")[0]
    assert "全县" in head and "甲镇中心学校" in head and "乙镇中心学校" in head
    assert "甲一村小" not in head  # its children count under 甲镇
    enrolled = page.split("<td>在读</td>")[1].split("</tr>")[0]
    assert enrolled == ('<td><a href="/students/?status=enrolled">4</a></td>'
                        '<td>1</td><td>3</td>')  # 乙镇, 甲镇: the sums of their schools


def test_the_cohort_definition_of_consolidation_is_a_setting(world, app, login):
    """CONSOLIDATION_RATE = "cohort": this year's graduating grade (the highest taught) kept ÷
    the cohort; leavers are placed in it by the grade they left in plus the years since."""
    from models import school_year_of
    year = school_year_of(TODAY)
    six = f.klass(world.a1, grade=6, name="1班")
    stay = [f.student(world.a1, six, name=f"六{n}") for n in range(3)]
    history(stay[0], (date(year - 5, 9, 1), None, "enrolled"))
    suspended = f.student(world.a1, six, name="休学", status="suspended")
    gone = {
        "dropout": (5, date(year, 3, 1)),  # left in grade 5 last school year: grade 6 now
        "other_left": (6, date(year, 10, 1)),  # left this year in grade 6
        "transferred": (6, date(year, 10, 1)),  # a normal move: not in the cohort
        "deceased": (6, date(year, 10, 1)),  # likewise
        "graduated": (6, date(year, 7, 1)),  # last school year's graduate: not this cohort
    }
    for status, (grade, on) in gone.items():
        s = f.student(world.a1, None, name=status)
        s.grade = grade
        history(s, (date(year - 5, 9, 1), None, "enrolled"), (on, "enrolled", status))
    for name, grade in (("三年级辍学", 3), ("二年级辍学", 2)):  # left three school years ago
        s = f.student(world.a2, None, name=name)
        s.grade = grade
        history(s, (date(year - 5, 9, 1), None, "enrolled"),
                (date(year - 2, 3, 1), "enrolled", "dropout"))
    db.session.commit()
    officer = login("officer")
    assert "巩固率 = (学年初在读" in officer.get("/dashboard/").text  # the default
    app.config["CONSOLIDATION_RATE"] = "cohort"
    page = officer.get("/dashboard/").text
    row = page.split('title="巩固率（届别口径）')[1].split("</tr>")[0].split("<td>")
    # 全镇: kept 3 + 休学 of those + dropout + other_left + 三年级辍学 (grade 3 + 3 years)
    assert row[1].startswith("57.1% <small>4/7</small>")
    headings = columns_of(officer)
    a1, a2 = (row[1 + headings.index(s.name)] for s in (world.a1, world.a2))
    assert a1.startswith("66.7% <small>4/6</small>") and a2.startswith("0.0% <small>0/1")
    assert "巩固率（届别口径）= 本届毕业年级" in page and "巩固率 = (学年初在读" not in page
    assert suspended.status == "suspended"


def columns_of(client) -> list[str]:
    """The dashboard's column headings ("全镇" first), as shown."""
    import re
    head = client.get("/dashboard/").text.split("<thead>")[1].split("</thead>")[0]
    return [re.sub("<[^>]+>", "", cell).strip() for cell in head.split("<th>")[2:]]


def test_the_months_activities_per_school_and_for_the_township(world, login, signed_in):
    """本月工作活动: activities held this month, per school and in all, with people reached;
    last month's and another township's are not counted."""
    from datetime import timedelta

    from models import Activity
    today = TODAY
    last_month = (today.replace(day=1) - timedelta(days=1))
    for school, day, reached in ((world.a1, today, 40), (world.a1, today.replace(day=1), 80),
                                 (world.a2, today, 25), (world.a1, last_month, 12),
                                 (world.b1, today, 99)):
        db.session.add(Activity(school_id=school.id, held_on=day, kind="parents_meeting",
                                title="家长会", reached=reached))
    db.session.commit()
    with signed_in(world.users["central_officer"]):
        columns = {c.school.name if c.school else "全镇": c for c in metrics.dashboard(today)}
    assert (columns["全镇"].activities, columns["全镇"].activities_reached) == (3, 145)
    assert (columns["甲一村小"].activities, columns["甲一村小"].activities_reached) == (2, 120)
    assert (columns["甲二教学点"].activities, columns["甲镇中心学校"].activities) == (1, 0)
    with signed_in(world.users["central_officer"]):
        previous = metrics.dashboard(today, last_month)
    assert previous[0].activities == 1  # the month asked for, as the meeting asks
    page = login("head").get("/dashboard/").text
    row = page.split("本月工作活动</td>")[1].split("</tr>")[0]
    assert f'school={world.a1.id}">2</a> <small>120 人</small>' in row
    county = login("county").get("/dashboard/").text.split("本月工作活动</td>")[1].split("</tr>")[0]
    assert county.startswith(f'<td><a href="/activities/?month={today:%Y-%m}">4</a>')
    assert "<td>1 <small>99 人</small></td><td>3 <small>145 人</small></td>" in county


def test_aid_coverage_counts_each_programmes_own_township(world, login, signed_in):
    """A township's programme covers its own children only, also for a county reader who sees
    every township (it counted every township's children before); coverage() in SQL equals
    eligible() row by row."""
    from datetime import timedelta

    from blueprints.aid import grants
    from models import AidGrant, AidProgram, Term
    today = TODAY
    term = Term(central_id=world.central_a.id, school_year=today.year - (today.month < 9),
                semester=1, start_date=today - timedelta(days=30),
                end_date=today + timedelta(days=30))
    program = AidProgram(central_id=world.central_a.id, term=term, kind="living_subsidy",
                         name="生活补助", amount=50000, flags="poverty")
    for s in (world.s_a1, world.s_a1_other, world.s_a2, world.s_b1):
        s.poverty = True
    db.session.add_all([term, program, AidGrant(program=program, student=world.s_a1,
                                                school_id=world.a1.id, amount=50000,
                                                applied_on=today)])
    db.session.commit()
    for user in (world.county_inspector, world.users["central_officer"]):
        with signed_in(user):
            rows = grants.eligible(program)
            found = grants.coverage(program)
            summary = grants.summary(program)
            columns = metrics.dashboard(today)
        assert {s.student.name for s in rows} == {"张三", "李四", "王五"}  # not 乙镇's 赵六
        assert found == {world.a1.id: (2, 1, 50000), world.a2.id: (1, 0, 0)}
        assert summary == (len(rows), sum(not r.granted for r in rows),
                           sum(r.granted for r in rows), sum(r.total for r in rows))
        assert (columns[0].aid_eligible, columns[0].aid_granted) == (3, 1)


def test_a_schools_column_counts_its_children_gone_without_a_transfer(world, signed_in):
    """Each school's column sums its own rates: its 其他离校 too (the township's had them, the
    schools' columns did not, and showed 100%)."""
    from models import school_year_of
    start = date(school_year_of(TODAY), 9, 1)
    gone = f.student(world.a1, world.class_a1, name="辛")
    if TODAY <= start:
        pytest.skip("the school year's first day: nothing has happened in it yet")
    history(gone, (start.replace(year=start.year - 1), None, "enrolled"),
            (start + timedelta(days=1), "enrolled", "left"))
    for s in (world.s_a1, world.s_a1_other, world.s_a2):
        history(s, (start.replace(year=start.year - 1), None, "enrolled"))
    db.session.commit()
    with signed_in(world.users["central_officer"]):
        columns = {c.school.name if c.school else None: c for c in metrics.dashboard(TODAY)}
    assert columns["甲一村小"].rates.left == 1 and columns[None].rates.left == 1
    assert columns["甲一村小"].rates.consolidation_rate == 66.7  # 2 of 3


def test_a_month_that_has_ended_is_counted_as_it_stood_at_its_end(world, signed_in):
    """A reviewer's November report, sent on 7 December, counted a case opened on 12-07 and
    the 在读 of that day: a month that has ended counts its register and open cases as at its
    last day (what flowed in the month was already the month's)."""
    from blueprints.cases import workflow
    month_end = TODAY.replace(day=1) - timedelta(days=1)
    for s in (world.s_a1, world.s_a1_other, world.s_a2):
        history(s, (date(2020, 9, 1), None, "enrolled"))
    db.session.commit()
    world.s_a2.change_status("transferred", TODAY, "随父母外出", "外省", None)  # after the month
    old = workflow.open_case(world.s_a1_other, "manual", month_end - timedelta(days=3), None)
    workflow.move(old, "returned", TODAY, world.users["central_officer"], "已返校", "同桌帮扶")
    workflow.open_case(world.s_a1, "manual", TODAY, None)  # opened after the month's end
    db.session.commit()
    with signed_in(world.users["central_officer"]):
        then = metrics.dashboard(TODAY, month_end)[0]
        now = metrics.dashboard(TODAY)[0]
    assert then.status["enrolled"] == now.status["enrolled"] + 1 == 3
    assert now.status["transferred"] == 1 and then.status["transferred"] == 0
    assert dict(then.cases) == {"suspected": 1}  # 李四's, open then; not 张三's of today
    assert dict(now.cases) == {"returned": 1, "suspected": 1}


def test_rates_are_given_for_primary_and_junior_apart(world, signed_in, login):
    """小学 and 初中 apart, as townships report them (小学适龄儿童入学率, 初中阶段适龄少年入学率,
    小学、初中辍学率): 辍学率 by the child's grade, 入学率 by age on 1 September."""
    from models import school_year_of
    start = date(school_year_of(TODAY), 9, 1)
    if TODAY <= start:
        pytest.skip("the school year's first day: nothing has happened in it yet")
    junior = f.klass(world.a1, grade=7, name="2班")
    teen = f.student(world.a1, junior, name="初一", born=date(start.year - 13, 3, 1))
    history(teen, (date(2020, 9, 1), None, "enrolled"),
            (start + timedelta(days=1), "enrolled", "dropout"))
    for s in (world.s_a1, world.s_a1_other, world.s_a2):
        history(s, (date(2020, 9, 1), None, "enrolled"))
    for name, born, child in (("小八", date(start.year - 8, 1, 1), world.s_a1),
                              ("初十三", date(start.year - 13, 1, 1), teen),
                              ("未入学", date(start.year - 12, 1, 1), None)):
        if child is not None:
            child.birth_date = born
        db.session.add(HouseholdChild(
            central_id=world.central_a.id, name=name, sex="男", imported_on=TODAY,
            id_number=child.id_number if child else f.id_number(born), birth_date=born))
    db.session.commit()
    with signed_in(world.users["central_officer"]):
        town = metrics.dashboard(TODAY)[0]
    primary, junior_rates = town.stages["primary"], town.stages["junior"]
    assert (primary.start, primary.dropouts, primary.dropout_rate) == (3, 0, 0.0)
    assert (junior_rates.start, junior_rates.dropouts, junior_rates.dropout_rate) == (1, 1, 100.0)
    assert (primary.listed, primary.listed_enrolled) == (1, 1)  # 小八, enrolled
    assert (junior_rates.listed, junior_rates.listed_enrolled) == (2, 0)  # 初一 out, one never in
    page = login("officer").get("/dashboard/").text
    assert "小学辍学率" in page and "初中辍学率" in page and "初中适龄少年入学率" in page
    assert "100.0% <small>1/1</small>" in page
