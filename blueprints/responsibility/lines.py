"""双线四包: who may stand on each line for a child, coverage of the lines, bulk assignment."""
from __future__ import annotations

import functools
from datetime import date

import sqlalchemy as sa
from flask import current_app

import access
from blueprints.attendance import scores
from blueprints.students import register
from blueprints.students.rows import children_of
from extensions import db, plain_rows
from models import (CADRE_LEVELS, GOVERNMENT_LINE, RESPONSIBILITY_KINDS, Cadre, ClassGroup,
                    Responsibility, School, Student, User)
from paging import Page
from params import whole

def school_line_users(school: School) -> list[User]:
    """Users who may 包 a child of this school: its own staff and its central school's."""
    ids = {school.id, school.township_id}
    return db.session.scalars(access.scoped(User).where(
        User.school_id.in_(ids), User.active.is_(True), User.role.in_(access.STAFF))
        .order_by(User.school_id, User.name)).all()


def cadres(level: str) -> list[Cadre]:
    return db.session.scalars(access.scoped(Cadre).where(Cadre.level == level,
                                                         Cadre.active.is_(True))
                              .order_by(Cadre.village, Cadre.name)).all()


def choices_for(student: Student) -> dict[str, list[tuple[int, str]]]:
    users = [(u.id, f"{u.name}（{u.role_label}）") for u in school_line_users(student.school)]
    township = [(c.id, str(c)) for c in cadres("township")]
    village = cadres("village")
    village.sort(key=lambda c: c.village != student.village)  # the child's own village first
    none = [(0, "（未指定）")]
    return {"leader": none + users, "class_teacher": none + users, "teacher": none + users,
            "township_cadre": none + township,
            "village_cadre": none + [(c.id, str(c)) for c in village]}


def person_choices(users: list[User], cadres: list[Cadre]) -> list[tuple[str, str]]:
    """One select of users ("u12") and cadres ("c3"): a line, a decision, a group member."""
    return ([(f"u{u.id}", f"{u.name}（{u.school.name if u.school else ''} {u.role_label}）")
             for u in users] +
            [(f"c{c.id}", f"{c.name}（{c.level_label} · {c.village + ' ' if c.village else ''}"
                          f"{c.post}）") for c in cadres])


def staff_and_cadres() -> list[tuple[str, str]]:
    """Every active staff member and cadre the user sees: who may own a meeting's decision or
    sit on the 领导小组."""
    users = db.session.scalars(access.scoped(User).where(
        User.active.is_(True), User.role.in_(access.STAFF)).order_by(User.school_id, User.name))
    return person_choices(users.all(), [c for level in CADRE_LEVELS for c in cadres(level)])


def chosen_person(value: str | None):
    """The user or cadre of a person_choices value, within the user's scope; None if unset."""
    value = value or ""
    if value[:1] not in ("u", "c") or whole(value[1:]) is None:
        return None
    return access.get_or_404(User if value[0] == "u" else Cadre, whole(value[1:]))


def person_for(kind: str, person_id: int):
    """The user or cadre chosen for a line, looked up within the current user's scope."""
    if not person_id:
        return None
    return access.get_or_404(Cadre if kind in GOVERNMENT_LINE else User, person_id)


def lacking(today: date, school_id: int | None = None) -> sa.Select:
    """The at-risk children without every line (of one school when given): a select of their
    ids and schools, in the register's order, which the caller pages or counts. At risk:
    enrolled at 高 or 中 risk (read from the stored scores, scores.ranking), or out of school
    (休学/辍学)."""
    return _lacking(scores.ranking(register.enrolled_ids(school_id), today), school_id)


@access.per_scope
def _lacking(rank: scores.Ranking, school_id: int | None) -> sa.Select:
    scoped = access.scoped(Student)
    if school_id:
        scoped = scoped.where(Student.school_id == school_id)
    lines = (sa.select(sa.func.count()).where(Responsibility.student_id == Student.id,
                                              Responsibility.kind.in_(RESPONSIBILITY_KINDS))
             .scalar_subquery())
    at_risk = sa.or_(Student.status.in_(("suspended", "dropout")),
                     sa.and_(Student.status == "enrolled", rank.listed))
    # Lines are counted for the children at risk only: in "at_risk AND lines < 5" SQLite
    # counted them for each of a township's 5,000 (10.4 against 2.8 ms once lines are kept).
    return scores.with_scores(scoped.with_only_columns(Student.id, Student.school_id), rank).where(
        at_risk, sa.case((at_risk, lines < len(RESPONSIBILITY_KINDS)), else_=sa.false())
    ).order_by(*scores.REGISTER_ORDER)


def missing_lines(today: date, number: int = 1, school_id: int | None = None,
                  listed: bool = True) -> tuple[Page | None, dict[int, int]]:
    """How many at-risk children lack a line in each school (of one school only, when given:
    its children alone are scored and counted, 8.1 against 6.3 ms for the officer's page of a
    village school), and when `listed` page `number` of (ChildRow, labels of the lines they
    lack): counted and paged by the database."""
    stmt = lacking(today, school_id)
    per_school = dict(db.session.execute(_per_school(stmt)).all())
    if not listed:
        return None, per_school
    shown = Page.numbered(number, current_app.config["PAGE_SIZE"], sum(per_school.values()))
    children = children_of(db.session.scalars(  # ids alone: read in the register's index
        _ids(stmt, shown.per_page, shown.offset)).all())
    lines = set(plain_rows(_lines_of(), {"children": [c.id for c in children]})) \
        if children else set()
    shown.items = [(c, [label for kind, label in RESPONSIBILITY_KINDS.items()
                        if (c.id, kind) not in lines]) for c in children]
    return shown, per_school


@access.per_scope
def _per_school(stmt: sa.Select) -> sa.Select:
    """How many children of a lacking() statement in each school."""
    return stmt.with_only_columns(Student.school_id, sa.func.count()) \
        .group_by(Student.school_id).order_by(None)


@access.per_scope
def _ids(stmt: sa.Select, limit: int, offset: int) -> sa.Select:
    """A page of a lacking() statement's children, their ids."""
    return stmt.with_only_columns(Student.id).limit(limit).offset(offset)


@functools.cache
def _lines_of() -> sa.Select:
    """The lines the `children` listed have (built once)."""
    return sa.select(Responsibility.student_id, Responsibility.kind).where(
        Responsibility.student_id.in_(sa.bindparam("children", expanding=True)))


def bulk_targets(kind: str, school_id: int | None, village: str | None) -> list[Student]:
    stmt = access.scoped(Student).where(Student.status == "enrolled")
    if kind in ("class_teacher", "leader"):
        stmt = stmt.where(Student.school_id == school_id)
    else:
        stmt = stmt.where(Student.village == village)
    return db.session.scalars(stmt).all()


def bulk_assign(kind: str, students: list[Student], person, replace: bool) -> int:
    """Assign one line to many children; for 班主任包班 each child gets their class's head
    teacher. Returns how many children changed. The caller commits (all or nothing)."""
    changed = 0
    for s in students:
        who = person
        if kind == "class_teacher":
            klass = s.class_group
            who = klass.head_teacher if klass else None
            if who is None:
                continue
        current = s.responsible().get(kind)
        if current and (not replace or current.person is who):
            continue
        s.assign(kind, who)
        changed += 1
    return changed


def villages() -> list[str]:
    return db.session.scalars(_villages()).all()


@access.per_scope
def _villages() -> sa.Select:
    """The villages of the children the user may see, in order."""
    return (sa.select(Student.village).where(access.scoped(Student).whereclause,
                                             Student.village != "")
            .distinct().order_by(Student.village))


def classes_without_head(school_id: int) -> list[ClassGroup]:
    return db.session.scalars(access.scoped(ClassGroup).where(
        ClassGroup.school_id == school_id, ClassGroup.head_teacher_id.is_(None))).all()
