"""The register: children, their guardians and the history of their status."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from extensions import db
from models.common import (FOCUS_FLAGS, GRADES, ID_TYPES, PLACEMENTS, STATUSES, mask_id,
                           name_pinyin, now)
from models.people import ClassGroup, School, User

if TYPE_CHECKING:  # annotations only: the mapper registry resolves them by name
    from models.aid import AidGrant
    from models.pairs import TutoringPair
    from models.papers import Pledge, Responsibility


def class_label(grade: int | None, class_grade: int | None = None,
                class_name: str | None = None) -> str:
    """年级班级 as lists show it: the class's label (七年级2班), else the child's grade alone;
    plain rows (no Student loaded) pass their columns."""
    if class_name is not None:
        return ClassGroup.label_of(class_grade, class_name)
    return GRADES.get(grade, "") if grade else ""


class ChildLabels:
    """The labels of a child's status and placement: of a Student, and of a list's plain row
    of one (blueprints/students/rows.py ChildRow)."""
    __slots__ = ()

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def placement_label(self) -> str:
        return PLACEMENTS.get(self.placement, self.placement)


class Student(ChildLabels, db.Model):
    __tablename__ = "students"
    # a school's (or a township's) children by status, read from the index alone: without it
    # SQLite reads every enrolled child of the county through the status index; and children
    # by status in pinyin order, so that the register's first page reads 50 rows, not sorts all
    # (the plain status index stays: its (status, rowid) key serves "status = ? AND id IN ...");
    # and a child's profile (placement, focus flags, grade, name, village) beside school and
    # status, so that counting and listing a township's children in need, or its villages, reads
    # the index, not ~5,000 wide rows; those registered during the year by school and date; and
    # what the search reads (initials, pinyin, 学籍号), so that a search's count reads the index
    __table_args__ = (sa.Index("ix_students_school_status", "school_id", "status"),
                      sa.Index("ix_students_id_document", "id_type", "id_document", unique=True),
                      sa.Index("ix_students_status_pinyin", "status", "name_pinyin"),
                      sa.Index("ix_students_profile", "school_id", "status", "placement",
                               "left_behind", "single_parent", "orphan", "poverty", "disabled",
                               "learning_difficulty", "migrant", "school_weary", "grade",
                               "name_pinyin", "village", postgresql_include=["id"]),
                      sa.Index("ix_students_school_created", "school_id", "created_at"),
                      sa.Index("ix_students_search", "school_id", "status", "name_initials",
                               "name_pinyin", "student_no"))

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
    id_type: Mapped[str] = mapped_column(sa.String(12), default="resident",
                                         server_default="resident")  # ID_TYPES
    id_document: Mapped[str | None] = mapped_column(sa.String(30))  # another document's number
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
        """The ID number (or another document's number) as lists show it."""
        return mask_id(self.id_number or self.id_document)

    @property
    def id_type_label(self) -> str:
        return ID_TYPES.get(self.id_type, self.id_type)

    @property
    def masked_student_no(self) -> str:
        """学籍号 is usually G + the ID number, so it is masked wherever the ID is."""
        return mask_id(self.student_no)

    @property
    def grade_label(self) -> str:
        return class_label(self.grade)

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
            from models.papers import Responsibility  # papers' tables refer to children
            line = Responsibility(kind=kind)
            self.responsibilities.append(line)
        line.user, line.cadre = (person, None) if isinstance(person, User) else (None, person)

    @property
    def registered_on(self) -> date | None:
        """The day the child came onto the register: their first status change (the form and
        the import date it); None for a record without a history."""
        return min((c.changed_on for c in self.status_changes), default=None)

    def change_status(self, to_status: str, changed_on: date, reason: str, destination: str,
                      user: User | None) -> StatusChange:
        """Record a status change with its date and reason; the history keeps every change."""
        change = StatusChange(from_status=self.status, to_status=to_status, changed_on=changed_on,
                              reason=reason, destination=destination,
                              user_id=user.id if user else None)
        self.status_changes.append(change)
        self.status = to_status
        if to_status in GONE:
            self.end_pairs(changed_on)
        return change

    def end_pairs(self, on: date) -> None:
        """The child's pairs still running end that day: a child who left the school (转出,
        毕业 ..., or moved to another school) is no longer its teachers' to help, nor a pair
        behind on the school's list (a reviewer's 4 such pairs counted at the old school)."""
        for pair in self.tutoring_pairs:
            if pair.end_on is None or pair.end_on > on:
                pair.end_on = max(on, pair.start_on)

    def __str__(self) -> str:
        return self.name


GONE = ("transferred", "left", "graduated", "deceased", "removed")  # no longer the school's


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
    changed_on: Mapped[date] = mapped_column(index=True)  # the rates: changes since 1 September
    from_status: Mapped[str | None] = mapped_column(sa.String(12))
    to_status: Mapped[str] = mapped_column(sa.String(12), index=True)  # and ever to another
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
