"""残疾儿童: the list with its counts by placement, the 残联's list imported (preview, then
confirm), a child's page (register or 立案, responsible school, assessment and placement), and
the 残疾儿童台账 as PDF and Excel. roster.py holds the rules."""
from flask import flash, render_template, request, url_for
from flask_login import current_user

import access
import audit
import clock
import excel
import pdf
import pending
import printjobs
from blueprints.special import bp, roster
from blueprints.special.forms import ImportForm, PlaceForm
from extensions import db
from models import (DISABILITY_CATEGORIES, DISABILITY_LEVELS, SPECIAL_PLACEMENTS,
                    DisabledChild)
from refusal import Refusal
from responses import after_write, form_page, refused_list


@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    placement = request.args.get("placement", "")
    rows = roster.children()
    shown = [c for c in rows if not placement or c.placement == placement.replace("none", "")]
    return render_template("special/index.html", rows=shown, counts=roster.counts(rows),
                           placement=placement, placements=SPECIAL_PLACEMENTS, form=ImportForm())


@bp.route("/import", methods=["POST"])
@access.require(*access.OFFICER)
def import_list():
    form = ImportForm()
    if not form.validate_on_submit():
        raise Refusal("；".join(form.file.errors) or "请选择残联的残疾儿童名单文件。")
    data = form.file.data.read()
    error, entries = roster.read(data)
    refused = refused_list(error, entries, "残疾儿童名单", url_for("special.index"))
    if refused:
        return refused
    return render_template("special/import_preview.html",
                           plan=roster.plan(access.township_id(), entries),
                           categories=DISABILITY_CATEGORIES, levels=DISABILITY_LEVELS,
                           token=pending.keep("disabled", data), filename=form.file.data.filename)


@bp.route("/import/commit", methods=["POST"])
@access.require(*access.OFFICER)
def import_commit():
    token = request.form.get("token", "")
    _, entries = roster.read(pending.load("disabled", token))
    planned = roster.plan(access.township_id(), entries)  # again: the list may have moved on
    removed = roster.apply(access.township_id(), planned, clock.today(),
                           remove=request.form.get("remove") == "1")
    audit.record("import", f"导入残联残疾儿童名单 {planned.rows} 人（新增 {len(planned.added)}，"
                           f"更新 {len(planned.updated)}，移出 {removed}）",
                 table_name="disabled_children",
                 after={"rows": planned.rows, "added": len(planned.added), "removed": removed})
    db.session.commit()
    pending.drop("disabled", token)
    flash(f"已导入残疾儿童名单 {planned.rows} 人：新增 {len(planned.added)}，更新 "
          f"{len(planned.updated)}，移出 {removed}。", "success")
    return after_write(url_for("special.index"))


@bp.route("/template.xlsx")
@access.require(*access.OFFICER)
def template():
    data = excel.table("残疾儿童名单", [(h[0], 14) for h in roster.HEADERS.values()], [],
                       text_columns=(2, 5, 9))
    return excel.download(data, "残疾儿童名单模板.xlsx")


@bp.route("/<int:child_id>")
@access.require(*access.EVERYONE)
def show(child_id):
    child = access.get_or_404(DisabledChild, child_id)
    return _page(child, _form(obj=child, placement=child.placement))


@bp.route("/<int:child_id>", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def place(child_id):
    """The assessment and placement (and, for the officer, the responsible school)."""
    child = access.get_or_404(DisabledChild, child_id)
    form = _form()
    if "school_id" not in request.form:  # shown but not editable: follows the record
        form.school_id.data = child.school_id
    if form.validate_on_submit():
        try:
            roster.place(child, form.data, clock.today(),
                         may_move=access.acts_for_township())
        except Refusal as refused:  # above the form, everything typed kept
            form.form_errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"已保存{child.name}的评估和安置：{child.placement_label}。", "success")
            return after_write(url_for("special.index"))
    return _page(child, form)


def _form(**values) -> PlaceForm:
    """The placement form, its 责任学校 choices the schools in scope."""
    form = PlaceForm(**values)
    form.school_id.choices = [(s.id, s.name) for s in access.schools()]
    return form


def _page(child, form):
    return form_page("special/show.html", form, child=child, placements=SPECIAL_PLACEMENTS)


@bp.route("/<int:child_id>/register", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def register(child_id):
    child = access.get_or_404(DisabledChild, child_id)
    out = request.form.get("how") == "case"
    student = roster.register(child, current_user, clock.today(), out_of_school=out)
    db.session.commit()
    flash(f"已为{child.name}在{child.school.name}建立学籍" + ("，并立疑似辍学个案。" if out else
                                                    "，请接着评估安置。"), "success")
    return after_write(url_for("special.show", child_id=child.id) if not out
                       else url_for("students.show", student_id=student.id))


@printjobs.batch("disabled_ledger")
def ledger_batch(params: dict) -> printjobs.Batch:
    """残疾儿童台账: every child of the list in scope with the counts by placement."""
    rows = roster.children()
    if not rows:
        raise Refusal("还没有残疾儿童名单：请先导入残联的名单。")
    full = access.sees_full_ids()

    def finish():
        audit.record("export", f"打印残疾儿童台账 {len(rows)} 人", table_name="disabled_children",
                     after={"rows": len(rows), "format": "pdf", "full_ids": full})
    return printjobs.Batch(
        title="残疾儿童台账", filename=f"残疾儿童台账-{clock.today():%Y%m%d}.pdf",
        parts=[pdf.Part("print/disabled_ledger.html", {
            "rows": rows, "counts": roster.counts(rows), "full": full,
            "placements": SPECIAL_PLACEMENTS, "today": clock.today(),
            "unit": access.schools()[0].government_name.removesuffix("人民政府")
            if access.township_id() else "全县"})],
        finish=finish)


@bp.route("/ledger.pdf")
@access.require(*access.EVERYONE)
def ledger_pdf():
    return printjobs.render_now("disabled_ledger", {})


@bp.route("/ledger.xlsx")
@access.require(*access.EVERYONE)
def ledger_xlsx():
    rows, full = roster.children(), access.sees_full_ids()
    columns = [("序号", 6), ("姓名", 8), ("性别", 5), ("身份证号", 20), ("出生日期", 11),
               ("残疾类别", 8), ("残疾等级", 8), ("残疾证号", 22), ("村", 10), ("监护人", 8),
               ("联系电话", 13), ("责任学校", 16), ("学籍", 16), ("评估日期", 11), ("安置方式", 10),
               ("安置日期", 11)]
    data = excel.table("残疾儿童台账", columns, [_row(n, c, full) for n, c in enumerate(rows, 1)],
                       text_columns=(4, 8, 11))
    audit.record("export", f"导出残疾儿童台账 {len(rows)} 行", table_name="disabled_children",
                 after={"rows": len(rows), "format": "xlsx", "full_ids": full})
    db.session.commit()
    return excel.download(data, f"残疾儿童台账-{clock.today():%Y%m%d}.xlsx")


def _row(n: int, c: DisabledChild, full: bool) -> list:
    return [n, c.name, c.sex, c.id_number if full else c.masked_id, c.birth_date,
            c.category_label, c.level_label,
            (c.certificate_no if full else c.masked_certificate) or "无证", c.village,
            c.guardian, c.phone, c.responsible_school.name if c.responsible_school else "",
            f"{c.student.school.name} {c.student.class_label}" if c.student
            else c.placed_school or "未登记", c.assessed_on, c.placement_label, c.placed_on]
