"""一人一档: one child's whole file on paper, for the school's 控辍保学 archive: the 学生信息表's
facts, then the child's responsible persons on both lines, the risk level with its reasons, this
term's attendance, and every dated event the child's page shows (学籍, warnings, visits, cases,
pairs, aid ...), newest first. What a user may not see (another school's counselling) is not
in it: the events are read through access.scoped as on the page."""
from __future__ import annotations

import access
import audit
import clock
import pdf
import printjobs
from blueprints.attendance import risk
from blueprints.students import timeline
from models import RESPONSIBILITY_KINDS, Student


@printjobs.batch("student_file")
def batch(params: dict) -> printjobs.Batch:
    student = access.get_or_404(Student, int(params["id"]), options=timeline.PROFILE_LOADS)
    full, today = access.sees_full_ids(), clock.today()
    term = timeline.term_begun(today)
    title = f"学生个人档案（{student.name}）"

    def finish():
        audit.record("export", f"打印{title}", table_name="students", row_id=student.id,
                     after={"rows": 1, "full_ids": full, "format": "pdf"})
    return printjobs.Batch(title=title, filename=f"学生个人档案-{student.name}.pdf", parts=[pdf.Part(
        "print/student_file.html", {
            "s": student, "full_ids": full, "today": today, "term": term,
            "absences": timeline.attendance(student, term.start_date) if term else None,
            "risk": risk.assess([student], today)[student.id]
            if student.status == "enrolled" else None,
            "lines": student.responsible(), "kinds": RESPONSIBILITY_KINDS,
            "events": timeline.events(student)})], finish=finish)
