"""普职结合: where the children who finished 九年级 went. A leaver is a child of 九年级 whose
status became 毕业 in a school year (1 September to 31 August); each gets a destination
(普通高中, 职业学校, 就业, 其他) and, for a school, its name; 去向不明 is the list to follow up."""
from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import access
from extensions import db
from models import DESTINATIONS, Leaver, StatusChange, Student, school_year_of
from refusal import Refusal

SCHOOLING = ("high_school", "vocational")  # the school is named


def default_year(today: date) -> int:
    """The school year whose leavers are being followed: the one just ended in July and
    August, else the last one."""
    year = school_year_of(today)
    return year if today.month in (7, 8) else year - 1


def year_asked(value: int | None, today: date) -> int:
    """The school year a page asks for (?year=), within 2000 and the latest; else the default."""
    latest = default_year(today)
    return value if value is not None and 2000 <= value <= latest else latest


def leavers(year: int, grade: int = 9) -> list[Student]:
    """Children in scope of a grade (九年级; 六年级 for 小升初) who became 毕业 in that school
    year, by school and name."""
    graduated = sa.select(StatusChange.student_id).where(
        StatusChange.to_status == "graduated",
        StatusChange.changed_on.between(date(year, 9, 1), date(year + 1, 8, 31)))
    return db.session.scalars(access.scoped(Student).where(
        Student.grade == grade, Student.status == "graduated", Student.id.in_(graduated)).options(
        selectinload(Student.school), selectinload(Student.leaver)).order_by(
        Student.school_id, Student.name_pinyin)).all()


def destination_of(student: Student) -> str:
    return student.leaver.destination if student.leaver else "unknown"


def counts(rows: list[Student]) -> Counter:
    return Counter(destination_of(s) for s in rows)


def record(student: Student, destination: str, school_name: str, note: str, user,
           today: date) -> Leaver:
    """A leaver's destination (the caller commits); a Refusal says what to fix."""
    if student.status != "graduated" or student.grade != 9:
        raise Refusal(f"{student.name}不是九年级毕业生。")
    if destination not in DESTINATIONS:
        raise Refusal("请选择毕业去向。")
    if destination in SCHOOLING and not school_name:
        raise Refusal(f"{DESTINATIONS[destination]}：请写明就读的学校。")
    row = student.leaver or Leaver(student=student)
    db.session.add(row)
    row.destination, row.school_name, row.note = destination, school_name[:80], note[:200]
    row.confirmed_on = None if destination == "unknown" else today
    row.user_id = user.id
    return row
