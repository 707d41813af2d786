"""劝返个案: the list, opening a case, its page, its steps and follow-ups (workflow.py, the
one place a case changes), the notices it issues (numbered, printed)."""
from datetime import date

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

import access
import audit
import clock
import pdf
import printjobs
from blueprints.cases import bp, workflow
from blueprints.cases.forms import CaseFactsForm, StepForm
from blueprints.cases.lists import CaseFilter, follow_ups_due
from extensions import db
from forms import fingerprint, stale
from models import CASE_STATES, CaseNotice, DropoutCase, FollowUp, HomeVisit, Student
from responses import after_write, form_page
from refusal import Refusal


@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    filters = CaseFilter.from_args(request.args)
    rows, due = filters.rows(), follow_ups_due(clock.today())
    return render_template("cases/index.html", rows=rows, filters=filters, states=CASE_STATES,
                           schools=access.school_choices(), today=clock.today(), due=due)


@bp.route("/new", methods=["GET", "POST"])
@access.require(*access.MARKERS)
def new():
    student = access.get_or_404(Student, request.values.get("student", type=int) or 0)
    form = CaseFactsForm()
    existing = workflow.open_case_of(student)
    if form.validate_on_submit():
        if existing is not None:  # what was typed stays, and the message says where to go
            raise Refusal(f"{student.name}已有未销号的劝返个案（{existing.opened_on} 立案），"
                          "不用再立案：请打开这个个案记录新的情况。")
        case = workflow.open_case(student, "manual", clock.today(), current_user,
                                  reason=form.reason.data, note=form.reason.data,
                                  out_since=form.out_since.data)
        case.whereabouts = case.whereabouts or form.whereabouts.data
        db.session.commit()
        flash(f"已为 {student.name} 立疑似辍学个案。", "success")
        return after_write(url_for("cases.show", case_id=case.id))
    return form_page("cases/open_form.html", form, student=student, existing=existing)


def _step_form(case, form=None):
    form = form or StepForm()
    form.to.choices = [("", "（请选择）")] + [(s, CASE_STATES[s]) for s in workflow.allowed(case)]
    return form


FACTS = ("reason", "whereabouts", "out_since")  # what the correction form shows (forms.stale)


def _show(case, form=None, status=200, facts=None):
    visits = db.session.scalars(access.scoped(HomeVisit).where(
        HomeVisit.student_id == case.student_id).order_by(HomeVisit.visited_on.desc())).all()
    return render_template("cases/show.html", case=case, form=_step_form(case, form),
                           facts=facts or _facts_form(case),
                           visits=visits, notice_kinds=workflow.notice_kinds(case),
                           today=clock.today(),
                           lines=case.student.responsible()), status


def _facts_form(case) -> CaseFactsForm:
    """The correction form as the case stands, with its fingerprint."""
    form = CaseFactsForm(obj=case, formdata=None)
    form.seen.data = fingerprint(case, FACTS)
    return form


@bp.route("/<int:case_id>")
@access.require(*access.EVERYONE)
def show(case_id):
    return _show(access.get_or_404(DropoutCase, case_id))


@bp.route("/<int:case_id>/step", methods=["POST"])
@access.require(*access.MARKERS)
def step(case_id):
    case = access.get_or_404(DropoutCase, case_id)
    form = _step_form(case)
    if form.validate_on_submit():
        try:
            workflow.move(case, form.to.data, form.on.data, current_user, form.note.data,
                          form.reentry_plan.data)
        except Refusal as error:
            form.to.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{case.student.name}：{case.state_label}。", "success")
            return after_write(url_for("cases.show", case_id=case.id))
    db.session.rollback()
    return _show(access.get_or_404(DropoutCase, case_id), form, 422)


@bp.route("/<int:case_id>/facts", methods=["POST"])
@access.require(*access.MARKERS)
def facts(case_id):
    """情况, 去向 and the first day out corrected (a case opened from a 家访 had printed the
    visit's day and "家访发现孩子不在家"); the papers issued since print them."""
    case = access.get_or_404(DropoutCase, case_id)
    form = CaseFactsForm()
    form.opened_on = case.opened_on
    valid = form.validate_on_submit()
    if not stale(form, case, FACTS) and valid:
        form.populate_obj(case)
        db.session.commit()
        flash("已更正个案的情况、去向和首次未到校日期。", "success")
        return after_write(url_for("cases.show", case_id=case.id))
    return _show(case, status=422, facts=form)


@bp.route("/<int:case_id>/follow-ups/<int:item_id>", methods=["POST"])
@access.require(*access.MARKERS)
def follow_up(case_id, item_id):
    item = db.session.scalar(access.scoped(FollowUp).where(FollowUp.id == item_id,
                                                           FollowUp.case_id == case_id))
    if item is None:
        abort(404)
    try:
        on = date.fromisoformat(request.form.get("on", ""))
    except ValueError:
        raise Refusal("请填写回访日期。")
    workflow.follow_up(item, on, request.form.get("note", ""), current_user)
    db.session.commit()
    flash(f"已记录{item.label}。", "success")
    return after_write(url_for("cases.show", case_id=case_id))


@printjobs.batch("case_notice")
def notice_batch(params: dict) -> printjobs.Batch:
    notice = db.session.scalar(access.scoped(CaseNotice).where(
        CaseNotice.id == int(params["id"])))
    if notice is None:
        abort(404)
    case = notice.case

    def finish():
        audit.record("export", f"打印{notice.kind_label}：{case.student.name}",
                     table_name="case_notices", row_id=notice.id, after={"format": "pdf"})
    return printjobs.Batch(
        title=notice.kind_label, filename=f"{notice.kind_label}-{case.student.name}.pdf",
        parts=[pdf.Part("print/case_notice.html", {
            "notice": notice, "case": case, "student": case.student, "part": part,
            "lines": case.student.responsible(), "full_ids": access.sees_full_ids()})
            for part in (("report",) if notice.kind == "report" else ("stub", "notice"))],
        finish=finish)


@bp.route("/<int:case_id>/notices", methods=["POST"])
@access.require(*access.MARKERS)
def issue_notice(case_id):
    """Issue a numbered notice for the case and print it."""
    case = access.get_or_404(DropoutCase, case_id)
    notice = workflow.issue_notice(case, request.form.get("kind", ""), current_user, clock.today(),
                                   again=request.form.get("again") == "1")
    db.session.commit()
    return printjobs.render_now("case_notice", {"id": notice.id})


@bp.route("/notices/<int:notice_id>.pdf")
@access.require(*access.EVERYONE)
def notice_pdf(notice_id):
    """A notice printed again, with its number."""
    return printjobs.render_now("case_notice", {"id": notice_id})
