"""控辍保学台账: 疑似辍学台账 and 辍学台账 (cases), 适龄儿童台账 (children of compulsory-school
age, 6–15 on 1 September), with the columns the county asks for, and the monthly counts.

A case belongs to a month's ledger when it was open at any time in that month. The monthly counts
per school: new (opened in the month), returned (returned in the month), closed (销号 in the
month) and still out at the month's end (open, the child not back)."""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import access
import clock
import params
from blueprints.cases import reconcile
from blueprints.cases.workflow import OUT_STATES
from extensions import db, plain_rows
from models import (CASE_STATES, CaseStep, ClassGroup, DropoutCase, Guardian, HouseholdChild,
                    School, Student, User, class_label, mask_id, month_bounds, school_year_of)
from paging import Page

KINDS = {"suspected": "疑似辍学台账", "dropout": "辍学台账", "age": "适龄儿童台账"}
CASE_COLUMNS = [("序号", 6), ("学校", 14), ("年级班级", 11), ("姓名", 9), ("学籍号", 22),
                ("监护人", 9), ("联系电话", 13), ("家庭住址", 20), ("辍学原因", 22), ("去向", 14),
                ("责任教师", 9), ("劝返进展", 12), ("采取措施", 40), ("立案日期", 11),
                ("销号日期", 11)]
NUMBER = 4  # the 学籍号 column of a case-ledger row (CASE_COLUMNS)
AGE_COLUMNS = [("序号", 6), ("姓名", 9), ("性别", 5), ("出生日期", 11), ("身份证号", 21),
               ("户籍", 14), ("监护人", 9), ("联系电话", 13), ("学校", 14), ("年级班级", 11),
               ("学籍状态", 9), ("安置方式", 10)]


def children_of(rows: list[list]) -> list[Student]:
    """The children of a page of case-ledger rows, found by their 学籍号 (the rows, sent ones
    too, are values, not records): for the log of whose numbers a page showed in full."""
    numbers = {row[NUMBER] for row in rows if row[NUMBER]}
    return db.session.scalars(access.scoped(Student).where(
        Student.student_no.in_(numbers))).all() if numbers else []


def month_range(text: str | None) -> tuple[date, date]:
    """'2026-11' → (1 Nov, 30 Nov); anything else → this month."""
    return month_bounds(params.month(text) or clock.today())


def cases(kind: str, first: date, last: date, school_id: int | None = None) -> list:
    """The cases of a ledger of `kind` between first and last as (id, school_id) rows: which
    cases, for a summary's counts."""
    return plain_rows(case_statement(kind, first, last, school_id).with_only_columns(
        DropoutCase.id, DropoutCase.school_id))


@access.per_scope
def case_statement(kind: str, first: date, last: date, school_id: int | None = None):
    """The cases of a ledger of `kind` between first and last (of one school when given)."""
    stmt = access.scoped(DropoutCase).join(Student).where(
        DropoutCase.opened_on <= last,
        sa.or_(DropoutCase.closed_on.is_(None), DropoutCase.closed_on >= first))
    if kind == "dropout":
        stmt = stmt.where(DropoutCase.dropout_on.is_not(None), DropoutCase.dropout_on <= last)
    else:  # suspected: every case of the month, dropouts included until they were declared
        stmt = stmt.where(sa.or_(DropoutCase.dropout_on.is_(None),
                                 DropoutCase.dropout_on >= first))
    if school_id:
        stmt = stmt.where(DropoutCase.school_id == school_id)
    return stmt


def case_rows(kind: str, first: date, last: date, school_id: int | None, full_ids: bool,
              limit: int | None = None, offset: int = 0) -> list[list]:
    """A month's ledger rows (`limit` of them from `offset`, numbered on from it), each case as
    it stood at the month's end: a reprint of October's ledger in December shows what October's
    showed (a case 销号 on 11-30 is still 劝返中 there). Read as plain rows: the cases with
    their children, schools, classes and head teachers in one statement, their steps and
    guardians in one more each (as ORM rows with their related rows: 3.9 ms of the county's
    10.5 ms page of 50)."""
    found = plain_rows(_row_statement(kind, first, last, school_id, limit, offset))
    if not found:
        return []
    steps, guardians = defaultdict(list), {}
    for step in plain_rows(_steps(), {"cases": [c.id for c in found]}):
        steps[step.case_id].append(step)
    for sid, name, phone in plain_rows(_guardians(), {"children": [c.student_id for c in found]}):
        guardians.setdefault(sid, (name, phone))  # the first (position, id), as FIRST_PHONE
    return [case_row(offset + n, c, steps[c.id], guardians.get(c.student_id, ("", "")),
                     full_ids, last) for n, c in enumerate(found, 1)]


@access.per_scope
def _row_statement(kind: str, first: date, last: date, school_id: int | None,
                   limit: int | None, offset: int) -> sa.Select:
    """case_rows()' statement: the cases with their children, schools, classes, head teachers."""
    return (case_statement(kind, first, last, school_id).with_only_columns(
        DropoutCase.id, DropoutCase.student_id, DropoutCase.state, DropoutCase.reason,
        DropoutCase.whereabouts, DropoutCase.opened_on, DropoutCase.dropout_on,
        DropoutCase.closed_on, School.name.label("school"), Student.grade, Student.name,
        Student.student_no, Student.village, Student.village_group, Student.address,
        ClassGroup.grade.label("class_grade"), ClassGroup.name.label("class_name"),
        User.name.label("teacher"))
        .join(School, DropoutCase.school_id == School.id)
        .outerjoin(ClassGroup, Student.class_id == ClassGroup.id)
        .outerjoin(User, ClassGroup.head_teacher_id == User.id)
        .order_by(DropoutCase.school_id, Student.grade, Student.name_pinyin, DropoutCase.id)
        .limit(limit).offset(offset))


@functools.cache
def _steps() -> sa.Select:
    """The steps of the `cases` listed, in order (built once)."""
    return (sa.select(CaseStep.case_id, CaseStep.on, CaseStep.note, CaseStep.to_state)
            .where(CaseStep.case_id.in_(sa.bindparam("cases", expanding=True)))
            .order_by(CaseStep.case_id, CaseStep.on, CaseStep.id))


@functools.cache
def _guardians() -> sa.Select:
    """The guardians' names and phones of the `children` listed, in order (built once)."""
    return (sa.select(Guardian.student_id, Guardian.name, Guardian.phone)
            .where(Guardian.student_id.in_(sa.bindparam("children", expanding=True)))
            .order_by(Guardian.student_id, Guardian.position, Guardian.id))


def case_page(kind: str, first: date, last: date, school_id: int | None, full_ids: bool,
              number: int, size: int) -> Page:
    """Page `number` of a month's ledger rows, as case_rows() numbers them: the page on screen
    (a county's month is some hundred cases of 15 columns; print and Excel take them all)."""
    page = Page.numbered(number, size, db.session.scalar(
        access.count_of(case_statement(kind, first, last, school_id))))
    page.items = case_rows(kind, first, last, school_id, full_ids, size, page.offset)
    return page


def case_row(n: int, case, steps: list, guardian: tuple[str, str], full_ids: bool,
             as_of: date) -> list:
    """A ledger row of a case_rows() row, its steps in order and its first guardian's (name,
    phone)."""
    state = state_on(steps, as_of) or case.state
    dropout = case.dropout_on and case.dropout_on <= as_of
    closed = case.closed_on if case.closed_on and case.closed_on <= as_of else None
    return [n, case.school, class_label(case.grade, case.class_grade, case.class_name),
            case.name, (case.student_no or "") if full_ids else mask_id(case.student_no),
            *guardian, f"{case.village}{case.village_group} {case.address}".strip(),
            case.reason, case.whereabouts, case.teacher or "",
            CASE_STATES[state] + ("（辍学）" if dropout else ""),
            "；".join(f"{st.on:%m-%d} {st.note}" for st in steps[1:] if st.on <= as_of),
            case.opened_on.isoformat(), closed.isoformat() if closed else ""]


@access.per_scope
def age_statement(school_year: int, school_id: int | None = None):
    """Children of compulsory-school age (6–15 on 1 September of the school year)."""
    start = date(school_year, 9, 1)
    youngest, oldest = date(start.year - 6, 9, 1), date(start.year - 16, 9, 2)
    stmt = access.scoped(Student).where(Student.birth_date <= youngest,  # not a duplicate
                                        Student.birth_date >= oldest,  # record deleted
                                        Student.status != "removed")
    if school_id:
        stmt = stmt.where(Student.school_id == school_id)
    return stmt.order_by(Student.village, Student.name_pinyin).options(  # age_row's loads
        selectinload(Student.guardians), selectinload(Student.school),
        selectinload(Student.class_group))


def age_row(n: int, s: Student, full_ids: bool) -> list:
    guardian = s.guardians[0] if s.guardians else None
    return [n, s.name, s.sex, s.birth_date.isoformat() if s.birth_date else "",
            (s.id_number or "") if full_ids else s.masked_id, f"{s.village}{s.village_group}",
            guardian.name if guardian else "", guardian.phone if guardian else "",
            s.school.name, s.class_label, s.status_label,
            s.placement_label if s.status in ("enrolled", "suspended") else ""]  # 转出: none here


def unregistered(first: date, school_id: int | None = None) -> list[HouseholdChild]:
    """The 适龄儿童台账's last rows, for the township's: children of compulsory-school age on
    its 户籍 list with no record anywhere in the database (the register's rows are the rest),
    never registered or registered outside; a school's 台账 is its register."""
    town = access.township_id()
    if town is None or school_id or access.one_school() or access.class_scoped():
        return []
    children = [h for h in db.session.scalars(access.scoped(HouseholdChild).where(
        HouseholdChild.central_id == town).order_by(HouseholdChild.village, HouseholdChild.name))
        if reconcile.of_age(h.birth_date, first)]
    registered = access.records_by_id(h.id_number for h in children)
    return [h for h in children if h.id_number not in registered]


def household_row(n: int, h: HouseholdChild, full_ids: bool) -> list:
    """An unregistered child's row in the 适龄儿童台账's columns: where the child studies as
    the 四查三比对 explained it, or 未入学（待核实）."""
    return [n, h.name, h.sex, h.birth_date.isoformat(), h.id_number if full_ids else h.masked_id,
            f"{h.village}{h.village_group}", h.guardian, h.phone, "—", "",
            f"无本镇学籍：{h.explained_label}" if h.explained else "未入学（待核实）", ""]


@dataclass
class Counts:
    school: School
    new: int = 0
    returned: int = 0
    closed: int = 0
    still_out: int = 0


def monthly_counts(first: date, last: date, schools: list[School] | None = None
                   ) -> list[Counts]:
    """Each school's counts for the month: of `schools` (the page's own list of them, or one
    school), else of every school the user sees."""
    return counts_by_month([(first, last)], schools)[0]


def counts_by_month(months: list[tuple[date, date]],
                    schools: list[School] | None = None) -> list[list[Counts]]:
    """monthly_counts() for each (first, last) of months, counted by the database in one
    statement over their span (the county's 150 schools: loading every case of the month
    with its steps took 3 ms)."""
    schools = schools or access.schools()
    out = [{s.id: Counts(s) for s in schools} for _ in months]
    for school_id, *numbers in db.session.execute(
            _counts_statement(tuple(months), tuple(s.id for s in schools))):
        for n, rows in enumerate(out):
            row = rows[school_id]
            row.new, row.returned, row.closed, row.still_out = numbers[4 * n:4 * n + 4]
    return [list(rows.values()) for rows in out]


@access.per_scope
def _counts_statement(months: tuple[tuple[date, date], ...], school_ids: tuple[int, ...]):
    """counts_by_month()'s statement: each school's four counts of each month."""
    columns = []
    for first, last in months:
        open_then = sa.and_(DropoutCase.opened_on <= last, sa.or_(
            DropoutCase.closed_on.is_(None), DropoutCase.closed_on >= first))

        def counted(condition):
            return sa.func.count().filter(open_then, condition)
        columns += [counted(DropoutCase.opened_on.between(first, last)),
                    counted(DropoutCase.returned_on.between(first, last)),
                    counted(DropoutCase.closed_on.between(first, last)),
                    counted(_state_at(last).in_(OUT_STATES))]
    span_first, span_last = min(f for f, _ in months), max(la for _, la in months)
    return (access.scoped(DropoutCase).with_only_columns(DropoutCase.school_id, *columns)
            .where(DropoutCase.school_id.in_(school_ids), DropoutCase.opened_on <= span_last,
                   sa.or_(DropoutCase.closed_on.is_(None), DropoutCase.closed_on >= span_first))
            .group_by(DropoutCase.school_id))


def _state_at(day: date) -> sa.ScalarSelect:
    """A case's state at the end of a day, from its latest dated step (state_on in SQL)."""
    return (sa.select(CaseStep.to_state).where(CaseStep.case_id == DropoutCase.id,
                                               CaseStep.on <= day)
            .order_by(CaseStep.on.desc(), CaseStep.id.desc()).limit(1).scalar_subquery())


def state_on(steps, day: date) -> str | None:
    """A case's state at the end of a day, from its dated steps (in order)."""
    state = None
    for step in steps:
        if step.on <= day:
            state = step.to_state
    return state


def default_school_year() -> int:
    return school_year_of(clock.today())
