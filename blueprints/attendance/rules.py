"""The school-day calendar and the attendance rules (docs/design.md, Rules).

School days are the township's terms' days minus weekends and holidays (Term.school_days); a run
of unexcused absence counts school days only, so a weekend or a holiday does not break it, and a
school day the child was present, sick or on leave does. Thresholds are the setting
ATTENDANCE_RULES (counties differ): a run of `warning_days` opens a warning due a home visit
within `visit_within` school days; a run longer than `suspect_days` opens a 疑似辍学 case
(cases/workflow.py), which becomes a dropout after `dropout_days`. Rules run when attendance is saved and nightly
(`flask rules run`); running them again changes nothing that is already right.

The rules act for the system, not for a user (the nightly run has none), so they read the models
directly rather than through access.scoped; a view calls them only for a child it has already
fetched in the user's scope.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from typing import NamedTuple
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_app_context

import clock
from extensions import db, plain_rows
from models import (ABSENCE_KINDS, AWAY_PLACEMENTS, Absence, ClassGroup, EarlyWarning, RollCall,
                    Student, Term, school_days)
from refusal import Refusal

# The setting, as create_app() defaults it (instance/config.py may change it): a run of
# warning_days unexcused school days opens a warning due a home visit within visit_within school
# days; a run longer than suspect_days opens a 疑似辍学 case; suspected for more than
# dropout_days, a dropout.
DEFAULTS = {"ATTENDANCE_RULES": {"warning_days": 3, "visit_within": 1, "suspect_days": 7,
                                 "dropout_days": 30}}


@dataclass
class Calendar:
    """The school days of one township, sorted."""
    days: list[date]

    def __post_init__(self):
        self._set = set(self.days)

    def is_school_day(self, day: date) -> bool:
        return day in self._set

    def shift(self, day: date, n: int) -> date:
        """The n-th school day after `day` (n=1: the next school day)."""
        i = bisect.bisect_right(self.days, day) + n - 1
        if i < len(self.days):
            return self.days[i]
        return day + timedelta(days=n)  # past the last term set up: count calendar days

    def before(self, day: date) -> list[date]:
        """School days up to and including `day`, newest last."""
        return self.days[:bisect.bisect_right(self.days, day)]

    def week(self, monday: date) -> list[tuple[date, bool]]:
        """Monday to Friday (and a Saturday that is a school day), each with is_school_day."""
        days = [monday + timedelta(days=i) for i in range(6)]
        return [(d, self.is_school_day(d)) for d in days if d.weekday() < 5 or
                self.is_school_day(d)]


def calendar(township_id: int) -> Calendar:
    """The township's calendar, built once per request."""
    cache = g.setdefault("calendars", {}) if has_app_context() else {}
    if township_id not in cache:
        cache[township_id] = _calendar_of(tuple(map(tuple, plain_rows(
            _terms(), {"township": township_id}))))
    return cache[township_id]


@functools.cache
def _terms() -> sa.Select:
    """A `township`'s terms as (start, end, holidays), built once."""
    return sa.select(Term.start_date, Term.end_date, Term.holidays).where(
        Term.central_id == sa.bindparam("township")).order_by(Term.start_date, Term.id)


@functools.lru_cache(maxsize=64)
def _calendar_of(terms: tuple) -> Calendar:
    """The calendar of terms given as (start, end, holidays): made once for the same terms
    (a township's year of school days took a list 0.3 ms a view to work out)."""
    days: set[date] = set()
    for start, end, holidays in terms:
        days.update(school_days(start, end, holidays))
    return Calendar(sorted(days))


def settings() -> dict:
    return current_app.config["ATTENDANCE_RULES"]


def unexcused_run(student: Student, today: date, cal: Calendar | None = None) -> list[date]:
    """The latest run of consecutive unexcused school days up to today (empty if none)."""
    cal = cal or calendar(student.school.township_id)
    kinds = dict(db.session.execute(sa.select(Absence.day, Absence.kind).where(
        Absence.student_id == student.id, Absence.day <= today)).all())
    unexcused = sorted(d for d, k in kinds.items() if k == "unexcused")
    if not unexcused:
        return []
    run = []
    for day in reversed(cal.before(unexcused[-1])):
        if kinds.get(day) != "unexcused":
            break
        run.append(day)
    return run[::-1]


def evaluate(student: Student, today: date) -> EarlyWarning | None:
    """Open (or bring up to date) the warning of the student's current absence run. Returns the
    warning when one was opened or grew; the caller commits."""
    rules = settings()
    cal = calendar(student.school.township_id)
    run = unexcused_run(student, today, cal)
    if len(run) < rules["warning_days"] or student.status != "enrolled" \
            or student.placement in AWAY_PLACEMENTS:  # not expected in class: no warning
        return None
    warning = db.session.scalar(sa.select(EarlyWarning).where(
        EarlyWarning.student_id == student.id, EarlyWarning.rule == "absence_run",
        EarlyWarning.run_start == run[0]))
    evidence = [d.isoformat() for d in run]
    if len(run) > rules["suspect_days"]:
        from blueprints.cases import workflow
        workflow.open_case(student, "absence", today, None,
                           reason=f"连续无故缺课 {len(run)} 个上课日（{run[0]} 起）",
                           note=f"系统按考勤自动立案：{'、'.join(evidence)}", out_since=run[0])
    if warning is None:
        warning = EarlyWarning(student_id=student.id, school_id=student.school_id,
                               rule="absence_run", run_start=run[0], days=len(run),
                               evidence=evidence, opened_on=today,
                               due_on=cal.shift(today, rules["visit_within"]))
        db.session.add(warning)
        return warning
    if warning.evidence != evidence:
        warning.days, warning.evidence = len(run), evidence
        return warning
    return None


class Marked(NamedTuple):
    day: date
    absence: Absence | None  # None: the day was cleared
    warned: bool  # a warning opened or grew
    roll_taken: bool  # this mark took the class's roll of the day (its first entry)


def _markable(school_township: int, day_text: str) -> date:
    """A school day up to today, from the grid's text; else a Refusal saying why."""
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise Refusal("日期不对，请刷新页面后再试。") from None
    if day > clock.today():
        raise Refusal("还没到这一天，不能登记。")
    if not calendar(school_township).is_school_day(day):
        raise Refusal(f"{day} 不是上课日（周末或节假日），不用登记。")
    return day


def take_roll(klass: ClassGroup, day: date, user) -> bool:
    """The class's roll of a school day taken (已点名); True when it was not yet. The caller
    commits."""
    if db.session.scalar(sa.select(RollCall.id).where(RollCall.class_id == klass.id,
                                                      RollCall.day == day)):
        return False
    db.session.add(RollCall(class_id=klass.id, day=day, user_id=user.id))
    db.session.flush()
    return True


def take_roll_of(klass: ClassGroup, day_text: str, user) -> date:
    """全到: the roll of a day confirmed with nobody absent (or with its absences already in)."""
    day = _markable(klass.school.township_id, day_text)
    take_roll(klass, day, user)
    return day


def rolls(klass: ClassGroup, first: date, last: date) -> set[date]:
    """The days between first and last whose roll the class took."""
    return set(db.session.scalars(_rolls(), {"class_id": klass.id, "first": first,
                                             "last": last}))


@functools.cache
def _rolls() -> sa.Select:
    """The days a class (`class_id`) took its roll from `first` to `last` (built once)."""
    first, last = (sa.bindparam(name, type_=sa.Date) for name in ("first", "last"))
    return sa.select(RollCall.day).where(RollCall.class_id == sa.bindparam("class_id"),
                                         RollCall.day.between(first, last))


def mark(student: Student, day_text: str, kind: str, reason: str, user,
         shown: str | None = None) -> Marked:
    """One click on the weekly grid: the child's day set to `kind` (unexcused / sick /
    personal), or cleared ("clear", or the kind the clicked cell showed: `shown`, "" for none;
    without it, the kind the day has). The cell's own state decides, not the database's: a
    click in a second tab that still shows "·" sets the kind another tab set, where toggling
    the database's state cleared it. Only a school day up to today can be marked; marking
    takes the class's roll of that day. The rules run at once. The caller (who fetched the
    child in scope) commits."""
    if kind not in (*ABSENCE_KINDS, "clear"):
        raise Refusal("请刷新页面后再试。")
    day = _markable(student.school.township_id, day_text)
    today = clock.today()
    taken = take_roll(student.class_group, day, user) if student.class_group else False
    absence = db.session.scalar(sa.select(Absence).where(Absence.student_id == student.id,
                                                         Absence.day == day))
    had = shown if shown is not None else (absence.kind if absence else "")
    if absence is not None and (kind == "clear" or had == kind):
        db.session.delete(absence)
        absence = None
    elif kind != "clear":
        if absence is None:
            absence = Absence(student_id=student.id, school_id=student.school_id, day=day,
                              user_id=user.id)
            db.session.add(absence)
        absence.kind, absence.reason = kind, (reason or "").strip()[:100]
    db.session.flush()
    return Marked(day, absence, evaluate(student, today) is not None, taken)


def run_all(today: date, lookback_days: int = 60) -> int:
    """The nightly run: every enrolled child with an unexcused absence lately. Returns how many
    warnings were opened or updated; the caller commits."""
    ids = db.session.scalars(sa.select(Absence.student_id).where(
        Absence.kind == "unexcused", Absence.day >= today - timedelta(days=lookback_days),
        Absence.day <= today).distinct()).all()
    changed = 0
    for student in db.session.scalars(sa.select(Student).where(Student.id.in_(ids))):
        changed += evaluate(student, today) is not None
    from blueprints.cases import workflow
    return changed + workflow.mark_dropouts(today)
