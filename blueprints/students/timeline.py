"""一人一档: everything recorded about a child as one timeline, newest first, and the term's
attendance summary. Each area's rows are read through access.scoped."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload, selectinload

import access
from extensions import db
from models import (ABSENCE_KINDS, Absence, AidGrant, AidProgram, CaseNotice, CaseStep,
                    DropoutCase, EarlyWarning, FollowUp, HomeVisit, RiskOverride, Student,
                    Term, TutoringPair, TutoringSession)


# What 一人一档 reads of the child beside the timeline: its school, class, guardians, status
# changes and 包保 lines in the child's own statement (one child: a few rows joined, where each
# was a statement, ~0.5 ms apiece on PostgreSQL), its grants with their programmes and terms
# in one more (they were a statement each, and one for each programme).
PROFILE_LOADS = (joinedload(Student.school), joinedload(Student.class_group),
                 joinedload(Student.guardians), joinedload(Student.status_changes),
                 joinedload(Student.responsibilities),
                 selectinload(Student.aid_grants).joinedload(AidGrant.program)
                 .joinedload(AidProgram.term))


@dataclass
class Event:
    day: date
    kind: str  # 学籍 / 预警 / 家访 / 劝返 / 回访 / 帮扶 / 资助
    text: str
    link: str | None = None


def events(student: Student) -> list[Event]:
    out = [Event(c.changed_on, "学籍", f"{c.from_label} → {c.to_label}"
                 + (f"，原因：{c.reason}" if c.reason else "")
                 + (f"，去向：{c.destination}" if c.destination else ""))
           for c in student.status_changes]
    child = {"child": student.id}
    # which areas hold anything for the child, in one statement: most children have no
    # warning, visit, case, pair or override, and six statements found nothing (~0.2 ms each)
    held = db.session.execute(_held(), child).one()
    for (stmt, told), any_rows in zip(_sources(), held):
        if any_rows:
            out += [event for row in db.session.scalars(stmt, child) for event in told(row)]
    for g in student.aid_grants:
        out.append(Event(g.paid_on or g.applied_on, "资助",
                         f"{g.program.name} {g.yuan} 元，{g.status_label}"))
    return sorted(out, key=lambda e: e.day, reverse=True)


@access.per_scope
def _held() -> sa.Select:
    """Whether each of _sources() holds any of the child's rows, in one statement."""
    return sa.select(*[stmt.exists() for stmt, _ in _sources()])


@access.per_scope
def _sources() -> list[tuple[sa.Select, object]]:
    """(the `child`'s rows of an area, read through access.scoped, the child a parameter; the
    events a row tells)."""
    child = sa.bindparam("child")
    cases = access.scoped(DropoutCase).where(DropoutCase.student_id == child) \
        .with_only_columns(DropoutCase.id)

    def warning(w):
        yield Event(w.opened_on, "预警", f"{w.rule_label} {w.days} 天（"
                    f"{'、'.join(w.evidence)}），期限 {w.due_on}")
        if w.closed_on:
            yield Event(w.closed_on, "预警", f"预警已处理：{w.action}")
    return [
        (access.scoped(EarlyWarning).where(EarlyWarning.student_id == child), warning),
        (access.scoped(HomeVisit).where(HomeVisit.student_id == child), lambda v: [Event(
            v.visited_on, "家访", f"{v.visitors}：{v.outcome_label}。{v.situation}",
            url_for("cases.visit", visit_id=v.id))]),
        (access.scoped(CaseStep).where(CaseStep.case_id.in_(cases)), lambda st: [Event(
            st.on, "劝返", f"{st.from_label} → {st.to_label}：{st.note}",
            url_for("cases.show", case_id=st.case_id))]),
        (access.scoped(FollowUp).where(FollowUp.case_id.in_(cases),
                                       FollowUp.done_on.is_not(None)),
         lambda f: [Event(f.done_on, "回访", f"{f.label}：{f.note}")]),
        (access.scoped(CaseNotice).where(CaseNotice.case_id.in_(cases)), lambda n: [Event(
            n.issued_on, "文书", f"印发{n.kind_label}（{n.doc_no}）"
            + (f"，{n.receipt_on} 收回回执" if n.receipt_on else ""),
            url_for("cases.show", case_id=n.case_id))]),
        (access.scoped(TutoringSession).join(TutoringPair).where(
            TutoringPair.student_id == child), lambda s: [Event(
                s.held_on, "帮扶", f"{s.pair.kind_label}（{s.pair.teacher.name}）"
                f"{s.mode_label} {s.minutes} 分钟：{s.content}")]),
        (access.scoped(RiskOverride).where(RiskOverride.student_id == child),
         lambda o: [Event(o.on, "风险", f"{o.user.name if o.user else ''}调整风险等级为"
                          f"{o.level_label}：{o.reason}")]),
    ]


def term_begun(day: date) -> Term | None:
    """The latest term begun by `day`: a child's page sums the absences since its start."""
    return db.session.scalar(_term_begun(), {"day": day})


@access.per_scope
def _term_begun() -> sa.Select:
    return access.scoped(Term).where(Term.start_date <= sa.bindparam("day", type_=sa.Date)) \
        .order_by(Term.start_date.desc()).limit(1)


def attendance(student: Student, since: date) -> dict[str, int]:
    """Days absent since a date, by kind (the term's summary). Scoped by the child itself, not
    by scoped(Absence): its list of the township's 5,000 ids took 3.3 of the page's 3.9 ms of
    SQL."""
    counts = Counter(db.session.scalars(_absences(), {"child": student.id, "since": since}))
    return {label: counts.get(kind, 0) for kind, label in ABSENCE_KINDS.items()}


@access.per_scope
def _absences() -> sa.Select:
    """attendance()'s statement: the kinds of the `child`'s absences `since` a day."""
    child = access.scoped(Student).where(Student.id == sa.bindparam("child")) \
        .with_only_columns(Student.id)
    return sa.select(Absence.kind).where(Absence.student_id.in_(child),
                                         Absence.day >= sa.bindparam("since"))
