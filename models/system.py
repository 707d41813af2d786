"""Bookkeeping: print jobs and the audit log."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.people import User
from models.common import now


PRINT_JOB_STATUSES = {"queued": "排队中", "running": "正在排版", "done": "已完成",
                      "failed": "没有完成"}


class PrintJob(db.Model):
    """A batch PDF rendered in the print worker (printjobs.py), for the user who asked; the file
    lives in instance/prints/ for a day. Bookkeeping, not a record: the export itself is audited."""
    __tablename__ = "print_jobs"

    STALLED_AFTER = timedelta(minutes=10)  # running with no progress this long: worker died
    QUEUED_AFTER = timedelta(minutes=30)  # queued this long: its server was restarted

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    title: Mapped[str] = mapped_column(sa.String(120))
    filename: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(10), default="queued", index=True)
    total: Mapped[int] = mapped_column(default=0)  # documents to render
    done: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0, server_default="0")  # laid out so far
    unit: Mapped[str] = mapped_column(sa.String(8), default="份", server_default="份")
    size: Mapped[int | None]  # bytes of the finished PDF
    error: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)  # the worker's heartbeat
    finished_at: Mapped[datetime | None]
    expired: Mapped[bool] = mapped_column(default=False)  # the file was deleted
    KEEP_FOR = timedelta(days=1)  # files are deleted after a day (minors' records)

    user: Mapped[User] = relationship()

    @property
    def stalled(self) -> bool:
        """Interrupted: the worker will not finish it (and will not start it late)."""
        limit = {"running": self.STALLED_AFTER, "queued": self.QUEUED_AFTER}.get(self.status)
        return limit is not None and now() - self.updated_at > limit

    @property
    def gone(self) -> bool:
        """The file is no longer to be had (deleted, or older than KEEP_FOR)."""
        return self.expired or now() - self.created_at > self.KEEP_FOR

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed") or self.stalled

    @property
    def status_label(self) -> str:
        return "中断" if self.stalled else PRINT_JOB_STATUSES.get(self.status, self.status)

    @property
    def percent(self) -> int:
        return 100 if self.status == "done" else int(100 * self.done / self.total) if self.total else 0

    def __str__(self) -> str:
        return self.title


class AuditLog(db.Model):
    """Who changed or exported what, when; written by audit.py for every flush and export."""
    __tablename__ = "audit_log"
    # the latest entry of an action (the health panel's last nightly run and backup), the
    # audit page's filter by action (migration 0036)
    __table_args__ = (sa.Index("ix_audit_log_action", "action", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=now, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    username: Mapped[str] = mapped_column(sa.String(40), default="")
    action: Mapped[str] = mapped_column(sa.String(20))  # create / update / delete / export / ...
    table_name: Mapped[str] = mapped_column(sa.String(40), default="")
    row_id: Mapped[int | None]
    school_id: Mapped[int | None] = mapped_column(index=True)
    summary: Mapped[str] = mapped_column(sa.String(200), default="")
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)

    user: Mapped[User | None] = relationship()

    ACTIONS = {"create": "新增", "update": "修改", "delete": "删除", "export": "导出",
               "import": "导入", "read_id": "查看完整身份证号", "login": "登录",
               "login_failed": "登录失败", "login_throttled": "登录被暂停", "logout": "退出登录",
               "backup": "备份", "rules_run": "夜间运行", "rules_failed": "夜间运行失败"}

    @property
    def action_label(self) -> str:
        return self.ACTIONS.get(self.action, self.action)
