"""责任网络: the network of a school or of the township as the schools run it, on one sheet.

The school line: 校长包全校 (the school's head), 行政人员包年级 (GradeLead), 班主任包班 (each
class's head teacher) and 科任教师包生 (the 教师包生 lines, counted per teacher); the government
line: 乡镇干部包村 and 村干部包户 counted per village; above both, the township's 控辍保学领导小组.
Every count is a GROUP BY: the page reads no child's row."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

import access
import clock
from extensions import db
from refusal import Refusal
from models import (GRADES, GROUP_POSITIONS, Cadre, ClassGroup, GradeLead, GroupMember,
                    Responsibility, School, Student, User, school_year_of)


@dataclass
class GradeRow:
    grade: int
    lead: User | None = None
    classes: list[tuple[ClassGroup, int]] = field(default_factory=list)  # with its children
    teachers: list[tuple[str, int]] = field(default_factory=list)  # 科任教师 and children held
    children: int = 0


@dataclass
class SchoolNet:
    school: School
    head: User | None
    grades: list[GradeRow]

    @property
    def children(self) -> int:
        return sum(g.children for g in self.grades)


@dataclass
class VillageRow:
    village: str
    children: int = 0
    township: list[tuple[str, int]] = field(default_factory=list)  # 乡镇干部包村, children held
    village_cadres: list[tuple[str, int]] = field(default_factory=list)  # 村干部包户


def this_year() -> int:
    return school_year_of(clock.today())


def schools_asked(school_id: int | None) -> list[School]:
    """The school asked for, else every school the user sees."""
    return [access.get_or_404(School, school_id)] if school_id else access.schools()


def group() -> list[GroupMember]:
    """The township's 领导小组, 组长 first."""
    order = sa.case({k: n for n, k in enumerate(GROUP_POSITIONS)}, value=GroupMember.position)
    return db.session.scalars(access.scoped(GroupMember).order_by(order, GroupMember.id).options(
        joinedload(GroupMember.user).joinedload(User.school),
        joinedload(GroupMember.cadre))).all()


def heads(schools: list[School]) -> dict[int, User]:
    """校长包全校: each school's head (a village school's 负责人, the central school's leader)."""
    found: dict[int, User] = {}
    for user in db.session.scalars(sa.select(User).where(
            User.school_id.in_([s.id for s in schools]), User.active.is_(True),
            User.role.in_(access.SCHOOL_HEADS)).order_by(User.role.desc(), User.id)):
        found.setdefault(user.school_id, user)
    return found


def school_line(schools: list[School], year: int) -> list[SchoolNet]:
    ids = [s.id for s in schools]
    enrolled = access.scoped(Student).where(Student.status == "enrolled",
                                            Student.school_id.in_(ids))
    grades: dict[int, dict[int, GradeRow]] = defaultdict(dict)

    def row(school_id, grade) -> GradeRow:
        return grades[school_id].setdefault(grade, GradeRow(grade))

    classes = {c.id: c for c in db.session.scalars(access.scoped(ClassGroup).where(
        ClassGroup.school_id.in_(ids), ClassGroup.school_year == year)
        .order_by(ClassGroup.grade, ClassGroup.name).options(joinedload(ClassGroup.head_teacher)))}
    counts = dict(db.session.execute(enrolled.with_only_columns(
        Student.class_id, sa.func.count()).group_by(Student.class_id)).all())
    for klass in classes.values():
        row(klass.school_id, klass.grade).classes.append((klass, counts.get(klass.id, 0)))
    for school_id, grade, n in db.session.execute(enrolled.with_only_columns(
            Student.school_id, Student.grade, sa.func.count()).group_by(
            Student.school_id, Student.grade)):
        row(school_id, grade).children = n
    for lead in db.session.scalars(access.scoped(GradeLead).where(
            GradeLead.school_id.in_(ids), GradeLead.school_year == year)
            .options(joinedload(GradeLead.user))):
        row(lead.school_id, lead.grade).lead = lead.user
    for school_id, grade, name, n in db.session.execute(
            enrolled.with_only_columns(Student.school_id, Student.grade, User.name,
                                       sa.func.count())
            .join(Responsibility, Responsibility.student_id == Student.id)
            .join(User, User.id == Responsibility.user_id)
            .where(Responsibility.kind == "teacher")
            .group_by(Student.school_id, Student.grade, User.name)
            .order_by(sa.func.count().desc(), User.name)):
        row(school_id, grade).teachers.append((name, n))
    found = heads(schools)
    return [SchoolNet(s, found.get(s.id), [grades[s.id][g] for g in sorted(grades[s.id])])
            for s in schools]


def government_line() -> list[VillageRow]:
    """乡镇干部包村 and 村干部包户 of the enrolled children the user sees, per 户籍 village."""
    enrolled = access.scoped(Student).where(Student.status == "enrolled", Student.village != "")
    villages = {v: VillageRow(v, n) for v, n in db.session.execute(enrolled.with_only_columns(
        Student.village, sa.func.count()).group_by(Student.village).order_by(Student.village))}
    for village, kind, name, n in db.session.execute(
            enrolled.with_only_columns(Student.village, Responsibility.kind, Cadre.name,
                                       sa.func.count())
            .join(Responsibility, Responsibility.student_id == Student.id)
            .join(Cadre, Cadre.id == Responsibility.cadre_id)
            .group_by(Student.village, Responsibility.kind, Cadre.name)
            .order_by(sa.func.count().desc(), Cadre.name)):
        target = villages[village].township if kind == "township_cadre" else \
            villages[village].village_cadres
        target.append((name, n))
    return list(villages.values())


def set_grade_lead(school: School, grade: int, user: User | None, year: int) -> str:
    """Give a grade of a school to one of its or its central school's staff (None: nobody);
    the caller commits. Says what was done; a Refusal says what is wrong."""
    if grade not in GRADES:
        raise Refusal("请选择年级。")
    if user is not None and user.school_id not in (school.id, school.township_id):
        raise Refusal(f"{user.name} 不是{school.name}或中心学校的人员，不能包这个年级。")
    lead = db.session.scalar(sa.select(GradeLead).where(
        GradeLead.school_id == school.id, GradeLead.school_year == year, GradeLead.grade == grade))
    if user is None:
        if lead:
            db.session.delete(lead)
        return f"{school.name}{GRADES[grade]}已不设包年级责任人。"
    if lead is None:
        lead = GradeLead(school_id=school.id, school_year=year, grade=grade)
        db.session.add(lead)
    lead.user = user
    return f"{school.name}{GRADES[grade]}由 {user.name} 包年级。"
