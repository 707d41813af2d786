"""非正常学籍: the children whose 学籍 is 其他离校 or 问题学籍, and the clean-up of each.

A township reports its 非正常状态学籍 every month and works it down ("from 404 to 45"): for each
child the school finds where they went (去向: where, which school, how it was verified, by whom,
when, with a proof scan), the central school reports it (上报) and applies to the county for the
record to be transferred or deleted (申请转学 / 申请删除); when that is done the child's status
becomes 转出 or 已删除学籍 and the record leaves the count, its history kept.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from extensions import db
from models.common import now
from models.people import User
from models.register import Student

ABNORMAL = ("left", "problem")  # 其他离校, 问题学籍: the 学籍 system's 非正常状态

WHEREABOUTS = {
    "school_elsewhere": "外地就读",
    "school_local": "本县他校就读",
    "working": "外出务工",
    "home": "在家",
    "abroad": "出国（境）",
    "duplicate": "重复学籍",
    "deceased": "死亡",
    "unknown": "去向不明",
}
AT_SCHOOL = ("school_elsewhere", "school_local")  # a school must be named

VERIFICATIONS = {
    "phone": "电话核实",
    "visit": "家访",
    "community": "社区走访",
    "proof": "就读学校证明",
    "system": "学籍系统查询",
}

REQUESTS = {"transfer": "申请转学", "delete": "申请删除"}
DONE_STATUS = {"transfer": "transferred", "delete": "removed"}  # the status once done

STAGES = {  # where a child's clean-up stands, in order
    "verify": "待查明去向",
    "report": "待上报",
    "request": "待申请",
    "wait": "待办结",
    "done": "已办结",
}


class RecordCheck(db.Model):
    """The clean-up of one child's 非正常学籍 (one row a child, kept after it is done)."""
    __tablename__ = "record_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        sa.ForeignKey("students.id", ondelete="CASCADE"), unique=True)
    whereabouts: Mapped[str] = mapped_column(sa.String(20), default="unknown")
    place: Mapped[str] = mapped_column(sa.String(120), default="")  # 省市县, 乡镇
    school_name: Mapped[str] = mapped_column(sa.String(80), default="")
    verified_how: Mapped[str] = mapped_column(sa.String(12), default="")
    verified_by: Mapped[str] = mapped_column(sa.String(40), default="")
    verified_on: Mapped[date | None]
    proof_path: Mapped[str | None] = mapped_column(sa.String(200))  # instance/scans/
    reported_on: Mapped[date | None]  # 上报 to the county
    request: Mapped[str] = mapped_column(sa.String(10), default="")  # REQUESTS
    requested_on: Mapped[date | None]
    done_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    EDITABLE = ("whereabouts", "place", "school_name", "verified_how", "verified_by",
                "verified_on", "reported_on", "request", "requested_on", "done_on", "note")
    DATES = ("verified_on", "reported_on", "requested_on", "done_on")
    EMPTY = {**dict.fromkeys(EDITABLE, ""), **dict.fromkeys(DATES)}  # no step taken

    student: Mapped[Student] = relationship(
        backref=backref("record_check", uselist=False, cascade="all, delete-orphan"))
    user: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"{self.student.name if self.student else ''} 非正常学籍清理：{self.stage_label}"

    @property
    def stage(self) -> str:
        if self.done_on:
            return "done"
        if self.requested_on:
            return "wait"
        if self.reported_on:
            return "request"
        if self.verified_on and self.whereabouts != "unknown":
            return "report"
        return "verify"

    @property
    def stage_label(self) -> str:
        return STAGES[self.stage]

    @property
    def whereabouts_label(self) -> str:
        return WHEREABOUTS.get(self.whereabouts, self.whereabouts)

    @property
    def verified_label(self) -> str:
        return VERIFICATIONS.get(self.verified_how, self.verified_how)

    @property
    def request_label(self) -> str:
        return REQUESTS.get(self.request, self.request)

    @property
    def found(self) -> str:
        """去向 in a line: 外地就读 浙江省宁波市 宁波市某小学."""
        return " ".join(x for x in (self.whereabouts_label, self.place, self.school_name) if x)


def abnormal_since(student: Student) -> date | None:
    """The day the child's 学籍 last became 非正常 (其他离校 or 问题学籍)."""
    return next((c.changed_on for c in student.status_changes if c.to_status in ABNORMAL), None)



# 普职结合: where a child who finished 九年级 went, followed up until it is known
DESTINATIONS = {
    "high_school": "普通高中",
    "vocational": "职业学校（中职、技工）",
    "work": "就业",
    "other": "其他（复读、参军等）",
    "unknown": "去向不明",
}


class Leaver(db.Model):
    """Where one child who finished 九年级 went (one row a child, the year they left)."""
    __tablename__ = "leavers"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        sa.ForeignKey("students.id", ondelete="CASCADE"), unique=True)
    destination: Mapped[str] = mapped_column(sa.String(12), default="unknown")
    school_name: Mapped[str] = mapped_column(sa.String(80), default="")
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    confirmed_on: Mapped[date | None]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    student: Mapped[Student] = relationship(
        backref=backref("leaver", uselist=False, cascade="all, delete-orphan"))

    def __str__(self) -> str:
        return f"{self.student.name if self.student else ''} 毕业去向：{self.destination_label}"

    @property
    def destination_label(self) -> str:
        return DESTINATIONS.get(self.destination, self.destination)
