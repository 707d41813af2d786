"""资助: programmes (central officer), eligibility and grants (village heads), gaps, sums,
the finance office's Excel and the printable 公示 list."""
from flask import flash, render_template, request, url_for
from flask_login import current_user

import access
import clock
import excel
import audit
import printjobs
from blueprints.aid import bp, grants, paper
from blueprints.aid.forms import BulkGrantForm, CorrectForm, ProgramForm
from extensions import db
from filters import SchoolFilter
from models import AID_METHODS, AidGrant, AidProgram, ClassGroup, Student, Term
from responses import after_write, form_page
from refusal import Refusal



def _term_id(terms) -> int | None:
    chosen = request.args.get("term", type=int)
    if chosen and any(t.id == chosen for t in terms):
        return chosen
    current = Term.current(terms, clock.today())
    return current.id if current else None


@bp.route("/")
@access.require(*access.SCHOOL_READERS)
def index():
    terms = access.terms()
    term_id = _term_id(terms)
    rows = [(program, *grants.summary(program)) for program in grants.programs(term_id)]
    return render_template("aid/index.html", terms=terms, term_id=term_id, rows=rows,
                           totals=grants.totals(term_id))


def _fen_text(fen):
    return None if fen is None else f"{fen // 100}.{fen % 100:02d}"


@bp.route("/programs/new", methods=["GET", "POST"], defaults={"program_id": None})
@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@access.require(*access.OFFICER)
def program_form(program_id):
    program = access.get_or_404(AidProgram, program_id) if program_id else None
    form = _program_form(program)
    if form.validate_on_submit():
        access.get_or_404(Term, form.term_id.data)
        if program is None:
            program = AidProgram(central_id=access.township_id())
            db.session.add(program)
        for name in ("term_id", "kind", "name", "source", "everyone", "active"):
            setattr(program, name, form[name].data)
        program.amount, program.boarder_amount = form.amount.fen, form.boarder_amount.fen
        program.flags = ",".join(form.flags.data)
        db.session.commit()
        flash(f"已保存资助项目：{program.name}。", "success")
        return after_write(url_for("aid.program", program_id=program.id))
    return form_page("aid/program_form.html", form, program=program)


def _program_form(program: AidProgram | None) -> ProgramForm:
    """The form of a programme (None: a new one), its amounts in yuan, the terms to choose."""
    form = ProgramForm(obj=program)
    form.program_id = program.id if program else None
    terms = access.terms()
    form.term_id.choices = [(t.id, t.name) for t in terms]
    if not form.is_submitted():
        if program:
            form.amount.data = _fen_text(program.amount)
            form.boarder_amount.data = _fen_text(program.boarder_amount)
            form.flags.data = program.flag_list
        elif terms:
            form.term_id.data = _term_id(terms)
    return form


def _classes(program):
    """The classes holding the programme's eligible children the user may see."""
    ids = {r.student.class_id for r in grants.eligible(program) if r.student.class_id}
    return db.session.scalars(access.scoped(ClassGroup).where(ClassGroup.id.in_(ids)).order_by(
        ClassGroup.school_id, ClassGroup.grade, ClassGroup.name)).all()


@bp.route("/programs/<int:program_id>")
@access.require(*access.SCHOOL_READERS)
def program(program_id):
    program = access.get_or_404(AidProgram, program_id)
    filters = grants.EligibleFilter.from_args(request.args)
    rows = grants.eligible(program, filters.school, filters.class_id,
                           registered_by=grants.ended_on(program))
    classes = _classes(program)
    bulk = None
    if access.can("aid.bulk_grant", "POST"):
        bulk = BulkGrantForm(class_id=filters.class_id, applied_on=clock.today())
        bulk.class_id.choices = [(c.id, f"{c.school.name} · {c.label}") for c in classes]
    gone = [] if filters.class_id else grants.gone(program, filters.school, rows)
    return render_template("aid/program.html", program=program, rows=rows, classes=classes,
                           gone=gone, paid_here=grants.paid_here,
                           schools=access.schools(), filters=filters, bulk=bulk, methods=AID_METHODS,
                           full_ids=access.sees_full_ids())


@bp.route("/programs/<int:program_id>/bulk", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def bulk_grant(program_id):
    """Grant the standard to every eligible child of a class who has nothing yet, at once."""
    program = access.get_or_404(AidProgram, program_id)
    form = BulkGrantForm()
    form.class_id.choices = [(c.id, c.label) for c in _classes(program)]
    if not form.validate_on_submit():
        raise Refusal("；".join(e for es in form.errors.values() for e in es))
    klass = access.get_or_404(ClassGroup, form.class_id.data)
    rows = grants.eligible(program, class_id=klass.id)
    made = grants.bulk_grant(program, rows, current_user, form.method.data,
                             form.applied_on.data)
    db.session.commit()
    flash(f"{klass.school.name}{klass.label}：已为 {made} 名学生申请{program.name}"
          f"（符合条件 {len(rows)} 人，{len(rows) - made} 人已有记录）。", "success")
    return after_write(url_for("aid.program", program_id=program.id, class_id=klass.id))


@bp.route("/programs/<int:program_id>/students/<int:student_id>", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def grant_one(program_id, student_id):
    program = access.get_or_404(AidProgram, program_id)
    student = access.get_or_404(Student, student_id)
    if not db.session.scalar(access.scoped(Student).where(
            Student.id == student.id, program.eligible_condition())):
        raise Refusal(f"{student.name}不符合{program.name}的资助条件。")
    made = grants.grant(program, student, current_user,
                        method=request.form.get("method") if request.form.get("method")
                        in AID_METHODS else "card")
    db.session.commit()
    flash(f"已为 {student.name} 申请{program.name} {made.yuan} 元。", "success")
    return after_write(request.referrer or url_for("aid.program", program_id=program.id))


@bp.route("/programs/<int:program_id>/advance", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def advance_class(program_id):
    """Move every grant of a class on to 审核 or 已发放 (those already there are left)."""
    program = access.get_or_404(AidProgram, program_id)
    klass = access.get_or_404(ClassGroup, request.form.get("class_id", type=int) or 0)
    to = request.form.get("to", "")
    if to not in AidGrant.STEPS[1:]:
        raise Refusal("请选择“审核通过”或“已发放”。")
    moved = 0
    for row in grants.eligible(program, class_id=klass.id):
        for g in row.grants:  # a child paid by its former school: that school's to move on
            if grants.paid_here(g) and AidGrant.STEPS.index(g.status) < AidGrant.STEPS.index(to):
                g.advance(to, clock.today())
                moved += 1
    db.session.commit()
    flash(f"{klass.label}：{moved} 条资助记录已改为“{AidGrant.LABELS[to]}”。",
          "success")
    return after_write(url_for("aid.program", program_id=program.id, class_id=klass.id))


@bp.route("/grants/<int:grant_id>/status", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def advance(grant_id):
    row = grants.own(grant_id)
    row.advance(request.form.get("to", ""), clock.today())
    db.session.commit()
    flash(f"{row.student.name} 的{row.program.name}：{row.status_label}。", "success")
    return after_write(request.referrer or url_for("aid.program", program_id=row.program_id))


@bp.route("/grants/<int:grant_id>/correct", methods=["GET", "POST"])
@access.require(*access.REGISTER_EDITORS)
def correct(grant_id):
    """A wrong amount is corrected by new entries (grants.correct), never by an edit."""
    original = grants.own(grant_id)
    form = CorrectForm()
    if form.validate_on_submit():
        try:
            grants.correct(original, form.amount.fen, form.reason.data, current_user,
                           clock.today())
        except Refusal as error:
            form.amount.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"已更正 {original.student.name} 的{original.program.name}：原记录保留，另记更正。",
                  "success")
            return after_write(url_for("aid.program", program_id=original.program_id,
                                       class_id=original.student.class_id))
    return form_page("aid/correct.html", form, grant=original)


@bp.route("/gaps")
@access.require(*access.SCHOOL_READERS)
def gaps():
    terms = access.terms()
    term_id = _term_id(terms)
    filters = SchoolFilter.from_args(request.args)
    found = grants.gaps(term_id, filters.school) if term_id else grants.Gaps([], [])
    return render_template("aid/gaps.html", terms=terms, term_id=term_id, gaps=found,
                           schools=access.schools(), filters=filters)


@bp.route("/programs/<int:program_id>/export.xlsx")
@access.require(*access.SCHOOL_READERS)
def export(program_id):
    program = access.get_or_404(AidProgram, program_id)
    entries = grants.entries(program)
    full = access.sees_full_ids()
    data = paper.workbook(program, entries, full)
    audit.record("export", f"导出资助发放表：{program.name} {len(entries)} 条", table_name="aid_grants",
                 after={"rows": len(entries), "full_ids": full, "format": "xlsx"})
    db.session.commit()
    return excel.download(data, f"资助发放表-{program.name}.xlsx")


@bp.route("/programs/<int:program_id>/notice", methods=["POST"])
@access.require(*access.SCHOOL_READERS, writes=False)
def notice(program_id):
    """The 公示 list (names, masked IDs, amounts) for posting, by the print worker."""
    job = printjobs.start("aid_notice", {"id": program_id,
                                         "school": request.form.get("school", "")})
    return after_write(url_for("prints.show", job_id=job.id))
