"""风险等级: each indicator with its evidence, the levels at their thresholds, protective
evidence, overrides with a reason (audited), the list and the child's page."""
from datetime import date, timedelta

import pytest

from blueprints.attendance import risk
from blueprints.attendance import scores as stored
from extensions import db
from models import (Absence, AidGrant, AidProgram, AuditLog, DropoutCase, Guardian, Term,
                    TutoringPair)
from tests import TODAY



@pytest.fixture
def term(world):
    row = Term(central_id=world.central_a.id, school_year=TODAY.year - 1, semester=1,
               start_date=TODAY - timedelta(days=120), end_date=TODAY + timedelta(days=30))
    db.session.add(row)
    world.s_a1.grade = TODAY.year - 2016 - 5 + (TODAY.month >= 9)  # the grade for the age
    db.session.commit()
    return row


def assess(world, student, signed_in):
    with signed_in(world.users["central_officer"]):
        return risk.assess([student], TODAY)[student.id]


def labels(a):
    return {i.label: i.points for i in a.indicators}


def test_a_child_with_nothing_is_low(world, term, signed_in):
    a = assess(world, world.s_a1, signed_in)
    assert (a.score, a.level, a.label, a.indicators) == (0, "low", "低", [])


def test_indicators_add_up_to_the_levels(world, term, signed_in):
    s = world.s_a1
    s.school_weary, s.left_behind = True, True  # 3 + 1 = 4: medium
    db.session.commit()
    a = assess(world, s, signed_in)
    assert labels(a) == {"厌学": 3, "留守": 1} and a.level == "medium"
    with signed_in(world.users["central_officer"]):
        from blueprints.attendance import rules
        days = rules.calendar(world.central_a.id).before(TODAY)[-3:]
    for day in days:
        db.session.add(Absence(student_id=s.id, school_id=s.school_id, day=day,
                               kind="unexcused"))
    db.session.commit()
    a = assess(world, s, signed_in)
    assert labels(a)["近30天无故缺课"] == 3 and labels(a)["连续无故缺课"] == 3
    assert a.score == 10 and a.level == "high"
    evidence = {i.label: i.evidence for i in a.indicators}
    assert days[-1].strftime("%m-%d") in evidence["近30天无故缺课"]


def test_thresholds_and_weights_are_settings(world, term, signed_in, app):
    world.s_a1.learning_difficulty = True
    db.session.commit()
    assert assess(world, world.s_a1, signed_in).level == "low"  # 2 < 3
    app.config["RISK"] = {**app.config["RISK"], "medium": 2}
    assert assess(world, world.s_a1, signed_in).level == "medium"


def test_history_age_and_home(world, term, signed_in):
    s = world.s_a1
    s.grade, s.birth_date = 1, date(TODAY.year - 10, 1, 1)  # ten in grade one
    s.guardians = [Guardian(name="父", relation="父亲", works_away=True)]
    db.session.add(DropoutCase(student=s, school_id=s.school_id, opened_on=date(2025, 3, 1),
                               trigger="manual", state="closed", outcome="returned",
                               closed_on=date(2025, 5, 1)))
    db.session.commit()
    a = labels(assess(world, s, signed_in))
    assert a["超龄"] == 2 and a["家中无监护人"] == 2 and a["曾辍学或疑似辍学"] == 3


def test_a_pair_and_aid_are_protective(world, term, signed_in):
    s = world.s_a1
    s.school_weary = True
    db.session.add(TutoringPair(school_id=s.school_id, teacher=world.users["teacher"], student=s,
                                kind="counselling", start_on=TODAY - timedelta(days=10)))
    program = AidProgram(central_id=world.central_a.id, term=term, kind="relief", name="救助",
                         amount=20000, flags="school_weary")
    db.session.add(AidGrant(program=program, student=s, school_id=s.school_id, amount=20000,
                            applied_on=TODAY))
    db.session.commit()
    a = assess(world, s, signed_in)
    assert labels(a) == {"厌学": 3, "有结对帮扶": -1, "近一年获得资助": -1}
    assert a.level == "low"


def test_an_override_needs_a_reason_is_audited_and_can_be_handed_back(world, term, login):
    head = login("head")
    no_reason = head.post(f"/attendance/risk/{world.s_a1.id}", data={"level": "high"})
    assert no_reason.status_code == 422 and "必须写明理由" in no_reason.text
    assert head.post(f"/attendance/risk/{world.s_a1.id}", data={
        "level": "high", "reason": "父亲说下学期要带去外地打工"}).status_code == 303
    page = head.get(f"/students/{world.s_a1.id}").text
    assert "辍学风险：<span class=\"tag bad\">高</span>" in page and "带去外地打工" in page
    assert "风险</span>" in page.split("<h2>时间线</h2>")[1]
    assert "张三" in head.get("/attendance/risk").text
    entry = db.session.scalar(db.select(AuditLog).filter_by(table_name="risk_overrides"))
    assert entry.after["level"] == "high" and entry.username == "head"
    head.post(f"/attendance/risk/{world.s_a1.id}", data={"level": "", "reason": "已谈妥，留在本地"})
    assert "辍学风险：<span class=\"tag ok\">低</span>" in head.get(
        f"/students/{world.s_a1.id}").text
    assert login("teacher").post(f"/attendance/risk/{world.s_a1.id}", data={
        "level": "low", "reason": "x"}).status_code == 403


def test_level_counts_agree_with_assess_child_by_child(world, term, signed_in, monkeypatch):
    """The dashboard's counts (scored in SQL) equal assess()'s levels on a mixed population:
    every indicator, runs and scattered days, overrides, edges of over-age and of the window;
    out of date, they are scored by the condition (more than BY_IDS), then by their ids."""
    import random
    monkeypatch.setattr(stored, "BY_IDS", 7)

    from blueprints.attendance import rules
    from models import RiskOverride, RiskScore, Student
    from tests import factories
    rng = random.Random(11)
    with signed_in(world.users["central_officer"]):
        school_days = rules.calendar(world.central_a.id).before(TODAY)[-25:]
    year_start = date(TODAY.year if TODAY.month >= 9 else TODAY.year - 1, 9, 1)
    for n in range(80):
        grade = 1 + n % 6
        over = n % 7 == 0  # born on the very day that makes the child two years over age
        born = date(year_start.year - grade - 7 + (0 if over else 1), 9, 1 + (n % 3 == 0))
        s = factories.student(world.a1 if n % 2 else world.a2, name=f"孩子{n}", born=born,
                              status="dropout" if n % 19 == 0 else "enrolled")
        s.grade = grade
        for flag in risk.RISK_FLAGS:
            setattr(s, flag, rng.random() < 0.15)
        if n % 5 == 0:
            s.guardians = [Guardian(name="父", relation="父亲", works_away=True),
                           Guardian(name="母", relation="母亲", works_away=n % 10 == 0)]
        run = school_days[-rng.randrange(2, 6):] if n % 4 == 0 else []  # 2-5 days running
        days = run + rng.sample(school_days[:-6], rng.randrange(0, 5))
        for day in days:
            db.session.add(Absence(student_id=s.id, school_id=s.school_id, day=day, kind=(
                "unexcused" if day in run else rng.choice(["unexcused", "unexcused", "sick"]))))
        if TODAY - timedelta(days=31) not in days:  # 25 school days may reach back that far
            db.session.add(Absence(student_id=s.id, school_id=s.school_id, kind="unexcused",
                                   day=TODAY - timedelta(days=31)))  # outside the window
        if n % 6 == 0:
            db.session.add(TutoringPair(school_id=s.school_id, teacher=world.users["teacher"],
                                        student=s, kind="academic",
                                        start_on=TODAY - timedelta(days=rng.choice([-3, 5]))))
        if n % 8 == 0:
            db.session.add(DropoutCase(student=s, school_id=s.school_id, opened_on=date(2025, 3, 1),
                                       trigger="manual", state=rng.choice(["closed", "persuading"]),
                                       closed_on=date(2025, 5, 1)))
        if n % 9 == 0:
            program = AidProgram(central_id=world.central_a.id, term=term, kind="relief",
                                 name=f"救助{n}", amount=100, flags="poverty")
            db.session.add(AidGrant(program=program, student=s, school_id=s.school_id,
                                    amount=rng.choice([100, 0]), applied_on=TODAY))
        if n % 11 == 0:
            db.session.add(RiskOverride(student_id=s.id, school_id=s.school_id,
                                        level=rng.choice(["high", "low", None]), reason="面谈",
                                        on=TODAY, user_id=world.users["village_head"].id))
    db.session.commit()
    ids = db.select(Student.id).where(Student.school_id.in_([world.a1.id, world.a2.id]))
    with signed_in(world.users["central_officer"]):
        assert stored.level_counts(ids, TODAY)  # all 80 out of date: scored by the condition
        for s in db.session.scalars(db.select(Student).limit(5)):
            s.single_parent = not s.single_parent  # 5 out of date: by their ids
        db.session.commit()
        expected, assessed = {}, risk.assess(ids, TODAY)
        for a_id, a in assessed.items():
            key = (db.session.get(Student, a_id).school_id, a.level)
            expected[key] = expected.get(key, 0) + 1
        assert stored.level_counts(ids, TODAY) == expected
        listed = {a_id: (a.level, a.score) for a_id, a in assessed.items() if a.level != "low"}
        assert stored.at_risk(ids, TODAY) == listed
        # every score stored and fresh now: counted by the database, the overrides moved after
        assert db.session.scalar(db.select(db.func.count()).select_from(RiskScore).where(
            RiskScore.student_id.in_(ids), RiskScore.scored_rev == RiskScore.rev)) == len(assessed)
        with monkeypatch.context() as patched:
            patched.setattr(stored, "_compute", None)  # nothing to score again, so not called
            assert stored.level_counts(ids, TODAY) == expected
            rank = stored.ranking(ids, TODAY)  # the same, as a condition of a list's statement
            assert set(db.session.scalars(stored.with_scores(ids).where(rank.listed))) == set(listed)
        # the risk list ranks them with the overrides, a page at a time
        changed = db.session.scalars(db.select(Student).limit(3)).all()
        for s in changed:
            s.orphan = not s.orphan  # 3 out of date again, found through the partial index
        db.session.commit()
        assert sorted(stored._late(ids, TODAY, stored._basis())) == sorted(s.id for s in changed)
        assessed = risk.assess(ids, TODAY)
        listed = {a_id: (a.level, a.score) for a_id, a in assessed.items() if a.level != "low"}
        pages = [stored.ranked_page(ids, TODAY, n) for n in (1, 2, 3)]  # 50 a page
        rows = [(s.id, (a.level, a.score)) for page in pages[:2] for s, a in page.items]
        assert all(page.total == len(listed) for page in pages) and dict(rows) == listed
        assert len(rows) == len(listed) > 50  # no child on two pages, none left out
        assert pages[2].page == 2 and pages[2].items == pages[1].items  # clamped to the last
        keys = [(level != "high", -score) for _, (level, score) in rows]
        assert keys == sorted(keys) and {level for level, _ in listed.values()} == {"high",
                                                                                  "medium"}
        overridden = {o.student_id: o.level for o in db.session.scalars(
            db.select(RiskOverride).order_by(RiskOverride.id))}
        assert any(level == "high" and assessed[sid].score < 6 for sid, level in
                   overridden.items() if sid in listed)  # raised by a person, not by points
    assert {level for _, level in expected} == {"high", "medium", "low"}


def test_the_risk_list_puts_the_highest_first_a_page_at_a_time(world, term, login, app):
    world.s_a1.school_weary = True  # 3 + 2 = 5: 中
    world.s_a1.learning_difficulty = True
    world.s_a1_other.school_weary = True  # 3 + 2 + 1 + 2 = 8: 高, the first row
    world.s_a1_other.learning_difficulty = True
    world.s_a1_other.orphan = True
    db.session.commit()
    head = login("head")
    page = head.get("/attendance/risk").text
    assert "高、中风险 2 人" in page and "第 1 / " not in page
    assert page.index(world.s_a1_other.name) < page.index(world.s_a1.name)
    app.config["PAGE_SIZE"] = 1
    first, second = (head.get(f"/attendance/risk?page={n}").text for n in (1, 2))
    assert world.s_a1_other.name in first and f">{world.s_a1.name}<" not in first
    assert f">{world.s_a1.name}<" in second and "第 2 / 2 页" in second
    assert "高、中风险 2 人" in second


@pytest.fixture
def scores(world, term, signed_in):
    """scores.check(day): the stored scores give assess()'s levels for township A's children,
    to township A's officer (who reads the township's range of stored scores, first, so that a
    child just moved is scored and stored by that read) and to the county's reader (every
    score); scores.stale(child): whether the child's stored score is out of date."""
    from flask import g

    import access
    from models import RiskScore, Student

    class Scores:
        ids = db.select(Student.id).where(Student.school_id.in_([world.a1.id, world.a2.id]))

        def check(self, day=TODAY):
            g.pop("calendars", None)  # built once a request; this test's context lives on
            assessed = risk.assess(self.ids, day)
            expected = {sid: (a.level, a.score) for sid, a in assessed.items()
                        if a.level != "low"}
            with signed_in(world.users["central_officer"]):
                seen = set(db.session.scalars(access.scoped(Student).with_only_columns(
                    Student.id)))  # a village school moved to township B is not theirs
                assert stored.at_risk(access.scoped(Student).with_only_columns(Student.id).where(
                    Student.id.in_(self.ids)), day) == {
                    sid: found for sid, found in expected.items() if sid in seen}
            with signed_in(world.county_inspector):
                assert stored.at_risk(self.ids, day) == expected
            db.session.commit()  # see what was stored
            rows = db.session.execute(db.select(
                RiskScore.rev, RiskScore.scored_rev, RiskScore.as_of, RiskScore.points)
                .where(RiskScore.student_id.in_(self.ids))).all()
            assert len(rows) == len(assessed) and all(
                rev == scored and on == day for rev, scored, on, _ in rows)
            return expected

        def stale(self, child):
            row = db.session.get(RiskScore, child.id, populate_existing=True)
            return row.scored_rev != row.rev
    return Scores()


def test_stored_scores_are_out_of_date_after_every_write_to_their_inputs(
        world, term, scores, app):
    """Each input of the score is written through the models as the app writes it; the
    database's triggers mark the child's stored score out of date in the same transaction, and
    the list agrees with assess() after each write."""
    from blueprints.attendance import rules
    s = world.s_a1
    assert scores.check() == {}
    days = rules.calendar(world.central_a.id).before(TODAY)[-3:]

    def write(change, child=s):
        change()
        db.session.commit()
        assert scores.stale(child)
        return scores.check()

    assert write(lambda: setattr(s, "school_weary", True)) == {s.id: ("medium", 3)}
    absences = [Absence(student_id=s.id, school_id=s.school_id, day=day, kind="unexcused")
                for day in days]
    assert write(lambda: db.session.add_all(absences)) == {s.id: ("high", 9)}
    assert write(lambda: setattr(absences[0], "kind", "sick")) == {s.id: ("medium", 5)}
    assert write(lambda: db.session.delete(absences[0])) == {s.id: ("medium", 5)}
    absences[0] = Absence(student_id=s.id, school_id=s.school_id, day=days[0], kind="unexcused")
    assert write(lambda: db.session.add(absences[0])) == {s.id: ("high", 9)}
    holiday = f"{days[1]} 停电"  # the middle day is no school day: the run is broken
    assert write(lambda: setattr(term, "holidays", holiday)) == {s.id: ("high", 6)}
    assert write(lambda: setattr(term, "holidays", "")) == {s.id: ("high", 9)}
    assert write(lambda: setattr(world.a1, "parent_id", world.central_b.id)) == {
        s.id: ("high", 6)}  # township B has no terms: no calendar, no run
    assert write(lambda: setattr(world.a1, "parent_id", world.central_a.id)) == {
        s.id: ("high", 9)}
    father = s.guardians[0]
    assert write(lambda: setattr(father, "works_away", True)) == {s.id: ("high", 11)}
    mother = Guardian(student_id=s.id, name="母", relation="母亲")
    assert write(lambda: db.session.add(mother)) == {s.id: ("high", 9)}  # she is at home
    assert write(lambda: db.session.delete(mother)) == {s.id: ("high", 11)}
    assert write(lambda: setattr(father, "works_away", False)) == {s.id: ("high", 9)}
    pair = TutoringPair(school_id=s.school_id, teacher=world.users["teacher"], student=s,
                        kind="counselling", start_on=TODAY - timedelta(days=3))
    assert write(lambda: db.session.add(pair)) == {s.id: ("high", 8)}
    assert write(lambda: setattr(pair, "end_on", TODAY - timedelta(days=1))) == {
        s.id: ("high", 9)}
    program = AidProgram(central_id=world.central_a.id, term=term, kind="relief", name="救助",
                         amount=20000, flags="school_weary")
    grant = AidGrant(program=program, student=s, school_id=s.school_id, amount=20000,
                     applied_on=TODAY)
    assert write(lambda: db.session.add(grant)) == {s.id: ("high", 8)}
    assert write(lambda: setattr(grant, "amount", 0)) == {s.id: ("high", 9)}
    case = DropoutCase(student=s, school_id=s.school_id, opened_on=date(2025, 3, 1),
                       trigger="manual", state="persuading")
    assert write(lambda: db.session.add(case)) == {s.id: ("high", 9)}
    assert write(lambda: setattr(case, "state", "closed")) == {s.id: ("high", 12)}
    other = world.s_a2
    assert write(lambda: setattr(other, "learning_difficulty", True), other) == {
        s.id: ("high", 12), other.id: ("medium", 4)}  # over age (2) and this
    assert write(lambda: setattr(other, "status", "dropout"), other)[other.id] == ("high", 7)
    # the next day's scores are computed afresh, and so are scores under other settings
    assert scores.check(TODAY + timedelta(days=1))
    app.config["RISK"] = {**app.config["RISK"], "high": 8}
    assert scores.check()[other.id] == ("medium", 7)


def test_a_score_computed_before_a_write_is_never_used_after_it(world, scores, signed_in):
    """A list computes a child's score; a write is committed before the list stores it: the
    stored score carries the revision before the write, so it is out of date at once."""
    s = world.s_a1
    scores.check()
    computed = stored._compute([s.id], TODAY)  # as a list view would, a moment before the write
    s.school_weary = True
    db.session.commit()
    stored._store(computed, TODAY, stored._basis())
    assert scores.stale(s)
    assert scores.check() == {s.id: ("medium", 3)}


def test_a_score_from_a_write_not_yet_committed_is_not_stored(world, scores, signed_in):
    """A request that has written but not committed sees its own change in the list, and the
    score it computed is not stored: after a rollback the list is as before."""
    s = world.s_a1
    scores.check()
    s.school_weary, s.learning_difficulty = True, True
    db.session.flush()
    with signed_in(world.users["central_officer"]):
        assert stored.at_risk(scores.ids, TODAY) == {s.id: ("medium", 5)}
        page = stored.ranked_page(scores.ids, TODAY, 1)
        assert [(child.id, a.level) for child, a in page.items] == [(s.id, "medium")]
        # the unstored score is read in place of the stored one by the counts too
        assert stored.level_counts(scores.ids, TODAY).get((s.school_id, "medium")) == 1
    db.session.rollback()
    assert not scores.stale(s)
    assert scores.check() == {}


def test_a_township_reads_its_own_range_of_stored_scores(world, scores, signed_in, app):
    """A stored score carries its child's township (migration 0035), written with the score: a
    user of one township lists from that township's range of scores, the county's reader from
    all of them; a village school moved to another township is scored there before it is
    listed."""
    from sqlalchemy import event

    from models import RiskScore
    s = world.s_a1
    s.school_weary, s.learning_difficulty = True, True  # 中
    db.session.commit()
    scores.check()
    assert db.session.get(RiskScore, s.id).township_id == world.central_a.id
    statements = []
    listen = (db.engine, "before_cursor_execute",
              lambda conn, cursor, statement, *args: statements.append(statement))
    event.listen(*listen)
    try:
        for user in (world.users["central_officer"], world.county_inspector):
            with signed_in(user):
                stored.ranked_page(scores.ids, TODAY, 1)
    finally:
        event.remove(*listen)
    ranked = [st for st in statements if "ORDER BY risk_scores.points DESC" in st]  # the page
    assert f"risk_scores.township_id = {world.central_a.id}" in ranked[0]
    assert "township_id" not in ranked[1]
    world.a1.parent_id = world.central_b.id  # a1 moves to township B
    db.session.commit()
    scores.check()  # the officer no longer sees the child, the county's reader does
    assert db.session.get(RiskScore, s.id, populate_existing=True).township_id == \
        world.central_b.id


def test_a_new_child_given_a_deleted_childs_id_is_scored_afresh(world, scores):
    from tests import factories
    gone = factories.student(world.a1, name="周七")
    gone.school_weary = True
    db.session.commit()
    assert scores.check() == {gone.id: ("medium", 5)}  # over age too
    gone_id = gone.id
    db.session.delete(gone)
    db.session.commit()
    factories.student(world.a1, name="吴八", id=gone_id)  # SQLite may give a deleted id again
    db.session.commit()
    assert scores.check() == {}


def test_the_nightly_rules_run_scores_the_day(world, scores, app):
    result = app.test_cli_runner().invoke(args=["rules", "run"])
    assert result.exit_code == 0, result.output
    assert "4 risk scores computed" in result.output  # every child of both townships
    again = app.test_cli_runner().invoke(args=["rules", "run"])
    assert "0 risk scores computed" in again.output
    scores.check()


def test_every_child_has_a_score_row_and_the_nightly_run_removes_the_deleted(world, scores, app):
    """The lists find out-of-date scores through the indexes of migration 0032, which see
    rows only: every child has one from its insert on (migration 0032 gave one to the children
    of before 0014). A row whose child is gone (a cascade's trigger can raise it again after
    the child's own trigger removed it) is never scored: the nightly run removes it."""
    from models import RiskScore, Student
    db.session.delete(db.session.get(Student, world.s_a1.id))
    db.session.add(RiskScore(student_id=999999, rev=1))  # as a cascade may leave one
    db.session.commit()
    children = set(db.session.scalars(db.select(Student.id)))
    assert children and set(db.session.scalars(db.select(RiskScore.student_id))) == children | {
        999999}
    assert app.test_cli_runner().invoke(args=["rules", "run"]).exit_code == 0
    assert set(db.session.scalars(db.select(RiskScore.student_id))) == children


def test_the_triggers_watch_every_column_the_score_reads(world, term, app):
    """A column the scoring query reads that no trigger watches would leave scores stale after
    it changed: migration 0014's lists must name every one (ids never change)."""
    import importlib.util
    import re
    from pathlib import Path

    from sqlalchemy import event
    path = Path(__file__).parents[1] / "migrations" / "versions" / "0014_risk_scores.py"
    spec = importlib.util.spec_from_file_location("risk_scores_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    watched = {(table, column) for table, columns in migration.CHILD_INPUTS.items()
               for column in columns}
    watched |= {("students", c) for c in migration.STUDENT_INPUTS}
    watched |= {("schools", c) for c in migration.SCHOOL_INPUTS}
    statements, child = [], world.s_a1.id
    with app.test_request_context():
        listen = (db.engine, "before_cursor_execute",
                  lambda conn, cursor, statement, *args: statements.append(statement))
        event.listen(*listen)
        try:
            stored._compute([child], TODAY)
        finally:
            event.remove(*listen)
    read = set(re.findall(r"\b(students|schools|absences|guardians|dropout_cases|"
                          r"tutoring_pairs|aid_grants)\.(\w+)", " ".join(statements)))
    assert read - watched - {("students", "id"), ("schools", "id")} == set()
    assert ("students", "school_weary") in read and ("absences", "day") in read  # it parsed


def test_the_risk_ledger_prints_and_exports_each_child_with_the_reasons(world, login):
    """辍学风险学生台账: the list as a ledger, the reasons with their evidence, audited."""
    import subprocess
    from io import BytesIO
    from openpyxl import load_workbook
    from models import AuditLog
    world.s_a1.school_weary, world.s_a1.learning_difficulty = True, True
    world.s_a1.left_behind = True
    db.session.commit()
    officer = login("officer")
    with officer.get("/attendance/risk.pdf") as r:
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=r.data,
                              capture_output=True, check=True).stdout.decode()
    assert "辍学风险学生台账（全镇）" in text and "张三" in text and "厌学" in text
    assert "甲镇中心学校（盖章）" in text
    sheet = list(load_workbook(BytesIO(officer.get("/attendance/risk.xlsx").data)).active.values)
    assert sheet[0][:4] == ("序号", "学校", "年级班级", "姓名") and sheet[1][3] == "张三"
    assert sheet[1][5] == "高" and "厌学" in sheet[1][7] and "留守" in sheet[1][7]
    assert [e.after["format"] for e in db.session.scalars(db.select(AuditLog).filter_by(
        action="export", table_name="students").order_by(AuditLog.id))][-2:] == ["pdf", "xlsx"]
    other = load_workbook(BytesIO(login("head_b").get("/attendance/risk.xlsx").data)).active
    assert len(list(other.values)) == 1  # another township's head: the header alone
