"""Pledges (目标责任书), guardian letters and notices: generate, print, sign, collect."""
from flask import (abort, flash, render_template, request, send_file, url_for)

import access
import audit
import clock
import params
import printjobs
import uploads
from blueprints.pledges import bp, issue, printing
from blueprints.pledges.forms import GenerateForm, ScanForm, TemplateForm
from extensions import db, plain_rows
from models import (GUARDIAN_KINDS, PLEDGE_KINDS, PLEDGE_STATUSES, ClassGroup, Pledge,
                    School, Term, school_year_of)
from responses import after_write, form_page
from refusal import Refusal



@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    terms = access.terms()
    filters = printing.PledgeFilter.from_args(request.args)
    if filters.term is None and terms:
        filters.term = Term.current(terms, clock.today()).id
    pledges, unsigned = filters.rows(), filters.unsigned()
    marked = audit.changed_today("pledges", [p.id for p in pledges], "status", clock.today())
    return render_template("pledges/index.html", pledges=pledges, unsigned=unsigned, filters=filters,
                           terms=terms, schools=access.school_choices(), kinds=PLEDGE_KINDS,
                           statuses=PLEDGE_STATUSES, generate=_generate_form(terms),
                           today=clock.today(), undoable={
                               p.id for p in pledges
                               if p.status in p.BY_HAND and marked.get(p.id) == p.status})


def _generate_form(terms):
    form = GenerateForm()
    form.term_id.choices = [(t.id, t.name) for t in terms]
    if not form.is_submitted() and terms:
        form.term_id.data = Term.current(terms, clock.today()).id
    form.school_id.choices = [(s.id, s.name) for s in access.school_choices(active=True)]
    form.class_id.choices = [(0, "—")] + [
        (cid, f"{school} · {ClassGroup.label_of(grade, name)}")
        for cid, school, grade, name in plain_rows(_classes(school_year_of(clock.today())))]
    return form


@access.per_scope
def _classes(school_year: int):
    """The school year's classes the user may see with their schools' names, in order."""
    return access.scoped(ClassGroup).with_only_columns(
        ClassGroup.id, School.name, ClassGroup.grade, ClassGroup.name
    ).join(School, ClassGroup.school_id == School.id).where(
        ClassGroup.school_year == school_year
    ).order_by(ClassGroup.school_id, ClassGroup.grade, ClassGroup.name)


@bp.route("/generate", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def generate():
    terms = access.terms()
    form = _generate_form(terms)
    if form.validate_on_submit():
        school = access.get_or_404(School, form.school_id.data)
        term = access.get_or_404(Term, form.term_id.data)
        klass = access.get_or_404(ClassGroup, form.class_id.data) if form.class_id.data else None
        kind = form.kind.data
        if kind in GUARDIAN_KINDS and (klass is None or klass.school_id != school.id):
            form.class_id.errors.append("家长承诺书、告知书按班级生成：请选择这所学校的一个班。")
        elif kind == "village_school" and school.kind == "central":
            form.school_id.errors.append("村小（教学点）目标责任书请选择一所村小或教学点。")
        elif kind == "township_village" and school.kind != "central":
            form.school_id.errors.append("镇政府与村委会目标责任书按全镇生成：请选择中心学校。")
        else:
            made, skipped = issue.generate(kind, school, term, klass)
            db.session.commit()
            note = f"，{skipped} 份本学期已生成过（需要可重新打印）" if skipped else ""
            flash(f"已生成{PLEDGE_KINDS[kind]} {made} 份{note}。" if made or skipped else
                  f"没有可生成{PLEDGE_KINDS[kind]}的对象（例如学校还没有教师账号或班级没有学生）。",
                  "success" if made else "warning")
            return after_write(url_for("pledges.index", term=term.id, school=school.id,
                                       kind=kind))
    raise Refusal("；".join(e for errors in form.errors.values() for e in errors))


@bp.route("/<int:pledge_id>")
@access.require(*access.EVERYONE)
def show(pledge_id):
    """The browser print preview of one pledge: the same HTML as its PDF."""
    pledge = access.get_or_404(Pledge, pledge_id)
    return render_template("print/pledge.html", pledges=[pledge])


@bp.route("/<int:pledge_id>.pdf", methods=["GET", "POST"])
@access.require(*access.EVERYONE, writes=False)
def print_one(pledge_id):
    """One pledge's PDF; asked for by POST (the list's 打印) it is marked 已打印."""
    return printjobs.render_now("pledges", {"id": pledge_id,
                                            "mark": request.method == "POST"})


@bp.route("/print", methods=["POST"])
@access.require(*access.EVERYONE, writes=False)
def print_batch():
    """The filtered list as one PDF, rendered by the print worker while a progress bar shows."""
    job = printjobs.start("pledges", dict(printing.PledgeFilter.from_args(request.form).as_args(),
                                          mark=True))
    return after_write(url_for("prints.show", job_id=job.id))


@bp.route("/<int:pledge_id>/status", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def advance(pledge_id):
    pledge = access.get_or_404(Pledge, pledge_id)
    pledge.advance(request.form.get("to", ""), params.day(request.form.get("on")) or clock.today(),
                   clock.today())
    db.session.commit()
    flash(f"{pledge.party_b_name} 的{pledge.title}：{pledge.status_label}。", "success")
    return after_write(request.referrer or url_for("pledges.index"))


@bp.route("/<int:pledge_id>/undo", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def undo(pledge_id):
    """Take back a step marked by mistake today (audited as any change)."""
    pledge = access.get_or_404(Pledge, pledge_id)
    marked = audit.changed_today("pledges", [pledge.id], "status", clock.today())
    pledge.undo(marked.get(pledge.id) == pledge.status)
    db.session.commit()
    flash(f"已撤销：{pledge.party_b_name} 的{pledge.title}回到“{pledge.status_label}”。", "success")
    return after_write(request.referrer or url_for("pledges.index"))


@bp.route("/<int:pledge_id>/scan", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def upload_scan(pledge_id):
    """The signed paper's scan. Each upload gets a new file name, so a replaced scan is an
    audited change of scan_path, and the old file goes only once the change is committed."""
    pledge = access.get_or_404(Pledge, pledge_id)
    form = ScanForm()
    if not form.validate_on_submit():
        raise Refusal("；".join(form.file.errors))
    data = form.file.data.read()
    ext = uploads.kind(data)
    old = pledge.scan_path
    pledge.scan_path = uploads.store(uploads.SCANS, str(pledge.id), data, ext)
    if pledge.status in ("generated", "printed"):
        pledge.advance("signed", clock.today())
    db.session.commit()
    if old:
        (uploads.folder(uploads.SCANS) / old).unlink(missing_ok=True)
    flash(f"已上传 {pledge.party_b_name} 的签字扫描件。", "success")
    return after_write(url_for("pledges.index", term=pledge.term_id, school=pledge.school_id))


@bp.route("/<int:pledge_id>/scan")
@access.require(*access.EVERYONE)
def scan(pledge_id):
    pledge = access.get_or_404(Pledge, pledge_id)
    if not pledge.scan_path:
        abort(404)
    return send_file(uploads.folder(uploads.SCANS) / pledge.scan_path, download_name=f"扫描件-{pledge.doc_no}."
                     + pledge.scan_path.rsplit(".", 1)[1])


@bp.route("/templates")
@access.require(*access.OFFICER)
def templates():
    rows = issue.templates(access.township_id())
    db.session.commit()
    return render_template("pledges/templates.html", templates=rows.values(),
                           placeholders=issue.PLACEHOLDERS)


@bp.route("/templates/<kind>", methods=["GET", "POST"])
@access.require(*access.OFFICER)
def template_form(kind):
    if kind not in PLEDGE_KINDS:
        abort(404)
    template = issue.templates(access.township_id())[kind]
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        form.populate_obj(template)
        db.session.commit()
        flash(f"已保存模板：{PLEDGE_KINDS[kind]}。以后生成的文书使用新文本，已生成的不变。", "success")
        return after_write(url_for("pledges.templates"))
    return form_page("pledges/template_form.html", form, template=template,
                     placeholders=issue.PLACEHOLDERS)
