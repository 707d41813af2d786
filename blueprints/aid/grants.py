"""资助: who is eligible for a programme, granting (one by one or a class at once, all or
nothing), corrections as new entries, the gaps list and the sums. Amounts are integer fen."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import flask
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import access
import clock
from extensions import db
from filters import ListFilter, number
from models import AidGrant, AidProgram, School, StatusChange, Student
from refusal import Refusal

YUAN = re.compile(r"^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$")


def parse_yuan(text: str) -> int:
    """ "1250" or "1250.5" yuan → fen; a Refusal with a Chinese message otherwise."""
    match = YUAN.match(text or "")
    if not match:
        raise Refusal("金额请填写元，最多两位小数，如 625 或 312.50。")
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


@dataclass
class Row:
    """One eligible child of a programme, with what they have been granted."""
    student: Student
    categories: list[str]
    standard: int
    grants: list[AidGrant] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(g.amount for g in self.grants)

    @property
    def granted(self) -> bool:
        return self.total > 0


def programs(term_id: int | None) -> list[AidProgram]:
    return db.session.scalars(_programs(term_id)).all()


@access.per_scope
def _programs(term_id: int | None) -> sa.Select:
    stmt = access.scoped(AidProgram).order_by(AidProgram.kind, AidProgram.name)
    return stmt.where(AidProgram.term_id == term_id) if term_id else stmt


def entries(program: AidProgram, student_ids=None) -> list[AidGrant]:
    """The programme's entries (corrections included) by school and in order: of the children
    given, whoever paid; else every entry the user's schools paid. A grant is the paying
    school's account (its sums, 公示 and 发放表), and a child paid who moved on since stays in it."""
    stmt = access.scoped(AidGrant).where(AidGrant.program_id == program.id)
    if student_ids is None:
        stmt = stmt.where(AidGrant.school_id.in_(access.school_ids()))
    else:
        stmt = stmt.where(AidGrant.student_id.in_(student_ids))
    return db.session.scalars(stmt.order_by(AidGrant.school_id, AidGrant.id).options(
        selectinload(AidGrant.student), selectinload(AidGrant.school))).all()  # 343 -> 4 queries


def paid_here(grant: AidGrant) -> bool:
    """Whether one of the user's schools paid the grant: only the school that paid moves it
    on or corrects it (a child's new school could cancel the old school's money). The user's
    schools read once a request (a programme's page asks for each grant it lists)."""
    if "own_schools" not in flask.g:
        flask.g.own_schools = {school_id for school_id, _name in access.school_choices()}
    return grant.school_id in flask.g.own_schools


def own(grant_id: int) -> AidGrant:
    """A grant the user's schools paid, to move on or correct; another school's is refused."""
    grant = access.get_or_404(AidGrant, grant_id)
    if not paid_here(grant):
        raise Refusal(f"这笔资助是{grant.school.name}发放的，只能由{grant.school.name}审核、发放或更正。")
    return grant


def grants_of(program: AidProgram, student_ids=None) -> dict[int, list[AidGrant]]:
    """entries() by child."""
    out: dict[int, list[AidGrant]] = {}
    for g in entries(program, student_ids):
        out.setdefault(g.student_id, []).append(g)
    return out


class Coverage(NamedTuple):
    eligible: int  # children in scope the programme is for
    granted: int  # those of them granted a positive total (Row.granted)
    fen: int  # what they were granted, net of corrections (their Row.total)


class Summary(NamedTuple):
    """A programme's row in the programmes' list."""
    eligible: int  # children in scope it is for (on the register by its term's end, if ended)
    missing: int  # of them, granted nothing (as its page marks them)
    paid: int  # children the user's schools paid, eligible today or not (as the 公示)
    fen: int  # what they were paid, net of corrections


def ended_on(program: AidProgram) -> date | None:
    """The end of the programme's term when it has ended: its children are those on the
    register by then (a term ended in July offered 申请 to children who came in September)."""
    return program.term.end_date if program.term.end_date < clock.today() else None


def _registered_by(day: date | None) -> sa.ColumnElement:
    """The children on the register by a day (their first status change), or all (None)."""
    if day is None:
        return sa.true()
    first = sa.select(sa.func.min(StatusChange.changed_on)).where(
        StatusChange.student_id == Student.id).scalar_subquery()
    return sa.or_(first.is_(None), first <= day)


def coverage(program: AidProgram) -> dict[int, Coverage]:
    """{school id: Coverage} counted in SQL: the same children and sums as eligible() and its
    rows, for the dashboard and the programmes' list (which loaded every eligible child)."""
    rows = db.session.execute(_coverage(program.id, sa.and_(
        program.eligible_condition(), _registered_by(ended_on(program)))))
    return {school_id: Coverage(n, int(paid or 0), int(fen or 0))
            for school_id, n, paid, fen in rows}


@access.per_scope
def _coverage(program_id: int, eligible: sa.ColumnElement) -> sa.Select:
    """coverage()'s statement of the programme whose children meet `eligible`."""
    # the programme's grants joined to the user's children only: scoping the grants too wrote
    # the township's 5,000 ids into the subquery (6.8 -> 1.9 ms)
    totals = (sa.select(AidGrant.student_id, sa.func.sum(AidGrant.amount).label("fen"))
              .where(AidGrant.program_id == program_id).group_by(AidGrant.student_id).subquery())
    return (access.scoped(Student).where(eligible)
            .outerjoin(totals, totals.c.student_id == Student.id)
            .with_only_columns(Student.school_id, sa.func.count(),
                               sa.func.count().filter(totals.c.fen > 0),
                               sa.func.sum(totals.c.fen))
            .group_by(Student.school_id))


def summary(program: AidProgram) -> Summary:
    """The programme's row in the programmes' list: the children in scope it is for and how
    many of them have nothing (the 缺 its page shows), and the children it has paid and what,
    eligible today or not (as the 汇总, the finance Excel and the 公示 count them)."""
    children, fen = db.session.execute(_paid_totals(program.id)).one()
    found = coverage(program).values()
    return Summary(sum(c.eligible for c in found), sum(c.eligible - c.granted for c in found),
                   children, int(fen or 0))


@access.per_scope
def _paid_totals(program_id: int) -> sa.Select:
    """(children, fen) the user's schools paid of a programme, net of corrections: paid()'s
    count and sum, in SQL (loading 3,000 grants with their children took the county's officer
    15 ms a view of /aid/)."""
    per_child = (access.scoped(AidGrant).with_only_columns(sa.func.sum(AidGrant.amount)
                                                           .label("fen"))
                 .where(AidGrant.program_id == program_id,
                        AidGrant.school_id.in_(access.school_ids()))
                 .group_by(AidGrant.student_id).having(sa.func.sum(AidGrant.amount) > 0)
                 .subquery())
    return sa.select(sa.func.count(), sa.func.sum(per_child.c.fen))


def paid(program: AidProgram, school_id: int | None = None) -> list[Row]:
    """Every child the user's schools paid (net of corrections), of the one school when given,
    by paying school, grade, class and name: what a 公示 lists."""
    rows = [Row(entries[0].student, [], 0, entries) for entries in grants_of(program).values()
            if sum(g.amount for g in entries) > 0
            and (not school_id or entries[0].school_id == school_id)]
    return sorted(rows, key=lambda r: (r.grants[0].school_id, r.student.grade or 0,
                                       r.student.class_id or 0, r.student.name_pinyin or ""))


def gone(program: AidProgram, school_id: int | None, rows: list[Row]) -> list[Row]:
    """The children the user's schools paid who are not among the eligible `rows` shown (moved
    to another school, left, or no longer eligible): still the paying school's money."""
    here = {r.student.id for r in rows}
    return [r for r in paid(program, school_id) if r.student.id not in here]


@dataclass
class EligibleFilter(ListFilter):
    """A programme's eligible children, narrowed to a school or a class."""
    school: int | None = number()
    class_id: int | None = number()


def eligible(program: AidProgram, school_id: int | None = None,
             class_id: int | None = None, registered_by: date | None = None) -> list[Row]:
    """The enrolled children in the user's scope this programme is for, by school, class, name;
    with `registered_by`, only those on the register by then (their first status change)."""
    stmt = access.scoped(Student).where(program.eligible_condition(),
                                        _registered_by(registered_by))
    if school_id:
        stmt = stmt.where(Student.school_id == school_id)
    if class_id:
        stmt = stmt.where(Student.class_id == class_id)
    students = db.session.scalars(stmt.order_by(Student.school_id, Student.grade,
                                                Student.class_id, Student.name_pinyin)).all()
    have = grants_of(program, [s.id for s in students])
    return [Row(s, program.categories(s), program.standard_for(s), have.get(s.id, []))
            for s in students]


def grant(program: AidProgram, student: Student, user, amount: int | None = None,
          method: str = "card", on: date | None = None, note: str = "") -> AidGrant:
    """A new grant (申请) at the programme's standard unless an amount is given; the caller
    commits. A child the programme has paid (or applied for), at any school, is refused: a
    page opened before, or the child's new school, paid a second time."""
    had = grants_of(program, [student.id]).get(student.id, [])  # the child's, whoever paid
    if sum(g.amount for g in had) > 0:
        first = next(g for g in had if g.amount > 0)
        raise Refusal(f"{student.name}已有{program.name}的资助记录（{first.school.name}，"
                      f"{first.applied_on}，{first.yuan} 元），不能重复申请。")
    row = AidGrant(program=program, student=student, school_id=student.school_id,
                   amount=program.standard_for(student) if amount is None else amount,
                   method=method, applied_on=on or clock.today(), note=note, user_id=user.id)
    db.session.add(row)
    return row


def bulk_grant(program: AidProgram, rows: list[Row], user, method: str, on: date) -> int:
    """Grant the standard to every listed child who has nothing yet; all or nothing (the caller
    commits once). Returns how many grants were made."""
    made = 0
    for row in rows:
        if not row.granted:
            grant(program, row.student, user, method=method, on=on)
            made += 1
    return made


def correct(original: AidGrant, amount: int, reason: str, user, on: date) -> list[AidGrant]:
    """A correction never edits: it adds the reversal of the original and, unless the right
    amount is zero, a new entry with it, both pointing at the original."""
    if not reason.strip():
        raise Refusal("更正必须写明原因。")
    if original.correction_of_id is not None or original.amount < 0:
        raise Refusal("请更正原始记录，而不是更正记录本身。")
    if amount == original.amount:
        raise Refusal("更正后的金额和原金额相同，不需要更正。")
    note = f"更正：{reason.strip()}"[:200]
    made = [AidGrant(program=original.program, student=original.student,
                     school_id=original.school_id, amount=-original.amount,
                     method=original.method, status=original.status,
                     applied_on=on, reviewed_on=original.reviewed_on and on,
                     paid_on=original.paid_on and on, note=note, correction_of=original,
                     user_id=user.id)]
    if amount:
        made.append(AidGrant(program=original.program, student=original.student,
                             school_id=original.school_id, amount=amount,
                             method=original.method, applied_on=on, note=note,
                             correction_of=original, user_id=user.id))
    db.session.add_all(made)
    return made


@dataclass
class Gaps:
    missing: list[tuple[AidProgram, Row]]  # eligible, nothing granted
    extra: list[tuple[AidProgram, AidGrant, str]]  # granted, but no longer eligible/enrolled


ONCE_A_TERM = ("living_subsidy", "nutrition", "yulu")  # a child is paid these once a term


def gaps(term_id: int, school_id: int | None = None) -> Gaps:
    """漏助 (eligible, nothing granted; for a term that has ended, of the children on the
    register by its end) and 错助: granted but no longer eligible or enrolled, or paid a second
    time a kind paid once a term (two programmes of 生活补助 in one term)."""
    out = Gaps([], [])
    first_paid: dict[tuple[str, int], AidProgram] = {}
    for program in programs(term_id):
        if not program.active:
            continue
        ended = program.term.end_date if program.term.end_date < clock.today() else None
        rows = eligible(program, school_id, registered_by=ended)  # a past term: its children
        out.missing += [(program, r) for r in rows if not r.granted]
        eligible_ids = {r.student.id for r in rows}
        for student_id, entries in grants_of(program).items():
            g = entries[0]
            if sum(e.amount for e in entries) <= 0 or (school_id and g.school_id != school_id):
                continue
            first = first_paid.setdefault((program.kind, student_id), program)
            paid_entries = [e for e in entries if e.amount > 0 and e.correction_of_id is None]
            if sum(e.amount for e in entries) > max(e.amount for e in paid_entries):
                out.extra.append((program, g, f"本项目发放了 {len(paid_entries)} 次（重复资助）"))
            elif first is not program and program.kind in ONCE_A_TERM:
                out.extra.append((program, g, f"本学期已在“{first.name}”领取同类资助（重复资助）"))
            elif student_id not in eligible_ids and (why := _no_longer(g)):
                out.extra.append((program, g, why))
    return out


def _no_longer(grant: AidGrant) -> str | None:
    """Why a paid child is no longer the programme's: left the register, came after its term
    ended, or no longer in its group; None for a child paid here who moved to another school
    since (paid while here)."""
    child, ended = grant.student, ended_on(grant.program)
    if ended and child.registered_on and child.registered_on > ended:
        return f"{child.registered_on} 才入学，不是这个学期的学生"
    if child.status != "enrolled":
        return f"已{child.status_label}"
    return None if child.school_id != grant.school_id else "已不属于资助对象（重点群体已变）"


def totals(term_id: int | None) -> list[tuple[AidProgram, School, int, int]]:
    """(programme, school, children, fen) for the term, net of corrections."""
    return [tuple(r) for r in db.session.execute(_totals(term_id)).all()]


@access.per_scope
def _totals(term_id: int | None) -> sa.Select:
    stmt = (sa.select(AidProgram, School, sa.func.count(sa.distinct(AidGrant.student_id)),
                      sa.func.sum(AidGrant.amount))
            .join(AidGrant, AidGrant.program_id == AidProgram.id)
            .join(School, School.id == AidGrant.school_id)  # what the user's schools paid
            .where(access.scoped(School).whereclause)
            .group_by(AidProgram.id, School.id).order_by(AidProgram.kind, AidProgram.name,
                                                          School.kind, School.name))
    return stmt.where(AidProgram.term_id == term_id) if term_id else stmt
