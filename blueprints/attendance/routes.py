"""周考勤 and 预警: the weekly grid (one click per cell, saved as you go), the blank roll sheet,
and the warnings the rules open (rules.py)."""
from datetime import date, timedelta

import sqlalchemy as sa
from flask import flash, make_response, render_template, request, url_for
from flask_login import current_user

import access
import clock
from params import whole
import audit
import excel
import pdf
import printjobs
from blueprints.attendance import arrivals, bp, cells, risk, risk_ledger, rolls, rules, scores
from blueprints.attendance.lists import WARNING_STATES, WarningFilter
from blueprints.students import register
from extensions import db, plain_rows
from filters import SchoolFilter
from models import (ABSENCE_KINDS, AWAY_PLACEMENTS, Absence, ClassGroup,
                    EarlyWarning, School, Student, school_year_of)
from responses import after_write
from refusal import Refusal


def _monday(text: str | None) -> date:
    try:
        day = date.fromisoformat(text) if text else clock.today()
    except ValueError:
        day = clock.today()
    return day - timedelta(days=day.weekday())


@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    classes = db.session.scalars(access.scoped(ClassGroup).where(
        ClassGroup.school_year == school_year_of(clock.today())).order_by(
        ClassGroup.school_id, ClassGroup.grade, ClassGroup.name)).all()
    open_warnings = db.session.scalar(access.scoped(EarlyWarning).where(
        EarlyWarning.status == "open").with_only_columns(db.func.count()))
    return render_template("attendance/index.html", classes=classes, monday=_monday(None),
                           open_warnings=open_warnings, unrolled=rolls.unrolled(clock.today()),
                           window=rolls.ROLL_WINDOW)


def _grid(klass: ClassGroup, monday: date):
    """The class's children on its roll (id and name: plain rows, not the register's whole
    record), the week's days and the week's absences by (child, day)."""
    students = plain_rows(_roll(), {"class_id": klass.id})
    cal = rules.calendar(klass.school.township_id)
    days = cal.week(monday)
    found = db.session.scalars(_week_absences(), {
        "children": [s.id for s in students], "monday": monday,
        "next_monday": monday + timedelta(days=7)}).all()
    return students, days, {(a.student_id, a.day): a for a in found}


@access.per_scope
def _roll() -> sa.Select:
    """The children on a class's roll (`class_id`), as the grid lists them."""
    return access.scoped(Student).with_only_columns(Student.id, Student.name).where(
        Student.class_id == sa.bindparam("class_id"), Student.status == "enrolled",
        Student.placement.not_in(AWAY_PLACEMENTS)).order_by(Student.name_pinyin)


@access.per_scope
def _week_absences() -> sa.Select:
    """The absences of the `children` listed from `monday` to before `next_monday`."""
    return access.scoped(Absence).where(
        Absence.student_id.in_(sa.bindparam("children", expanding=True)),
        Absence.day >= sa.bindparam("monday", type_=sa.Date),
        Absence.day < sa.bindparam("next_monday", type_=sa.Date))


def _class_warnings(klass: ClassGroup):
    return db.session.scalars(_open_warnings(), {"class_id": klass.id}).all()


@access.per_scope
def _open_warnings() -> sa.Select:
    """A class's (`class_id`) open warnings, the earliest due first."""
    return access.scoped(EarlyWarning).join(Student).where(
        Student.class_id == sa.bindparam("class_id"), EarlyWarning.status == "open"
    ).order_by(EarlyWarning.due_on)


@bp.route("/classes/<int:class_id>")
@access.require(*access.EVERYONE)
def grid(class_id):
    klass = access.get_or_404(ClassGroup, class_id)
    monday = _monday(request.args.get("week"))
    return render_template("attendance/grid.html", **_grid_context(klass, monday),
                           kinds=ABSENCE_KINDS, warnings=_class_warnings(klass))


def _grid_context(klass: ClassGroup, monday: date) -> dict:
    """What the week's table shows (attendance/_grid_table.html)."""
    students, days, absences = _grid(klass, monday)
    return dict(klass=klass, monday=monday, days=days, students=students, absences=absences,
                taken=rules.rolls(klass, monday, monday + timedelta(days=6)),
                today=clock.today(), row=cells.row,
                writable=access.can("attendance.mark", "POST"))


def _table(klass: ClassGroup, day: date, oob_warnings=None):
    """The whole week's table, in place of what the request targeted: a day's first entry
    (its roll taken) turns that day's blank cells into "·"."""
    response = make_response(render_template(
        "attendance/_grid_table.html", **_grid_context(klass, _monday(day.isoformat())),
        oob_warnings=oob_warnings))
    response.headers.update({"HX-Retarget": "#roll-grid", "HX-Reswap": "outerHTML"})
    return response


@bp.route("/classes/<int:class_id>/mark", methods=["POST"])
@access.require(*access.MARKERS)
def mark(class_id):
    """One click on a cell: set it to the chosen kind, or clear it when it has that kind.
    Answers with the cell (a few hundred bytes) and, when a warning opened or grew, the
    class's warning box out of band; the day's first entry answers with the week's table."""
    klass = access.get_or_404(ClassGroup, class_id)
    cell = request.form.get("cell", "").split(":")  # id:day, and the kind the cell showed
    student_id, day_text, shown = (cell + ["", ""])[:2] + [cell[2] if len(cell) > 2 else None]
    student = access.get_or_404(Student, whole(student_id))
    if student.class_id != klass.id:
        raise Refusal("请刷新页面后再试。")
    marked = rules.mark(student, day_text, request.form.get("mode", "unexcused"),
                        request.form.get("reason", ""), current_user, shown)
    db.session.commit()
    if marked.roll_taken:
        return _table(klass, marked.day, _class_warnings(klass) if marked.warned else None)
    return render_template("attendance/_cell.html", klass=klass, student=student,
                           day=marked.day, absence=marked.absence, cell=cells.cell,
                           school_day=True, writable=True, future=False, taken=True,
                           warnings=_class_warnings(klass) if marked.warned else None)


@bp.route("/classes/<int:class_id>/roll", methods=["POST"])
@access.require(*access.MARKERS)
def roll(class_id):
    """全到: the day's roll taken with nobody (else) absent."""
    klass = access.get_or_404(ClassGroup, class_id)
    day = rules.take_roll_of(klass, request.form.get("day", ""), current_user)
    db.session.commit()
    return _table(klass, day)


@bp.route("/warnings")
@access.require(*access.EVERYONE)
def warnings():
    filters = WarningFilter.from_args(request.args)
    rows = filters.rows()
    today = clock.today()
    return render_template("attendance/warnings.html", rows=rows, filters=filters, today=today,
                           overdue=sum(1 for w in rows if w.overdue_on(today)),
                           schools=access.school_choices(), states=WARNING_STATES)


@bp.route("/warnings/<int:warning_id>/close", methods=["POST"])
@access.require(*access.MARKERS)
def close_warning(warning_id):
    warning = access.get_or_404(EarlyWarning, warning_id)
    warning.close(request.form.get("action", ""), current_user, clock.today())
    db.session.commit()
    flash(f"已处理 {warning.student.name} 的预警。", "success")
    return after_write(request.referrer or url_for("attendance.warnings"))


@printjobs.batch("roll_sheet")
def roll_sheet(params: dict) -> printjobs.Batch:
    """The blank weekly roll sheets, for schools that work on paper first: of a class
    ({"class_id": n}) or of every class of a school this school year ({"school": n}), one
    document a class."""
    monday = _monday(params.get("week"))
    if params.get("school"):
        school = access.get_or_404(School, whole(params["school"]))
        classes = db.session.scalars(access.scoped(ClassGroup).where(
            ClassGroup.school_id == school.id,
            ClassGroup.school_year == school_year_of(monday)).order_by(
            ClassGroup.grade, ClassGroup.name)).all()
        if not classes:
            raise Refusal(f"{school.name}本学年还没有班级。")
        label = school.name
    else:
        classes = [access.get_or_404(ClassGroup, whole(params.get("class_id")))]
        label = f"{classes[0].school.name}{classes[0].label}"
    parts = []
    for klass in classes:
        students, days, _ = _grid(klass, monday)
        parts.append(pdf.Part("print/roll_sheet.html", {"klass": klass, "students": students,
                                                        "days": days, "monday": monday}))

    def finish():
        audit.record("export", f"打印周考勤表：{label} {monday}（{len(parts)} 个班）",
                     table_name="absences", after={"classes": len(parts), "format": "pdf"})
    return printjobs.Batch(title=f"{label} 周考勤表（{len(parts)} 个班）",
                           filename=f"周考勤表-{label}-{monday:%Y%m%d}.pdf", parts=parts,
                           finish=finish, unit="个班")


@bp.route("/rolls", methods=["POST"])
@access.require(*access.STAFF, writes=False)
def school_rolls():
    """A whole school's blank roll sheets for a week, by the print worker."""
    job = printjobs.start("roll_sheet", {"school": request.form.get("school", ""),
                                         "week": request.form.get("week", "")})
    return after_write(url_for("prints.show", job_id=job.id))


@bp.route("/classes/<int:class_id>/roll.pdf")
@access.require(*access.EVERYONE)
def roll_pdf(class_id):
    return printjobs.render_now("roll_sheet", {"class_id": class_id,
                                               "week": request.args.get("week")})


@bp.route("/arrivals")
@access.require(*access.EVERYONE)
def arrivals_page():
    """开学报到: the term's first two weeks, the children not come first."""
    filters = SchoolFilter.from_args(request.args)
    return render_template("attendance/arrivals.html", found=arrivals.arrivals(
        clock.today(), filters.school), filters=filters, schools=access.school_choices(),
                           states=arrivals.STATES, window=arrivals.ARRIVAL_DAYS)


@printjobs.batch("arrivals")
def arrivals_batch(params: dict) -> printjobs.Batch:
    """开学报到未到校学生名单 of a school or of every school the user sees, to sign and file."""
    school_id = whole(params.get("school"))
    label, unit = access.unit_of(school_id)
    found = arrivals.arrivals(clock.today(), school_id)
    title = f"开学报到未到校学生名单（{label}，{found.term.name if found.term else ''}）"
    rows = arrivals.paper_rows(found)

    def finish():
        audit.record("export", f"打印{title} {len(rows)} 人", table_name="students",
                     after={"rows": len(rows), "format": "pdf"})
    return printjobs.Batch(title=title, filename=f"{title}.pdf", parts=[pdf.Part(
        "print/ledger.html", {"title": title, "columns": arrivals.COLUMNS, "rows": rows,
                              "unit": unit, "today": clock.today()})], finish=finish)


@bp.route("/arrivals/print", methods=["POST"])
@access.require(*access.EVERYONE, writes=False)
def arrivals_print():
    job = printjobs.start("arrivals", {"school": request.form.get("school", "")})
    return after_write(url_for("prints.show", job_id=job.id))


@bp.route("/risk")
@access.require(*access.EVERYONE)
def risk_list():
    """Enrolled children at 高 or 中 risk, the highest first, a page at a time with the
    indicators behind each level."""
    filters = SchoolFilter.from_args(request.args)
    page = scores.ranked_page(register.enrolled_ids(filters.school), clock.today(),
                            request.args.get("page", 1, type=int))
    return render_template("attendance/risk.html", page=page, schools=access.school_choices(),
                           filters=filters, total=db.session.scalar(
                               access.count_of(register.enrolled(filters.school))))


@bp.route("/risk.pdf")
@access.require(*access.EVERYONE)
def risk_pdf():
    return printjobs.render_now("risk_ledger", {"school": request.args.get("school", "")})


@bp.route("/risk.xlsx")
@access.require(*access.EVERYONE)
def risk_xlsx():
    found = risk_ledger.rows(whole(request.args.get("school")), clock.today())
    data = excel.table("辍学风险学生台账", risk_ledger.COLUMNS, found)
    audit.record("export", f"导出辍学风险学生台账 {len(found)} 行", table_name="students",
                 after={"rows": len(found), "format": "xlsx"})
    db.session.commit()
    return excel.download(data, f"辍学风险学生台账-{clock.today():%Y%m%d}.xlsx")


@bp.route("/risk/<int:student_id>", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def risk_override(student_id):
    student = access.get_or_404(Student, student_id)
    level = request.form.get("level") or None
    risk.override(student, level, request.form.get("reason", ""), current_user, clock.today())
    db.session.commit()
    flash(f"已调整 {student.name} 的风险等级。", "success")
    return after_write(url_for("students.show", student_id=student.id))
