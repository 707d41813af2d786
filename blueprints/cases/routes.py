"""家访 and 劝返复学: visits (record, list, count, print), cases (open, steps, follow-ups,
notices). State changes go through workflow.py."""
from collections import Counter
from datetime import date
from io import BytesIO

from flask import abort, current_app, flash, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

import access
from params import whole
import audit
import excel
import pdf
import printjobs
import uploads
from blueprints.cases import bp, ledger, reconcile, workflow
from blueprints.cases.forms import OpenCaseForm, ReconcileImportForm, StepForm, VisitForm
from extensions import db
from models import (CASE_STATES, EXPLANATIONS, NOTICE_KINDS, CaseNotice, DocumentCounter, DropoutCase,
                    EarlyWarning, FollowUp, Guardian, HomeVisit, HouseholdChild, School,
                    Student, User, school_year_of)
from responses import after_write, form_page
from refusal import Refusal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# 家访 ----------------------------------------------------------------------------------------

@bp.route("/visits/new", methods=["GET", "POST"])
@access.require(*access.MARKERS)
def new_visit():
    student = access.get_or_404(Student, request.values.get("student", type=int) or 0)
    warning_id = request.values.get("warning", type=int)
    warning = access.get_or_404(EarlyWarning, warning_id) if warning_id else None
    if warning and warning.student_id != student.id:
        abort(404)  # a warning is answered by a visit to its own child
    form = VisitForm()
    if not form.is_submitted():
        form.visitors.data = f"{current_user.name}（{current_user.role_label}）"
    if form.validate_on_submit():
        try:
            visit, case = workflow.record_visit(
                student, warning, current_user, date.today(),
                photo=form.file.data.read() if form.file.data else b"",
                visited_on=form.visited_on.data, visitors=form.visitors.data, met=form.met.data,
                situation=form.situation.data, reasons=",".join(form.reasons.data),
                outcome=form.outcome.data, next_step=form.next_step.data)
        except Refusal as refused:  # the photo or scan: shown beside its field
            form.file.errors.append(str(refused))
        else:
            db.session.commit()
            opened = case is not None and case.trigger == "visit" and \
                case.opened_on == visit.visited_on
            flash(f"已记录对 {student.name} 的家访。" + (
                "孩子不在家，已立为疑似辍学个案。" if opened else ""), "success")
            return after_write(url_for("cases.show", case_id=case.id) if case
                               else url_for("students.show", student_id=student.id))
    return form_page("cases/visit_form.html", form, student=student, warning=warning)


@bp.route("/visits/")
@access.require(*access.EVERYONE)
def visits():
    """Visits by school, visitor and month, with counts."""
    stmt = access.scoped(HomeVisit).join(Student)
    school_id = request.args.get("school", type=int)
    month = request.args.get("month", "")
    user_id = request.args.get("user", type=int)
    if school_id:
        stmt = stmt.where(HomeVisit.school_id == school_id)
    if len(month) == 7 and month[4] == "-" and month.replace("-", "").isdigit():
        first = date(int(month[:4]), int(month[5:]), 1)
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        stmt = stmt.where(HomeVisit.visited_on >= first, HomeVisit.visited_on < after)
    if user_id:
        stmt = stmt.where(HomeVisit.user_id == user_id)
    rows = db.session.scalars(stmt.order_by(HomeVisit.visited_on.desc(), HomeVisit.id.desc())
                              .options(selectinload(HomeVisit.student)
                                       .selectinload(Student.school),
                                       selectinload(HomeVisit.user)).limit(1000)).all()
    counts = {
        "school": Counter(v.student.school.name for v in rows),
        "user": Counter(v.user.name if v.user else "—" for v in rows),
        "month": Counter(v.visited_on.strftime("%Y-%m") for v in rows),
    }
    users = db.session.scalars(access.scoped(User).where(User.id.in_(
        {v.user_id for v in rows if v.user_id} | ({user_id} if user_id else set())))).all()
    return render_template("cases/visits.html", rows=rows, counts=counts, schools=access.schools(),
                           school_id=school_id, month=month, user_id=user_id, users=users)


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


# 劝返个案 ------------------------------------------------------------------------------------

@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    state = request.args.get("state", "open")
    school_id = request.args.get("school", type=int)
    stmt = access.scoped(DropoutCase).join(Student)
    if state == "open":
        stmt = stmt.where(DropoutCase.state != "closed")
    elif state in CASE_STATES:
        stmt = stmt.where(DropoutCase.state == state)
    if school_id:
        stmt = stmt.where(DropoutCase.school_id == school_id)
    rows = db.session.scalars(stmt.order_by(DropoutCase.opened_on, Student.name_pinyin)
                              .options(selectinload(DropoutCase.student)
                                       .selectinload(Student.class_group),
                                       selectinload(DropoutCase.school)).limit(500)).all()
    due = db.session.scalars(access.scoped(FollowUp).where(
        FollowUp.done_on.is_(None), FollowUp.due_on <= date.today())
        .options(selectinload(FollowUp.case).selectinload(DropoutCase.student))).all()
    return render_template("cases/index.html", rows=rows, state=state, states=CASE_STATES,
                           schools=access.schools(), school_id=school_id, today=date.today(),
                           due=due)


@bp.route("/new", methods=["GET", "POST"])
@access.require(*access.MARKERS)
def new():
    student = access.get_or_404(Student, request.values.get("student", type=int) or 0)
    form = OpenCaseForm()
    if form.validate_on_submit():
        case = workflow.open_case(student, "manual", date.today(), current_user,
                                  reason=form.reason.data, note=form.reason.data)
        case.whereabouts = case.whereabouts or form.whereabouts.data
        db.session.commit()
        flash(f"已为 {student.name} 立疑似辍学个案。", "success")
        return after_write(url_for("cases.show", case_id=case.id))
    return form_page("cases/open_form.html", form, student=student)


def _step_form(case, form=None):
    form = form or StepForm()
    form.to.choices = [(s, CASE_STATES[s]) for s in workflow.allowed(case)]
    return form


def _show(case, form=None, status=200):
    visits = db.session.scalars(access.scoped(HomeVisit).where(
        HomeVisit.student_id == case.student_id).order_by(HomeVisit.visited_on.desc())).all()
    return render_template("cases/show.html", case=case, form=_step_form(case, form),
                           visits=visits, notice_kinds=NOTICE_KINDS, today=date.today(),
                           lines=case.student.responsible()), status


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
            "notice": notice, "case": case, "student": case.student,
            "lines": case.student.responsible(), "central": case.school.parent or case.school,
            "full_ids": access.sees_full_ids()})],
        finish=finish)


@bp.route("/<int:case_id>/notices", methods=["POST"])
@access.require(*access.MARKERS)
def issue_notice(case_id):
    """Issue a numbered notice for the case and print it."""
    case = access.get_or_404(DropoutCase, case_id)
    kind = request.form.get("kind", "")
    if kind not in NOTICE_KINDS:
        raise Refusal("请选择要打印的文书。")
    prefix = f"KF{date.today().year}-{case.school_id:03d}-"
    notice = CaseNotice(kind=kind, issued_on=date.today(), user_id=current_user.id,
                        doc_no=f"{prefix}{DocumentCounter.next(prefix):04d}")
    case.notices.append(notice)
    db.session.commit()
    return printjobs.render_now("case_notice", {"id": notice.id})


@bp.route("/notices/<int:notice_id>.pdf")
@access.require(*access.EVERYONE)
def notice_pdf(notice_id):
    """A notice printed again, with its number."""
    return printjobs.render_now("case_notice", {"id": notice_id})



# 台账 -----------------------------------------------------------------------------------------

def _ledger_args(args):
    kind = args.get("kind") if args.get("kind") in ledger.KINDS else "suspected"
    school = args.get("school", type=int)
    first, last = ledger.month_range(args.get("month"))
    return kind, school, first, last


def _ledger_rows(kind, school_id, first, last, full):
    if kind == "age":
        students = db.session.scalars(ledger.age_statement(school_year_of(first), school_id))
        return ledger.AGE_COLUMNS, [ledger.age_row(n, s, full) for n, s in enumerate(students, 1)]
    return ledger.CASE_COLUMNS, [ledger.case_row(n, c, full) for n, c in enumerate(
        ledger.cases(kind, first, last, school_id), 1)]


@bp.route("/ledger")
@access.require(*access.EVERYONE)
def ledger_page():
    kind, school_id, first, last = _ledger_args(request.args)
    full = access.sees_full_ids()
    if kind == "age":
        page = db.paginate(ledger.age_statement(school_year_of(first), school_id),
                           page=request.args.get("page", 1, type=int),
                           per_page=current_app.config["PAGE_SIZE"], error_out=False)
        offset = (page.page - 1) * page.per_page
        columns, rows = ledger.AGE_COLUMNS, [ledger.age_row(offset + n, s, full)
                                             for n, s in enumerate(page.items, 1)]
    else:
        page = None
        columns, rows = _ledger_rows(kind, school_id, first, last, full)
    return render_template("cases/ledger.html", kind=kind, kinds=ledger.KINDS, page=page,
                           columns=columns, rows=rows, first=first, schools=access.schools(),
                           school_id=school_id, counts=ledger.monthly_counts(first, last),
                           args={k: v for k, v in request.args.items() if k != "page" and v})


@bp.route("/ledger.xlsx")
@access.require(*access.EVERYONE)
def ledger_export():
    kind, school_id, first, last = _ledger_args(request.args)
    full = access.sees_full_ids()
    columns, rows = _ledger_rows(kind, school_id, first, last, full)
    title = f"{ledger.KINDS[kind]}-{first:%Y年%m月}"
    data = excel.table(ledger.KINDS[kind], columns, rows, text_columns=(5, 7) if kind != "age"
                       else (5, 8))
    audit.record("export", f"导出{title} {len(rows)} 行", table_name="dropout_cases",
                 after={"rows": len(rows), "full_ids": full, "format": "xlsx"})
    db.session.commit()
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"{title}.xlsx")


@printjobs.batch("ledger")
def ledger_batch(params: dict) -> printjobs.Batch:
    kind = params.get("kind") if params.get("kind") in ledger.KINDS else "suspected"
    school_id = whole(params.get("school"))
    first, last = ledger.month_range(params.get("month"))
    full = access.sees_full_ids()
    columns, rows = _ledger_rows(kind, school_id, first, last, full)
    label = access.get_or_404(School, school_id).name if school_id else "全镇"
    title = f"{ledger.KINDS[kind]}（{label}，{first.year}年{first.month}月）"

    def finish():
        audit.record("export", f"打印{title} {len(rows)} 行", table_name="dropout_cases",
                     after={"rows": len(rows), "full_ids": full, "format": "pdf"})
    return printjobs.Batch(title=title, filename=f"{title}.pdf", parts=[pdf.Part(
        "print/ledger.html", {"title": title, "columns": columns, "rows": rows,
                              "today": date.today()})], finish=finish)


@bp.route("/ledger/print", methods=["POST"])
@access.require(*access.EVERYONE, writes=False)
def ledger_print():
    job = printjobs.start("ledger", {k: request.form.get(k, "")
                                     for k in ("kind", "school", "month")})
    return after_write(url_for("prints.show", job_id=job.id))


# 四查三比对 --------------------------------------------------------------------------------------

@bp.route("/reconcile")
@access.require(*access.TOWN_READERS)
def reconcile_page():
    found = reconcile.findings(access.township_id(), date.today()) \
        if access.township_id() else reconcile.Findings([], [], [])
    return render_template("cases/reconcile.html", found=found, explanations=EXPLANATIONS,
                           schools_for=reconcile.schools_for, today=date.today(),
                           form=ReconcileImportForm())


@bp.route("/reconcile/import", methods=["POST"])
@access.require(*access.OFFICER)
def reconcile_import():
    form = ReconcileImportForm()
    if not form.validate_on_submit():
        raise Refusal("；".join(form.file.errors) or "请选择户籍名单文件。")
    error, entries = reconcile.read(form.file.data.read())
    bad = [e for e in entries if e.errors]
    if error or bad:
        return render_template("cases/reconcile_errors.html", error=error, bad=bad,
                               total=len(entries)), 422
    added, updated, removed = reconcile.replace(access.township_id(), entries, date.today())
    audit.record("import", f"导入户籍名单 {len(entries)} 人（新增 {added}，更新 {updated}，"
                           f"移出 {removed}）", table_name="household_children",
                 after={"rows": len(entries)})
    db.session.commit()
    flash(f"已导入户籍名单 {len(entries)} 人：新增 {added}，更新 {updated}，移出 {removed}。",
          "success")
    return after_write(url_for("cases.reconcile_page"))


@bp.route("/reconcile/template.xlsx")
@access.require(*access.OFFICER)
def reconcile_template():
    data = excel.table("户籍名单", [(h[0], 14) for h in reconcile.HEADERS.values()], [],
                       text_columns=(2, 6))
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name="户籍适龄儿童名单模板.xlsx")


@bp.route("/reconcile/<int:child_id>/explain", methods=["POST"])
@access.require(*access.OFFICER)
def reconcile_explain(child_id):
    child = access.get_or_404(HouseholdChild, child_id)
    kind, note = request.form.get("kind", ""), request.form.get("note", "").strip()
    if kind not in EXPLANATIONS or not note:
        raise Refusal("请选择情况，并写明依据（如 就读学校名称、学籍证明、死亡证明）。")
    child.explained, child.explanation = kind, note[:300]
    child.explained_on, child.explained_by_id = date.today(), current_user.id
    db.session.commit()
    flash(f"已说明 {child.name}：{child.explained_label}。", "success")
    return after_write(url_for("cases.reconcile_page"))


@bp.route("/reconcile/<int:child_id>/case", methods=["POST"])
@access.require(*access.OFFICER)
def reconcile_case(child_id):
    """A child on the 户籍 list in no school: registered at a school of the township as out
    of school (辍学, the 学籍 system's nearest status) and a 疑似辍学 case opened to bring
    them in."""
    child = access.get_or_404(HouseholdChild, child_id)
    school = access.get_or_404(School, request.form.get("school_id", type=int) or 0)
    student = db.session.scalar(access.scoped(Student).where(
        Student.id_number == child.id_number))
    holder = access.id_number_holder(child.id_number) if student is None else None
    if holder:
        raise Refusal(f"{child.name}已在{holder}登记学籍，请与该校核实后再处理。")
    if student is None:
        student = Student(school_id=school.id, name=child.name, sex=child.sex,
                          birth_date=child.birth_date, id_number=child.id_number,
                          village=child.village, village_group=child.village_group,
                          status="dropout", notes="四查三比对：户籍在册，未在本镇任何学校就读")
        if child.guardian:
            student.guardians = [Guardian(name=child.guardian, phone=child.phone)]
        db.session.add(student)
        db.session.flush()
        student.change_status("dropout", date.today(), "四查三比对发现未入学", "", current_user)
    case = workflow.open_case(student, "reconciliation", date.today(), current_user,
                              reason="四查三比对：户籍在册，未在校", note="四查三比对发现，立案劝返")
    db.session.commit()
    flash(f"已为 {child.name} 立疑似辍学个案（登记在{school.name}）。", "success")
    return after_write(url_for("cases.show", case_id=case.id))
