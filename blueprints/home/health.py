"""The officer's health panel (issue 22): is Baoxue looking after itself? The version running,
the newest backup (when, where, how big), the last nightly run (`flask rules run`, recorded in
the audit log with its result), free disk and the database's size; a warning for each thing an
officer must act on: no backup for two days, a nightly run failed or not run for two days, the
disk nearly full."""
from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app

from extensions import db
from models import AuditLog

ROOT = Path(__file__).resolve().parents[2]
BACKUP_SUFFIXES = (".db", ".dump")
STALE = timedelta(days=2)
DISK_LOW = 0.10  # of the disk free, or
DISK_LOW_BYTES = 2 * 1024 ** 3  # 2 GB, whichever is more


@dataclass
class Health:
    version: str
    schema: str
    backup_dir: Path
    copy_to: str  # the second place backups are copied to ("" when none is set)
    backups: list[Path]  # newest first
    nightly: Entry | None  # the last nightly run, done or failed
    last_backup: Entry | None  # what the last `flask backup` said (a failed copy)
    disk_free: int
    disk_total: int
    db_size: int
    now: datetime = field(default_factory=datetime.now)

    @property
    def latest(self) -> Path | None:
        return self.backups[0] if self.backups else None

    @property
    def latest_at(self) -> datetime | None:
        return datetime.fromtimestamp(self.latest.stat().st_mtime) if self.latest else None

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.latest is None:
            out.append("还没有数据库备份：请设置每晚自动备份（make install），或运行 flask backup。")
        elif self.now - self.latest_at > STALE:
            out.append(f"最近一次备份在 {self.latest_at:%Y-%m-%d %H:%M}，已超过 2 天：请检查自动备份。")
        if self.last_backup is not None and "另存失败" in self.last_backup.summary:
            out.append(self.last_backup.summary.split("；")[-1] + "：备份只在本机，请检查第二个备份位置。")
        if self.nightly is None:
            out.append("夜间运行（预警规则和风险评分）还没有运行过：请设置定时运行（make install）。")
        elif self.nightly.action == "rules_failed":
            out.append(f"{self.nightly.at:%Y-%m-%d %H:%M} 的夜间运行失败：{self.nightly.summary}")
        elif self.now - self.nightly.at > STALE:
            out.append(f"夜间运行最近一次在 {self.nightly.at:%Y-%m-%d %H:%M}，已超过 2 天没有运行。")
        if self.disk_free < max(DISK_LOW * self.disk_total, DISK_LOW_BYTES):
            out.append(f"磁盘快满了：只剩 {self.disk_free / 1024 ** 3:.1f} GB，请清理或换更大的硬盘。")
        return out


def backup_dir() -> Path:
    return Path(current_app.instance_path) / "backups"


def backups() -> list[Path]:
    folder = backup_dir()
    found = [p for p in folder.iterdir() if p.suffix in BACKUP_SUFFIXES and p.is_file()] \
        if folder.is_dir() else []
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


@functools.lru_cache(maxsize=1)
def version() -> str:
    """The commit running (a clone's HEAD), or "" outside a git clone; read once a process
    (make update restarts the service)."""
    try:
        done = subprocess.run(["git", "log", "-1", "--format=%h %cs"], cwd=ROOT,
                              capture_output=True, text=True, timeout=2)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


class Entry(NamedTuple):
    """What the panel shows of an audit entry: the last nightly run's, the last backup's."""
    at: datetime
    action: str
    summary: str


@functools.cache
def _facts(postgresql: bool) -> sa.Select:
    """The panel's facts from the database in one statement (a round trip each was four on
    PostgreSQL): the schema's revision, the last nightly run and the last backup as
    (at, action, summary), and on PostgreSQL the database's size as its catalog counts it
    (pages of each table and index as of the last VACUUM or ANALYZE, which the nightly run
    makes: 0.12 ms, where pg_database_size() looked at every file, 0.9-2 ms). Built once."""
    def latest(*actions):
        entry = (sa.select(AuditLog.id).where(AuditLog.action.in_(actions))
                 .order_by(AuditLog.id.desc()).limit(1).scalar_subquery())
        return [sa.select(column).where(AuditLog.id == entry).scalar_subquery()
                for column in (AuditLog.at, AuditLog.action, AuditLog.summary)]
    return sa.select(sa.text("(SELECT version_num FROM alembic_version)"),
                     *latest("rules_run", "rules_failed"), *latest("backup"),
                     sa.text("(SELECT sum(relpages)::bigint"
                             " * current_setting('block_size')::bigint FROM pg_class)")
                     if postgresql else sa.null())


def check() -> Health:
    place = Path(current_app.instance_path)
    while not place.exists():  # instance/ is made by the first upload or backup
        place = place.parent
    usage = shutil.disk_usage(place)
    url = db.engine.url
    schema, *entries, size = db.session.execute(_facts(url.get_backend_name() == "postgresql")
                                                ).one()
    nightly, last_backup = (Entry(*e) if e[0] else None for e in (entries[:3], entries[3:]))
    if size is None:  # SQLite: the file's
        path = Path(url.database or "")
        size = path.stat().st_size if path.is_file() else 0
    return Health(version=version(), schema=schema or "", backup_dir=backup_dir(),
                  copy_to=current_app.config.get("BACKUP_COPY_TO", ""), backups=backups(),
                  nightly=nightly, last_backup=last_backup, disk_free=usage.free,
                  disk_total=usage.total, db_size=size)
