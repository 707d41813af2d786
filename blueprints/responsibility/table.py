"""包保责任表: the responsibility lines of a school's or a village's children, printed for
posting in the village office (ID numbers always masked)."""
from __future__ import annotations

from datetime import date
from itertools import groupby

from sqlalchemy.orm import selectinload

import access
import audit
import pdf
import printjobs
from extensions import db
from models import RESPONSIBILITY_KINDS, Responsibility, School, Student
from params import whole
from refusal import Refusal


@printjobs.batch("responsibility_table")
def table_batch(params: dict) -> printjobs.Batch:
    """包保责任表 for posting, ID numbers always masked: of a school ({"school": id}), of a
    village's children whatever their school ({"village": name}), or of every school the user
    sees ({"all": "1"}: the whole township in one job, a document per school, so each school's
    sheets are numbered from 1 and posted at that school)."""
    stmt = access.scoped(Student).where(Student.status == "enrolled")
    school_id, village = whole(params.get("school")), str(params.get("village", "")).strip()
    if school_id is not None:
        school = access.get_or_404(School, school_id)
        stmt, label = stmt.where(Student.school_id == school.id), school.name
    elif village:
        stmt, label = stmt.where(Student.village == village), f"{village}（户籍）"
    elif params.get("all"):
        label = "全镇" if access.township_id() and len(access.schools()) > 1 else \
            access.schools()[0].name
    else:
        raise Refusal("请选择一所学校或一个村再打印包保责任表。")
    students = db.session.scalars(stmt.order_by(
        Student.school_id, Student.grade, Student.class_id, Student.name_pinyin).options(
        selectinload(Student.school), selectinload(Student.class_group),
        selectinload(Student.responsibilities).selectinload(Responsibility.user),
        selectinload(Student.responsibilities).selectinload(Responsibility.cadre))).all()
    if not students:
        raise Refusal(f"{label}没有在读学生，没有可打印的责任表。")
    if village:
        groups = [(label, students, True)]
    else:  # a school's sheet names its school in its heading, not on every row
        by_school = groupby(students, key=lambda s: s.school)
        groups = [(school.name, list(rows), False) for school, rows in by_school]

    def finish():
        audit.record("export", f"打印包保责任表：{label} {len(students)} 人",
                     table_name="responsibilities",
                     after={"rows": len(students), "format": "pdf", "full_ids": False})

    schools = f" {len(groups)} 所学校" if len(groups) > 1 else ""
    return printjobs.Batch(
        title=f"包保责任表：{label}{schools}（{len(students)} 人）",
        filename=f"包保责任表-{label}.pdf", unit="所学校" if schools else "份",
        parts=[pdf.Part("print/responsibility_table.html", {
            "students": rows, "kinds": RESPONSIBILITY_KINDS, "scope_label": name,
            "show_school": show_school, "today": date.today()})
            for name, rows, show_school in groups],
        finish=finish)
