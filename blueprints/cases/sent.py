"""报送: a month's 疑似辍学 and 辍学 ledgers, and each school's counts, kept as the township sent
them (MonthReport), with the monthly report's figures as they stood that day. Once a month is
sent, its ledger page, Excel, print and the monthly report show what was sent, whatever the
records say later; when they say something else, the page
lists what changed, and the officer sends a correction (更正: the next version, dated, with its
reason), which every reprint then shows. Earlier versions stay and can be opened.

The rows are kept with full ID-bearing numbers (学籍号) and masked when shown to a role that sees
them masked, as the live ledger is. A month is sent once it has ended (on its last day or
later): a month still running has nothing final to send.
"""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app

import access
from blueprints.cases import ledger
from extensions import db
from models import MonthReport, Student, User, mask_id
from paging import Page
from refusal import Refusal

FROZEN = ("suspected", "dropout")  # the 适龄儿童台账 is a roster of today, not a month's report


def versions(central_id: int | None, first: date) -> list[MonthReport]:
    """Every version sent for the month, the first first."""
    if central_id is None:
        return []
    return db.session.scalars(sa.select(MonthReport).where(
        MonthReport.central_id == central_id, MonthReport.month == first)
        .order_by(MonthReport.version)).all()


def now(first: date, last: date) -> dict:
    """The month's ledgers as the records give them today, for the whole township."""
    return {**{kind: ledger.case_rows(kind, first, last, None, True) for kind in FROZEN},
            "counts": [[c.school.name, c.new, c.returned, c.closed, c.still_out]
                       for c in ledger.monthly_counts(first, last)]}


def send(central_id: int, first: date, last: date, user: User, today: date,
         note: str = "") -> MonthReport:
    """Send the month (or a correction of what was sent); the caller audits and commits."""
    if today < last:
        raise Refusal(f"{first.year}年{first.month}月还没有过完，月底（{last}）之后才能报送。")
    sent = versions(central_id, first)
    content = now(first, last)
    from blueprints.dashboard import metrics  # the monthly report's figures, as sent
    content["figures"] = metrics.report_table(metrics.dashboard(today, first))
    if sent and sent[-1].content == content:  # its rows, counts and the report's figures
        raise Refusal("报送以后记录和月报的数字都没有变化，不需要更正。")
    if sent and not note.strip():
        raise Refusal("更正报送请写明更正的原因（例如：补报漏报的学生）。")
    report = MonthReport(central_id=central_id, month=first, sent_on=today, user_id=user.id,
                         version=sent[-1].version + 1 if sent else 1, note=note.strip()[:300],
                         content=content)
    db.session.add(report)
    return report


def changes(report: MonthReport, first: date, last: date) -> list[str]:
    """What the records say now that the version sent does not, in words: of the children the
    user may see (the records today are read in the user's scope, so the version sent is too:
    a head was told of other schools' children 少了, by name)."""
    current, out = now(first, last), []
    for kind in FROZEN:
        label = ledger.KINDS[kind]
        before = {(r[1], r[3]): r for r in rows(report, kind, None, True)}
        after = {(r[1], r[3]): r for r in current[kind]}
        out += [f"{label}多了 {name}（{school}）" for school, name in after.keys() - before.keys()]
        out += [f"{label}少了 {name}（{school}）" for school, name in before.keys() - after.keys()]
        out += [f"{label}中 {name}（{school}）的记录有变化" for school, name
                in before.keys() & after.keys() if before[(school, name)][1:] != after[(school, name)][1:]]
    names = _names(None)
    if [c for c in report.content["counts"] if c[0] in names] != \
            [c for c in current["counts"] if c[0] in names]:
        out.append("各校的新增、复学、销号或仍未返校人数有变化")
    return sorted(out)


def case_rows(report: MonthReport | None, kind: str, first: date, last: date,
              school_id: int | None, full_ids: bool) -> list[list]:
    """A month's ledger rows: as sent when the month was sent (report), else from the records."""
    if report is None:
        return ledger.case_rows(kind, first, last, school_id, full_ids)
    return rows(report, kind, school_id, full_ids)


def case_page(report: MonthReport | None, kind: str, first: date, last: date,
              school_id: int | None, full_ids: bool, number: int) -> Page:
    """A page of the month's ledger rows on screen: as sent, or from the records (case_rows)."""
    size = current_app.config["PAGE_SIZE"]
    if report is None:
        return ledger.case_page(kind, first, last, school_id, full_ids, number, size)
    return Page.of(rows(report, kind, school_id, full_ids), number, size)


def month_counts(report: MonthReport | None, first: date, last: date,
                 schools: list | None = None) -> list:
    """Each school's counts for the month: as sent when it was sent, else from the records (of
    `schools` when the page has them already, ledger.monthly_counts)."""
    return counts(report, None) if report else ledger.monthly_counts(first, last, schools)


def rows(report: MonthReport, kind: str, school_id: int | None, full_ids: bool) -> list[list]:
    """A sent ledger's rows for the schools the user sees (or the one chosen), and for a user
    who sees children class by class (a teacher), their own children only; numbered again."""
    names = _names(school_id)
    own = _own(report.content[kind]) if access.class_scoped() else None
    out = []
    for row in report.content[kind]:
        if row[1] in names and (own is None or (row[3], row[ledger.NUMBER]) in own):
            row = [len(out) + 1, *row[1:]]
            if not full_ids:
                row[ledger.NUMBER] = mask_id(row[ledger.NUMBER])
            out.append(row)
    return out


def counts(report: MonthReport, school_id: int | None) -> list[SimpleNamespace]:
    """A sent month's counts as ledger.Counts shows them (c.school.name, c.new, ...)."""
    names = _names(school_id)
    return [SimpleNamespace(school=SimpleNamespace(name=name), new=new, returned=returned,
                            closed=closed, still_out=still_out)
            for name, new, returned, closed, still_out in report.content["counts"]
            if name in names]


def _own(sent: list[list]) -> set[tuple[str, str]]:
    """(name, 学籍号) of the sent rows' children the user may see: a row is kept with the
    child's name and full 学籍号, not the record's id."""
    return {(s.name, s.student_no or "") for s in db.session.scalars(access.scoped(Student).where(
        Student.name.in_({row[3] for row in sent})))}


def _names(school_id: int | None) -> set[str]:
    return {s.name for s in access.schools() if not school_id or s.id == school_id}
