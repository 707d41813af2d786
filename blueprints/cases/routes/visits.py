"""家访: record a visit (workflow.record_visit), the list and month's counts, one visit's record
and its photo, the printed record and the blank form."""
from collections import Counter

from flask import abort, flash, render_template, request, send_file, url_for
from flask_login import current_user

import access
import audit
import clock
import pdf
import printjobs
import uploads
from blueprints.cases import bp, workflow
from blueprints.cases.forms import VisitForm
from blueprints.cases.lists import VisitFilter, visitors
from extensions import db
from models import EarlyWarning, HomeVisit, Student
from responses import after_write, form_page
from refusal import Refusal


@bp.route("/visits/new", methods=["GET", "POST"])
@access.require(*access.MARKERS)
def new_visit():
    student, warning = _visited()
    form = VisitForm()
    form.student = student
    if not form.is_submitted():
        form.visitors.data = f"{current_user.name}（{current_user.role_label}）"
    if form.validate_on_submit():
        try:
            visit, case = workflow.record_visit(
                student, warning, current_user, clock.today(),
                photo=form.file.data.read() if form.file.data else b"",
                mode=form.mode.data, visited_on=form.visited_on.data, visitors=form.visitors.data,
                met=form.met.data,
                situation=form.situation.data, reasons=",".join(form.reasons.data),
                outcome=",".join(form.outcome.data), next_step=form.next_step.data)
        except Refusal as refused:  # the photo or scan: shown beside its field
            form.file.errors.append(str(refused))
        else:
            db.session.commit()
            opened = case and case.trigger == "visit" and case.opened_on == visit.visited_on
            flash(f"已记录对 {student.name} 的{visit.mode_label}。"
                  + ("孩子不在家，已立为疑似辍学个案。" if opened else ""), "success")
            return after_write(url_for("cases.show", case_id=case.id) if case
                               else url_for("students.show", student_id=student.id))
    return form_page("cases/visit_form.html", form, student=student, warning=warning)


def _visited() -> tuple[Student, EarlyWarning | None]:
    """The child a new visit is to (?student=) and the warning it answers, if any (?warning=)."""
    student = access.get_or_404(Student, request.values.get("student", type=int) or 0)
    warning_id = request.values.get("warning", type=int)
    warning = access.get_or_404(EarlyWarning, warning_id) if warning_id else None
    if warning and warning.student_id != student.id:
        abort(404)  # a warning is answered by a visit to its own child
    return student, warning


@bp.route("/visits/")
@access.require(*access.EVERYONE)
def visits():
    """Visits by school, visitor and month, with counts."""
    filters = VisitFilter.from_args(request.args)
    rows = filters.rows()
    counts = {
        "school": Counter(v.student.school.name for v in rows),
        "user": Counter(v.user.name if v.user else "—" for v in rows),
        "month": Counter(v.visited_on.strftime("%Y-%m") for v in rows),
        "mode": Counter(v.mode_label for v in rows),
    }
    chosen = {filters.user} if filters.user else set()
    users = visitors({v.user_id for v in rows if v.user_id} | chosen)
    return render_template("cases/visits.html", rows=rows, counts=counts, filters=filters,
                           schools=access.school_choices(), users=users)


@bp.route("/visits/<int:visit_id>")
@access.require(*access.EVERYONE)
def visit(visit_id):
    row = access.get_or_404(HomeVisit, visit_id)
    return render_template("print/visit.html", visits=[row])


@bp.route("/visits/<int:visit_id>/file")
@access.require(*access.EVERYONE)
def visit_file(visit_id):
    row = access.get_or_404(HomeVisit, visit_id)
    if not row.file_path:
        abort(404)
    return send_file(uploads.folder("visits") / row.file_path)


@printjobs.batch("visit_record")
def visit_record(params: dict) -> printjobs.Batch:
    """家访记录表: filled for one visit, or blank for the paper."""
    row = access.get_or_404(HomeVisit, int(params["id"])) if params.get("id") else None

    def finish():
        if row:
            audit.record("export", f"打印家访记录表：{row.student.name} {row.visited_on}",
                         table_name="home_visits", row_id=row.id, after={"format": "pdf"})
    return printjobs.Batch(
        title="家访记录表", filename=f"家访记录表-{row.student.name if row else '空白'}.pdf",
        parts=[pdf.Part("print/visit.html", {"visits": [row] if row else [None]})],
        finish=finish)


@bp.route("/visits/<int:visit_id>.pdf")
@access.require(*access.EVERYONE)
def visit_pdf(visit_id):
    return printjobs.render_now("visit_record", {"id": visit_id})


@bp.route("/visits/blank.pdf")
@access.require(*access.EVERYONE)
def visit_blank():
    return printjobs.render_now("visit_record", {})
