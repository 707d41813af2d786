"""Every table of Baoxue, as SQLAlchemy 2.0 typed models that carry their own behaviour.

Codes are English (stored), labels are Chinese (shown). The schema only changes through
migrations/ (Flask-Migrate).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from pypinyin import Style, lazy_pinyin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from refusal import Refusal

SCHOOL_KINDS = {"central": "中心学校", "village": "村小", "point": "教学点"}

ROLES = {
    "central_officer": "中心校管理员",
    "central_leader": "中心校领导",
    "village_head": "村小负责人",
    "teacher": "教师",
    "inspector": "督导查看",
}

STATUSES = {
    "enrolled": "在读",
    "suspended": "休学",
    "transferred": "转出",
    "dropout": "辍学",
    "left": "其他离校",
    "graduated": "毕业",
    "deceased": "死亡",
}

PLACEMENTS = {
    "in_school": "在校就读",
    "inclusive": "随班就读",
    "home_delivery": "送教上门",
    "special_school": "特教学校",
    "elsewhere": "异地就读",
}

# Focus groups (重点群体): each is a boolean column on Student of the same name.
FOCUS_FLAGS = {
    "left_behind": "留守",
    "single_parent": "单亲",
    "orphan": "孤儿/事实无人抚养",
    "poverty": "脱贫/低保/特困",
    "disabled": "残疾",
    "learning_difficulty": "学困",
    "migrant": "随迁",
    "school_weary": "厌学",
}

GRADES = {1: "一年级", 2: "二年级", 3: "三年级", 4: "四年级", 5: "五年级", 6: "六年级",
          7: "七年级", 8: "八年级", 9: "九年级"}

SEMESTERS = {1: "第一学期", 2: "第二学期"}

# pypinyin reads a surname like an ordinary word; these surnames read differently.
SURNAME_READINGS = {"曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "查": "zha", "区": "ou",
                    "朴": "piao", "乐": "yue", "覃": "qin", "翟": "zhai", "缪": "miao", "尉": "yu",
                    "盖": "ge", "种": "chong", "繁": "po", "员": "yun", "秘": "bi", "燕": "yan"}


def name_pinyin(name: str) -> list[str]:
    """Syllables of a Chinese name, surname read as a surname: 曾小明 → [zeng, xiao, ming]."""
    name = (name or "").strip()
    if not name:
        return []
    head = SURNAME_READINGS.get(name[0])
    if head:
        return [head] + [s.lower() for s in lazy_pinyin(name[1:], style=Style.NORMAL)]
    return [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL)]


def school_year_of(day: date) -> int:
    """The 学年 a day belongs to, by its starting year: 2025-09-01 .. 2026-08-31 → 2025."""
    return day.year if day.month >= 9 else day.year - 1


def month_bounds(day: date) -> tuple[date, date]:
    """The first and the last day of the day's month."""
    first = day.replace(day=1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, after - timedelta(days=1)


def month_spans(start: date, end: date) -> list[tuple[date, date]]:
    """(first, last) of every calendar month from start's month to end's."""
    spans = []
    while start <= end:
        spans.append(month_bounds(start))
        start = spans[-1][1] + timedelta(days=1)
    return spans


def school_year_label(year: int) -> str:
    return f"{year}–{year + 1}学年"


def mask_id(number: str | None) -> str:
    """3404**********1234: lists and public papers show only the first and last four."""
    n = number or ""
    return f"{n[:4]}{'*' * (len(n) - 8)}{n[-4:]}" if len(n) > 8 else n


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


class Steps:
    """A status that only moves forward through STEPS; every step passed is dated in its
    `<step>_on` column (a signed paper was printed). Subclasses set STEPS and LABELS."""
    STEPS: tuple[str, ...] = ()
    LABELS: dict[str, str] = {}

    @property
    def status_label(self) -> str:
        return self.LABELS.get(self.status, self.status)

    def advance(self, to: str, on: date) -> None:
        steps = self.STEPS
        if to not in steps or steps.index(to) <= steps.index(self.status):
            raise Refusal(f"不能从“{self.status_label}”改为“{self.LABELS.get(to, to)}”。")
        for step in steps[steps.index(self.status) + 1: steps.index(to) + 1]:
            if getattr(self, f"{step}_on") is None:
                setattr(self, f"{step}_on", on)
        self.status = to


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

    parent: Mapped[School | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[School]] = relationship(back_populates="parent")

    @property
    def kind_label(self) -> str:
        return SCHOOL_KINDS.get(self.kind, self.kind)

    @property
    def township_id(self) -> int:
        """The central school that leads this school's township (itself, for a central school)."""
        return self.id if self.kind == "central" else self.parent_id

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
        days: set[date] = set()
        for line in self.holidays.splitlines():
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

    def school_days(self) -> list[date]:
        off = self.holiday_dates()
        out, day = [], self.start_date
        while day <= self.end_date:
            if day.weekday() < 5 and day not in off:
                out.append(day)
            day += timedelta(days=1)
        return out

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
        return f"{GRADES.get(self.grade, self.grade)}{self.name}"

    def __str__(self) -> str:
        return self.label


class Student(db.Model):
    __tablename__ = "students"
    # a school's (or a township's) children by status, read from the index alone: without it
    # SQLite reads every enrolled child of the county through the status index; and children
    # by status in pinyin order, so that the register's first page reads 50 rows, not sorts all
    # (the plain status index stays: its (status, rowid) key serves "status = ? AND id IN ...")
    __table_args__ = (sa.Index("ix_students_school_status", "school_id", "status"),
                      sa.Index("ix_students_status_pinyin", "status", "name_pinyin"))

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"))
    class_id: Mapped[int | None] = mapped_column(sa.ForeignKey("classes.id"), index=True)
    grade: Mapped[int | None]
    name: Mapped[str] = mapped_column(sa.String(40))
    name_pinyin: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    name_initials: Mapped[str] = mapped_column(sa.String(20), default="", index=True)
    sex: Mapped[str] = mapped_column(sa.String(1))  # 男 / 女
    birth_date: Mapped[date | None]
    ethnicity: Mapped[str] = mapped_column(sa.String(20), default="汉族")
    id_number: Mapped[str | None] = mapped_column(sa.String(18), unique=True)
    student_no: Mapped[str | None] = mapped_column(sa.String(30), unique=True)  # 学籍号
    status: Mapped[str] = mapped_column(sa.String(12), default="enrolled", index=True)
    placement: Mapped[str] = mapped_column(sa.String(16), default="in_school")
    left_behind: Mapped[bool] = mapped_column(default=False)
    single_parent: Mapped[bool] = mapped_column(default=False)
    orphan: Mapped[bool] = mapped_column(default=False)
    poverty: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    learning_difficulty: Mapped[bool] = mapped_column(default=False)
    migrant: Mapped[bool] = mapped_column(default=False)
    school_weary: Mapped[bool] = mapped_column(default=False)
    boarder: Mapped[bool] = mapped_column(default=False)  # 寄宿生
    village: Mapped[str] = mapped_column(sa.String(40), default="")  # 户籍村
    village_group: Mapped[str] = mapped_column(sa.String(20), default="")  # 组
    address: Mapped[str] = mapped_column(sa.String(120), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    # Optimistic locking: an edit made from a stale form is refused, not silently applied.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    school: Mapped[School] = relationship()
    class_group: Mapped[ClassGroup | None] = relationship()
    guardians: Mapped[list[Guardian]] = relationship(
        back_populates="student", cascade="all, delete-orphan", order_by="Guardian.position")
    responsibilities: Mapped[list[Responsibility]] = relationship(
        back_populates="student", cascade="all, delete-orphan")
    # Deleting a child (误登记) deletes their guardian letters through the ORM, so it is audited.
    pledges: Mapped[list[Pledge]] = relationship(back_populates="student",
                                                 cascade="all, delete-orphan")
    aid_grants: Mapped[list[AidGrant]] = relationship(back_populates="student",
                                                      cascade="all, delete-orphan",
                                                      order_by="AidGrant.id")
    tutoring_pairs: Mapped[list[TutoringPair]] = relationship(
        back_populates="student", cascade="all, delete-orphan", order_by="TutoringPair.id")
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="student", cascade="all, delete-orphan",
        order_by="(StatusChange.changed_on.desc(), StatusChange.id.desc())")

    @validates("name")
    def _set_pinyin(self, key, value):
        value = (value or "").strip()
        syllables = name_pinyin(value)
        self.name_pinyin = "".join(syllables)
        self.name_initials = "".join(s[0] for s in syllables if s)
        return value

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    @property
    def masked_student_no(self) -> str:
        """学籍号 is usually G + the ID number, so it is masked wherever the ID is."""
        return mask_id(self.student_no)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def placement_label(self) -> str:
        return PLACEMENTS.get(self.placement, self.placement)

    @property
    def grade_label(self) -> str:
        return GRADES.get(self.grade, "") if self.grade else ""

    @property
    def class_label(self) -> str:
        return self.class_group.label if self.class_group else self.grade_label

    @property
    def focus_labels(self) -> list[str]:
        return [label for flag, label in FOCUS_FLAGS.items() if getattr(self, flag)]

    def age_on(self, day: date) -> int | None:
        if not self.birth_date:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def responsible(self) -> dict[str, Responsibility]:
        """The 双线四包 lines by kind (missing kinds are absent)."""
        return {r.kind: r for r in self.responsibilities}

    def assign(self, kind: str, person) -> None:
        """Set (or, with None, clear) the person responsible on one line."""
        line = self.responsible().get(kind)
        if person is None:
            if line:
                self.responsibilities.remove(line)
            return
        if line is None:
            line = Responsibility(kind=kind)
            self.responsibilities.append(line)
        line.user, line.cadre = (person, None) if isinstance(person, User) else (None, person)

    def change_status(self, to_status: str, changed_on: date, reason: str, destination: str,
                      user: User | None) -> StatusChange:
        """Record a status change with its date and reason; the history keeps every change."""
        change = StatusChange(from_status=self.status, to_status=to_status, changed_on=changed_on,
                              reason=reason, destination=destination,
                              user_id=user.id if user else None)
        self.status_changes.append(change)
        self.status = to_status
        return change

    def __str__(self) -> str:
        return self.name


class Guardian(db.Model):
    __tablename__ = "guardians"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(40))
    relation: Mapped[str] = mapped_column(sa.String(20), default="")  # 父亲 / 母亲 / 祖父 ...
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    works_away: Mapped[bool] = mapped_column(default=False)  # 外出务工

    student: Mapped[Student] = relationship(back_populates="guardians")

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"


class StatusChange(db.Model):
    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    changed_on: Mapped[date]
    from_status: Mapped[str | None] = mapped_column(sa.String(12))
    to_status: Mapped[str] = mapped_column(sa.String(12))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    destination: Mapped[str] = mapped_column(sa.String(120), default="")  # 去向 (转出)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    student: Mapped[Student] = relationship(back_populates="status_changes")
    user: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"{STATUSES.get(self.to_status, self.to_status)} {self.changed_on}"

    @property
    def from_label(self) -> str:
        return STATUSES.get(self.from_status, "") if self.from_status else "新登记"

    @property
    def to_label(self) -> str:
        return STATUSES.get(self.to_status, self.to_status)


# 双线四包: the persons responsible for a child, on the school line and the government line.
RESPONSIBILITY_KINDS = {
    "leader": "学校领导包片",
    "class_teacher": "班主任包班",
    "teacher": "教师包生",
    "township_cadre": "乡镇干部包村",
    "village_cadre": "村干部包户",
}
SCHOOL_LINE = ("leader", "class_teacher", "teacher")  # users of the schools
GOVERNMENT_LINE = ("township_cadre", "village_cadre")  # cadres of the directory
CADRE_LEVELS = {"township": "乡镇干部", "village": "村干部"}


class Cadre(db.Model):
    """A township or village cadre (乡镇干部 / 村干部) in a township's directory; not a user."""
    __tablename__ = "cadres"

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    level: Mapped[str] = mapped_column(sa.String(10))  # township / village
    village: Mapped[str] = mapped_column(sa.String(40), default="")  # for village cadres
    name: Mapped[str] = mapped_column(sa.String(40))
    post: Mapped[str] = mapped_column(sa.String(40), default="")  # 村支书, 村主任, 副镇长 ...
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def level_label(self) -> str:
        return CADRE_LEVELS.get(self.level, self.level)

    def __str__(self) -> str:
        return f"{self.name}（{self.village + ' ' if self.village else ''}{self.post}）"


class Responsibility(db.Model):
    """One line of 双线四包 for one child: a user (school line) or a cadre (government line)."""
    __tablename__ = "responsibilities"
    __table_args__ = (sa.UniqueConstraint("student_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cadre_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cadres.id"), index=True)
    assigned_on: Mapped[date] = mapped_column(default=date.today)

    student: Mapped[Student] = relationship(back_populates="responsibilities")
    user: Mapped[User | None] = relationship()
    cadre: Mapped[Cadre | None] = relationship()

    @property
    def person(self):
        return self.user or self.cadre

    @property
    def phone(self) -> str:
        return self.person.phone if self.person else ""

    @property
    def kind_label(self) -> str:
        return RESPONSIBILITY_KINDS.get(self.kind, self.kind)

    def __str__(self) -> str:
        return f"{self.kind_label}：{self.person.name if self.person else ''}"


class DocumentCounter(db.Model):
    """The last number given in a series of document numbers (e.g. a school's pledges of a
    term). Numbers are never reused, even when a document is deleted with its child."""
    __tablename__ = "document_counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    last: Mapped[int] = mapped_column(default=0)

    @classmethod
    def next(cls, key: str) -> int:
        """Take the next number of a series, atomically (UPDATE ... RETURNING)."""
        number = db.session.execute(
            sa.update(cls).where(cls.key == key).values(last=cls.last + 1)
            .returning(cls.last)).scalar()
        if number is None:
            db.session.add(cls(key=key, last=1))
            db.session.flush()
            number = 1
        return number


PLEDGE_KINDS = {
    "teacher": "教师目标责任书",
    "class_teacher": "班主任目标责任书",
    "village_school": "村小（教学点）目标责任书",
    "village_committee": "村委会目标责任书",
    "guardian_commitment": "家长承诺书",
    "guardian_notice": "家长告知书",
}
GUARDIAN_KINDS = ("guardian_commitment", "guardian_notice")
PLEDGE_STATUSES = {"generated": "已生成", "printed": "已打印", "signed": "已签署",
                   "collected": "已回收"}


class PledgeTemplate(db.Model):
    """A township's text of one kind of pledge, with {placeholders} filled at generation."""
    __tablename__ = "pledge_templates"
    __table_args__ = (sa.UniqueConstraint("central_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    title: Mapped[str] = mapped_column(sa.String(60))
    body: Mapped[str] = mapped_column(sa.Text)
    party_a: Mapped[str] = mapped_column(sa.String(40), default="甲方")  # signature labels
    party_b: Mapped[str] = mapped_column(sa.String(40), default="乙方")
    copies: Mapped[int] = mapped_column(default=2)  # 一式两份

    @property
    def kind_label(self) -> str:
        return PLEDGE_KINDS.get(self.kind, self.kind)

    def __str__(self) -> str:
        return self.title


class Pledge(Steps, db.Model):
    """One issued document: its text is fixed when generated, then printed, signed, collected."""
    __tablename__ = "pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("pledge_templates.id"), index=True)
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("terms.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    doc_no: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(60))
    content: Mapped[str] = mapped_column(sa.Text)
    party_a_name: Mapped[str] = mapped_column(sa.String(80))
    party_b_name: Mapped[str] = mapped_column(sa.String(80))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    student_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("students.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), default="generated", index=True)
    generated_on: Mapped[date] = mapped_column(default=date.today)
    printed_on: Mapped[date | None]
    signed_on: Mapped[date | None]
    collected_on: Mapped[date | None]
    scan_path: Mapped[str | None] = mapped_column(sa.String(200))

    template: Mapped[PledgeTemplate] = relationship()
    term: Mapped[Term] = relationship()
    school: Mapped[School] = relationship()
    user: Mapped[User | None] = relationship()
    student: Mapped[Student | None] = relationship(back_populates="pledges")

    STEPS = ("generated", "printed", "signed", "collected")
    LABELS = PLEDGE_STATUSES

    def __str__(self) -> str:
        return f"{self.doc_no} {self.title} {self.party_b_name}"


# 资助: aid programmes of a township's term and the grants to children. Money is integer fen
# (分): 1 yuan = 100; amounts are never floats.
AID_KINDS = {
    "living_subsidy": "两免一补（生活补助）",
    "nutrition": "营养改善计划",
    "yulu": "雨露计划",
    "relief": "教育救助",
    "donation": "社会捐助",
}
AID_STATUSES = {"applied": "申请", "reviewed": "审核", "paid": "已发放"}
AID_METHODS = {"card": "银行卡（一卡通）", "cash": "现金", "meal": "餐食/实物", "transfer": "转账"}


def yuan(fen: int | None) -> str:
    """1234 → "12.34"; the one way amounts are shown."""
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


class AidProgram(db.Model):
    """One aid programme for one term of a township, with its standard and who is eligible."""
    __tablename__ = "aid_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("terms.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(60))
    source: Mapped[str] = mapped_column(sa.String(60), default="")  # 中央/省级/县级财政, 捐助单位
    amount: Mapped[int] = mapped_column(default=0)  # standard per child per term, fen
    boarder_amount: Mapped[int | None]  # a different standard for boarders (生活补助)
    # Eligible: an enrolled child with any of these focus flags (comma-separated codes), or
    # every enrolled child when everyone is set (营养改善计划).
    flags: Mapped[str] = mapped_column(sa.String(200), default="")
    everyone: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    term: Mapped[Term] = relationship()

    @property
    def kind_label(self) -> str:
        return AID_KINDS.get(self.kind, self.kind)

    @property
    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(",") if f in FOCUS_FLAGS]

    @property
    def rule_label(self) -> str:
        if self.everyone:
            return "全体在读学生"
        return "、".join(FOCUS_FLAGS[f] for f in self.flag_list) or "（未设条件）"

    def eligible_condition(self):
        """SQL: the enrolled children of the programme's township it is for."""
        enrolled = sa.and_(Student.status == "enrolled", Student.school_id.in_(
            sa.select(School.id).where(sa.or_(School.id == self.central_id,
                                              School.parent_id == self.central_id))))
        if self.everyone:
            return enrolled
        if not self.flag_list:
            return sa.false()
        return sa.and_(enrolled, sa.or_(*[getattr(Student, f).is_(True) for f in self.flag_list]))

    def categories(self, student: Student) -> list[str]:
        """Why a child is eligible: the programme's focus groups the child is in."""
        return [FOCUS_FLAGS[f] for f in self.flag_list if getattr(student, f)]

    def standard_for(self, student: Student) -> int:
        return self.boarder_amount if student.boarder and self.boarder_amount is not None \
            else self.amount

    def __str__(self) -> str:
        return self.name


class AidGrant(Steps, db.Model):
    """Aid to one child under one programme. The amount is never edited: a correction is a pair
    of new entries (the reversal and the right amount) pointing at the entry they correct."""
    __tablename__ = "aid_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_programs.id"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    amount: Mapped[int]  # fen; negative for a reversal
    method: Mapped[str] = mapped_column(sa.String(12), default="card")
    status: Mapped[str] = mapped_column(sa.String(10), default="applied", index=True)
    applied_on: Mapped[date]
    reviewed_on: Mapped[date | None]
    paid_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    correction_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("aid_grants.id"),
                                                         index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    program: Mapped[AidProgram] = relationship()
    student: Mapped[Student] = relationship(back_populates="aid_grants")
    school: Mapped[School] = relationship()
    correction_of: Mapped[AidGrant | None] = relationship(remote_side=[id])

    STEPS = ("applied", "reviewed", "paid")
    LABELS = AID_STATUSES

    @property
    def method_label(self) -> str:
        return AID_METHODS.get(self.method, self.method)

    @property
    def yuan(self) -> str:
        return yuan(self.amount)

    def __str__(self) -> str:
        return f"{self.program.name if self.program else ''} {yuan(self.amount)} 元"


# 结对帮扶: a teacher paired with a child, and the sessions they log.
PAIR_KINDS = {"academic": "学业帮扶（一帮一）", "caring_mother": "爱心妈妈", "counselling": "心理辅导",
              "home_delivery": "送教上门"}  # 送教上门: the plan is the goals, visits the sessions
SESSION_MODES = {"meeting": "见面", "call": "电话/视频"}


class TutoringPair(db.Model):
    __tablename__ = "tutoring_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    goals: Mapped[str] = mapped_column(sa.String(300), default="")
    start_on: Mapped[date]
    end_on: Mapped[date | None]

    teacher: Mapped[User] = relationship()
    student: Mapped[Student] = relationship(back_populates="tutoring_pairs")
    sessions: Mapped[list[TutoringSession]] = relationship(
        back_populates="pair", cascade="all, delete-orphan",
        order_by="(TutoringSession.held_on.desc(), TutoringSession.id.desc())")

    @property
    def kind_label(self) -> str:
        return PAIR_KINDS.get(self.kind, self.kind)

    def active_on(self, day: date) -> bool:
        return self.start_on <= day and (self.end_on is None or day <= self.end_on)

    def __str__(self) -> str:
        return f"{self.kind_label}：{self.teacher.name if self.teacher else ''} ↔ " \
               f"{self.student.name if self.student else ''}"


class TutoringSession(db.Model):
    __tablename__ = "tutoring_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(sa.ForeignKey("tutoring_pairs.id", ondelete="CASCADE"),
                                         index=True)
    held_on: Mapped[date]
    mode: Mapped[str] = mapped_column(sa.String(10), default="meeting")
    minutes: Mapped[int] = mapped_column(default=0)
    content: Mapped[str] = mapped_column(sa.String(300), default="")
    progress: Mapped[str] = mapped_column(sa.String(300), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    pair: Mapped[TutoringPair] = relationship(back_populates="sessions")

    @property
    def mode_label(self) -> str:
        return SESSION_MODES.get(self.mode, self.mode)

    def __str__(self) -> str:
        return f"{self.held_on} {self.mode_label} {self.minutes} 分钟"


# 考勤与预警: absences entered weekly, and the warnings the rules open from them.
ABSENCE_KINDS = {"unexcused": "无故缺课", "sick": "病假", "personal": "事假"}
ABSENCE_SHORT = {"unexcused": "无故", "sick": "病", "personal": "事"}


class Absence(db.Model):
    """One child absent on one school day (whole day), with its kind and an optional reason."""
    __tablename__ = "absences"
    __table_args__ = (sa.UniqueConstraint("student_id", "day"),
                      sa.Index("ix_absences_school_day", "school_id", "day"),
                      # the risk window's unexcused days, counted per child from an index:
                      # a county's from the first, a township's or a school's from the second
                      sa.Index("ix_absences_kind_day", "kind", "day", "student_id"),
                      sa.Index("ix_absences_student_kind_day", "student_id", "kind", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"))
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str] = mapped_column(sa.String(100), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    student: Mapped[Student] = relationship()

    @property
    def kind_label(self) -> str:
        return ABSENCE_KINDS.get(self.kind, self.kind)

    def __str__(self) -> str:
        return f"{self.day} {self.kind_label}"


WARNING_RULES = {"absence_run": "连续无故缺课"}
WARNING_STATUSES = {"open": "待处理", "closed": "已处理"}


class EarlyWarning(db.Model):
    """预警: opened by a rule with its evidence, due an action by a date, closed only with what
    was done."""
    __tablename__ = "warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    rule: Mapped[str] = mapped_column(sa.String(20))
    run_start: Mapped[date]  # the first day of the absence run it is about
    days: Mapped[int]  # school days in the run when last seen
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)  # the run's dates (ISO)
    opened_on: Mapped[date]
    due_on: Mapped[date]  # a home visit by this school day
    status: Mapped[str] = mapped_column(sa.String(10), default="open", index=True)
    closed_on: Mapped[date | None]
    action: Mapped[str] = mapped_column(sa.String(300), default="")  # what was done
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    student: Mapped[Student] = relationship()
    closed_by: Mapped[User | None] = relationship()

    @property
    def rule_label(self) -> str:
        return WARNING_RULES.get(self.rule, self.rule)

    @property
    def status_label(self) -> str:
        return WARNING_STATUSES.get(self.status, self.status)

    def overdue_on(self, day: date) -> bool:
        return self.status == "open" and day > self.due_on

    def close(self, action: str, user: User, on: date) -> None:
        if not (action or "").strip():
            raise Refusal("请写明做了什么（如 家访见到家长、电话联系、孩子已返校），再关闭预警。")
        if self.status != "open":
            raise Refusal("这条预警已经处理过了。")
        self.status, self.action, self.closed_on = "closed", action.strip(), on
        self.closed_by_id = user.id

    def __str__(self) -> str:
        return f"{self.rule_label} {self.days} 天（{self.run_start} 起）"


# 家访: a visit to a child's family, with what was found.
VISIT_REASONS = {"school_weary": "厌学", "poverty": "家庭经济困难", "work_away": "外出务工",
                 "illness": "疾病", "disability": "残疾", "early_marriage": "早婚",
                 "no_guardian": "监护缺失", "other": "其他"}
VISIT_OUTCOMES = {"in_school": "孩子在校/已返校", "will_return": "答应近日返校",
                  "refused": "拒绝返校", "gone": "孩子不在家（外出、去向不明）",
                  "sick": "生病在家", "other": "其他"}


class HomeVisit(db.Model):
    __tablename__ = "home_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    visited_on: Mapped[date] = mapped_column(index=True)
    visitors: Mapped[str] = mapped_column(sa.String(100))  # 吴晓燕（班主任）、村主任陈小平
    met: Mapped[str] = mapped_column(sa.String(100), default="")  # whom they met
    situation: Mapped[str] = mapped_column(sa.Text, default="")
    reasons: Mapped[str] = mapped_column(sa.String(200), default="")  # VISIT_REASONS codes
    outcome: Mapped[str] = mapped_column(sa.String(12))
    next_step: Mapped[str] = mapped_column(sa.String(300), default="")
    file_path: Mapped[str | None] = mapped_column(sa.String(200))  # photo or scan
    warning_id: Mapped[int | None] = mapped_column(sa.ForeignKey("warnings.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dropout_cases.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    student: Mapped[Student] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def reason_labels(self) -> list[str]:
        return [VISIT_REASONS[r] for r in self.reasons.split(",") if r in VISIT_REASONS]

    @property
    def outcome_label(self) -> str:
        return VISIT_OUTCOMES.get(self.outcome, self.outcome)

    def __str__(self) -> str:
        return f"{self.visited_on} 家访：{self.outcome_label}"


# 劝返复学: a case from 疑似辍学 to 销号 (blueprints/cases/workflow.py holds the transitions).
CASE_STATES = {
    "suspected": "疑似辍学", "verifying": "核查中", "persuading": "劝返中",
    "legal": "依法督促", "returned": "已复学", "transferred": "核实转学",
    "home_delivery": "送教上门", "closed": "已销号",
}
CASE_TRIGGERS = {"absence": "连续无故缺课", "visit": "家访发现人不在", "manual": "学校上报",
                 "reconciliation": "四查三比对"}
NOTICE_KINDS = {"report": "辍学学生情况报告表", "return": "复学通知书",
                "urge": "督促入学通知书", "order": "责令送学通知书（草稿）"}


class DropoutCase(db.Model):
    __tablename__ = "dropout_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    opened_on: Mapped[date] = mapped_column(index=True)
    trigger: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.String(300), default="")  # why the child is out
    whereabouts: Mapped[str] = mapped_column(sa.String(120), default="")  # 去向
    state: Mapped[str] = mapped_column(sa.String(16), default="suspected", index=True)
    dropout_on: Mapped[date | None]  # suspected past the threshold: a dropout (学籍 kept)
    reentry_plan: Mapped[str] = mapped_column(sa.Text, default="")  # 复学适应方案
    returned_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(sa.String(16))  # the state it was closed from
    closed_on: Mapped[date | None] = mapped_column(index=True)

    student: Mapped[Student] = relationship()
    school: Mapped[School] = relationship()
    steps: Mapped[list[CaseStep]] = relationship(
        back_populates="case", cascade="all, delete-orphan",
        order_by="(CaseStep.on, CaseStep.id)")
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="FollowUp.due_on")
    notices: Mapped[list[CaseNotice]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseNotice.id")

    @property
    def state_label(self) -> str:
        return CASE_STATES.get(self.state, self.state)

    @property
    def trigger_label(self) -> str:
        return CASE_TRIGGERS.get(self.trigger, self.trigger)

    @property
    def outcome_label(self) -> str:
        return CASE_STATES.get(self.outcome, "") if self.outcome else ""

    @property
    def is_open(self) -> bool:
        return self.state != "closed"

    def __str__(self) -> str:
        return f"劝返个案：{self.state_label}（{self.opened_on} 起）"


class CaseStep(db.Model):
    """One dated step of a case: its state before and after, who, and what was done."""
    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("dropout_cases.id", ondelete="CASCADE"),
                                         index=True)
    on: Mapped[date]
    from_state: Mapped[str | None] = mapped_column(sa.String(16))
    to_state: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    case: Mapped[DropoutCase] = relationship(back_populates="steps")
    user: Mapped[User | None] = relationship()

    @property
    def to_label(self) -> str:
        return CASE_STATES.get(self.to_state, self.to_state)

    @property
    def from_label(self) -> str:
        return CASE_STATES.get(self.from_state, "") if self.from_state else "立案"

    def __str__(self) -> str:
        return f"{self.on} {self.from_label} → {self.to_label}"


class FollowUp(db.Model):
    """A returned child's follow-up (1 week, 1 month after return)."""
    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("dropout_cases.id", ondelete="CASCADE"),
                                         index=True)
    label: Mapped[str] = mapped_column(sa.String(20))  # 复学一周 / 复学一个月
    due_on: Mapped[date]
    done_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    case: Mapped[DropoutCase] = relationship(back_populates="follow_ups")

    def __str__(self) -> str:
        return f"{self.label} {self.due_on}"


class CaseNotice(db.Model):
    """A notice printed for a case (报告表, 复学通知书, ...), numbered."""
    __tablename__ = "case_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("dropout_cases.id", ondelete="CASCADE"),
                                         index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    doc_no: Mapped[str] = mapped_column(sa.String(40), unique=True)
    issued_on: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    case: Mapped[DropoutCase] = relationship(back_populates="notices")

    @property
    def kind_label(self) -> str:
        return NOTICE_KINDS.get(self.kind, self.kind)

    def __str__(self) -> str:
        return f"{self.doc_no} {self.kind_label}"


# 四查三比对: the township's 户籍 list of children, compared with the register.
EXPLANATIONS = {"elsewhere": "在外地就读", "migrant": "随迁子女在外地就读",
                "special_school": "在特殊教育学校就读", "deceased": "已死亡",
                "wrong_record": "户籍信息有误", "not_of_age": "不在义务教育年龄段", "other": "其他"}


class HouseholdChild(db.Model):
    """A child on the township's 户籍 list (from the police station or the village), with the
    explanation when the child is in no school of the township for a known reason."""
    __tablename__ = "household_children"
    __table_args__ = (sa.UniqueConstraint("central_id", "id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    id_number: Mapped[str] = mapped_column(sa.String(18))
    birth_date: Mapped[date]
    sex: Mapped[str] = mapped_column(sa.String(1))
    village: Mapped[str] = mapped_column(sa.String(40), default="")
    village_group: Mapped[str] = mapped_column(sa.String(20), default="")
    guardian: Mapped[str] = mapped_column(sa.String(40), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    imported_on: Mapped[date]
    explained: Mapped[str | None] = mapped_column(sa.String(16))  # EXPLANATIONS code
    explanation: Mapped[str] = mapped_column(sa.String(300), default="")  # with its evidence
    explained_on: Mapped[date | None]
    explained_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    @property
    def explained_label(self) -> str:
        return EXPLANATIONS.get(self.explained, "") if self.explained else ""

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def __str__(self) -> str:
        return f"{self.name}（{self.village}）"


RISK_LEVELS = {"high": "高", "medium": "中", "low": "低"}


class RiskOverride(db.Model):
    """A person's judgement of a child's risk level over the computed one, with the reason.
    The latest row of a child holds; one with level None hands back to the computation."""
    __tablename__ = "risk_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"))
    level: Mapped[str | None] = mapped_column(sa.String(8))
    reason: Mapped[str] = mapped_column(sa.String(300))
    on: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User | None] = relationship()

    @property
    def level_label(self) -> str:
        return RISK_LEVELS.get(self.level, "按计算") if self.level else "按计算"

    def __str__(self) -> str:
        return f"风险等级调整为{self.level_label}：{self.reason}"


class RiskScore(db.Model):
    """A child's computed risk score, stored so that a list of a township's children is ranked
    without scoring every child on every view (blueprints/attendance/risk.py).

    `rev` counts the writes to the child's inputs: the database's own triggers (migration 0014)
    raise it in the same transaction as every insert, update or delete of the child's record,
    absences, guardians, cases, pairs and grants, of the township's terms and of the school's
    place in a township. A score is used only while `scored_rev` (the `rev` it was computed
    from, read in the same statement as the inputs) equals `rev`, `as_of` is today and `basis`
    matches the settings; otherwise it is computed again. No foreign key: a child's deletion cascades to its absences, whose triggers
    touch this row after the child is gone; the row is then an orphan nothing joins, and a new
    child given the same id raises `rev` on insert."""
    __tablename__ = "risk_scores"

    student_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    rev: Mapped[int] = mapped_column(default=0, server_default="0")
    scored_rev: Mapped[int | None]
    as_of: Mapped[date | None]
    basis: Mapped[str | None] = mapped_column(sa.String(16))
    points: Mapped[int | None]


class Meeting(db.Model):
    """月度推进会: the central school's monthly review, its agenda (drafted from the data, then
    edited) and minutes."""
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    month: Mapped[date]  # the first day of the month reviewed
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(sa.String(60), default="")
    chair: Mapped[str] = mapped_column(sa.String(40), default="")
    attendees: Mapped[str] = mapped_column(sa.Text, default="")  # one a line
    agenda: Mapped[str] = mapped_column(sa.Text, default="")
    minutes: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    items: Mapped[list[ActionItem]] = relationship(back_populates="meeting",
                                                   order_by="ActionItem.id")

    @property
    def title(self) -> str:
        return f"{self.month.year}年{self.month.month}月控辍保学推进会"

    def __str__(self) -> str:
        return f"{self.title}（{self.held_on}）"


class ActionItem(db.Model):
    """A decision of a meeting: who does what, for which school, by when; carried to the next
    meeting while open."""
    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(sa.String(300))
    due_on: Mapped[date]
    done_on: Mapped[date | None]
    result: Mapped[str] = mapped_column(sa.String(300), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    owner: Mapped[User] = relationship()
    school: Mapped[School | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.done_on is None

    def complete(self, result: str, on: date) -> None:
        """Marked done with what was done (a 推进会 decision); the caller commits."""
        result = (result or "").strip()
        if not result:
            raise Refusal("请写明完成情况。")
        if self.done_on:
            raise Refusal("这件事已经标记完成了。")
        self.done_on, self.result = on, result[:300]

    def __str__(self) -> str:
        return f"{self.text}（{self.owner.name if self.owner else ''}，{self.due_on} 前）"


# 工作活动: the school's own 控辍保学 activities, with photos or scans as evidence (佐证材料).
ACTIVITY_KINDS = {
    "parents_meeting": "家长会", "parent_school": "家长学校", "broadcast": "校园广播",
    "board": "宣传栏", "letter": "致家长的一封信", "wechat": "微信群宣传",
    "law": "法律法规宣传", "training": "教师培训", "joint_meeting": "联席会议",
    "mental_health": "心理健康讲座", "other": "其他活动",
}


class Activity(db.Model):
    """One activity of a school (a 家长会, a publicity campaign, a training, a 联席会议)."""
    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(100))  # 主题
    place: Mapped[str] = mapped_column(sa.String(60), default="")
    reached: Mapped[int] = mapped_column(default=0)  # people reached (参加/覆盖人数)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    school: Mapped[School] = relationship()
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
               "backup": "备份"}

    @property
    def action_label(self) -> str:
        return self.ACTIONS.get(self.action, self.action)
