"""学生心理辅导记录表: a child's individual talks on one sheet for their file, printed by the
school (the records are confidential: access.py scopes them, the print is audited)."""
import access
import audit
import clock
import pdf
import printjobs
from extensions import db
from models import CounselingRecord, Student
from params import whole


@printjobs.batch("counseling_record")
def record_batch(params: dict) -> printjobs.Batch:
    student = access.get_or_404(Student, whole(params.get("student")) or 0)
    records = db.session.scalars(access.scoped(CounselingRecord).where(
        CounselingRecord.student_id == student.id).order_by(
        CounselingRecord.held_on, CounselingRecord.id)).all()
    title = f"学生心理辅导记录表-{student.name}"

    def finish():
        audit.record("export", f"打印{student.name}的心理辅导记录表（{len(records)} 次）",
                     table_name="counseling_records", school_id=student.school_id,
                     after={"format": "pdf", "rows": len(records)})
    return printjobs.Batch(title=title, filename=f"{title}.pdf", parts=[pdf.Part(
        "print/counseling_record.html", {"student": student, "records": records,
                                         "today": clock.today()})], finish=finish)
