"""结对帮扶: schedule flags at week, month and quarter edges, 我的结对 (own pairs only, a
session logged in one request), coverage of children without a pair, the child's page."""
import random
import re
from datetime import date, timedelta

import pytest

from blueprints.pairs import schedule
from extensions import db
from models import PAIR_KINDS, TutoringPair, TutoringSession
from tests import TODAY
from tests import factories as f


def pair_with(kind, *sessions, start=date(2025, 9, 1)):
    pair = TutoringPair(kind=kind, start_on=start)
    pair.sessions = [TutoringSession(held_on=day, mode=mode) for day, mode in sessions]
    return pair


def labels(pair, today):
    return [d.label for d in schedule.behind(pair, today)]


def test_period_starts():
    assert schedule.period_start(date(2026, 11, 29), "week") == date(2026, 11, 23)  # Sunday
    assert schedule.period_start(date(2026, 11, 30), "month") == date(2026, 11, 1)
    assert schedule.period_start(date(2026, 12, 31), "quarter") == date(2026, 10, 1)
    assert schedule.period_start(date(2026, 3, 31), "quarter") == date(2026, 1, 1)


def test_caring_mother_needs_contact_each_month_and_a_meeting_each_quarter(app):
    call_nov_30 = pair_with("caring_mother", (date(2026, 11, 30), "call"),
                            (date(2026, 10, 2), "meeting"))
    assert labels(call_nov_30, date(2026, 11, 30)) == []
    assert labels(call_nov_30, date(2026, 12, 1)) == ["本月还没有联系（电话或见面）"]
    # the October meeting covers the quarter until 31 December, not on 1 January
    assert labels(call_nov_30, date(2026, 12, 31)) == ["本月还没有联系（电话或见面）"]
    assert labels(call_nov_30, date(2027, 1, 1)) == ["本月还没有联系（电话或见面）",
                                                     "本季度还没有见面"]
    # a meeting is also contact; a call is not a meeting
    assert labels(pair_with("caring_mother", (date(2027, 1, 5), "meeting")),
                  date(2027, 1, 31)) == []
    assert labels(pair_with("caring_mother", (date(2027, 1, 5), "call")),
                  date(2027, 1, 31)) == ["本季度还没有见面"]
    # a session dated after the day looked at does not count
    assert labels(pair_with("caring_mother", (date(2027, 1, 20), "meeting")),
                  date(2027, 1, 10)) != []


def test_weekly_pairs_and_ended_pairs(app):
    friday = pair_with("academic", (date(2026, 11, 27), "meeting"))
    assert labels(friday, date(2026, 11, 29)) == []  # Sunday, same week
    assert labels(friday, date(2026, 11, 30)) == ["本周还没有见面"]  # Monday
    ended = pair_with("academic", start=date(2026, 9, 1))
    ended.end_on = date(2026, 10, 31)
    assert labels(ended, date(2026, 11, 30)) == []  # ended pairs are not behind


def test_the_schedule_is_a_setting(app):
    app.config["TUTORING_SCHEDULE"] = {"caring_mother": [("call", "week")]}
    assert labels(pair_with("caring_mother", (date(2026, 11, 20), "call")),
                  date(2026, 11, 23)) == ["本周还没有联系（电话或见面）"]
    assert "爱心妈妈：每周至少联系一次" in schedule.describe()


@pytest.fixture
def pairs(world):
    teacher = world.users["teacher"]
    other = f.user("teacher", world.a1, "t_other", name="别的老师")
    left = f.student(world.a1, world.class_a1, name="留守娃", left_behind=True)
    mine = TutoringPair(school_id=world.a1.id, teacher=teacher, student=left,
                        kind="caring_mother", start_on=TODAY - timedelta(days=100),
                        goals="每月打电话")
    theirs = TutoringPair(school_id=world.a1.id, teacher=other, student=world.s_a1_other,
                          kind="academic", start_on=TODAY - timedelta(days=100))
    db.session.add_all([mine, theirs])
    db.session.commit()
    return {"mine": mine, "theirs": theirs, "other": other}


def test_teacher_logs_a_call_in_one_request_and_the_flag_clears(world, pairs, login):
    client = login("teacher")
    page = client.get("/pairs/mine").text
    assert "留守娃" in page and "本月还没有联系" in page
    assert world.s_a1_other.name not in page  # another teacher's pair
    assert '"None"' not in page and 'type="number"' in page and 'type="date"' in page
    card = f"pair-{pairs['mine'].id}"
    response = client.post(f"/pairs/{pairs['mine'].id}/sessions", headers={
        "HX-Request": "true", "HX-Target": card}, data={
        "held_on": TODAY.isoformat(), "mode": "call", "minutes": "10",
        "content": "电话问了学习和生活", "progress": "情绪稳定"})
    assert response.status_code == 200 and f'id="{card}"' in response.text
    assert "已记录" in response.text and "本月还没有联系" not in response.text
    assert "电话问了学习和生活" in response.text
    session = db.session.scalar(db.select(TutoringSession))
    assert (session.mode, session.minutes, session.user_id) == ("call", 10,
                                                                world.users["teacher"].id)


def test_a_bad_session_is_refused_in_the_card_with_what_was_typed(world, pairs, login):
    client = login("teacher")
    card = f"pair-{pairs['mine'].id}"
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    response = client.post(f"/pairs/{pairs['mine'].id}/sessions", headers={
        "HX-Request": "true", "HX-Target": card}, data={
        "held_on": tomorrow, "mode": "call", "minutes": "0", "content": "写了内容"})
    assert response.status_code == 422
    assert "日期不能晚于今天" in response.text and "时长填 1–600 分钟" in response.text
    assert "写了内容" in response.text
    assert db.session.scalar(db.select(TutoringSession)) is None


def test_teachers_log_only_their_own_pairs(world, pairs, login):
    response = login("teacher").post(f"/pairs/{pairs['theirs'].id}/sessions", data={
        "held_on": TODAY.isoformat(), "mode": "meeting", "minutes": "30",
        "content": "冒名记录"})
    assert response.status_code == 404
    assert login("head_b").get(f"/students/{world.s_a1.id}").status_code == 404
    assert db.session.scalar(db.select(TutoringSession)) is None


def test_coverage_lists_children_without_the_pair_they_need(world, pairs, login):
    f.student(world.a1, world.class_a1, name="学困生", learning_difficulty=True)
    f.student(world.a1, world.class_a1, name="厌学生", school_weary=True)
    f.student(world.a1, world.class_a1, name="另一个留守", left_behind=True)
    db.session.commit()
    page = login("head").get("/pairs/").text
    need_pair, need_mother = page.split("留守儿童没有爱心妈妈")
    assert "学困生" in need_pair and "厌学生" in need_pair
    assert "另一个留守" in need_mother and "留守娃</a>" not in need_mother.split("进行中")[0]
    assert "1 对落后于要求" in page or "2 对落后于要求" in page


def test_the_teachers_home_counts_their_pairs_behind(world, pairs, login):
    teacher = login("teacher")
    assert "我的结对待联系<b>1</b>" in teacher.get("/").text  # 爱心妈妈, never contacted
    teacher.post(f"/pairs/{pairs['mine'].id}/sessions", data={
        "held_on": TODAY.isoformat(), "mode": "meeting", "minutes": "30",
        "content": "上门看望"})
    assert "我的结对待联系" not in teacher.get("/").text


def test_the_pairs_list_puts_those_behind_first_a_page_at_a_time(world, pairs, login, app):
    pairs["mine"].sessions.append(TutoringSession(held_on=TODAY, mode="meeting",
                                                  minutes=30))  # 爱心妈妈: on schedule
    db.session.commit()  # the other teacher's 学业帮扶 has no session this week: behind
    head = login("head")
    listed = head.get("/pairs/").text.split("<h2>进行中的结对")[1]
    assert "（2 对，1 对落后于要求）" in listed and "本周还没有见面" in listed
    assert listed.index(world.s_a1_other.name) < listed.index("留守娃")
    assert TODAY.isoformat() in listed  # 最近一次
    app.config["PAGE_SIZE"] = 1
    second = head.get("/pairs/?page=2").text.split("<h2>进行中的结对")[1]
    assert "留守娃" in second and world.s_a1_other.name not in second
    assert "第 2 / 2 页" in second and "（2 对，1 对落后于要求）" in second
    township = login("officer").get("/pairs/").text.split("<h2>进行中的结对")[1]
    assert "留守娃" not in township  # several schools: each school's count, its list a click on
    row = township.split(f'href="/pairs/?school={world.a1.id}">{world.a1.name}</a>')[1]
    assert re.findall(r'class="num">(\d+)<', row.split("</tr>")[0]) == ["2", "1"]  # 1 behind


def test_the_list_finds_pairs_behind_as_each_pair_does(world, app, signed_in):
    """standing() reads last dates in SQL; behind() looks at a pair's sessions: they agree."""
    rng, today = random.Random(5), TODAY
    for n in range(40):
        pair = TutoringPair(school_id=world.a1.id, teacher=world.users["teacher"],
                            student=f.student(world.a1, world.class_a1, name=f"结对{n}"),
                            kind=rng.choice(list(PAIR_KINDS)),
                            start_on=today - timedelta(days=rng.choice([-2, 0, 200])),
                            end_on=rng.choice([None, today, today + timedelta(days=3)]))
        pair.sessions = [TutoringSession(held_on=today - timedelta(days=rng.randrange(-3, 120)),
                                         mode=rng.choice(["call", "meeting"]))
                         for _ in range(rng.randrange(0, 6))]  # a card shows three
        db.session.add(pair)
    db.session.commit()
    with signed_in(world.users["central_officer"]):
        listed = {r.pair_id: ([d.label for d in r.due], r.last)
                  for r in schedule.standing(today)}
        cards = schedule.pairs(today)  # 我的结对's cards: due from standing(), three sessions
        each = {p.id: ([d.label for d in schedule.behind(p, today)], max(
            (s.held_on for s in p.sessions if s.held_on <= today), default=None))
            for p, _due, _recent in cards}
        assert all(due == schedule.behind(p, today) and recent == p.sessions[:3]
                   for p, due, recent in cards)
    assert listed == each and len(each) == 40
    assert any(due for due, _ in each.values()) and any(not due for due, _ in each.values())


def test_head_pairs_a_child_and_the_childs_page_shows_it(world, pairs, login):
    head = login("head")
    form = head.get(f"/pairs/new?student={world.s_a1.id}&kind=academic")
    assert form.status_code == 200 and "别的老师" in form.text
    response = head.post(f"/pairs/new?student={world.s_a1.id}", data={
        "teacher_id": pairs["other"].id, "kind": "academic", "goals": "数学补上",
        "start_on": TODAY.isoformat()})
    assert response.status_code == 303
    head.post(f"/pairs/{pairs['mine'].id}/sessions", data={
        "held_on": TODAY.isoformat(), "mode": "meeting", "minutes": "40",
        "content": "家访谈心"})
    page = head.get(f"/students/{world.s_a1.id}").text
    assert "学业帮扶（一帮一）</b>：别的老师" in page and "数学补上" in page
    left = head.get(f"/students/{pairs['mine'].student_id}").text
    assert "家访谈心" in left and "爱心妈妈" in left
    bad = head.post(f"/pairs/new?student={world.s_a1.id}", data={
        "teacher_id": world.head_b.id, "kind": "academic", "start_on": "2026-01-01"})
    assert bad.status_code == 422  # a teacher of another school is not a choice
    again = head.post(f"/pairs/new?student={world.s_a1.id}", data={  # Back, and 保存 again
        "teacher_id": pairs["other"].id, "kind": "academic", "goals": "数学补上",
        "start_on": TODAY.isoformat()})
    assert again.status_code == 422 and "已有这一结对（学业帮扶" in again.text
    assert "数学补上" in again.text
    assert db.session.scalar(db.select(db.func.count()).select_from(TutoringPair).where(
        TutoringPair.student_id == world.s_a1.id, TutoringPair.kind == "academic")) == 1


def test_home_delivery_needs_a_plan_and_a_visit_every_week(world, login):
    child = f.student(world.a1, world.class_a1, name="送教娃", disabled=True,
                      placement="home_delivery")
    db.session.commit()
    head = login("head")
    page = head.get("/pairs/").text
    assert "送教上门学生没有送教计划" in page and "送教娃" in page.split("送教上门学生没有送教计划")[1]
    assert head.post(f"/pairs/new?student={child.id}", data={
        "teacher_id": world.users["teacher"].id, "kind": "home_delivery",
        "goals": "每周二下午送教：生活自理、识字", "start_on": "2026-09-01"}).status_code == 303
    teacher = login("teacher")
    card = teacher.get("/pairs/mine").text.split("送教娃")[1].split("</article>")[0]
    assert "本周还没有见面" in card
    pair = db.session.scalar(db.select(TutoringPair).filter_by(kind="home_delivery"))
    teacher.post(f"/pairs/{pair.id}/sessions", data={
        "held_on": TODAY.isoformat(), "mode": "meeting", "minutes": "90",
        "content": "识字 20 个，练习穿衣"})
    card = teacher.get("/pairs/mine").text.split("送教娃")[1].split("</article>")[0]
    assert "本周还没有见面" not in card
    assert "送教娃" not in head.get("/pairs/").text.split("送教上门学生没有送教计划")[1] \
        .split("<h2>进行中的结对")[0]


def test_uncovered_children_counted_per_school_listed_for_one_and_paged_whole(world, login,
                                                                               app):
    from blueprints.pairs.routes import LIST_LIMIT
    for n in range(LIST_LIMIT + 3):
        f.student(world.a1, world.class_a1, name=f"留守{n:03d}", left_behind=True)
    db.session.commit()
    officer = login("officer")
    total = LIST_LIMIT + 3
    one = officer.get(f"/pairs/?school={world.a1.id}").text  # one school: its first children
    assert one.count("留守0") == LIST_LIMIT
    assert f"只列出前 {LIST_LIMIT} 人（共 {total} 人）" in one and f"查看全部 {total} 人" in one
    assert f'href="/pairs/needs/caring_mother?school={world.a1.id}">' in one
    township = officer.get("/pairs/").text  # several: how many each school has, as links
    assert "留守0" not in township
    schools = township.split("还没有所需结对的学生")[1].split("</table>")[0]
    row = schools.split(f"<td>{world.a1.name}</td>")[1].split("</tr>")[0]
    assert f'caring_mother?school={world.a1.id}">{total}</a>' in row
    assert f'<a href="/pairs/needs/caring_mother">{total}</a>' in schools  # 合计
    app.config["PAGE_SIZE"] = 20
    whole = [officer.get(f"/pairs/needs/caring_mother?school={world.a1.id}&page={n}").text
             for n in (1, 2)]
    assert all(f"留守儿童没有爱心妈妈（{total} 人）" in p for p in whole)
    names = [f"留守{n:03d}" for n in range(total)]
    assert [sum(name in p for name in names) for p in whole] == [20, 3]  # each child once
    assert "安排结对" in whole[1] and "第 2 / 2 页" in whole[1]
    assert officer.get("/pairs/needs/nothing").status_code == 404
    other = login("head_b").get("/pairs/needs/caring_mother").text  # another township's head
    assert "留守000" not in other


def test_a_home_teaching_plan_and_its_record_with_the_guardians_column(world, login, batch_pdf):
    """送教上门 as a plan: its term, the teachers who go and how often; the 送教上门记录 lists
    each visit with a column the guardian signs, and lines for the visits to come."""
    import subprocess
    from models import Term
    term = Term(central_id=world.central_a.id, school_year=2026, semester=1,
                start_date=date(2026, 9, 1), end_date=date(2027, 1, 20))
    db.session.add(term)
    db.session.commit()
    head = login("head")
    r = head.post(f"/pairs/new?student={world.s_a1.id}", data={
        "teacher_id": world.users["teacher"].id, "kind": "home_delivery", "goals": "认识 50 个字",
        "start_on": "2026-09-07", "end_on": "", "term_id": term.id,
        "co_teachers": "村医王某", "frequency": "每周 1 次，每次 2 小时"})
    assert r.status_code == 303
    pair = db.session.scalar(db.select(TutoringPair))
    assert (pair.term, pair.co_teachers, pair.frequency) == (term, "村医王某", "每周 1 次，每次 2 小时")
    pair.sessions = [TutoringSession(held_on=date(2026, 9, 14), minutes=120, content="识字 5 个",
                                     progress="会写自己的名字")]
    db.session.commit()
    with head.get(f"/pairs/{pair.id}/record.pdf") as response:
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.data,
                              capture_output=True, check=True).stdout.decode()
    assert "送教上门记录" in text and "家长签字" in text and "村医王某" in text
    assert "2026-09-14" in text and "2 小时" in text and "会写自己的名字" in text
    other = TutoringPair(school_id=world.a1.id, teacher=world.users["teacher"],
                         student=world.s_a1, kind="academic", start_on=date(2026, 9, 1))
    db.session.add(other)
    db.session.commit()
    assert head.get(f"/pairs/{other.id}/record.pdf").status_code in (303, 422)


def test_a_lists_row_links_are_url_fors(app):
    """paging.RowUrl (row_url in templates) gives what url_for gives, query arguments and a
    path prefix (Baoxue served under /baoxue) included."""
    from flask import url_for

    from paging import RowUrl
    for base in ("http://localhost/", "http://localhost/baoxue/"):
        with app.test_request_context(base_url=base):
            show = RowUrl("students.show", "student_id")
            pair = RowUrl("pairs.new", "student", kind="caring_mother")
            for n in (1, 42, 10**7):
                assert show(n) == url_for("students.show", student_id=n)
                assert pair(n) == url_for("pairs.new", student=n, kind="caring_mother")
    assert show(7).startswith("/baoxue/students/")


def test_a_child_who_leaves_the_school_ends_its_pairs(world, pairs, login):
    """转出 (or another leaving) ends the child's pairs that day, and so does a move to
    another school: the old school's list no longer counts them, running or behind."""
    head = login("head")
    assert head.post(f"/students/{pairs['mine'].student_id}/status", data={
        "to_status": "transferred", "changed_on": TODAY.isoformat(), "reason": "随父母外出",
        "destination": "浙江宁波"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(TutoringPair, pairs["mine"].id).end_on == TODAY
    assert db.session.get(TutoringPair, pairs["theirs"].id).end_on is None
    child = world.s_a1_other  # moved to the 教学点 by the officer
    form = login("officer").get(f"/students/{child.id}/edit").text
    data = {m.group(1): m.group(2) for m in re.finditer(
        r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)}
    data.update({"school_id": world.a2.id, "class_id": 0, "grade": 3, "sex": "女",
                 "name": child.name, "id_type": "resident", "id_number": child.id_number})
    assert login("officer").post(f"/students/{child.id}/edit", data=data).status_code == 303
    db.session.expire_all()
    assert db.session.get(TutoringPair, pairs["theirs"].id).end_on == TODAY
