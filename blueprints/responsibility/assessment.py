"""教师控辍保学工作量化表: what each teacher and head of a school did for 控辍保学 in a month, as
facts to be judged by the school (the pledges' 纳入考核 and the seeds' 纳入每月的教师量化工作管理),
not a score: the rolls of the class they head taken on the month's school days, that class's
warnings visited in time and overdue, the visits they recorded, their pairs and the sessions
held, the children they 包 (the school line) who were out of school in the month, and whether
their own 目标责任书 of the term is signed."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

import access
from filters import ListFilter, month as month_of, number
from blueprints.attendance import rules
from extensions import db
from models import (POSTS, ClassGroup, DropoutCase, EarlyWarning, HomeVisit, Pledge,
                    Responsibility, RollCall, School, Student, Term, TutoringPair, TutoringSession,
                    User, month_bounds, school_year_of)

COLUMNS = [("序号", 6), ("姓名", 9), ("职务", 9), ("班主任班级", 11), ("点名（天）", 10),
           ("本班预警", 8), ("按时家访", 8), ("超期", 6), ("家访（次）", 9), ("结对（对）", 9),
           ("帮扶（次）", 9), ("包保学生", 8), ("其中失学", 8), ("责任书", 8), ("备注", 14)]


@dataclass
class Line:
    user: User
    classes: list[ClassGroup] = field(default_factory=list)
    rolls: tuple[int, int] = (0, 0)  # days taken, school days of the month so far
    warnings: int = 0
    in_time: int = 0
    overdue: int = 0
    visits: int = 0
    pairs: int = 0
    sessions: int = 0
    children: int = 0
    out: int = 0  # of the children they 包, out of school (a case open) in the month
    pledge: str = "未印发"  # this term's 目标责任书: 已签署, 未签署, or none made

    def row(self, n: int) -> list:
        taken, due = self.rolls
        return [n, self.user.name, POSTS.get(self.user.role, ""),
                "、".join(c.label for c in self.classes),
                f"{taken}/{due}" if self.classes else "", self.warnings, self.in_time,
                self.overdue, self.visits, self.pairs, self.sessions, self.children, self.out,
                self.pledge, ""]


def sheet(school_id: int, month: date, today: date) -> list[Line]:
    """The month's lines of a school's teachers and head (a school in scope, checked by the
    caller), by name."""
    first, last = month_bounds(month)
    upto = min(last, today)
    users = db.session.scalars(access.scoped(User).where(
        User.school_id == school_id, User.active.is_(True), User.role.in_(access.STAFF))
        .order_by(User.name)).all()
    out = {u.id: Line(u) for u in users}
    if not out:
        return []
    classes = db.session.scalars(access.scoped(ClassGroup).where(
        ClassGroup.head_teacher_id.in_(out), ClassGroup.school_year == school_year_of(first)))
    days = [d for d in _school_days(school_id, first, upto) if d < today]  # today's may come
    for klass in classes:
        line = out[klass.head_teacher_id]
        line.classes.append(klass)
        taken = db.session.scalar(sa.select(sa.func.count()).where(
            RollCall.class_id == klass.id, RollCall.day.in_(days))) if days else 0
        line.rolls = (line.rolls[0] + taken, line.rolls[1] + len(days))
        for w in db.session.scalars(access.scoped(EarlyWarning).join(Student).where(
                Student.class_id == klass.id, EarlyWarning.due_on <= upto, sa.or_(
                    EarlyWarning.due_on >= first, EarlyWarning.closed_on.is_(None),
                    EarlyWarning.closed_on >= first))):  # due in the month, or still open in it
            line.warnings += 1
            in_time = bool(w.closed_on and w.closed_on <= w.due_on)
            line.in_time += in_time
            line.overdue += not in_time and (w.closed_on is not None or w.due_on < upto)
    _counts(out, first, upto)
    return list(out.values())


def _school_days(school_id: int, first: date, upto: date) -> list[date]:
    """The school days of the month up to `upto`, by the school's township's calendar."""
    town = access.get_or_404(School, school_id).township_id
    return [d for d in rules.calendar(town).before(upto) if d >= first]


def _counts(out: dict[int, Line], first: date, upto: date) -> None:
    """Visits, pairs and sessions, 包保 children and those out, own pledge: a statement each."""
    ids = list(out)
    for user_id, n in db.session.execute(access.scoped(HomeVisit).with_only_columns(
            HomeVisit.user_id, sa.func.count()).where(
            HomeVisit.user_id.in_(ids), HomeVisit.visited_on.between(first, upto))
            .group_by(HomeVisit.user_id)):
        out[user_id].visits = n
    pairs = access.scoped(TutoringPair).where(
        TutoringPair.teacher_id.in_(ids), TutoringPair.start_on <= upto,
        sa.or_(TutoringPair.end_on.is_(None), TutoringPair.end_on >= first))
    for teacher_id, n in db.session.execute(pairs.with_only_columns(
            TutoringPair.teacher_id, sa.func.count()).group_by(TutoringPair.teacher_id)):
        out[teacher_id].pairs = n
    for teacher_id, n in db.session.execute(access.scoped(TutoringSession).join(
            TutoringPair).with_only_columns(TutoringPair.teacher_id, sa.func.count()).where(
            TutoringPair.teacher_id.in_(ids), TutoringSession.held_on.between(first, upto))
            .group_by(TutoringPair.teacher_id)):
        out[teacher_id].sessions = n
    held: dict[int, set[int]] = {}  # child -> the users who 包 the child
    for user_id, student_id in db.session.execute(access.scoped(Responsibility).with_only_columns(
            Responsibility.user_id, Responsibility.student_id).where(
            Responsibility.user_id.in_(ids)).distinct()):
        out[user_id].children += 1
        held.setdefault(student_id, set()).add(user_id)
    if held:
        for (student_id,) in db.session.execute(access.scoped(DropoutCase).with_only_columns(
                DropoutCase.student_id).where(
                DropoutCase.student_id.in_(list(held)), DropoutCase.opened_on <= upto,
                sa.or_(DropoutCase.closed_on.is_(None), DropoutCase.closed_on >= first),
                sa.or_(DropoutCase.returned_on.is_(None), DropoutCase.returned_on > first))
                .distinct()):
            for user_id in held[student_id]:
                out[user_id].out += 1
    term = Term.current(access.terms(), upto)
    if term is not None:
        for user_id, status in db.session.execute(access.scoped(Pledge).with_only_columns(
                Pledge.user_id, Pledge.status).where(Pledge.user_id.in_(ids),
                                                     Pledge.term_id == term.id)):
            out[user_id].pledge = "已签署" if status in Pledge.SIGNED else "未签署"


@dataclass
class SheetFilter(ListFilter):
    """A school's month (none: the user's first school in scope, and this month)."""
    school: int | None = number()
    month: date | None = month_of()

    def chosen(self, today: date) -> tuple[School | None, date]:
        schools = access.schools()
        school = access.get_or_404(School, self.school) if self.school else \
            (schools[0] if schools else None)  # a head's own; the central school first
        return school, min(self.month or today, today).replace(day=1)  # not a month to come

