"""包保责任表: the responsibility lines of a school's or a village's children, printed for
posting in the village office (ID numbers always masked)."""
from __future__ import annotations

from datetime import date

import access
import audit
import pdf
import printjobs
from extensions import db
from models import RESPONSIBILITY_KINDS, School, Student
from params import whole
from refusal import Refusal


@printjobs.batch("responsibility_table")
def table_batch(params: dict) -> printjobs.Batch:
    """包保责任表 of a school or of a village, for posting: ID numbers are always masked."""
    stmt = access.scoped(Student).where(Student.status == "enrolled")
    school_id, village = whole(params.get("school")), str(params.get("village", "")).strip()
    if school_id is not None:
        school = access.get_or_404(School, school_id)
        stmt, label = stmt.where(Student.school_id == school.id), school.name
    elif village:
        stmt, label = stmt.where(Student.village == village), f"{village}（户籍）"
    else:
        raise Refusal("请选择一所学校或一个村再打印包保责任表。")
    students = db.session.scalars(stmt.order_by(Student.school_id, Student.grade,
                                                Student.name_pinyin)).all()
    if not students:
        raise Refusal(f"{label}没有在读学生，没有可打印的责任表。")

    def finish():
        audit.record("export", f"打印包保责任表：{label} {len(students)} 人",
                     table_name="responsibilities",
                     after={"rows": len(students), "format": "pdf", "full_ids": False})

    return printjobs.Batch(
        title=f"包保责任表：{label}（{len(students)} 人）", filename=f"包保责任表-{label}.pdf",
        parts=[pdf.Part("print/responsibility_table.html", {
            "students": students, "kinds": RESPONSIBILITY_KINDS, "scope_label": label,
            "today": date.today()})],
        finish=finish)
