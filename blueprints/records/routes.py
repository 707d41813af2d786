"""非正常学籍: the worklist with its counts and trend, a child's clean-up form, its proof scan,
and the list as Excel for the county (cleanup.py holds the rules).

Who does what: the school that keeps the child (a village head, or the central officer for
the township) finds and verifies the 去向; 上报, 申请 and 办结 are the central school's acts
toward the county, so only the central officer records them (a village head sees them;
cleanup.save keeps them as they were when a village head saves)."""
from flask import abort, flash, render_template, request, send_file, url_for
from flask_login import current_user

import access
import audit
import clock
import excel
import uploads
from blueprints.cases import workflow
from blueprints.records import bp, cleanup, leavers
from blueprints.records.forms import RecordCheckForm
from extensions import db
from models import ABNORMAL, DESTINATIONS, STAGES, Student, abnormal_since
from params import whole
from refusal import Refusal
from responses import after_write, form_page


@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    stage = request.args.get("stage", "")
    stage = stage if stage in STAGES else ""
    rows = cleanup.worklist()
    today = clock.today()
    return render_template("records/index.html", rows=[s for s in rows if not stage or
                                                         cleanup.stage_of(s) == stage],
                           counts=cleanup.counts(rows), trend=cleanup.trend(today),
                           stage=stage, stages=STAGES, since=abnormal_since)


@bp.route("/<int:student_id>", methods=["GET", "POST"])
@access.require(*access.REGISTER_EDITORS)
def edit(student_id):
    student = access.get_or_404(Student, student_id)
    if student.status not in ABNORMAL and not student.record_check:
        abort(404)
    form = RecordCheckForm()
    officer = access.acts_for_township()
    if not form.is_submitted():
        form.fill(student.record_check, current_user)
    elif form.validate_on_submit():
        try:
            cleanup.save(student, form.values(), form.proof.data.read() if form.proof.data
                         else b"", current_user, clock.today(), county_steps=officer)
        except Refusal as refused:  # shown above the form, everything typed kept
            form.form_errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"已保存{student.name}的非正常学籍清理情况（{student.record_check.stage_label}）。",
                  "success")
            return after_write(url_for("records.index"))
    return form_page("records/form.html", form, student=student, officer=officer,
                     check=student.record_check, since=abnormal_since(student))


@bp.route("/<int:student_id>/proof")
@access.require(*access.EVERYONE)
def proof(student_id):
    student = access.get_or_404(Student, student_id)
    if not (student.record_check and student.record_check.proof_path):
        abort(404)
    return send_file(uploads.folder(uploads.SCANS) / student.record_check.proof_path)


@bp.route("/export.xlsx")
@access.require(*access.EVERYONE)
def export():
    """The worklist as the county asks for it, ID numbers as the user may see them."""
    full = access.sees_full_ids()
    rows = cleanup.worklist()
    columns = [("学校", 16), ("姓名", 8), ("性别", 5), ("身份证号", 20), ("年级班级", 10),
               ("学籍状态", 10), ("非正常日期", 11), ("去向", 12), ("所在地", 18), ("就读学校", 18),
               ("核实方式", 10), ("核实人", 8), ("核实日期", 11), ("上报日期", 11), ("申请", 9),
               ("申请日期", 11), ("办结日期", 11), ("进度", 10)]
    data = excel.table("非正常学籍", columns, [_row(s, full) for s in rows], text_columns=(4,))
    audit.record("export", f"导出非正常学籍清理表 {len(rows)} 行", table_name="record_checks",
                 after={"rows": len(rows), "full_ids": full, "format": "xlsx"})
    db.session.commit()
    return excel.download(data, f"非正常学籍清理表-{clock.today():%Y%m%d}.xlsx")


def _row(s: Student, full: bool) -> list:
    c = s.record_check
    return [s.school.name, s.name, s.sex, (s.id_number or s.id_document or "") if full
            else s.masked_id, s.class_label, s.status_label, abnormal_since(s),
            c.whereabouts_label if c else "去向不明", c.place if c else "",
            c.school_name if c else "", c.verified_label if c else "", c.verified_by if c else "",
            c.verified_on if c else None, c.reported_on if c else None,
            c.request_label if c else "", c.requested_on if c else None,
            c.done_on if c else None, c.stage_label if c else STAGES["verify"]]


@bp.route("/leavers")
@access.require(*access.EVERYONE)
def leavers_page():
    """普职结合: this year's 九年级 leavers by destination, the unknown first to follow up."""
    year = leavers.year_asked(whole(request.args.get("year")), clock.today())
    rows = leavers.leavers(year)
    rows.sort(key=lambda s: leavers.destination_of(s) != "unknown")  # stable: school, name
    return render_template("records/leavers.html", rows=rows, counts=leavers.counts(rows),
                           year=year, destinations=DESTINATIONS)


@bp.route("/primary-leavers")
@access.require(*access.EVERYONE)
def primary_leavers():
    """小升初核查: the 六年级 children whose record still says 毕业 (a child is one record: one
    a 初中 of the database took in is enrolled there, in 七年级), each to be found."""
    year = leavers.year_asked(whole(request.args.get("year")), clock.today())
    rows = leavers.leavers(year, grade=6)
    return render_template("records/primary_leavers.html", year=year, rows=rows,
                           cases={s.id: workflow.open_case_of(s) for s in rows})


@bp.route("/leavers/<int:student_id>", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def leaver(student_id):
    student = access.get_or_404(Student, student_id)
    try:
        leavers.record(student, request.form.get("destination", ""),
                       request.form.get("school_name", "").strip(),
                       request.form.get("note", "").strip(), current_user, clock.today())
    except Refusal as refused:  # the row again, with what was chosen and the message
        return render_template("records/_leaver_row.html", s=student, error=str(refused),
                               destinations=DESTINATIONS, form=request.form), 422
    db.session.commit()
    return render_template("records/_leaver_row.html", s=student, saved=True,
                           destinations=DESTINATIONS, form=None)


@bp.route("/leavers.xlsx")
@access.require(*access.EVERYONE)
def leavers_export():
    year = leavers.year_asked(whole(request.args.get("year")), clock.today())
    rows = leavers.leavers(year)
    data = excel.table(f"{year + 1}年九年级毕业生去向", [
        ("学校", 16), ("姓名", 8), ("性别", 5), ("去向", 14), ("就读学校", 22), ("说明", 24),
        ("核实日期", 11)], [_leaver_row(s) for s in rows])
    audit.record("export", f"导出{year + 1}年九年级毕业生去向 {len(rows)} 行", table_name="leavers",
                 after={"rows": len(rows), "format": "xlsx"})
    db.session.commit()
    return excel.download(data, f"九年级毕业生去向-{year + 1}.xlsx")


def _leaver_row(s: Student) -> list:
    found = s.leaver
    return [s.school.name, s.name, s.sex, DESTINATIONS[leavers.destination_of(s)],
            found.school_name if found else "", found.note if found else "",
            found.confirmed_on if found else None]
