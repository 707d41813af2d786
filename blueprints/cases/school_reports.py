"""学校月报: each school reports its month to the central school once the month has ended: its
疑似辍学 and 辍学 rows and counts as they stand, or a 零报告 when nobody was out, with its
head's words (SchoolReport, kept as sent). Sent again, it is the next version, with the reason.
The central school sees, on the month's ledger, which schools have reported and which have not;
a head whose school has not reported last month is told on the home page."""
from __future__ import annotations

from datetime import date, timedelta

import access
from blueprints.cases import ledger
from extensions import db
from models import School, SchoolReport, User, last_month
from refusal import Refusal

KINDS = ("suspected", "dropout")


def send(school: School, first: date, last: date, user: User, today: date,
         note: str = "", shown: int | None = None) -> SchoolReport:
    """The school's month reported (or reported again: the next version, with its reason); a
    school in the user's scope, which the caller fetched; `shown`: the version the page showed
    (0: none), a page opened before another send is refused. The caller audits and commits."""
    if today < last:
        raise Refusal(f"{first.year}年{first.month}月还没有过完，月底（{last}）之后才能报送月报。")
    if first < today.replace(day=1) - timedelta(days=366):
        raise Refusal("只能报送最近一年内的月报。")
    rows = {kind: ledger.case_rows(kind, first, last, school.id, True) for kind in KINDS}
    counts = ledger.monthly_counts(first, last, [school])[0]
    content = {**rows, "counts": [counts.new, counts.returned, counts.closed, counts.still_out]}
    earlier = db.session.scalars(access.scoped(SchoolReport).where(
        SchoolReport.school_id == school.id, SchoolReport.month == first)
        .order_by(SchoolReport.version)).all()
    note = note.strip()[:500]
    if shown is not None and shown != (earlier[-1].version if earlier else 0):
        raise Refusal(f"{school.name}{first.month}月的月报刚才已报送（第 {earlier[-1].version} 版），"
                      "这一页是报送前打开的：请刷新页面，看过再决定是否再次报送。")
    if earlier and not note:
        raise Refusal(f"{school.name}{first.month}月的月报已在 {earlier[-1].sent_on} 报送过；"
                      "再次报送（更正）请写明原因。")
    report = SchoolReport(school_id=school.id, month=first, sent_on=today, user_id=user.id,
                          version=earlier[-1].version + 1 if earlier else 1, note=note,
                          suspected=len(rows["suspected"]), dropouts=len(rows["dropout"]),
                          content=content)
    db.session.add(report)
    return report


def sent(first: date) -> dict[int, list[SchoolReport]]:
    """{school id: its reports of the month, the first first} of the schools the user sees."""
    out: dict[int, list[SchoolReport]] = {}
    for report in db.session.scalars(access.scoped(SchoolReport).where(
            SchoolReport.month == first).order_by(SchoolReport.version)):
        out.setdefault(report.school_id, []).append(report)
    return out


def unreported(today: date) -> list[School]:
    """The active schools the user sees that have not reported last month."""
    first, _last = last_month(today)  # the month a school reports now: the last ended
    done = sent(first)
    return [s for s in access.schools() if s.active and s.id not in done]


def title(report: SchoolReport) -> str:
    """石桥村小2026年11月月报（零报告，第 1 版）: for the log and the message."""
    what = "零报告" if report.zero else f"疑似辍学 {report.suspected} 人、辍学 {report.dropouts} 人"
    return (f"{report.school.name}{report.month.year}年{report.month.month}月月报"
            f"（{what}，第 {report.version} 版）")
