"""辍学风险学生台账: every enrolled child in scope at 高 or 中 risk, the highest first, with the
reasons behind the level (each indicator and its evidence), who is responsible for the child
and what support they have, as a PDF ledger and as Excel. Both are audited exports."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import access
import audit
import clock
import pdf
import printjobs
from blueprints.attendance import risk, scores
from blueprints.students import register
from extensions import db
from models import SCHOOL_LINE, Student, TutoringPair
from params import whole

COLUMNS = [("序号", 6), ("学校", 16), ("年级班级", 10), ("姓名", 8), ("性别", 5), ("风险等级", 8),
           ("分值", 6), ("风险因素及依据", 60), ("包保责任人", 18), ("帮扶措施", 18),
           ("监护人及电话", 20)]


def rows(school_id: int | None, today: date) -> list[list]:
    """The ledger's rows, in COLUMNS' order."""
    ids = register.enrolled(school_id).with_only_columns(Student.id)
    order = scores.ranked(ids, today)
    students = {s.id: s for s in db.session.scalars(sa.select(Student).where(
        Student.id.in_(order)).options(
        selectinload(Student.school), selectinload(Student.class_group),
        selectinload(Student.guardians), selectinload(Student.responsibilities),
        selectinload(Student.tutoring_pairs).selectinload(TutoringPair.teacher)))}
    found = risk.assess(list(students.values()), today)
    out = []
    for n, sid in enumerate(order, 1):
        s, a = students[sid], found[sid]
        lines = s.responsible()
        pairs = [p for p in s.tutoring_pairs if p.active_on(today)]
        out.append([
            n, s.school.name, s.class_label, s.name, s.sex,
            a.label + ("（人工调整）" if a.override and a.override.level else ""), a.score,
            "；".join(f"{i.label}（{i.evidence}）" if i.evidence else i.label
                     for i in a.indicators),
            "、".join(f"{lines[k].person.name}（{lines[k].kind_label}）" for k in SCHOOL_LINE
                     if k in lines and lines[k].person),
            "、".join(f"{p.kind_label}：{p.teacher.name}" for p in pairs),
            "；".join(f"{g.name}（{g.relation}）{g.phone}" for g in s.guardians[:2])])
    return out


@printjobs.batch("risk_ledger")
def ledger_batch(params: dict) -> printjobs.Batch:
    school_id = whole(params.get("school"))
    label, unit = access.unit_of(school_id)
    title = f"辍学风险学生台账（{label}）"
    today = clock.today()
    found = rows(school_id, today)  # none: the ledger says 无, as one filed that month would

    def finish():
        audit.record("export", f"打印辍学风险学生台账 {len(found)} 人", table_name="students",
                     after={"rows": len(found), "format": "pdf"})
    return printjobs.Batch(
        title=title, filename=f"{title}-{today:%Y%m%d}.pdf",
        parts=[pdf.Part("print/ledger.html", {
            "title": title, "columns": COLUMNS, "rows": found, "unit": unit, "today": today})],
        finish=finish)
