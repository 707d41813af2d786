"""学生信息表: the print batch of one child's sheet or the sheets of the filtered register,
one page each. Full ID numbers only for the roles that see them (access.sees_full_ids)."""
from __future__ import annotations

import access
import audit
import clock
import pdf
import printjobs
from blueprints.students.register import Filters
from extensions import db
from models import Student
from refusal import Refusal

MAX_SHEETS = 300  # a whole village school in one batch; a central school prints by grade


@printjobs.batch("student_sheets")
def batch(params: dict) -> printjobs.Batch:
    if "id" in params:
        students = [access.get_or_404(Student, int(params["id"]))]
    else:
        students = db.session.scalars(Filters.from_args(params).statement()
                                      .limit(MAX_SHEETS + 1)).all()
    if not students:
        raise Refusal("名册里没有符合筛选条件的学生。")
    if len(students) > MAX_SHEETS:
        raise Refusal(f"一次最多打印 {MAX_SHEETS} 份学生信息表。请按学校、年级或班级筛选后再打印。")
    full = access.sees_full_ids()
    today = clock.today()

    def finish():
        audit.record("export", f"打印学生信息表 {len(students)} 份", table_name="students",
                     row_id=students[0].id if len(students) == 1 else None,
                     after={"rows": len(students), "full_ids": full, "format": "pdf"})

    return printjobs.Batch(
        title=(f"学生信息表（{students[0].name}）" if len(students) == 1
               else f"学生信息表 {len(students)} 份"),
        filename=(f"学生信息表-{students[0].name}.pdf" if len(students) == 1
                  else f"学生信息表-{len(students)}份-{today:%Y%m%d}.pdf"),
        parts=[pdf.Part("print/student_sheet.html",
                        {"students": [s], "full_ids": full, "today": today}) for s in students],
        finish=finish)
