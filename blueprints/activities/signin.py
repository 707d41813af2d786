"""家长会签到表 of a class: a line for each enrolled child with the first guardian's name and
relation printed, and the parent's signature, phone and note left to write. Phone numbers are
not printed: the sheet passes from hand to hand among the parents."""
from sqlalchemy.orm import selectinload

import access
import audit
import clock
import pdf
import printjobs
from extensions import db
from models import Activity, ClassGroup, Student
from params import whole


@printjobs.batch("parents_signin")
def signin_batch(params: dict) -> printjobs.Batch:
    klass = access.get_or_404(ClassGroup, whole(params.get("class")) or 0)
    activity_id = whole(params.get("activity"))
    activity = access.get_or_404(Activity, activity_id) if activity_id else None
    students = db.session.scalars(access.scoped(Student).where(
        Student.class_id == klass.id, Student.status == "enrolled").order_by(
        Student.name_pinyin).options(selectinload(Student.guardians))).all()
    kind = activity.kind_label if activity else "家长会"
    title = f"{klass.school.name}{klass.label}{kind}签到表"

    def finish():
        audit.record("export", f"打印{title}（{len(students)} 人）", table_name="guardians",
                     school_id=klass.school_id, after={"format": "pdf", "rows": len(students)})
    return printjobs.Batch(title=title, filename=f"{title}.pdf", parts=[pdf.Part(
        "print/parents_signin.html", {"title": title, "klass": klass, "activity": activity,
                                      "students": students, "today": clock.today()})],
        finish=finish)
