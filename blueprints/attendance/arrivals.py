"""开学报到: who has come since the term began. In the term's first ARRIVAL_DAYS school days a
child on a class's roll has come when one of those days had the class's roll taken and the
child not marked absent; has not come (未到校) when every day with a roll has the child absent;
is not known when the class took no roll at all. A child not come is visited at once (the
seeds' 全面走访未到校的学生家庭): the list says who has been, and prints to be signed."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import access
from extensions import db
from models import (ABSENCE_KINDS, AWAY_PLACEMENTS, Absence, ClassGroup, HomeVisit, RollCall,
                    School, Student, Term)

ARRIVAL_DAYS = 10  # the term's first two weeks of school days
STATES = {"absent": "未到校", "unknown": "班级未点名", "arrived": "已到校"}


@dataclass
class Arrival:
    """A child not come: the days absent by kind (a child in hospital is 病假, not 无故), and
    whether visited since the term began."""
    student: Student
    kinds: Counter  # ABSENCE_KINDS code -> days
    reason: str  # the last reason written for an absence
    visited: bool

    @property
    def absent(self) -> int:
        return sum(self.kinds.values())

    @property
    def why(self) -> str:
        return "、".join(f"{ABSENCE_KINDS[k]} {n} 天" for k, n in self.kinds.items()) + (
            f"（{self.reason}）" if self.reason else "")


@dataclass
class Arrivals:
    term: Term | None
    days: list[date]  # the school days looked at (up to today)
    rows: list[Arrival]  # the children not come: to visit
    counts: dict = field(default_factory=dict)  # school → Counter of STATES
    unrolled: list = field(default_factory=list)  # (class, children) of the classes not known


def arrivals(today: date, school_id: int | None = None) -> Arrivals:
    """The current term's arrivals of the children on the rolls the user sees (of one school
    when given): how many of each state by school, and the children not come (then those not
    known), read whole only for them (a township's 5,000 are counted as plain rows)."""
    term = Term.current(access.terms(), today)
    if term is None or term.start_date > today or access.township_id() is None:
        return Arrivals(term, [], [])
    days = [d for d in term.school_days() if d <= today][:ARRIVAL_DAYS]
    stmt = access.scoped(Student).where(
        Student.status == "enrolled", Student.class_id.is_not(None),
        Student.placement.not_in(AWAY_PLACEMENTS))
    if school_id:  # another school's is not found
        stmt = stmt.where(Student.school_id == access.get_or_404(School, school_id).id)
    if not days:
        return Arrivals(term, days, [])
    rolled = set(db.session.execute(sa.select(RollCall.class_id, RollCall.day).where(
        RollCall.class_id.in_(stmt.with_only_columns(Student.class_id)),
        RollCall.day.in_(days))).all())
    absent = Counter(db.session.scalars(access.scoped(Absence).with_only_columns(
        Absence.student_id).where(Absence.student_id.in_(stmt.with_only_columns(Student.id)),
                                  Absence.day.in_(days))))
    counts: dict = {}
    not_come, unknown = [], Counter()
    for sid, class_id, school in db.session.execute(stmt.with_only_columns(
            Student.id, Student.class_id, Student.school_id)):
        taken = sum(1 for d in days if (class_id, d) in rolled)
        state = "unknown" if not taken else "absent" if absent[sid] >= taken else "arrived"
        counts.setdefault(school, Counter())[state] += 1
        if state == "absent":
            not_come.append(sid)
        elif state == "unknown":
            unknown[class_id] += 1
    classes = db.session.scalars(access.scoped(ClassGroup).where(
        ClassGroup.id.in_(list(unknown))).order_by(ClassGroup.school_id, ClassGroup.grade,
                                                     ClassGroup.name)).all() if unknown else []
    return Arrivals(term, days, _rows(not_come, days, term), counts,
                    [(c, unknown[c.id]) for c in classes])


def not_come(today: date) -> int:
    """How many children have not come, in the term's first three weeks (the home page's 待办;
    later the list stays on its page)."""
    term = Term.current(access.terms(), today)
    if term is None or not term.start_date <= today <= term.start_date + timedelta(days=21):
        return 0
    return len(arrivals(today).rows)


def _rows(ids: list[int], days: list[date], term: Term) -> list[Arrival]:
    """The children not come, with their absences by kind and whether they have been visited."""
    if not ids:
        return []
    visited = set(db.session.scalars(access.scoped(HomeVisit).with_only_columns(
        HomeVisit.student_id).where(HomeVisit.visited_on >= term.start_date,
                                    HomeVisit.student_id.in_(ids))))
    kinds: dict[int, Counter] = {}
    reasons: dict[int, str] = {}
    for sid, kind, reason in db.session.execute(access.scoped(Absence).with_only_columns(
            Absence.student_id, Absence.kind, Absence.reason).where(
            Absence.student_id.in_(ids), Absence.day.in_(days)).order_by(Absence.day)):
        kinds.setdefault(sid, Counter())[kind] += 1
        reasons[sid] = reason or reasons.get(sid, "")
    children = db.session.scalars(access.scoped(Student).where(Student.id.in_(ids)).order_by(
        Student.school_id, Student.grade, Student.class_id, Student.name_pinyin).options(
        selectinload(Student.school), selectinload(Student.class_group),
        selectinload(Student.guardians))).all()
    return [Arrival(s, kinds.get(s.id, Counter()), reasons.get(s.id, ""), s.id in visited)
            for s in children]


COLUMNS = [("序号", 6), ("学校", 14), ("年级班级", 11), ("姓名", 9), ("情况", 24),
           ("监护人", 9), ("联系电话", 13), ("家访", 8)]


def paper_rows(found: Arrivals) -> list[list]:
    """The children not come, then each class not known, as the printed list's rows (COLUMNS)."""
    out = []
    for a in found.rows:
        s, guardian = a.student, (a.student.guardians or [None])[0]
        out.append([len(out) + 1, s.school.name, s.class_label, s.name, a.why,
                    guardian.name if guardian else "", guardian.phone if guardian else "",
                    "已家访" if a.visited else "未家访"])
    for klass, n in found.unrolled:
        out.append([len(out) + 1, klass.school.name, klass.label, f"全班 {n} 人",
                    "班级未点名，不知道来没来", "", "", ""])
    return out
