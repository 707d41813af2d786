"""Operator commands: `flask demo load|reset|roster`, `flask create-user`, `flask rules run`,
`flask backup`, `flask restore`, `flask export-school`."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

import access
import audit
import backups
import clock
import demo as demo_data
from extensions import db
from models import ROLES, School, User


def _print_accounts(base_url: str | None = None) -> None:
    click.echo("Demo accounts (password for all: %s):" % demo_data.PASSWORD)
    for username, name, role, school, what in demo_data.ACCOUNTS:
        click.echo(f"  {username:<10} {name} · {ROLES[role]} · {school} — {what}")


demo = AppGroup("demo", help="The demo township (青山镇).")


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
def demo_load(if_empty):
    """Load the demo township into an empty database."""
    if db.session.query(User.id).first() is not None:
        if if_empty:
            click.echo("Database already has data; demo not loaded.")
            return
        raise click.ClickException("The database is not empty; use `flask demo reset`.")
    counts = demo_data.load()
    _write_sample_roster()
    click.echo(f"Demo township loaded: {counts['schools']} schools, {counts['users']} users, "
               f"{counts['students']} students.")
    _print_accounts()

@demo.command("reset")
@click.confirmation_option(prompt="Delete ALL data and load the demo township?")
def demo_reset():
    """Delete every row and load the demo township again."""
    from models import RiskScore
    scores = RiskScore.__table__  # last: the other deletes' triggers write to it
    for table in [*(t for t in reversed(db.metadata.sorted_tables) if t is not scores),
                  scores]:
        db.session.execute(table.delete())
    db.session.commit()
    counts = demo_data.load()
    _write_sample_roster()
    click.echo(f"Demo township reloaded: {counts['students']} students.")
    _print_accounts()

@demo.command("accounts")
def demo_accounts():
    """Print the demo accounts."""
    _print_accounts()


@click.command("create-user")
@click.argument("username")
@click.option("--name", required=True, help="Full name (姓名).")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--school", "school_name", help="School name; omit for a county inspector.")
@click.password_option()
@with_appcontext
def create_user(username, name, role, school_name, password):
    """Create a user (e.g. the first officer of a new township, or a county inspector)."""
    school = None
    if school_name:
        school = db.session.scalar(db.select(School).filter_by(name=school_name))
        if school is None:
            raise click.ClickException(f"No school named {school_name!r}.")
    elif role not in access.SCHOOLLESS:
        raise click.ClickException("Only a county inspector may have no school.")
    if len(password) < 8:
        raise click.ClickException("The password needs at least 8 characters.")
    if db.session.scalar(db.select(User).filter_by(username=username)):
        raise click.ClickException(f"User {username!r} exists.")
    user = User(username=username, name=name, role=role, school=school)
    user.set_password(password)
    db.session.info["actor"] = "cli"
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {username} ({ROLES[role]}).")


def analyze() -> None:
    """Refresh the query planner's statistics (nightly, after the scores). Without them SQLite
    guesses: it walked the county's 45,000 enrolled children in name order to fill a teacher's
    first page of 50 from their class of 55 (15 ms; 0.3 ms once analyzed). ANALYZE takes about
    half a second on a county's database.
    PostgreSQL is vacuumed too, without waiting for its autovacuum: each score the night
    stores, and each mark that raises a child's revision, leaves a dead version of the row. The
    bench county's risk_scores held 527,000 beside its 50,000 rows, and a township's 5,000
    lookups in it took 60 ms; 23 ms vacuumed."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")  # not in a transaction
        return
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    # and the night's writes moved from the write-ahead log into the database, the log emptied:
    # left in it (a county's rescoring: 125 MB), every page the morning's lists read was first
    # looked up in the log's index of 30,000 pages (the risk list 11.2 -> 10.4 ms at once)
    db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    db.session.commit()


@click.command("rules")
@click.argument("action", type=click.Choice(["run"]))
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Run as of this day (default today).")
@with_appcontext
def rules_run(action, on):
    """Run the attendance rules for every child and score the day's risk (nightly:
    `flask rules run`)."""
    from blueprints.attendance import rules, scores
    db.session.info["actor"] = "rules"
    today = on.date() if on else clock.today()
    try:
        changed = rules.run_all(today)
        db.session.commit()
        scored = scores.refresh(today)
        analyze()
    except Exception as error:  # the officer's health panel shows the failure
        db.session.rollback()
        audit.record("rules_failed", f"{type(error).__name__}: {error}"[:200])
        db.session.commit()
        raise
    audit.record("rules_run", f"预警 {changed} 条新开或更新，风险评分 {scored} 人")
    db.session.commit()
    click.echo(f"Rules run: {changed} warnings opened or updated; {scored} risk scores "
               "computed.")

@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False))
@click.option("--keep-days", type=int, default=None,
              help="Then remove backups in instance/backups/ older than this (the newest stays).")
@with_appcontext
def backup(target, keep_days):
    """Online, consistent backup of the database to TARGET (default instance/backups/), copied
    to BACKUP_COPY_TO when instance/config.py sets one."""
    folder = Path(current_app.instance_path) / "backups"
    path = backups.backup(Path(target) if target else (
        folder / f"baoxue-{datetime.now():%Y%m%d-%H%M%S}"))
    db.session.info["actor"] = "cli"
    copy, failed = current_app.config.get("BACKUP_COPY_TO"), None
    try:
        where = f"，另存到 {backups.copy_to(path, copy)}" if copy else ""
    except OSError as error:
        failed, where = error, f"；另存失败：{error}"
    audit.record("backup", f"数据库备份到 {path.name}{where}"[:200])
    db.session.commit()
    if failed:
        raise click.ClickException(f"Backup written to {path}, but not copied: {failed}")
    click.echo(f"Backup written to {path} ({path.stat().st_size // 1024} KB){where and ', copied'}.")
    if keep_days is not None:
        gone = backups.keep(folder, keep_days)
        click.echo(f"Removed {len(gone)} backups older than {keep_days} days.")

@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, exists=True))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore(source, yes):
    """Replace the whole database with the backup SOURCE (stop the intranet first)."""
    if not yes:
        click.confirm(f"Every record will be replaced by the backup {source}. Continue?",
                      abort=True)
    try:
        backups.restore(Path(source))
    except backups.RestoreRefused as error:
        raise click.ClickException(f"{error}; nothing was changed.") from error
    db.session.info["actor"] = "cli"
    audit.record("restore", f"数据库从备份 {Path(source).name} 恢复")
    db.session.commit()
    click.echo(f"Restored from {source}. Run `flask db upgrade` if the backup is older "
               "than this version, then start the intranet.")

@click.command("export-school")
@click.argument("school")
@click.argument("target", type=click.Path(dir_okay=False))
@with_appcontext
def export_school(school, target):
    """Every record of one SCHOOL (by name) as an Excel workbook TARGET, a sheet a table."""
    row = db.session.scalar(db.select(School).filter_by(name=school))
    if row is None:
        raise click.ClickException(f"No school named {school!r}.")
    counts = backups.export_school(row, Path(target))
    db.session.info["actor"] = "cli"
    audit.record("export", f"导出 {row.name} 的全部数据（{sum(counts.values())} 行）",
                 school_id=row.id, after=counts)
    db.session.commit()
    click.echo(f"{row.name}: {sum(counts.values())} rows in {len(counts)} sheets "
               f"written to {target}.")


def register(app: Flask) -> None:
    """The operators' commands on `flask`."""
    for command in (demo, create_user, rules_run, backup, restore, export_school):
        app.cli.add_command(command)


def _write_sample_roster() -> None:
    school = db.session.scalar(db.select(School).filter_by(name="石桥村小"))
    path = Path(current_app.instance_path) / "demo-roster-石桥村小.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(demo_data.sample_roster(school))
    click.echo(f"A roster to try the import (2 bad rows): {path}")
