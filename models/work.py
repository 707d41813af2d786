"""The central school's work: monthly meetings and their decisions, activities, summaries."""
from __future__ import annotations

import re
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from refusal import Refusal
from models.common import SEMESTERS, now, school_year_label
from models.papers import Cadre
from models.people import ClassGroup, School, User


MEETING_KINDS = {"monthly": "控辍保学推进会", "group": "控辍保学领导小组会议"}


class Meeting(db.Model):
    """月度推进会: the central school's monthly review, its agenda (drafted from the data, then
    edited) and minutes; or a meeting of the township's 领导小组 (kind "group"), kept the same
    way with its own 期号."""
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default="monthly", server_default="monthly")
    month: Mapped[date]  # the first day of the month reviewed
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(sa.String(60), default="")
    chair: Mapped[str] = mapped_column(sa.String(40), default="")
    attendees: Mapped[str] = mapped_column(sa.Text, default="")  # one a line
    absentees: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # 请假
    observers: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # 列席
    distribution: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    agenda: Mapped[str] = mapped_column(sa.Text, default="")
    minutes: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    items: Mapped[list[ActionItem]] = relationship(back_populates="meeting",
                                                   order_by="ActionItem.id")

    @property
    def title(self) -> str:
        return f"{self.month.year}年{self.month.month}月{self.kind_label}"

    @property
    def kind_label(self) -> str:
        return MEETING_KINDS.get(self.kind, self.kind)

    @property
    def issue_no(self) -> int:
        """The 纪要's 期号: this meeting's place among the township's meetings of its year, in
        the order they were entered: a 纪要 printed keeps its number when an earlier meeting is
        entered afterwards (it went from 第 1 期 to 第 2 期)."""
        year = self.held_on.replace(month=1, day=1)
        return db.session.scalar(sa.select(sa.func.count(Meeting.id)).where(
            Meeting.central_id == self.central_id, Meeting.kind == self.kind,
            Meeting.held_on.between(year, year.replace(month=12, day=31)),
            Meeting.id <= self.id))

    def __str__(self) -> str:
        return f"{self.title}（{self.held_on}）"


PERSON = re.compile(r"^\s*([^\s（(：:]+)\s*(?:[（(]\s*(.*?)\s*[)）])?\s*[：:]?\s*(.*?)\s*$")


def roll_of(text: str) -> list[tuple[str, str, str, str]]:
    """A list typed one person a line, as (name, unit, post, note): "王建华（青山镇中心学校
    控辍专干）", "王建华 青山镇中心学校 控辍专干" or "杨秀英（石桥村小 负责人）：病假"."""
    out = []
    for line in (text or "").replace(":", "：").splitlines():  # 姓名:事由 typed half-width
        line = NUMBERED.sub("", line).strip()  # a list typed （1） 1. 一、
        if not line:
            continue
        match = PERSON.match(line) if "（" in line or "(" in line else None
        if match:
            name, inside, note = match.groups()
            parts = (inside or "").split()
        else:  # 姓名 单位 职务：事由, or 姓名，事由; a line beginning with a bracket as typed
            head, _, note = line.partition("：")
            head, _, aside = head.partition("，")
            name, *parts = head.replace("、", " ").split() or [""]
            note = note or aside
        unit = parts[0] if parts else ""
        out.append((name or line, unit, " ".join(parts[1:]), note.strip()))
    return out


NUMBERED = re.compile(r"^\s*(?:[（(]\s*[\d一二三四五六七八九十]+\s*[)）]|[\d一二三四五六七八九十]+\s*[、.．])")


class ActionItem(db.Model):
    """A decision of a meeting: who does what, for which school, by when; carried to the next
    meeting while open. Its owner is a user, or a cadre of the government line (a 副镇长, a
    村干部) whom the officer follows up."""
    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cadre_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cadres.id"), index=True)
    text: Mapped[str] = mapped_column(sa.String(300))
    due_on: Mapped[date]
    done_on: Mapped[date | None]
    result: Mapped[str] = mapped_column(sa.String(300), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    owner: Mapped[User | None] = relationship()
    cadre: Mapped[Cadre | None] = relationship()
    school: Mapped[School | None] = relationship()

    @property
    def who(self):
        """The person responsible: a user or a cadre."""
        return self.owner or self.cadre

    @who.setter
    def who(self, person) -> None:
        self.owner, self.cadre = (None, person) if isinstance(person, Cadre) else (person, None)

    @property
    def is_open(self) -> bool:
        return self.done_on is None

    def complete(self, result: str, on: date, today: date) -> None:
        """Marked done with what was done, on the day it was (reported late, an earlier day;
        not before the meeting, nor after today); the caller commits."""
        result = (result or "").strip()
        if not result:
            raise Refusal("请写明完成情况。")
        if self.done_on:
            raise Refusal("这件事已经标记完成了。")
        if not self.meeting.held_on <= on <= today:
            raise Refusal(f"完成日期应在开会日期（{self.meeting.held_on}）和今天之间。")
        self.done_on, self.result = on, result[:300]

    def __str__(self) -> str:
        return f"{self.text}（{self.who.name if self.who else ''}，{self.due_on} 前）"


# 工作活动: the school's own 控辍保学 activities, with photos or scans as evidence (佐证材料).
ACTIVITY_KINDS = {
    "parents_meeting": "家长会", "parent_school": "家长学校", "broadcast": "校园广播",
    "board": "宣传栏", "letter": "致家长的一封信", "wechat": "微信群宣传",
    "law": "法律法规宣传", "training": "教师培训", "joint_meeting": "联席会议",
    "mental_health": "心理健康讲座", "other": "其他活动",
}
PARENT_KINDS = ("parents_meeting", "parent_school")  # held per class, counted per term


class Activity(db.Model):
    """One activity of a school (a 家长会, a publicity campaign, a training, a 联席会议). A 家长会
    or 家长学校 names its class (class_id), or none when the whole school's parents met."""
    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    class_id: Mapped[int | None] = mapped_column(sa.ForeignKey("classes.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(100))  # 主题
    place: Mapped[str] = mapped_column(sa.String(60), default="")
    reached: Mapped[int] = mapped_column(default=0)  # people reached (参加/覆盖人数)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    school: Mapped[School] = relationship()
    class_group: Mapped[ClassGroup | None] = relationship()
    user: Mapped[User | None] = relationship()
    photos: Mapped[list[ActivityPhoto]] = relationship(
        back_populates="activity", order_by="ActivityPhoto.id", cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        return ACTIVITY_KINDS.get(self.kind, self.kind)

    def __str__(self) -> str:
        return f"{self.held_on} {self.kind_label}：{self.title}"


class ActivityPhoto(db.Model):
    """A photo or scan of an activity: the file as uploaded, and for images a downscaled JPEG
    (print_path) that PDFs embed so an evidence pack stays small."""
    __tablename__ = "activity_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"),
                                             index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    file_path: Mapped[str] = mapped_column(sa.String(200))  # under instance/activities/
    print_path: Mapped[str | None] = mapped_column(sa.String(200))  # None for a PDF scan
    caption: Mapped[str] = mapped_column(sa.String(100), default="")
    size: Mapped[int] = mapped_column(default=0)  # bytes as uploaded
    created_at: Mapped[datetime] = mapped_column(default=now)

    activity: Mapped[Activity] = relationship(back_populates="photos")

    def __str__(self) -> str:
        return f"活动照片 {self.caption or self.file_path}"


class WorkSummary(db.Model):
    """工作总结: one saved version of a school's (school_id) or the township's (school_id None)
    summary for a term (semester 1/2) or a whole school year (semester None): the sections as
    edited and the figures as drafted from the data."""
    __tablename__ = "work_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    school_year: Mapped[int]
    semester: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(120))
    sections: Mapped[list] = mapped_column(sa.JSON, default=list)  # [[heading, text], ...]
    figures: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # name -> value when drafted
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    school: Mapped[School | None] = relationship(foreign_keys=[school_id])
    user: Mapped[User | None] = relationship()

    @property
    def period_label(self) -> str:
        year = school_year_label(self.school_year)
        return year + (SEMESTERS[self.semester] if self.semester else "全学年")

    def __str__(self) -> str:
        return f"{self.title}（第 {self.version} 稿）"
