"""Backups, restores and one school's data, for the operator's commands (cli.py).

- backup(path): online and consistent while the intranet serves: SQLite's backup API copies the
  file page by page under its own lock; on PostgreSQL pg_dump takes a snapshot (custom format).
- restore(path): puts a backup back, all or nothing: SQLite's backup API copies the backup over
  the live file in one step (after checking the backup's integrity); pg_restore runs in a single
  transaction. The intranet should be stopped first: its connections would keep reading the old
  data, so restore() closes this process's connections and the README says to stop the server.
- export_school(school, path): every row that belongs to one school (its children and all that
  hangs on them, its users without password hashes, its classes, activities, ...) as an Excel
  workbook, a sheet per table; for a school that closes or merges, or for its own archive.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from openpyxl import Workbook

import excel
from extensions import db
from models import (CaseNotice, CaseStep, DropoutCase, FollowUp, Guardian, Responsibility,
                    School, StatusChange, Student, TutoringPair, TutoringSession)

SECRET_COLUMNS = {"password_hash"}


def _libpq_url() -> str:
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(path: Path) -> Path:
    """Write a backup to path (a suffix is added when it has none); returns the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        path = path if path.suffix else path.with_suffix(".db")
        with closing(sqlite3.connect(url.database)) as source, \
                closing(sqlite3.connect(path)) as dest:
            source.backup(dest)
    else:
        path = path if path.suffix else path.with_suffix(".dump")
        subprocess.run(["pg_dump", "--format=custom", f"--file={path}", _libpq_url()],
                       check=True)
    return path


def keep(folder: Path, days: int, today: datetime | None = None) -> list[Path]:
    """Remove the backups in folder older than `days` days, never the newest; returns them."""
    found = sorted((p for p in folder.glob("baoxue-*") if p.suffix in (".db", ".dump")),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    limit = (today or datetime.now()).timestamp() - days * 86400
    gone = [p for p in found[1:] if p.stat().st_mtime < limit]
    for p in gone:
        p.unlink()
    return gone


def copy_to(path: Path, target: str) -> Path:
    """A copy of a backup in a second place (a USB disk, a share): refused when it is not
    there (a disk not plugged in), so the nightly job fails and the health panel says so."""
    folder = Path(target)
    if not folder.is_dir():
        raise FileNotFoundError(f"备份的第二个位置 {target} 不存在（U 盘没插或共享文件夹没连上）")
    copied = folder / path.name
    shutil.copy2(path, copied)
    return copied


class RestoreRefused(Exception):
    """The backup cannot be restored; the message says why (nothing was changed)."""


def restore(path: Path) -> None:
    """Replace the database's content with the backup's, after checking it is one."""
    url = db.engine.url
    sqlite = url.get_backend_name() == "sqlite"
    _check(path, sqlite)
    db.session.remove()
    db.engine.dispose()
    if sqlite:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source, \
                closing(sqlite3.connect(url.database)) as dest:
            source.backup(dest)
    else:
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                        "--single-transaction", "--exit-on-error", f"--dbname={_libpq_url()}",
                        str(path)], check=True)
    db.engine.dispose()


def _check(path: Path, sqlite: bool) -> None:
    if not path.is_file():
        raise RestoreRefused(f"{path} does not exist")
    if not sqlite:
        listing = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True,
                                 text=True)
        if listing.returncode or "alembic_version" not in listing.stdout:
            raise RestoreRefused(f"{path} is not a Baoxue pg_dump archive")
        return
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source:
            check = source.execute("PRAGMA integrity_check").fetchone()[0]
            baoxue = source.execute("SELECT 1 FROM sqlite_master WHERE name = "
                                    "'alembic_version'").fetchone()
    except sqlite3.DatabaseError as error:
        raise RestoreRefused(f"{path} is not a SQLite backup ({error})") from error
    if check != "ok":
        raise RestoreRefused(f"{path} fails SQLite's integrity check: {check}")
    if not baoxue:
        raise RestoreRefused(f"{path} is not a Baoxue backup")


def _school_rows(school: School) -> dict[str, tuple]:
    """table name -> (model, condition) for the rows of that table that belong to the school."""
    students = sa.select(Student.id).where(Student.school_id == school.id)
    cases = sa.select(DropoutCase.id).where(DropoutCase.school_id == school.id)
    pairs = sa.select(TutoringPair.id).where(TutoringPair.school_id == school.id)
    by_parent = {Guardian: Guardian.student_id.in_(students),
                 StatusChange: StatusChange.student_id.in_(students),
                 Responsibility: Responsibility.student_id.in_(students),
                 CaseStep: CaseStep.case_id.in_(cases), FollowUp: FollowUp.case_id.in_(cases),
                 CaseNotice: CaseNotice.case_id.in_(cases),
                 TutoringSession: TutoringSession.pair_id.in_(pairs)}
    out = {"schools": (School, School.id == school.id)}
    for mapper in sorted(db.Model.registry.mappers, key=lambda m: m.local_table.name):
        model, table = mapper.class_, mapper.local_table
        if model in by_parent:
            out[table.name] = (model, by_parent[model])
        elif "school_id" in table.c and table.name not in ("audit_log", "print_jobs"):
            out[table.name] = (model, table.c.school_id == school.id)
    return out


def export_school(school: School, path: Path) -> dict[str, int]:
    """Write the school's rows to an Excel workbook, a sheet per table (password hashes left
    out); returns the number of rows per table."""
    wb = Workbook()
    wb.remove(wb.active)
    counts = {}
    for name, (model, condition) in _school_rows(school).items():
        columns = [c for c in model.__table__.columns if c.name not in SECRET_COLUMNS]
        ws = wb.create_sheet(name[:31])
        excel.append(ws, [c.name for c in columns], bold=True)
        rows = db.session.execute(sa.select(*columns).where(condition).order_by(
            *model.__table__.primary_key.columns)).all()
        for row in rows:
            excel.append(ws, [_cell(v) for v in row])
        counts[name] = len(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return counts


def _cell(value):
    """A value Excel can hold: JSON columns as text, the rest as they are."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value
