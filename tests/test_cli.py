"""Operator commands (`flask demo`, `flask create-user`, `flask backup`) through Flask's CLI
runner, and a check that the migrations build exactly the schema the models describe."""
import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import demo
from blueprints.students import idnumber
from extensions import db
from models import AuditLog, ClassGroup, RiskScore, School, Student, User
from tests import factories as f


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.mark.one_engine("sqlite")  # the demo township loads on PostgreSQL for test_paper
def test_demo_load_builds_the_township_once(app, client):
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)  # create_app() makes it outside tests
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Demo township loaded: 7 schools" in result.output

    db.session.expire_all()
    schools = db.session.scalars(db.select(School)).all()
    assert len(schools) == 7
    central = next(s for s in schools if s.kind == "central")
    assert all(s.parent_id == central.id for s in schools if s is not central)
    for username, name, role, school, _ in demo.ACCOUNTS:
        user = db.session.scalar(db.select(User).filter_by(username=username))
        assert (user.name, user.role, user.school.name) == (name, role, school)
        assert user.check_password(demo.PASSWORD)
    students = db.session.scalars(db.select(Student)).all()
    assert 1100 <= len(students) <= 1300
    assert f"{len(students)} students" in result.output
    assert all(idnumber.check(s.id_number).ok for s in students)
    assert len({s.id_number for s in students}) == len(students)
    classes = db.session.scalars(db.select(ClassGroup)).all()
    assert classes and all(c.head_teacher_id is not None for c in classes)
    roster = Path(app.instance_path) / "demo-roster-石桥村小.xlsx"
    assert roster.stat().st_size > 0 and str(roster) in result.output
    assert db.session.scalar(db.select(AuditLog).filter_by(username="demo", action="create"))

    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "demo not loaded" in again.output
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code == 1 and "The database is not empty" in refused.output
    db.session.expire_all()
    assert (count(School), count(Student)) == (7, len(students))

    # The demo accounts really sign in.
    response = client.post("/login", data={"username": "admin", "password": demo.PASSWORD})
    assert response.status_code == 303

    # A reset loads it again and leaves no risk score of a child that is gone.
    db.session.expunge_all()  # the command's own process has no rows loaded
    reset = runner.invoke(args=["demo", "reset", "--yes"])
    assert reset.exit_code == 0 and "Demo township reloaded" in reset.output
    db.session.expire_all()
    assert count(School) == 7 and db.session.scalar(db.select(db.func.count()).select_from(
        RiskScore).where(RiskScore.student_id.not_in(db.select(Student.id)))) == 0


def test_demo_load_if_empty_skips_any_database_with_users(world, app):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0 and "demo not loaded" in result.output
    assert count(School) == 5 and count(Student) == 4


def test_demo_accounts_prints_every_username(app):
    result = app.test_cli_runner().invoke(args=["demo", "accounts"])
    assert result.exit_code == 0
    assert demo.PASSWORD in result.output
    for username, name, *_ in demo.ACCOUNTS:
        assert username in result.output and name in result.output


def test_create_user_with_a_prompted_password_who_signs_in(world, app, client):
    result = app.test_cli_runner().invoke(
        args=["create-user", "zhou", "--name", "周老师", "--role", "teacher",
              "--school", "甲一村小"], input="longsecret\nlongsecret\n")
    assert result.exit_code == 0, result.output
    assert "Created zhou (教师)" in result.output
    user = db.session.scalar(db.select(User).filter_by(username="zhou"))
    assert (user.name, user.role, user.school_id) == ("周老师", "teacher", world.a1.id)
    entry = db.session.scalar(db.select(AuditLog).filter_by(table_name="users", action="create",
                                                            username="cli"))
    assert entry.after["username"] == "zhou" and entry.after["password_hash"] == "******"
    response = client.post("/login", data={"username": "zhou", "password": "longsecret"})
    assert response.status_code == 303


def test_create_user_prompt_needs_the_same_password_twice(world, app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "zhou", "--name", "周老师", "--role", "teacher",
              "--school", "甲一村小"], input="longsecret\nother\nlongsecret\nlongsecret\n")
    assert result.exit_code == 0 and "do not match" in result.output.lower()
    assert db.session.scalar(db.select(User).filter_by(username="zhou")).check_password("longsecret")


def test_county_inspector_needs_no_school_but_others_do(world, app, login):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "county2", "--name", "县督导", "--role", "inspector",
                                 "--password", "countypass1"])
    assert result.exit_code == 0, result.output
    inspector = db.session.scalar(db.select(User).filter_by(username="county2"))
    assert inspector.school_id is None
    assert "赵六" in login("county2", "countypass1").get("/students/").text  # the whole county

    refused = runner.invoke(args=["create-user", "loner", "--name", "无校", "--role", "teacher",
                                  "--password", "lonerpass1"])
    assert refused.exit_code == 1 and "Only a county inspector may have no school" in refused.output
    unknown = runner.invoke(args=["create-user", "lost", "--name", "无名", "--role", "teacher",
                                  "--school", "不存在的学校", "--password", "lostpass12"])
    assert unknown.exit_code == 1 and "No school named" in unknown.output
    taken = runner.invoke(args=["create-user", "head", "--name", "重名", "--role", "teacher",
                                "--school", "甲一村小", "--password", "takenpass1"])
    assert taken.exit_code == 1 and "'head' exists" in taken.output
    db.session.expire_all()
    assert db.session.scalar(db.select(User).filter(
        User.username.in_(["loner", "lost"]))) is None
    assert db.session.scalar(db.select(User).filter_by(username="head")).name != "重名"


@pytest.mark.sqlite_only
def test_backup_writes_a_consistent_sqlite_copy(world, app, tmp_path):
    target = tmp_path / "backups" / "copy.db"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Backup written to {target}" in result.output
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM students").fetchone() == (count(Student),)
        assert copy.execute("SELECT name FROM students WHERE id = ?",
                            (world.s_b1.id,)).fetchone() == ("赵六",)
    entry = db.session.scalar(db.select(AuditLog).filter_by(action="backup"))
    assert entry.username == "cli" and "copy.db" in entry.summary


@pytest.mark.sqlite_only
def test_backup_without_suffix_gets_db(world, app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "nightly")])
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(tmp_path / "nightly.db")) as copy:
        assert copy.execute("SELECT count(*) FROM schools").fetchone() == (5,)


@pytest.mark.skipif(not os.environ.get("BAOXUE_TEST_POSTGRES"), reason="PostgreSQL run only")
def test_backup_on_postgresql_is_a_pg_dump_archive(world, app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "nightly")])
    assert result.exit_code == 0, result.output
    listing = subprocess.run(["pg_restore", "--list", str(tmp_path / "nightly.dump")],
                             capture_output=True, text=True, check=True).stdout
    assert "TABLE DATA public students" in listing and "TABLE DATA public audit_log" in listing


def _every_row() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order (the round trip compares these)."""
    out = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            out[table.name] = [tuple(r) for r in conn.execute(
                sa.select(table).order_by(*table.primary_key.columns))]
    return out


def test_backup_and_restore_round_trip_every_row(world, app, tmp_path):
    """On SQLite and on PostgreSQL: back up, change things, restore, and every row of every
    table is as it was (the audit log gains the restore, nothing else)."""
    from tests.test_access import _url_args
    _url_args(world, world.s_a1)  # rows in most tables: pledge, grant, case, visit, meeting...
    before = _every_row()
    runner = app.test_cli_runner()
    a1, b1 = world.a1.id, world.s_b1.id
    result = runner.invoke(args=["backup", str(tmp_path / "round")])
    assert result.exit_code == 0, result.output
    copy = next(tmp_path.glob("round.*"))
    db.session.delete(db.session.get(Student, b1))
    db.session.get(School, a1).name = "改名村小"
    db.session.add(User(username="new", name="新人", role="teacher", school_id=a1,
                        password_hash="x"))
    db.session.commit()
    refused = runner.invoke(args=["restore", str(copy)], input="n\n")
    assert refused.exit_code == 1 and db.session.get(School, a1).name == "改名村小"
    db.session.remove()
    result = runner.invoke(args=["restore", "--yes", str(copy)])
    assert result.exit_code == 0, result.output
    db.session.remove()
    after = _every_row()
    audit = after.pop("audit_log")
    expected_audit = before.pop("audit_log")
    assert after == before
    assert audit[:len(expected_audit)] == expected_audit and len(audit) == len(expected_audit) + 1
    assert db.session.scalar(db.select(AuditLog).order_by(AuditLog.id.desc())).action == "restore"


def test_restore_refuses_a_file_that_is_not_a_backup(world, app, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    child = world.s_b1.id
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code == 1 and "nothing was changed" in result.output
    db.session.remove()
    assert db.session.get(Student, child).name == "赵六"


def test_export_one_school_writes_its_rows_and_no_password_hash(world, app, tmp_path):
    from openpyxl import load_workbook
    target = tmp_path / "a1.xlsx"
    result = app.test_cli_runner().invoke(args=["export-school", "甲一村小", str(target)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(target, read_only=True)
    headers, *rows = list(wb["students"].values)
    names = [dict(zip(headers, row))["name"] for row in rows]
    assert sorted(names) == sorted([world.s_a1.name, world.s_a1_other.name])  # not a2's, b1's
    user_headers = next(wb["users"].values)
    assert "password_hash" not in user_headers and "username" in user_headers
    assert len(list(wb["guardians"].values)) == 3  # a header and each child's guardian
    entry = db.session.scalar(db.select(AuditLog).filter_by(action="export"))
    assert entry.school_id == world.a1.id and "甲一村小" in entry.summary
    assert app.test_cli_runner().invoke(args=["export-school", "无此校", str(target)]).exit_code == 1


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        diff = compare_metadata(context, db.metadata)
        assert diff == []
        # The comparison does read the database: against no models every table is extra.
        removed = {op[1].name for op in compare_metadata(context, sa.MetaData())}
    assert {"students", "users", "audit_log", "pledges"} <= removed


def test_create_user_gives_a_new_township_its_first_officer(app):
    f.school("丁镇中心学校", kind="central")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=[
        "create-user", "ding", "--name", "丁专干", "--role", "central_officer",
        "--school", "丁镇中心学校", "--password", "dingpass12"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(User).filter_by(username="ding")).school.name == "丁镇中心学校"


def test_the_production_entry_freezes_the_start_up_heap(app, world):
    import gc

    from app import GC_THRESHOLD, serve
    gc.unfreeze()
    default = gc.get_threshold()
    try:
        assert serve(app) is app and gc.get_freeze_count() > 0
        assert gc.get_threshold() == GC_THRESHOLD
        assert app.test_client().get("/login").status_code == 200
    finally:
        gc.unfreeze()
        gc.set_threshold(*default)
