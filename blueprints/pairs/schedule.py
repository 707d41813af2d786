"""结对帮扶: how often each kind of pair must meet (a setting), which pairs are behind, and
which children still need a pair.

TUTORING_SCHEDULE maps a pair kind to its requirements, each (mode, period): mode "call" is met
by any contact (a call or a meeting), "meeting" only by a meeting; the period is the calendar
week (Monday to Sunday), month or quarter the day falls in. A pair is behind when a requirement
has no session in the current period: "爱心妈妈 with no contact this month" (docs/design.md, Rules).
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from flask import current_app

import access
from blueprints.students import register
from blueprints.students.rows import ChildRow, children_of
from extensions import db
from models import PAIR_KINDS, Student, TutoringPair, TutoringSession
from paging import Page

# The setting, as create_app() defaults it: how often each kind of pair must be in contact.
DEFAULTS = {"TUTORING_SCHEDULE": {"academic": [("meeting", "week")],
                                  "caring_mother": [("call", "month"), ("meeting", "quarter")],
                                  "counselling": [("meeting", "month")],
                                  "home_delivery": [("meeting", "week")]}}

PERIOD_LABELS = {"week": "本周", "month": "本月", "quarter": "本季度"}
MODE_LABELS = {"call": "联系（电话或见面）", "meeting": "见面"}


def period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(period)


@dataclass
class Due:
    mode: str
    period: str

    @property
    def label(self) -> str:
        return f"{PERIOD_LABELS[self.period]}还没有{MODE_LABELS[self.mode]}"


def requirements(kind: str) -> list[tuple[str, str]]:
    return current_app.config["TUTORING_SCHEDULE"].get(kind, [])


def describe() -> list[str]:
    """The schedule in words, for the page that asks for it: 爱心妈妈：每月联系、每季度见面."""
    every = {"week": "每周", "month": "每月", "quarter": "每季度"}
    verbs = {"call": "至少联系一次", "meeting": "至少见面一次"}
    return [f"{PAIR_KINDS[kind]}：" + "，".join(every[p] + verbs[m] for m, p in rules)
            for kind, rules in current_app.config["TUTORING_SCHEDULE"].items() if rules]


def behind(pair: TutoringPair, today: date) -> list[Due]:
    """The requirements a pair has not met in the current period (none once it has ended)."""
    if not pair.active_on(today):
        return []
    held = [s for s in pair.sessions if s.held_on <= today]
    return _due(pair.kind, max((s.held_on for s in held), default=None),
                max((s.held_on for s in held if s.mode == "meeting"), default=None), today)


def _due(kind: str, contact: date | None, meeting: date | None, today: date) -> list[Due]:
    """The requirements of a pair of `kind` unmet by its last contact and last meeting."""
    return [Due(mode, period) for mode, period in requirements(kind)
            if ((meeting if mode == "meeting" else contact) or date.min)
            < period_start(today, period)]


_SHOWN = (joinedload(TutoringPair.student).joinedload(Student.class_group),  # a pair's row
          joinedload(TutoringPair.student).joinedload(Student.school),
          joinedload(TutoringPair.teacher))


def _current(today: date, teacher_id: int | None = None, school_id: int | None = None):
    stmt = access.scoped(TutoringPair).join(Student).where(
        sa.or_(TutoringPair.end_on.is_(None), TutoringPair.end_on >= today))
    if teacher_id:
        stmt = stmt.where(TutoringPair.teacher_id == teacher_id)
    if school_id:
        stmt = stmt.where(TutoringPair.school_id == school_id)
    return stmt.order_by(TutoringPair.school_id, Student.grade, Student.name_pinyin)


def card(pair: TutoringPair, today: date) -> tuple:
    """(pair, what it is behind on, its last three sessions) of one pair, as pairs() gives each
    card: the card refreshed after a session is logged."""
    return pair, behind(pair, today), pair.sessions[:3]


def pairs(today: date, teacher_id: int | None = None, school_id: int | None = None):
    """[(pair, what it is behind on, its last three sessions)] for the pairs not ended (我的结对's
    cards): what each is behind on from standing() (its last contact and meeting, in SQL), and
    only the sessions a card shows, not every session of every pair (a teacher's 8 pairs: 119
    sessions as ORM rows, 4.7 of the page's 10.8 profiled ms)."""
    rows = db.session.scalars(_cards(today, teacher_id, school_id)).all()
    due = {row.pair_id: row.due for row in standing(today, teacher_id, school_id)}
    recent = defaultdict(list)
    for session in (db.session.scalars(_recent(), {"pairs": [p.id for p in rows]})
                    if rows else []):
        recent[session.pair_id].append(session)
    return [(p, due.get(p.id, []), recent[p.id]) for p in rows]


@access.per_scope
def _cards(today: date, teacher_id: int | None, school_id: int | None) -> sa.Select:
    """pairs()' statement: the pairs not ended with what their cards show."""
    return _current(today, teacher_id, school_id).options(*_SHOWN)


@functools.cache
def _recent() -> sa.Select:
    """The last three sessions of each of the `pairs` listed, newest first (built once)."""
    newest = (TutoringSession.held_on.desc(), TutoringSession.id.desc())
    numbered = sa.select(TutoringSession.id, sa.func.row_number().over(
        partition_by=TutoringSession.pair_id, order_by=newest).label("n")).where(
        TutoringSession.pair_id.in_(sa.bindparam("pairs", expanding=True))).subquery()
    return (sa.select(TutoringSession).join(numbered, numbered.c.id == TutoringSession.id)
            .where(numbered.c.n <= 3).order_by(TutoringSession.pair_id, *newest))


class Standing(NamedTuple):
    pair_id: int
    school_id: int
    due: list[Due]
    last: date | None  # the last contact of any kind


def standing(today: date, teacher_id: int | None = None,
             school_id: int | None = None) -> list[Standing]:
    """Every pair not ended in scope, with what it is behind on, from one query: each pair's
    last contact and last meeting (no sessions loaded), the pairs behind first."""
    rows = [Standing(pid, school, _due(kind, contact, meeting, today)
                     if start_on <= today else [], contact)
            for pid, school, kind, start_on, contact, meeting in db.session.execute(
                _standing(today, teacher_id, school_id))]
    return sorted(rows, key=lambda r: not r.due)  # stable: the register's order within


@access.per_scope
def _standing(today: date, teacher_id: int | None, school_id: int | None) -> sa.Select:
    """standing()'s statement: each pair's last contact and last meeting."""
    def last(*criteria):
        return sa.select(sa.func.max(TutoringSession.held_on)).where(
            TutoringSession.pair_id == TutoringPair.id, TutoringSession.held_on <= today,
            *criteria).scalar_subquery()
    return _current(today, teacher_id, school_id).with_only_columns(
        TutoringPair.id, TutoringPair.school_id, TutoringPair.kind, TutoringPair.start_on,
        last(), last(TutoringSession.mode == "meeting"))


def pairs_by_school(today: date) -> dict[int, tuple[int, int]]:
    """(pairs not ended, how many of them behind schedule) of each school in scope."""
    out: dict[int, tuple[int, int]] = {}
    for row in standing(today):
        pairs, behind = out.get(row.school_id, (0, 0))
        out[row.school_id] = (pairs + 1, behind + bool(row.due))
    return out


def page_of_pairs(today: date, school_id: int | None, number: int) -> tuple[Page, int]:
    """A page of (pair, what it is behind on, last contact), the pairs behind schedule first,
    and how many are behind in all (the 结对帮扶 page)."""
    rows = standing(today, school_id=school_id)
    page = Page.of(rows, number, current_app.config["PAGE_SIZE"])
    pairs = {p.id: p for p in db.session.scalars(_shown(), {"pairs": [
        r.pair_id for r in page.items]})}
    page.items = [(pairs[r.pair_id], r.due, r.last) for r in page.items]
    return page, sum(1 for r in rows if r.due)


@functools.cache
def _shown() -> sa.Select:
    """The pairs listed (`pairs`) with what their rows show (built once)."""
    return sa.select(TutoringPair).where(
        TutoringPair.id.in_(sa.bindparam("pairs", expanding=True))).options(*_SHOWN)


# Who needs a pair of which kind: 学困/厌学 a study or counselling pair, 留守 an 爱心妈妈, a
# child taught at home (送教上门) a plan with weekly visits.
NEEDS = [
    ("学困、厌学学生没有学业帮扶或心理辅导", ("learning_difficulty", "school_weary"),
     ("academic", "counselling")),
    ("留守儿童没有爱心妈妈", ("left_behind",), ("caring_mother",)),
    ("送教上门学生没有送教计划", ("placement:home_delivery",), ("home_delivery",)),
]
# A need's column in the schools' table of 结对帮扶 (the page of a scope of several schools)
NEED_COLUMNS = {"academic": "学困、厌学（缺帮扶或辅导）", "caring_mother": "留守（缺爱心妈妈）",
                "home_delivery": "送教上门（缺送教计划）"}


class _Condition(NamedTuple):
    """A need on an enrolled child in scope, "needs this pair and has none", written twice:
    `counted` for a count of every child (the pairs not of the child: one list a statement,
    which PostgreSQL hashes), `listed` for a list read in order until its page is full (the
    child's own pairs by their index: a need's first 20, PostgreSQL 7.8 against 1.9 ms)."""
    label: str
    kind: str  # the pair to propose
    counted: sa.ColumnElement
    listed: sa.ColumnElement


@functools.lru_cache(maxsize=4)
def _needs(today: date) -> tuple[_Condition, ...]:
    """Each need's conditions (_Condition), in NEEDS' order, made once a day."""
    return tuple(_made_needs(today))


def _need(today: date, kind: str) -> _Condition | None:
    """The need whose pair is `kind`."""
    return next((need for need in _needs(today) if need.kind == kind), None)


def _made_needs(today: date):
    for label, flags, kinds in NEEDS:
        wants = sa.or_(*[Student.placement == f.split(":")[1] if f.startswith("placement:")
                         else getattr(Student, f).is_(True) for f in flags])
        current = (TutoringPair.kind.in_(kinds), TutoringPair.start_on <= today,
                   sa.or_(TutoringPair.end_on.is_(None), TutoringPair.end_on >= today))
        yield _Condition(
            label, kinds[0],
            sa.and_(wants, Student.id.not_in(sa.select(TutoringPair.student_id).where(*current))),
            sa.and_(wants, ~sa.exists().where(TutoringPair.student_id == Student.id, *current)))


class Need(NamedTuple):
    """Children who lack a pair they need: what is missing, the pair kind to propose, how many
    in all, and the children (the first `limit` when a page asked for a limit)."""
    label: str
    kind: str
    total: int
    students: list[ChildRow]


def uncovered(today: date, school_id: int | None = None, limit: int | None = None) -> list[Need]:
    """One Need for each kind of need, in scope: the children ordered by school, grade and
    pinyin, read from the students' profile index; only the rows listed are read, all three
    needs' in one statement. With a limit, the three needs are counted in one statement, not
    three."""
    needs = _needs(today)
    totals = db.session.execute(_totals(today, school_id)).one() if limit is not None else None
    ids = [db.session.scalars(_in_need(today, school_id, need.kind, limit)).all()
           if totals is None or totals[n] else [] for n, need in enumerate(needs)]
    children = {c.id: c for c in children_of(list({sid for found in ids for sid in found}))}
    return [Need(need.label, need.kind, len(found) if totals is None else totals[n],
                 [children[sid] for sid in found if sid in children])
            for n, (need, found) in enumerate(zip(needs, ids))]


def need_page(today: date, kind: str, school_id: int | None, number: int
              ) -> tuple[str, Page] | None:
    """(label, page `number` of its children) of the need whose pair is `kind`, as uncovered()
    lists them; None for no such need."""
    need = _need(today, kind)
    if need is None:
        return None
    page = Page.numbered(number, current_app.config["PAGE_SIZE"], db.session.scalar(
        _need_count(today, school_id, kind)))
    page.items = children_of(db.session.scalars(
        _in_need(today, school_id, kind, page.per_page, page.offset)).all())
    return need.label, page


@access.per_scope
def _need_count(today: date, school_id: int | None, kind: str) -> sa.Select:
    """How many enrolled children in scope have the need whose pair is `kind`."""
    need = _need(today, kind)
    return register.enrolled(school_id).where(need.counted).with_only_columns(sa.func.count())


@access.per_scope
def _totals(today: date, school_id: int | None) -> sa.Select:
    """How many enrolled children in scope have each need (uncovered()'s counts)."""
    return register.enrolled(school_id).with_only_columns(*[
        sa.func.count().filter(need.counted) for need in _needs(today)])


@access.per_scope
def _in_need(today: date, school_id: int | None, kind: str, limit: int | None,
             offset: int | None = None) -> sa.Select:
    """The ids of the enrolled children in scope with the need whose pair is `kind`, in the
    lists' order: by school, grade and pinyin (the students' profile index)."""
    need = _need(today, kind)
    return (register.enrolled(school_id).with_only_columns(Student.id).where(need.listed)
            .order_by(Student.school_id, Student.grade, Student.name_pinyin)
            .limit(limit).offset(offset))


def uncovered_by_school(today: date) -> dict[int, list[int]]:
    """How many children of each school in scope lack each need's pair (in NEEDS' order),
    counted in one pass; the schools with none are left out."""
    return {school_id: counts for school_id, *counts in db.session.execute(_by_school(today))
            if sum(counts)}


@access.per_scope
def _by_school(today: date) -> sa.Select:
    """uncovered_by_school()'s statement: each school's children of each need."""
    return register.enrolled().with_only_columns(Student.school_id, *[
        sa.func.count().filter(need.counted) for need in _needs(today)]).group_by(
        Student.school_id)


def uncovered_counts(today: date) -> dict[int, int]:
    """How many children per school lack a pair they need (a child may lack two)."""
    return {school_id: sum(counts) for school_id, counts in uncovered_by_school(today).items()}


def log(pair: TutoringPair, user, held_on: date, mode: str, minutes: int, content: str,
        progress: str) -> TutoringSession:
    session = TutoringSession(held_on=held_on, mode=mode, minutes=minutes, content=content,
                              progress=progress, user_id=user.id)
    pair.sessions.append(session)
    return session
