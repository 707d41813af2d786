"""四查三比对: the 户籍 list imported and compared with the register (reconcile.py), each
child found explained or made a case."""
from flask import flash, render_template, request, url_for
from flask_login import current_user

import access
import audit
import clock
import excel
import pending
from blueprints.cases import bp, reconcile, workflow
from blueprints.cases.forms import ReconcileImportForm
from extensions import db
from models import EXPLANATIONS, Guardian, HouseholdChild, School, Student
from responses import after_write, refused_list
from refusal import Refusal


@bp.route("/reconcile")
@access.require(*access.TOWN_READERS)
def reconcile_page():
    found = reconcile.findings(access.township_id(), clock.today()) \
        if access.township_id() else reconcile.Findings([], [], [])
    return render_template("cases/reconcile.html", found=found, explanations=EXPLANATIONS,
                           schools_for=reconcile.schools_for, today=clock.today(),
                           form=ReconcileImportForm())


@bp.route("/reconcile/import", methods=["POST"])
@access.require(*access.OFFICER)
def reconcile_import():
    form = ReconcileImportForm()
    if not form.validate_on_submit():
        raise Refusal("；".join(form.file.errors) or "请选择户籍名单文件。")
    data = form.file.data.read()
    error, entries = reconcile.read(data)
    refused = refused_list(error, entries, "户籍名单", url_for("cases.reconcile_page"))
    if refused:
        return refused
    planned = reconcile.plan(access.township_id(), entries)
    return render_template("cases/reconcile_preview.html", plan=planned,
                           token=pending.keep("household", data),
                           filename=form.file.data.filename)


@bp.route("/reconcile/import/commit", methods=["POST"])
@access.require(*access.OFFICER)
def reconcile_commit():
    """Import a previewed list; those missing from it go only if 移出 was ticked."""
    token = request.form.get("token", "")
    _, entries = reconcile.read(pending.load("household", token))
    planned = reconcile.plan(access.township_id(), entries)  # again: the list may have moved on
    removed = reconcile.apply(access.township_id(), planned, clock.today(),
                              remove=request.form.get("remove") == "1")
    audit.record("import", f"导入户籍名单 {planned.rows} 人（新增 {len(planned.added)}，"
                           f"更新 {len(planned.updated)}，移出 {removed}）",
                 table_name="household_children", after={
                     "rows": planned.rows, "added": len(planned.added), "removed": removed,
                     "villages": planned.villages or "全镇"})
    db.session.commit()
    pending.drop("household", token)
    flash(f"已导入户籍名单 {planned.rows} 人：新增 {len(planned.added)}，更新 {len(planned.updated)}"
          f"，移出 {removed}。", "success")
    return after_write(url_for("cases.reconcile_page"))


@bp.route("/reconcile/template.xlsx")
@access.require(*access.OFFICER)
def reconcile_template():
    data = excel.table("户籍名单", [(h[0], 14) for h in reconcile.HEADERS.values()], [],
                       text_columns=(2, 6))
    return excel.download(data, "户籍适龄儿童名单模板.xlsx")


@bp.route("/reconcile/<int:child_id>/explain", methods=["POST"])
@access.require(*access.OFFICER)
def reconcile_explain(child_id):
    child = access.get_or_404(HouseholdChild, child_id)
    kind, note = request.form.get("kind", ""), request.form.get("note", "").strip()
    if kind not in EXPLANATIONS or not note:
        raise Refusal("请选择情况，并写明依据（如 就读学校名称、学籍证明、死亡证明）。")
    child.explained, child.explanation = kind, note[:300]
    child.explained_on, child.explained_by_id = clock.today(), current_user.id
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
        student.change_status("dropout", clock.today(), "四查三比对发现未入学", "", current_user)
    case = workflow.open_case(student, "reconciliation", clock.today(), current_user,
                              reason="四查三比对：户籍在册，未在校", note="四查三比对发现，立案劝返")
    db.session.commit()
    flash(f"已为 {child.name} 立疑似辍学个案（登记在{school.name}）。", "success")
    return after_write(url_for("cases.show", case_id=case.id))
