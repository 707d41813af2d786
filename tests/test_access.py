"""Who may use which endpoint, and who sees which rows (access.py).

The matrix walks app.url_map: every endpoint must have declared its roles, every role is tried
on every method of every route, and a role outside the declaration gets 403."""
from datetime import date

import pytest

import access
from extensions import db
from blueprints.pledges.texts import DEFAULTS
from models import (ROLES, ActionItem, Activity, ActivityPhoto, AidGrant, AidProgram, Cadre,
                    CaseNotice, CounselingRecord, DisabledChild, DropoutCase, EarlyWarning,
                    FollowUp, GroupMember, HomeVisit, HouseholdChild, Meeting, Pledge,
                    PledgeTemplate, Student, Term, TutoringPair, WorkSummary)
from tests import factories as f


def _url_args(world, victim):
    term = Term(central_id=world.central_a.id, school_year=2025, semester=1,
                start_date=date(2025, 9, 1), end_date=date(2026, 1, 20))
    template = PledgeTemplate(central_id=world.central_a.id, kind="teacher", **DEFAULTS["teacher"])
    pledge = Pledge(template=template, term=term, school_id=world.a1.id, doc_no="KB-TEST-1",
                    title="责任书", content="正文", party_a_name="甲", party_b_name="乙",
                    user_id=world.users["teacher"].id)
    program = AidProgram(central_id=world.central_a.id, term=term, kind="living_subsidy",
                         name="生活补助", amount=50000, flags="poverty")
    world.s_a1.poverty = True
    grant = AidGrant(program=program, student=world.s_a1, school_id=world.a1.id, amount=50000,
                     applied_on=date(2025, 10, 8))
    pair = TutoringPair(school_id=world.a1.id, teacher=world.users["teacher"],
                        student=world.s_a1, kind="caring_mother", start_on=date(2025, 9, 1))
    db.session.add_all([term, template, pledge, program, grant, pair])
    warning = EarlyWarning(student_id=world.s_a1.id, school_id=world.a1.id, rule="absence_run",
                           run_start=date(2025, 10, 8), days=3, opened_on=date(2025, 10, 10),
                           due_on=date(2025, 10, 13))
    db.session.add(warning)
    case = DropoutCase(student=world.s_a1, school_id=world.a1.id, opened_on=date(2025, 10, 20),
                       trigger="manual", state="returned", returned_on=date(2025, 11, 1))
    item = FollowUp(label="复学一周回访", due_on=date(2025, 11, 8))
    notice = CaseNotice(kind="return", doc_no="KF-TEST-1", issued_on=date(2025, 10, 25))
    case.follow_ups.append(item)
    case.notices.append(notice)
    visit = HomeVisit(student=world.s_a1, school_id=world.a1.id, visited_on=date(2025, 10, 21),
                      visitors="吴老师", outcome="gone")
    child = HouseholdChild(central_id=world.central_a.id, name="户籍娃", id_number=f.id_number(),
                           birth_date=date(2016, 5, 17), sex="男", imported_on=date(2025, 9, 1))
    meeting = Meeting(central_id=world.central_a.id, month=date(2025, 10, 1),
                      held_on=date(2025, 11, 5), agenda="议程")
    action = ActionItem(meeting=meeting, owner=world.users["village_head"], text="家访",
                        due_on=date(2025, 11, 12))
    activity = Activity(school_id=world.a1.id, held_on=date(2025, 10, 9), kind="parents_meeting",
                        title="家长会", reached=40, class_group=world.class_a1)
    photo = ActivityPhoto(activity=activity, school_id=world.a1.id, file_path="missing.jpg",
                          print_path="missing-print.jpg")
    summary = WorkSummary(central_id=world.central_a.id, school_id=world.a1.id, school_year=2025,
                          semester=1, title="工作总结", sections=[["一、工作概述", "正文"]])
    gone = f.student(world.a1, world.class_a1, name="离校", status="left")  # 非正常学籍
    taught = TutoringPair(school_id=world.a1.id, teacher=world.users["teacher"],
                          student=world.s_a1, kind="home_delivery", start_on=date(2025, 9, 1))
    disabled = DisabledChild(central_id=world.central_a.id, school_id=world.a1.id, name="张三",
                             student=world.s_a1, sex="男", id_number=world.s_a1.id_number,
                             birth_date=date(2016, 5, 17), imported_on=date(2025, 9, 1))
    member = GroupMember(central_id=world.central_a.id, position="deputy", cadre=Cadre(
        central_id=world.central_a.id, level="township", name="赵副镇长", post="副镇长"))
    talk = CounselingRecord(school_id=world.a1.id, kind="individual", student=world.s_a1,
                            held_on=date(2025, 10, 10), topic="school_weary", content="谈心",
                            counselor_id=world.users["teacher"].id)
    db.session.add_all([case, visit, child, meeting, action, activity, photo, summary, disabled,
                        taught, member, talk])
    db.session.commit()
    return {
        "student_id": world.s_a1.id, "school_id": world.a1.id, "class_id": world.class_a1.id,
        "user_id": world.users["teacher"].id, "term_id": term.id, "pledge_id": pledge.id,
        "kind": "teacher", "job_id": 999999, "program_id": program.id, "grant_id": grant.id,
        "pair_id": pair.id, "warning_id": warning.id, "case_id": case.id, "item_id": item.id,
        "notice_id": notice.id, "visit_id": visit.id, "child_id": child.id,
        "meeting_id": meeting.id, "activity_id": activity.id, "photo_id": photo.id,
        "summary_id": summary.id, "member_id": member.id,
        "record_id": talk.id,
    }, {"students.delete": {"student_id": victim.id},
        "students.class_options": {"school_id": world.a1.id},
        "pairs.new": {"student": world.s_a1.id}, "pairs.need": {"kind": "caring_mother"},
        "cases.new_visit": {"student": world.s_a1.id}, "meetings.paper": {"kind": "signin"}, "cases.new": {"student": world.s_a1.id},
        "records.edit": {"student_id": gone.id}, "records.proof": {"student_id": gone.id},
        **{f"special.{view}": {"child_id": disabled.id} for view in ("show", "place", "register")},
        "pairs.record_pdf": {"pair_id": taught.id}, "home.help_image": {"name": "none.png"},
        "home.backup_file": {"name": "none.db"},
    }

# GET endpoints that answer 404 in the matrix's world because the row has no such file yet
NO_DATA = {"pledges.scan", "prints.show", "prints.download", "cases.visit_file",
           "activities.photo_print", "activities.photo_file", "records.proof",
           "home.help_image", "home.backup_file"}  # files: test_help.py, test_health.py


def endpoint_urls(app, defaults, specific):
    """(rule, url) for every route but static, its arguments filled from _url_args."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        args = {k: v for k, v in defaults.items() if k in rule.arguments}
        query = specific.get(rule.endpoint, {})
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **{**args, **{k: v for k, v in query.items()
                                                          if k in rule.arguments}},
                              **{k: v for k, v in query.items() if k not in rule.arguments})
        yield rule, url


def test_every_endpoint_has_an_access_decision(app):
    undecided = [rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint != "static"
                 and getattr(app.view_functions[rule.endpoint], "access_roles", None) is None]
    assert undecided == []


# Roles, not SQL: every page's queries run on both engines in test_links.
@pytest.mark.one_engine("sqlite")
def test_role_endpoint_matrix(app, world, login, blank_layout):
    victim = f.student(world.a1, world.class_a1, name="误登记")
    db.session.commit()
    defaults, specific = _url_args(world, victim)
    clients = {role: login(user.username) for role, user in world.users.items()}
    checked = 0
    for rule, url in endpoint_urls(app, defaults, specific):
        allowed = app.view_functions[rule.endpoint].access_roles
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in ROLES:
                if rule.endpoint == "auth.logout":
                    continue  # signing out would end the client used for the other routes
                response = clients[role].open(url, method=method)
                checked += 1
                writes = getattr(app.view_functions[rule.endpoint], "access_writes", True)
                refused = allowed is not access.PUBLIC and (role not in allowed or (
                    role == "inspector" and method != "GET" and writes))
                where = f"{method} {url} as {role}"
                assert response.status_code < 500, where
                if refused:
                    assert response.status_code == 403, where
                    assert "没有权限" in response.text, where
                else:
                    assert response.status_code != 403, where
                    if method == "GET" and allowed is not access.PUBLIC \
                            and rule.endpoint not in NO_DATA:
                        assert response.status_code == 200, where
    assert checked > 100


def test_the_menu_shows_what_the_role_may_open_and_marks_the_area(app, world, login):
    """The menu is written once per (role, page) and kept (menu.py): each role still gets its
    own, with the current area marked, and the teacher's 结对 entry is their own pairs."""
    import re

    def menu(client, url):
        nav = re.search(r'<nav class="main-nav">(.*?)</nav>', client.get(url).text, re.S)[1]
        return re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav)
    officer, teacher = login("officer"), login("teacher")
    for _ in range(2):  # written, then read from what was kept
        shown = menu(officer, "/students/?q=zs")
        assert ("/students/", ' aria-current="page"', "学生名册") in shown
        assert ("/pairs/", "", "结对帮扶") in shown and ("/township/users", "", "用户") in shown
        assert [label for _, current, label in shown if current] == ["学生名册"]
        mine = menu(teacher, "/pairs/mine")
        assert ("/pairs/mine", ' aria-current="page"', "我的结对") in mine
        assert "结对帮扶" not in {label for _, _, label in mine}
        assert "用户" not in {label for _, _, label in mine}
        assert all(access.can(rule_of(app, href), user=world.users["teacher"])
                   for href, _, _ in mine)


def rule_of(app, href):
    return app.url_map.bind("").match(href)[0]


def test_signed_out_visitor_is_sent_to_sign_in(app, world, client):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint == "static" or view.access_roles is access.PUBLIC:
            continue
        if "GET" in rule.methods and not rule.arguments:
            with app.test_request_context():
                url = app.url_for(rule.endpoint)
            response = client.get(url)
            assert response.status_code == 302, rule.endpoint
            assert "/login" in response.headers["Location"]


def test_a_route_without_a_decision_is_closed(make_app, login):
    app = make_app()

    @app.route("/undecided")
    def undecided():
        return "open"

    with app.app_context():
        world = f.World()
        client = app.test_client()
        client.post("/login", data={"username": world.users["central_officer"].username,
                                    "password": f.PASSWORD})
        assert client.get("/undecided").status_code == 403
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("username, visible, hidden", [
    ("officer", ["s_a1", "s_a1_other", "s_a2"], ["s_b1"]),
    ("leader", ["s_a1", "s_a2"], ["s_b1"]),
    ("inspector", ["s_a1", "s_a2"], ["s_b1"]),
    ("county", ["s_a1", "s_a2", "s_b1"], []),
    ("head", ["s_a1", "s_a1_other"], ["s_a2", "s_b1"]),
    ("teacher", ["s_a1"], ["s_a1_other", "s_a2", "s_b1"]),
    ("head_b", ["s_b1"], ["s_a1", "s_a2"]),
])
def test_rows_outside_scope_are_404_and_absent_from_lists(world, login, username, visible, hidden):
    client = login(username)
    listing = client.get("/students/?status=all").text
    for name in visible:
        student = getattr(world, name)
        assert client.get(f"/students/{student.id}").status_code == 200, name
        assert student.name in listing, name
    for name in hidden:
        student = getattr(world, name)
        response = client.get(f"/students/{student.id}")
        assert response.status_code == 404, name
        assert "不在您的管理范围内" in response.text
        assert f"/students/{student.id}\"" not in listing


def test_village_head_cannot_write_to_another_school(world, login):
    client = login("head")
    other = world.s_a2
    assert client.post(f"/students/{other.id}/edit", data={"name": "改名"}).status_code == 404
    assert client.post(f"/students/{other.id}/status",
                       data={"to_status": "dropout", "changed_on": "2026-01-05",
                             "reason": "x"}).status_code == 404
    response = client.post("/students/new", data={
        "school_id": world.b1.id, "class_id": 0, "grade": 3, "name": "外校生", "sex": "男",
        "placement": "in_school", "ethnicity": "汉族"})
    assert response.status_code == 422  # another school is not a choice
    db.session.expire_all()
    assert db.session.get(Student, other.id).name == "王五"
    assert db.session.scalar(db.select(Student).filter_by(name="外校生")) is None


def test_officer_cannot_reach_another_township(world, login):
    client = login("officer")
    assert client.get(f"/township/schools/{world.b1.id}/edit").status_code == 404
    assert client.get(f"/township/users/{world.head_b.id}/edit").status_code == 404
    assert client.get(f"/township/classes/{world.class_b1.id}/edit").status_code == 404
    assert "乙一村小" not in client.get("/township/schools").text
    assert "head_b" not in client.get("/township/users").text


def test_inspector_reads_but_never_writes(world, login):
    client = login("county")
    assert client.get(f"/students/{world.s_b1.id}").status_code == 200
    assert client.post(f"/students/{world.s_b1.id}/status",
                       data={"to_status": "dropout"}).status_code == 403
    # their own account is not the township's records: they change their password, sign out
    assert client.post("/password", data={}).status_code == 422  # the form, with its errors
    assert client.post("/logout").status_code == 303


def test_the_county_reader_sees_every_row_of_every_model_but_others_print_jobs(world, app):
    """The county reader's scope is the whole database (no subquery of every child), except
    the batch prints, which are each owner's alone."""
    import access
    from models import PrintJob
    county = world.county_inspector
    db.session.add_all([PrintJob(user_id=county.id, kind="x", title="县", filename="a.pdf"),
                        PrintJob(user_id=world.users["central_officer"].id, kind="x",
                                 title="镇", filename="b.pdf")])
    db.session.commit()
    checked, nonempty = 0, 0
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        try:
            scoped = access.scoped(model, county)
        except LookupError:
            continue  # not a table anyone lists (e.g. the migration counters)
        seen = db.session.scalar(db.select(db.func.count()).select_from(scoped.subquery()))
        total = db.session.scalar(db.select(db.func.count()).select_from(model))
        assert seen == (1 if model is PrintJob else total), model.__name__
        checked, nonempty = checked + 1, nonempty + (total > 0)
    assert checked >= 20 and nonempty >= 6


def test_among_is_the_scope_itself_for_a_plain_select_of_children(world, app):
    """access.among(ids) keeps "Student.id IN ids" for a select that joins or groups, and for
    a plain select of children is its WHERE clause: the same children, without the list."""
    import sqlalchemy as sa

    from models import School, Student
    officer = world.users["central_officer"]
    plain = access.scoped(Student, officer).where(Student.status == "enrolled") \
        .with_only_columns(Student.id)
    joined = sa.select(Student.id).join(School).where(School.kind == "village")
    grouped = sa.select(sa.func.min(Student.id).label("id")).group_by(Student.school_id)
    everyone = access.scoped(Student, world.county_inspector).with_only_columns(Student.id)
    other = access.scoped(Student, officer).where(Student.status == "dropout") \
        .with_only_columns(Student.id)  # plain's shape, another value: decided once for both
    for ids, listed in ((plain, False), (joined, True), (grouped, True), (everyone, False),
                        (plain, False), (joined, True), (other, False)):
        condition = access.among(ids)
        assert str(condition).startswith("students.id IN (SELECT") is listed
        found = set(db.session.scalars(sa.select(Student.id).where(condition)))
        assert found == set(db.session.scalars(ids)) and (found or ids is other)


def test_kept_statements_are_each_scopes_own(world, signed_in):
    """access.per_scope keeps a statement for a user's scope and arguments: the same one for
    the same user and arguments, another for another user, school filter or school of the
    user, and each reads its own scope's rows only."""
    from blueprints.students import register

    def enrolled(user, school_id=None):
        with signed_in(user):
            stmt = register.enrolled_ids(school_id)
            return stmt, set(db.session.scalars(stmt))
    officer, head = world.users["central_officer"], world.users["village_head"]
    township_a, seen = enrolled(officer)
    assert seen == {world.s_a1.id, world.s_a1_other.id, world.s_a2.id}
    assert enrolled(officer)[0] is township_a
    other, seen = enrolled(world.head_b)
    assert other is not township_a and seen == {world.s_b1.id}
    one, seen = enrolled(officer, world.a2.id)
    assert one is not township_a and seen == {world.s_a2.id}
    at_a1, seen = enrolled(head)
    assert seen == {world.s_a1.id, world.s_a1_other.id}
    head.school_id = world.a2.id  # moved to another school: another scope
    db.session.commit()
    at_a2, seen = enrolled(head)
    assert at_a2 is not at_a1 and seen == {world.s_a2.id}
    with signed_in(officer):  # statements as arguments are known by what they say
        fresh = [register.enrolled.__wrapped__(None) for _ in range(2)]
        assert fresh[0] is not fresh[1]
        assert access.count_of(fresh[0]) is access.count_of(fresh[1])
        assert db.session.scalar(access.count_of(fresh[1])) == 3
