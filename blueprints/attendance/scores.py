"""Stored risk scores (models.RiskScore) and the lists read from them: the risk list, the 包保
coverage list, the dashboard's counts, the meeting's 高风险 children, the risk ledger.

The database's triggers (migration 0014) mark a child's score out of date in the same
transaction as every write to its inputs. A list first scores again only the children whose
score is out of date, not from today, or from other settings, found through two indexes
(_late, migration 0032), and stores them (_store); its own statement then filters, orders, pages
and counts by the stored scores (ranking). _compute scores many children in one query, the run
of days in Python: assess()'s scores without the evidence (risk.py). The nightly rules run
scores the new day (refresh). tests/test_risk.py checks the lists against assess() child by
child, and after a write to each input.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

import access
from blueprints.attendance import rules
from blueprints.attendance.risk import RISK_FLAGS, TOWNSHIP, assess, latest_run, level_of, settings
from blueprints.students.rows import children_of
from extensions import db, plain_rows
from models import (GRADES, RISK_LEVELS, Absence, AidGrant, DropoutCase, Guardian, RiskOverride,
                    RiskScore, School, Student, TutoringPair, school_year_of)
from paging import Page


def ranked(ids: sa.Select, today: date) -> list[int]:
    """The children of `ids` at 高 or 中 risk, the highest first (ties in the register's
    order): ranked by the database from the stored scores."""
    return db.session.scalars(_ranked(ids, ranking(ids, today), None, None)).all()


@access.per_scope
def _ranked(ids: sa.Select, rank: Ranking, limit: int | None, offset: int | None,
            counted: bool = False) -> sa.Select:
    """The ids of the children of `ids` listed, in ranked order, `limit` of them from
    `offset`; with how many are listed in all when `counted` (count(*) OVER ())."""
    columns = (Student.id, sa.func.count().over()) if counted else (Student.id,)
    return (with_scores(sa.select(*columns), rank).where(access.among(ids), rank.listed)
            .order_by(*rank.order, *REGISTER_ORDER).limit(limit).offset(offset))


@access.per_scope
def _counted(ids: sa.Select, rank: Ranking) -> sa.Select:
    """How many children of `ids` are listed."""
    return with_scores(sa.select(sa.func.count()), rank).where(access.among(ids), rank.listed)


def ranked_page(ids: sa.Select, today: date, number: int) -> Page:
    """Page `number` of the ranked children (ranked()): (ChildRow, assessment with its evidence)
    for the rows shown only (a township's ~1,600 at risk are not read to show 50); a number
    past the last page shows the last. SQLite reads a page in the order of the township's range
    of scores and stops once the page's last tie is sorted (0.09 ms), so it counts apart (0.8
    ms): a count(*) OVER () made it read and sort all ~1,600 (1.8 ms). PostgreSQL hashes the
    township's children with the scores and sorts them all for any page (1.7 ms), so it counts
    in the same pass (2.0 ms for both, against 1.6 ms more for a count apart)."""
    rank, size = ranking(ids, today), current_app.config["PAGE_SIZE"]
    rows = []
    if db.engine.dialect.name == "postgresql":  # the page and the count in one pass
        offset = (max(number, 1) - 1) * size
        rows = db.session.execute(_ranked(ids, rank, size, offset, True)).all()
    if rows:
        page, found = Page.numbered(number, size, rows[0][1]), [sid for sid, _ in rows]
    else:  # SQLite; or no page there (past the last, or nobody listed)
        page = Page.numbered(number, size, db.session.scalar(_counted(ids, rank)))
        found = db.session.scalars(_ranked(ids, rank, page.per_page, page.offset)).all()
    assessed = assess(found, today)
    page.items = [(child, assessed[child.id]) for child in children_of(found)]
    return page


# Up to this many out-of-date children are scored by the list of their ids (and this many a
# query), more by the condition "out of date": PostgreSQL cannot tell from the condition how
# few they are and planned a township's absences and guardians for one child (22 ms, against
# 1 ms by ids), while a township's 5,000 of a new day go faster in one query than by ids
# (SQLite 134 against 215 ms).
BY_IDS = 1000

# How long storing scores waits for a writer's lock before leaving them to the next view: a
# list should not queue behind the grid's clicks, and scoring a few children again by their
# ids costs about a millisecond.
STORE_WAIT_MS = 50

REGISTER_ORDER = (Student.school_id, Student.grade, Student.name_pinyin)


def with_scores(stmt: sa.Select, rank: Ranking | None = None) -> sa.Select:
    """A statement on students with their stored scores joined, which a Ranking's expressions
    read: of the ranking's township only, when it has one (_in_township). Not their schools: a
    join of schools kept SQLite from reading the students in the register's order
    (ix_students_profile) and stopping at a page's 50, so the first page of the 包保 list
    sorted a township's at-risk children (0.2 against 2.7 ms)."""
    on = RiskScore.student_id == Student.id
    return stmt.select_from(Student).outerjoin(
        RiskScore, on if rank is None else sa.and_(on, rank.township))


@dataclass(eq=False)
class Ranking:
    """How a list reads risk from the stored scores (with_scores), overrides applied: `listed`
    is "at 高 or 中 risk", `high` 1 at 高 else 0, `points` the computed score, `computed` a
    child whose level no override holds."""
    listed: sa.ColumnElement
    high: sa.ColumnElement
    points: sa.ColumnElement
    computed: sa.ColumnElement
    overrides: dict[int, str]  # the overrides that hold a level
    township: sa.ColumnElement  # the scores joined: of one township (_in_township), or all

    @property
    def order(self) -> tuple:
        """Highest risk first. With no override holding, 高 is a score at the threshold, and
        the score alone orders (a township's ranking on SQLite: 2.1 against 3.6 ms by the CASE)."""
        return ((self.high.desc(), self.points.desc()) if self.overrides
                else (self.points.desc(),))


def ranking(ids: sa.Select, today: date) -> Ranking:
    """Bring the stored scores of the children of `ids` up to date (_freshen), then the
    expressions that read their risk in a list's own statement, which filters, orders, pages
    and counts with them."""
    cfg = settings()
    pending = _freshen(ids, today)
    overrides = _held(ids)
    return _ranking(tuple(sorted(pending.items())), tuple(sorted(overrides.items())),
                    access.township_id(), cfg["medium"], cfg["high"])


@functools.lru_cache(maxsize=access.KEPT)  # a Ranking keeps the statements made of it
def _ranking(pending: tuple, overrides: tuple, town: int | None, medium: int, high: int
             ) -> Ranking:
    """The Ranking of the scores not stored (`pending`), the `overrides` that hold a level and
    the user's township under the settings' levels, made once for the same ones (most days:
    none pending, none held), so that the lists' statements made of it are kept
    (access.per_scope)."""
    cfg = {"medium": medium, "high": high}
    pending, overrides = dict(pending), dict(overrides)
    points = (sa.case(pending, value=Student.id, else_=RiskScore.points)  # a missing row too
              if pending else RiskScore.points)

    def held_at(name, levels):  # a parameter a use: SQLAlchemy writes an empty list as its
        # first use's operator wants it, and a NOT IN written as IN's is never true. No
        # override at all (most days): false, which SQLAlchemy folds away, not an empty IN
        # (a subquery a row and a use: 0.6 ms of a township's ranking on SQLite).
        held = [sid for sid, level in overrides.items() if level in levels]
        return (Student.id.in_(sa.bindparam(name, held, literal_execute=True)) if held
                else sa.false())
    computed = ~held_at("not_held", RISK_LEVELS)
    return Ranking(
        listed=sa.or_(held_at("raised", ("high", "medium")),
                      sa.and_(computed, points >= cfg["medium"])),
        high=sa.case((held_at("held_high", ("high",)), 1), (held_at("held_else", RISK_LEVELS), 0),
                     (points >= cfg["high"], 1), else_=0),
        points=points, computed=computed, overrides=overrides,
        township=_in_township(pending, town))


def _in_township(pending: dict, town: int | None) -> sa.ColumnElement:
    """For a user of one township, "the stored score is of this township", on which a list
    joins the scores (with_scores): a list of the children at risk then reads the township's
    range of ix_risk_scores_township (~1,600 of the county's 16,000 at risk) before their
    children, not each of the township's 5,000 scores (the risk ranking: PostgreSQL 7.9 -> 3.5
    ms, SQLite 1.9 -> 1.35 ms), and a count of the township's children joins 5,000 scores, not
    the county's 50,000. The township is written as a value: PostgreSQL's planner cannot see
    which schools a scope's subquery names. A child's stored township is up to date once
    _freshen has stored the scores of the children moved (their revision raised, migration
    0014); when it could not (`pending`), or for the county's reader, every score is joined."""
    if town is None or pending:
        return sa.true()
    return RiskScore.township_id == sa.bindparam("township", town, literal_execute=True)


def level_counts(ids: sa.Select, today: date, group=Student.school_id) -> dict[tuple, int]:
    """(group value, level) -> number of children among the select of student ids `ids`,
    counted by the database in one pass over the stored scores (ranking), the few overrides
    moved after (a county's 50,000 rows each testing the overrides cost 5 ms more)."""
    cfg, rank = settings(), ranking(ids, today)

    def counted(condition):  # COUNT FILTER: fewer steps a row than SUM(CASE ...)
        return sa.func.count().filter(sa.and_(rank.computed, condition))
    rows = db.session.execute(with_scores(sa.select(
        group, sa.func.count(), counted(rank.points >= cfg["high"]),
        counted(sa.and_(rank.points >= cfg["medium"], rank.points < cfg["high"]))), rank)
        .where(access.among(ids)).group_by(group)).all()
    counts = Counter()
    for key, n, high, medium in rows:
        counts.update({(key, "high"): high, (key, "medium"): medium})
    if rank.overrides:
        counts.update((key, rank.overrides[sid]) for sid, key in db.session.execute(
            with_scores(sa.select(Student.id, group), rank).where(
                Student.id.in_(list(rank.overrides)))))
    for key, n, *_ in rows:  # the rest are 低
        counts[(key, "low")] += n - sum(counts[(key, level)] for level in RISK_LEVELS)
    return {k: n for k, n in counts.items() if n}


def at_risk(ids: sa.Select, today: date) -> dict[int, tuple[str, int]]:
    """(level, score) of each child at 高 or 中 risk among the select of student ids `ids`,
    assess()'s without the evidence, in the register's order (school, grade, name)."""
    cfg, rank = settings(), ranking(ids, today)
    return {sid: (rank.overrides.get(sid) or level_of(points, cfg), points)
            for sid, points in plain_rows(with_scores(sa.select(Student.id, rank.points), rank)
                                          .where(access.among(ids), rank.listed)
                                          .order_by(*REGISTER_ORDER))}


def _freshen(ids: sa.Select, today: date) -> dict[int, int]:
    """Score and store the children of `ids` whose stored score is out of date. Returns the
    scores it could not store (another writer held the lock, _store), which the lists read in
    place of the stored ones."""
    basis = _basis()
    late = _late(ids, today, basis)
    if late is None:  # another day or other settings: every child's stored score is read
        late = db.session.scalars(_out_of_date(access.among(ids), today, basis)).all()
    computed = {}
    if len(late) > BY_IDS:  # a new day: by the condition, in one query
        computed = _compute(_out_of_date(access.among(ids), today, basis), today)
    missing = [sid for sid in late if sid not in computed]  # or stored meanwhile by another
    for start in range(0, len(missing), BY_IDS):
        computed |= _compute(missing[start:start + BY_IDS], today)
    if _store(computed, today, basis):
        return {}
    return {sid: score for sid, (score, _rev, _town) in computed.items()}


def _late(ids: sa.Select, today: date, basis: str) -> list[int] | None:
    """The children of `ids` whose stored score is out of date, found through the two indexes
    of migration 0032 without reading the other children's scores (a township's 5,000: 10 ms
    on PostgreSQL): every child has a row of risk_scores (the students' insert trigger), and
    one is out of date when a write raised its revision (the partial index of the unscored,
    usually the few written since the last list) or it was scored on another day or under
    other settings. In that last case (before the nightly run) it returns None, and the caller
    reads every child's score."""
    *ends, unscored = db.session.execute(_ends(), {"today": today}).one()
    if set(filter(None, ends[:2])) - {today} or set(filter(None, ends[2:])) - {basis}:
        return None
    unscored = [int(sid) for sid in unscored.split(",")] if unscored else []
    return db.session.scalars(sa.select(Student.id).where(
        Student.id.in_(sa.bindparam("unscored", unscored, literal_execute=True)),
        access.among(ids))).all() if unscored else []


@functools.cache
def _ends() -> sa.Select:
    """_late()'s statement, built once (its parameter: `today`; building it took a third of a
    list's 0.7 ms to read its risk). Any score of another day or other settings? The ends of
    the index answer, min() and max() reading a row each ("as_of <> today" read the whole index
    once the planner's statistics knew every score to be of one day: 7 ms on SQLite). The
    unscored children come in the same statement, their ids as one string."""
    today = sa.bindparam("today", type_=sa.Date)

    def end(agg, column, *where):
        return sa.select(agg(column)).where(*where).scalar_subquery()
    return sa.select(
        end(sa.func.min, RiskScore.as_of), end(sa.func.max, RiskScore.as_of),
        end(sa.func.min, RiskScore.basis, RiskScore.as_of == today),
        end(sa.func.max, RiskScore.basis, RiskScore.as_of == today),
        sa.select(sa.func.aggregate_strings(sa.cast(RiskScore.student_id, sa.String), ","))
        .where(UNSCORED).scalar_subquery())


# A stored score its child's inputs have changed since (or never scored): the partial index
# ix_risk_scores_unscored holds these rows only. It covers the columns of the condition, so
# that SQLite reads it even when its statistics were taken while every score was unscored (a
# new install, a county built before its first scoring): with a narrower index it read the
# whole table instead, 3 ms a list.
UNSCORED = sa.or_(RiskScore.scored_rev.is_(None), RiskScore.scored_rev != RiskScore.rev)


def _held(ids: sa.Select) -> dict[int, str]:
    """The overrides among `ids` that hold a level ({child: level}; the latest of a child holds,
    and one of level None hands back to the computation). The overrides are read and each
    one's child tested (EXISTS), not the children read and each one's overrides looked up (a
    township's 5,000: 1.8 → 0.7 ms, with no override at all), nor IN a scope subquery."""
    latest = dict(db.session.execute(_held_stmt(ids)).all())
    return {sid: level for sid, level in latest.items() if level}


@access.per_scope
def _held_stmt(ids: sa.Select) -> sa.Select:
    """_held()'s statement: the overrides of the children of `ids`, the latest last."""
    return (sa.select(RiskOverride.student_id, RiskOverride.level)
            .where(sa.exists().where(Student.id == RiskOverride.student_id, access.among(ids)))
            .order_by(RiskOverride.id))


def refresh(today: date) -> int:
    """Score and store every child whose stored score is out of date (the nightly rules run,
    so that the first list of the morning is read, not computed). Returns how many. Also
    removes the rows of children deleted (their absences' delete triggers raise a row again
    after the child's own trigger removed it), which would stay unscored in the partial index
    for ever; the caller commits that."""
    basis = _basis()
    computed = _compute(_out_of_date(sa.true(), today, basis), today)
    _store(computed, today, basis)
    db.session.execute(sa.delete(RiskScore).where(  # after _store: it holds a writer's lock
        ~sa.exists().where(Student.id == RiskScore.student_id)))
    return len(computed)


def _basis() -> str:
    """The settings a stored score was computed under: changing them recomputes every score."""
    return hashlib.sha1(json.dumps([settings(), rules.settings()["warning_days"]],
                                   sort_keys=True).encode()).hexdigest()[:16]


def _stale(today: date, basis: str):
    """A child's stored score (outer-joined) is missing or out of date."""
    return sa.or_(UNSCORED, RiskScore.as_of != today, RiskScore.basis != basis)


def _out_of_date(condition, today: date, basis: str) -> sa.Select:
    """The ids of the children meeting `condition` whose stored score is out of date."""
    return (sa.select(Student.id).outerjoin(RiskScore, RiskScore.student_id == Student.id)
            .where(condition, _stale(today, basis)).correlate(None))


def _compute(who, today: date) -> dict[int, tuple[int, int, int]]:
    """{child: (score, revision of its inputs, township)} for the children `who` names (a select of
    student ids, or a list written into the statement as numbers), assess()'s scores without
    the evidence. One query sums what needs no calendar (the window's unexcused days counted,
    with their dates) and reads the revision in the same snapshot as the inputs; Python adds a
    run of days on the township's calendar."""
    if not isinstance(who, sa.Select):
        who = sa.bindparam("who", who, literal_execute=True)
    cfg, w = settings(), settings()["weights"]
    window = today - timedelta(days=cfg["window_days"])
    run_days = rules.settings()["warning_days"]
    unexcused = (sa.select(Absence.student_id, sa.func.count().label("n"),
                           sa.func.aggregate_strings(sa.cast(Absence.day, sa.String), ",")
                           .label("days"))
                 .where(Absence.student_id.in_(who), Absence.kind == "unexcused",
                        Absence.day >= window, Absence.day <= today)
                 .group_by(Absence.student_id).subquery())

    def points(condition, weight):
        return sa.case((condition, weight), else_=0)

    year_start = date(school_year_of(today), 9, 1)
    over_age = sa.or_(*[sa.and_(Student.grade == g, Student.birth_date <= date(
        year_start.year - g - 7, year_start.month, year_start.day)) for g in GRADES])
    past = sa.select(DropoutCase.student_id).where(sa.or_(DropoutCase.state == "closed",
                                                          DropoutCase.dropout_on.is_not(None)))
    away = (sa.select(Guardian.student_id).where(Guardian.student_id.in_(who))
            .group_by(Guardian.student_id)
            .having(sa.func.min(sa.cast(Guardian.works_away, sa.Integer)) == 1))
    paired = sa.select(TutoringPair.student_id).where(
        TutoringPair.start_on <= today,
        sa.or_(TutoringPair.end_on.is_(None), TutoringPair.end_on >= today))
    aided = (sa.select(AidGrant.student_id).where(
        AidGrant.applied_on >= today - timedelta(days=365))
        .group_by(AidGrant.student_id).having(sa.func.sum(AidGrant.amount) > 0))
    static = (sum(points(getattr(Student, f).is_(True), w[f]) for f in RISK_FLAGS if w.get(f))
              + points(sa.or_(Student.status == "dropout", Student.id.in_(past)),
                       w["past_dropout"])
              + points(over_age, w["over_age"])
              + points(sa.or_(Student.orphan.is_(True), Student.id.in_(away)),
                       w["no_guardian_home"])
              + points(Student.id.in_(paired), w["pair"])
              + points(Student.id.in_(aided), w["aid"]))
    n = sa.func.coalesce(unexcused.c.n, 0)
    recent = sa.case((n * w["recent_absence"] > w["recent_absence_max"],
                      w["recent_absence_max"]), else_=n * w["recent_absence"])
    out = {}
    for sid, town, score, count, days, rev in db.session.execute(
            sa.select(Student.id, TOWNSHIP, static + recent, n, unexcused.c.days,
                      sa.func.coalesce(RiskScore.rev, 0))
            .join(School, Student.school_id == School.id)
            .outerjoin(unexcused, unexcused.c.student_id == Student.id)
            .outerjoin(RiskScore, RiskScore.student_id == Student.id)
            .where(Student.id.in_(who))):
        if count >= run_days and len(latest_run(sorted(map(date.fromisoformat, days.split(","))),
                                          rules.calendar(town))) >= run_days:
            score += w["absence_run"]
        out[sid] = (score, rev, town)
    return out


def _store(scores: dict[int, tuple[int, int, int]], today: date, basis: str) -> bool:
    """Store computed scores in a transaction of their own, waiting at most STORE_WAIT_MS for a
    lock; False when it gave up.
    A write not yet committed (this request's own too) holds the lock of its child's row
    (PostgreSQL) or of the database (SQLite), so a score computed from it is never stored:
    storing gives up and the next view computes again. A score stored with a revision that a
    write has passed meanwhile is out of date at once."""
    if not scores:
        return True
    sqlite = db.engine.dialect.name == "sqlite"
    insert = (sqlite_insert if sqlite else postgresql_insert)(RiskScore)
    upsert = insert.on_conflict_do_update(index_elements=[RiskScore.student_id], set_={
        c: insert.excluded[c] for c in ("scored_rev", "as_of", "basis", "points", "township_id")})
    rows = [{"student_id": sid, "rev": rev, "scored_rev": rev, "as_of": today, "basis": basis,
             "points": score, "township_id": town}
            for sid, (score, rev, town) in sorted(scores.items())]
    with db.engine.connect() as conn:
        wait = None
        try:
            with conn.begin():
                if sqlite:
                    wait = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {STORE_WAIT_MS}" if sqlite
                                     else f"SET LOCAL lock_timeout = '{STORE_WAIT_MS}ms'")
                conn.execute(upsert, rows)
            return True
        except sa.exc.OperationalError:  # busy or locked: left to the next view
            return False
        finally:
            if wait is not None:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")
