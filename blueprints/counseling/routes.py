"""心理辅导: record a teacher's individual or group counselling, see the 厌学 children's 转化
and the records, a page at a time (log.py has the rules)."""

from flask import abort, current_app, flash, render_template, request, url_for
from flask_login import current_user

import access
import printjobs
from blueprints.counseling import bp, log, sheet  # noqa: F401 (sheet: its print batch)
from blueprints.counseling.forms import CounselingForm
from extensions import db
from filters import SchoolFilter
from models import CounselingRecord, Student
from responses import after_write, form_page


@bp.route("/")
@access.require(*access.STAFF)
def index():
    filters = SchoolFilter.from_args(request.args)
    records = access.scoped(CounselingRecord)
    if filters.school:
        records = records.where(CounselingRecord.school_id == filters.school)
    page = db.paginate(records.order_by(CounselingRecord.held_on.desc(),
                                        CounselingRecord.id.desc()),
                       page=request.args.get("page", 1, type=int),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("counseling/index.html", page=page, filters=filters,
                           schools=access.schools(), weary=log.conversions(filters.school))


@bp.route("/new", methods=["GET", "POST"], defaults={"record_id": None})
@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
@access.require(*access.STAFF)
def form(record_id):
    record = _editable(record_id) if record_id else None
    child = access.get_or_404(Student, request.args.get("student", type=int)) \
        if request.args.get("student") else (record.student if record else None)
    form = CounselingForm(obj=record, student_id=child.id if child else 0,
                          kind="individual" if child or not record else record.kind)
    form.student_id.choices, form.record_id = log.student_choices(child), record_id
    if form.validate_on_submit():
        record = record or CounselingRecord(counselor_id=current_user.id)
        _fill(record, form)
        db.session.add(record)
        db.session.commit()
        flash(f"已保存{record.kind_label}记录：{record.who}。", "success")
        return after_write(url_for("counseling.index"))
    return form_page("counseling/form.html", form, record=record)


def _editable(record_id: int) -> CounselingRecord:
    """A record its counsellor, or a leader of the school, may correct; not another teacher."""
    record = access.get_or_404(CounselingRecord, record_id)
    if record.counselor_id != current_user.id and access.class_scoped():
        abort(403)
    return record


def _fill(record: CounselingRecord, form) -> None:
    individual = form.kind.data == "individual"
    student = access.get_or_404(Student, form.student_id.data) if individual else None
    record.kind, record.student = form.kind.data, student
    record.school_id = student.school_id if student else current_user.school_id
    record.group_label = "" if individual else form.group_label.data.strip()
    record.group_size = 0 if individual else form.group_size.data
    record.held_on, record.topic = form.held_on.data, form.topic.data
    record.content, record.change = form.content.data.strip(), form.change.data or ""
    record.next_step = (form.next_step.data or "").strip()


@bp.route("/students/<int:student_id>.pdf")
@access.require(*access.STAFF)
def record_pdf(student_id):
    """学生心理辅导记录表 of one child, for their file."""
    return printjobs.render_now("counseling_record", {"student": student_id})
