from flask import current_app, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

import access
import clock
import excel
import pending
import printjobs
from blueprints.attendance import risk
from blueprints.cases import workflow
import audit
from blueprints.students import (bp, child_file,  # noqa: F401 (child_file: its batch)
                                 idnumber, importer, roster, sheets, sync, timeline)
from blueprints.students.forms import ImportForm, StatusForm, StudentForm
from blueprints.students.register import SORTS, Filters, classes_of
from extensions import db
from models import FOCUS_FLAGS, ClassGroup, Guardian, School, Student
from responses import after_write, invalid, page_or_fragment, targets

STALE = ("保存失败：您打开表单后，这名学生的信息已被其他人修改。您填写的内容还在下面；"
         "请记下您的修改，刷新页面查看最新信息后再保存。")


def _schools():
    return access.school_choices(active=True)


@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    filters = Filters.from_args(request.args)
    schools = _schools()
    classes = filters.class_choices(schools)
    page = filters.page(request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"])
    html = page_or_fragment("students/index.html", "students/_results.html", "student-results",
                            page=page, filters=filters, schools=schools, classes=classes,
                            oob=targets("student-results"),
                            sorts=SORTS, full_ids=access.sees_full_ids(),
                            max_sheets=sheets.MAX_SHEETS)
    audit.read_ids(filters.found_by_number([s.id for s in page.items]), "按完整号码查找")
    return html


@bp.route("/export.xlsx")
@access.require(*access.EVERYONE)
def export():
    filters = Filters.from_args(request.args)
    students = db.session.scalars(filters.statement()).all()
    full = access.sees_full_ids()
    data = roster.export_workbook(students, full_ids=full)
    audit.record("export", f"导出学生名册 {len(students)} 人（{'完整' if full else '隐去'}身份证号）",
                 table_name="students",
                 after={"rows": len(students), "filters": filters.as_args(), "full_ids": full})
    db.session.commit()
    return excel.download(data, f"学生名册-{clock.today():%Y%m%d}.xlsx")


@bp.route("/<int:student_id>/sheet")
@access.require(*access.EVERYONE)
def sheet(student_id):
    """Browser print preview of one 学生信息表 (the same HTML as the PDF)."""
    student = access.get_or_404(Student, student_id)
    html = render_template("print/student_sheet.html", students=[student],
                           full_ids=access.sees_full_ids(), today=clock.today())
    if access.sees_full_ids():
        audit.read_ids([student], "学生信息表")
    return html


@bp.route("/<int:student_id>/sheet.pdf")
@access.require(*access.EVERYONE)
def print_sheet(student_id):
    return printjobs.render_now("student_sheets", {"id": student_id})


@bp.route("/<int:student_id>/file.pdf")
@access.require(*access.EVERYONE)
def print_file(student_id):
    """一人一档: the child's whole file (child_file.py)."""
    return printjobs.render_now("student_file", {"id": student_id})


@bp.route("/sheets", methods=["POST"])
@access.require(*access.EVERYONE, writes=False)
def print_sheets():
    """学生信息表 of every student in the filtered list, by the print worker."""
    job = printjobs.start("student_sheets", Filters.from_args(request.form).as_args())
    return after_write(url_for("prints.show", job_id=job.id))


@bp.route("/<int:student_id>")
@access.require(*access.EVERYONE)
def show(student_id):
    student = access.get_or_404(Student, student_id, options=timeline.PROFILE_LOADS)
    form = StatusForm(student=student) if access.can("students.change_status", "POST") else None
    today = clock.today()
    term = timeline.term_begun(today)
    html = render_template("students/show.html", student=student, status_form=form,
                           full_ids=access.sees_full_ids(), today=today,
                           timeline=timeline.events(student), term=term,
                           absences=timeline.attendance(student, term.start_date)
                           if term else None,
                           risk=risk.assess([student], today)[student.id]
                           if student.status == "enrolled" else None)
    if access.sees_full_ids():
        audit.read_ids([student], "学生信息页")
    return html


def _fill_choices(form, student=None):
    schools = _schools()
    form.school_id.choices = [(s.id, s.name) for s in schools]
    if form.school_id.data is None and student is None and len(schools) == 1:
        form.school_id.data = schools[0].id
    school_id = form.school_id.data or (student.school_id if student else None) or \
        (schools[0].id if schools else None)
    classes = classes_of(school_id) if school_id else []
    if student and student.class_group and student.class_group not in classes:
        classes.append(student.class_group)
    form.class_id.choices = [(0, "未分班")] + [(c.id, c.label) for c in classes]


def _save(form, student):
    """Copy the form onto the student; the caller commits."""
    school = access.get_or_404(School, form.school_id.data)
    if student.school_id not in (None, school.id):
        student.end_pairs(clock.today())  # moved: the old school's teachers' pairs end
    student.school_id = school.id
    klass = access.get_or_404(ClassGroup, form.class_id.data) if form.class_id.data else None
    if klass and klass.school_id != school.id:
        klass = None  # the class list belonged to the school chosen before
    student.class_group = klass
    student.grade = klass.grade if klass else (form.grade.data or None)
    for name in ("name", "sex", "birth_date", "ethnicity", "placement", "boarder", "village",
                 "village_group", "address", "notes", *FOCUS_FLAGS):
        setattr(student, name, getattr(form, name).data)
    student.id_type, student.id_document = form.id_type.data, form.id_document.data or None
    student.id_number = form.id_number.data or None
    student.student_no = form.student_no.data or None
    if student.id_number:
        checked = idnumber.check(student.id_number)
        student.birth_date, student.sex = checked.birth_date, checked.sex
    kept = []
    for position, entry in enumerate(form.guardians.entries):
        data = entry.form
        if not (data.name.data or data.phone.data):
            continue
        guardian = student.guardians[position] if position < len(student.guardians) else Guardian()
        guardian.position = position
        for name in ("name", "relation", "phone", "works_away"):
            setattr(guardian, name, getattr(data, name).data or ("" if name != "works_away" else False))
        kept.append(guardian)
    student.guardians = kept


def _form_response(form, student, status=200):
    template = "students/_form.html" if targets("student-form") else "students/form.html"
    if status == 422:
        return invalid(template, form=form, student=student)
    return render_template(template, form=form, student=student)


@bp.route("/new", methods=["GET", "POST"])
@access.require(*access.REGISTER_EDITORS)
def new():
    form = StudentForm()
    _fill_choices(form)
    if form.validate_on_submit():
        student = Student()
        _save(form, student)
        student.change_status("enrolled", clock.today(), "新登记", "", current_user)
        db.session.add(student)
        db.session.commit()
        flash(f"已登记学生 {student.name}。", "success")
        return after_write(url_for("students.show", student_id=student.id))
    if form.is_submitted():
        return _form_response(form, None, 422)
    return _form_response(form, None)


@bp.route("/<int:student_id>/edit", methods=["GET", "POST"])
@access.require(*access.REGISTER_EDITORS)
def edit(student_id):
    student = access.get_or_404(Student, student_id)
    form = StudentForm(obj=student, student=student)
    if request.method == "GET":
        form.class_id.data = student.class_id or 0
        form.grade.data = student.grade or 0
    _fill_choices(form, student)
    if form.validate_on_submit():
        if form.version.data != str(student.version):
            form.form_errors.append(STALE)
            return _form_response(form, student, 422)
        _save(form, student)
        try:
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            form.form_errors.append(STALE)
            return _form_response(form, student, 422)
        flash(f"已保存 {student.name} 的信息。", "success")
        return after_write(url_for("students.show", student_id=student.id))
    if form.is_submitted():
        return _form_response(form, student, 422)
    html = _form_response(form, student)
    audit.read_ids([student], "修改信息")  # the form holds the number in full
    return html


@bp.route("/check-id", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def check_id():
    """Inline check of an ID number as it is typed; fills birth date and sex when valid."""
    raw = request.form.get("id_number", "")
    student_id = request.form.get("student_id", type=int)
    number = idnumber.normalize(raw)
    result, holder = None, None
    if len(number) == 18:
        result = idnumber.check(number)
        if result.ok:
            holder = access.id_number_holder(result.number, student_id)
    return render_template("students/_id_check.html", number=number, result=result,
                           holder=holder)


@bp.route("/class-options")
@access.require(*access.REGISTER_EDITORS)
def class_options():
    school = access.get_or_404(School, request.args.get("school_id", type=int))
    return render_template("students/_class_options.html", classes=classes_of(school.id))


@bp.route("/<int:student_id>/status", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def change_status(student_id):
    student = access.get_or_404(Student, student_id)
    form = StatusForm(student=student)
    if form.validate_on_submit():
        student.change_status(form.to_status.data, form.changed_on.data, form.reason.data,
                              form.destination.data or "", current_user)  # stripped by forms
        if student.status == "dropout":
            workflow.marked_dropout(student, form.changed_on.data, current_user, form.reason.data)
        db.session.commit()
        flash(f"{student.name} 的学籍状态已改为“{student.status_label}”。", "success")
        return after_write(url_for("students.show", student_id=student.id))
    template = "students/_status_form.html" if targets("status-form") else "students/show.html"
    return invalid(template, student=student, status_form=form, full_ids=access.sees_full_ids(),
                   today=clock.today())


@bp.route("/<int:student_id>", methods=["DELETE"])
@access.require(*access.OFFICER)
def delete(student_id):
    """Remove a record registered by mistake (误登记); the audit log keeps its last content."""
    student = access.get_or_404(Student, student_id)
    name = student.name
    db.session.delete(student)
    db.session.commit()
    flash(f"已删除误登记的学生 {name}。", "success")
    return after_write(url_for("students.index"))


# Import: upload → preview (every bad row and why) → commit all or nothing.

@bp.route("/import", methods=["GET", "POST"])
@access.require(*access.REGISTER_EDITORS)
def import_upload():
    form = ImportForm()
    form.school_id.choices = [(s.id, s.name) for s in _schools()]
    if form.validate_on_submit():
        school = access.get_or_404(School, form.school_id.data)
        data, mode = form.file.data.read(), form.mode.data
        if mode == "sync":
            found = sync.read(data, school, current_user, clock.today())
            result = found.result
        else:
            found, result = None, importer.read(data, school, current_user)
        if result.error:  # a file that cannot be read: the form again, school and mode kept
            form.file.errors.append(result.error)
            return invalid("students/import.html", form=form)
        token = pending.keep("roster", data, school=school.id, mode=mode) if result.ok else ""
        return render_template("students/import_preview.html", result=result, school=school,
                               token=token, filename=form.file.data.filename, sync=found,
                               leavings=sync.LEAVINGS)
    if form.is_submitted():
        return invalid("students/import.html", form=form)
    form.school_id.data = request.args.get("school", form.school_id.data, type=int)  # 重新上传
    form.mode.data = request.args.get("mode", form.mode.data)
    return render_template("students/import.html", form=form)


@bp.route("/import/commit", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def import_commit():
    token, school_id = request.form.get("token", ""), request.form.get("school_id", type=int)
    if request.form.get("mode") == "sync":
        return _sync_commit(token, school_id)
    data = pending.load("roster", token, school=school_id, mode="add")  # into the school checked
    school = access.get_or_404(School, school_id)
    result = importer.read(data, school, current_user)  # checked again: the data may have moved on
    if not result.ok:
        return invalid("students/import_preview.html", result=result, school=school, token=token,
                       filename="")
    count = importer.commit(result, school, current_user)
    pending.drop("roster", token)
    flash(f"已导入 {count} 名学生到{school.name}。", "success")
    return after_write(url_for("students.index", school=school.id, sort="class"))


def _sync_commit(token: str, school_id: int | None):
    """学期初同步 confirmed: read again, each missing child's fate from the form, all at once."""
    data = pending.load("roster", token, school=school_id, mode="sync")
    school = access.get_or_404(School, school_id)
    found = sync.read(data, school, current_user, clock.today())
    chosen, errors = sync.decisions(request.form, found.missing)
    if errors or not found.result.ok:
        return invalid("students/import_preview.html", result=found.result, school=school,
                       token=token, filename="", sync=found, leavings=sync.LEAVINGS,
                       chosen=chosen, errors=errors)
    counts = sync.commit(found, school, current_user, clock.today(), chosen)
    pending.drop("roster", token)
    flash(f"{school.name}学期初同步完成：新增 {counts['new']} 人，更新 {counts['updated']} 人，"
          f"离校 {counts['left']} 人，{counts['unchanged']} 人没有变化。", "success")
    return after_write(url_for("students.index", school=school.id, sort="class"))


@bp.route("/import/template.xlsx")
@access.require(*access.REGISTER_EDITORS)
def import_template():
    return excel.download(roster.template_workbook(), "学生名册导入模板.xlsx")
