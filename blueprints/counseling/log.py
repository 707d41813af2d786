"""心理辅导 log: who may be chosen, the 厌学 children's 转化 (each one's individual sessions and
latest change), and counts for the monthly report and the summary. The records are
confidential (access.py); counts are not, so they are taken by school, for inspectors too."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

import access
from extensions import db
from models import CounselingRecord, Student


@dataclass
class Conversion:
    """One 厌学 child: their individual sessions and the latest change recorded."""
    student: Student
    sessions: int = 0
    last: CounselingRecord | None = None


def student_choices(extra: Student | None = None) -> list[tuple[int, str]]:
    """The 厌学 and 学困 children the user sees (the talks the field asks to record), and the
    child a page came from."""
    rows = db.session.scalars(access.scoped(Student).where(
        Student.status == "enrolled", sa.or_(Student.school_weary.is_(True),
                                             Student.learning_difficulty.is_(True)))
        .order_by(Student.school_id, Student.grade, Student.name_pinyin)
        .options(joinedload(Student.school))).all()
    if extra is not None and extra not in rows:
        rows.insert(0, extra)
    return [(0, "（团体辅导不用选）")] + [
        (s.id, f"{s.name}（{s.school.name} {s.class_label} {'、'.join(s.focus_labels)}）")
        for s in rows]


def conversions(school_id: int | None = None) -> list[Conversion]:
    """Every enrolled 厌学 child the user sees with their counselling, the unvisited first."""
    children = access.scoped(Student).where(Student.status == "enrolled",
                                            Student.school_weary.is_(True))
    if school_id:
        children = children.where(Student.school_id == school_id)
    found = {s.id: Conversion(s) for s in db.session.scalars(children.options(
        joinedload(Student.school), joinedload(Student.class_group)))}
    for record in db.session.scalars(access.scoped(CounselingRecord).where(
            CounselingRecord.student_id.in_(list(found))).order_by(
            CounselingRecord.held_on, CounselingRecord.id)):
        row = found[record.student_id]
        row.sessions += 1
        row.last = record
    return sorted(found.values(), key=lambda c: (c.sessions > 0, c.student.school_id,
                                                 c.student.grade or 0, c.student.name_pinyin))


def reached_by_school(first: date, last: date, school_ids) -> dict[int, int]:
    """人次 counselled per school in a period (a group counts its size)."""
    reached = sa.case((CounselingRecord.kind == "individual", 1),
                      else_=CounselingRecord.group_size)
    return dict(db.session.execute(sa.select(CounselingRecord.school_id, sa.func.sum(reached))
                                   .where(CounselingRecord.school_id.in_(school_ids),
                                          CounselingRecord.held_on.between(first, last))
                                   .group_by(CounselingRecord.school_id)).all())


def totals(first: date, last: date, school_ids) -> dict[str, int]:
    """For the summary: sessions of each kind, 人次, and the 厌学 children counselled and
    those whose latest change in the period is 明显好转."""
    rows = db.session.scalars(sa.select(CounselingRecord).where(
        CounselingRecord.school_id.in_(school_ids),
        CounselingRecord.held_on.between(first, last)).order_by(
        CounselingRecord.held_on, CounselingRecord.id)).all()
    latest = {r.student_id: r.change for r in rows if r.topic == "school_weary" and r.student_id}
    return {"individual": sum(1 for r in rows if r.kind == "individual"),
            "group": sum(1 for r in rows if r.kind == "group"),
            "reached": sum(r.reached for r in rows), "weary": len(latest),
            "weary_better": sum(1 for change in latest.values() if change == "better")}
