"""Schools, users and their sign-ins, terms and classes."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from models.common import GRADES, POSTS, ROLES, SCHOOL_KINDS, SEMESTERS, now, school_year_label


class School(db.Model):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    code: Mapped[str | None] = mapped_column(sa.String(20), unique=True)  # 学校标识码
    village: Mapped[str] = mapped_column(sa.String(40), default="")
    address: Mapped[str] = mapped_column(sa.String(120), default="")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # the township's letterhead, on the central school (migration 0018); empty: derived
    government: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    bureau: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    doc_prefix: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    hotline: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")

    parent: Mapped[School | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[School]] = relationship(back_populates="parent")

    @property
    def kind_label(self) -> str:
        return SCHOOL_KINDS.get(self.kind, self.kind)

    @property
    def township_id(self) -> int:
        """The central school that leads this school's township (itself, for a central school)."""
        return self.id if self.kind == "central" else self.parent_id

    @property
    def township(self) -> School:
        """The central school, whose letterhead the township's papers print."""
        return self if self.kind == "central" or self.parent is None else self.parent

    @property
    def government_name(self) -> str:
        """青山镇中心学校 → 青山镇人民政府, unless the township set its own."""
        own = self.township
        if own.government:
            return own.government
        for suffix in ("中心学校", "中心小学", "中学", "小学"):
            if own.name.endswith(suffix) and len(own.name) > len(suffix):
                return own.name[:-len(suffix)] + "人民政府"
        return "乡镇人民政府"

    @property
    def bureau_name(self) -> str:
        """The county education bureau: set, or read from the address (…某县… → 某县教育局)."""
        own = self.township
        if own.bureau:
            return own.bureau
        rest = re.sub(r"^.*?(?:省|自治区)", "", own.address or "", count=1)
        rest = re.sub(r"^.*?(?:自治州|市|地区|盟)(?=.+(?:县|区|旗|市))", "", rest, count=1)
        county = re.match(r".{1,8}?(?:自治县|县|区|旗|市)", rest)
        return f"{county.group(0)}教育局" if county else "县教育局"

    @property
    def county_government(self) -> str:
        """某县教育局 → 某县人民政府: where a 责令送学 may be appealed (行政复议)."""
        county = re.match(r".+?(?:自治县|县|区|旗|市)", self.bureau_name)
        return (county.group(0) if county else "县") + "人民政府"

    def __str__(self) -> str:
        return self.name


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(20))
    # A county-level inspector has no school; everyone else belongs to one.
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)

    school: Mapped[School | None] = relationship()
    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True)

    # Flask-Login. The id it keeps in the session and the remember-me cookie is
    # "<user id>:<sign-in token>"; blueprints/auth/sessions.py sets the token.
    is_authenticated = True
    is_anonymous = False
    session_token = ""

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str) -> None:
        """A new password ends every sign-in (the caller signs the user in again if it is the
        user's own change)."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        """Sign out every browser the user is signed in on (deleted at the next flush)."""
        self.sessions = []

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def unit(self) -> str:
        """单位 and 职务 as papers and rolls write them: 石桥村小 负责人, 青山镇中心学校 控辍专干
        (a role is what the app lets a user do, not a title: not 中心校管理员)."""
        return f"{self.school.name if self.school else ''} {POSTS.get(self.role, self.role_label)}"

    def __str__(self) -> str:
        return self.name


class UserSession(db.Model):
    """One sign-in. The browser's cookies (the session, and remember-me) carry its token; the
    database keeps only the token's SHA-256. Signing out deletes the row, so every copy of
    those cookies stops working at once (blueprints/auth/sessions.py)."""
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)  # 在这台电脑上保持登录
    address: Mapped[str] = mapped_column(sa.String(45), default="")  # the PC's IP address
    created_at: Mapped[datetime] = mapped_column(default=now)
    seen_at: Mapped[datetime] = mapped_column(default=now)

    user: Mapped[User] = relationship(back_populates="sessions")


def holiday_dates(holidays: str) -> set[date]:
    """The days of a term's holidays (Term.holidays: a date or range a line)."""
    days: set[date] = set()
    for line in holidays.splitlines():
        span = line.split()[0] if line.split() else ""
        if not span:
            continue
        first, _, last = span.partition("~")
        start = date.fromisoformat(first)
        end = date.fromisoformat(last) if last else start
        while start <= end:
            days.add(start)
            start += timedelta(days=1)
    return days


def school_days(start: date, end: date, holidays: str) -> list[date]:
    """The school days from start to end: weekdays that are not holidays."""
    off = holiday_dates(holidays)
    out, day = [], start
    while day <= end:
        if day.weekday() < 5 and day not in off:
            out.append(day)
        day += timedelta(days=1)
    return out


class Term(db.Model):
    """A 学期 of one township (terms are set by each central school)."""
    __tablename__ = "terms"
    __table_args__ = (sa.UniqueConstraint("central_id", "school_year", "semester"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    school_year: Mapped[int]  # starting year: 2025 means 2025–2026学年
    semester: Mapped[int]  # 1 or 2
    start_date: Mapped[date]
    end_date: Mapped[date]
    # One date or range a line: "2025-10-01~2025-10-08 国庆节". Weekends are never school days.
    holidays: Mapped[str] = mapped_column(sa.Text, default="")

    @property
    def name(self) -> str:
        return f"{school_year_label(self.school_year)}{SEMESTERS[self.semester]}"

    @staticmethod
    def current(terms: list[Term], day: date) -> Term | None:
        """The term a day falls in, else the newest of the list."""
        return next((t for t in terms if t.start_date <= day <= t.end_date),
                    terms[0] if terms else None)

    def holiday_dates(self) -> set[date]:
        return holiday_dates(self.holidays)

    def school_days(self) -> list[date]:
        return school_days(self.start_date, self.end_date, self.holidays)

    def __str__(self) -> str:
        return self.name


class ClassGroup(db.Model):
    """A 班级 of one 学年: classes keep their students across both terms of the year."""
    __tablename__ = "classes"
    __table_args__ = (sa.UniqueConstraint("school_id", "school_year", "grade", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    school_year: Mapped[int]
    grade: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(20))  # "1班"
    head_teacher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)

    school: Mapped[School] = relationship()
    head_teacher: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return self.label_of(self.grade, self.name)

    @staticmethod
    def label_of(grade: int, name: str) -> str:
        """七年级2班: of a class row, or of a plain row's columns (models.register.class_label)."""
        return f"{GRADES.get(grade, grade)}{name}"

    def __str__(self) -> str:
        return self.label
