"""双线四包: each child's responsible persons on the school line and the government line."""
from flask import flash, render_template, request, url_for

import access
import audit
import clock
import pdf
import printjobs
from blueprints.responsibility import (assessment, bp, lines, network,  # noqa: F401 (the
                                        network_sheet, table)  # sheets: their print batches)
from blueprints.responsibility.forms import (BulkForm, CadreForm, GroupMemberForm,
                                             ResponsibilityForm)
from extensions import db
from filters import SchoolFilter
from models import (CADRE_LEVELS, GOVERNMENT_LINE, RESPONSIBILITY_KINDS, Cadre, GroupMember,
                    School, Student, User)
from refusal import Refusal
from responses import after_write, form_page


@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    """Coverage: how many at-risk children lack a person on any line in each school, each a
    link to that school's page: its count and its children a page at a time (a village head's
    page is their school's)."""
    filters = SchoolFilter.from_args(request.args)
    schools = access.schools()
    page, per_school = lines.missing_lines(
        clock.today(), request.args.get("page", 1, type=int), filters.school,
        listed=bool(filters.school) or len(schools) == 1)
    return render_template("responsibility/index.html", page=page, per_school=per_school,
                           schools=schools, filters=filters, kinds=RESPONSIBILITY_KINDS,
                           villages=lines.villages())


@bp.route("/assessment")
@access.require(*access.SCHOOL_READERS)
def assessment_page():
    """教师控辍保学工作量化表: a school's teachers and head, a month."""
    filters = assessment.SheetFilter.from_args(request.args)
    school, month = filters.chosen(clock.today())
    lines_ = assessment.sheet(school.id, month, clock.today()) if school else []
    return render_template("responsibility/assessment.html", lines=lines_, school=school,
                           month=month, filters=filters, schools=access.school_choices(),
                           columns=assessment.COLUMNS)


@bp.route("/assessment/print", methods=["POST"])
@access.require(*access.SCHOOL_READERS, writes=False)
def assessment_print():
    job = printjobs.start("assessment", {k: request.form.get(k, "") for k in ("school", "month")})
    return after_write(url_for("prints.show", job_id=job.id))


@printjobs.batch("assessment")
def assessment_batch(params: dict) -> printjobs.Batch:
    school, month = assessment.SheetFilter.from_args(params).chosen(clock.today())
    if school is None:
        raise Refusal("请选择学校。")
    rows = [line.row(n) for n, line in enumerate(assessment.sheet(
        school.id, month, clock.today()), 1)]
    title = f"{school.name}{month.year}年{month.month}月教师控辍保学工作量化表"

    def finish():
        audit.record("export", f"打印{title}", table_name="users", after={"format": "pdf"})
    return printjobs.Batch(title=title, filename=f"{title}.pdf", parts=[pdf.Part(
        "print/ledger.html", {"title": title, "columns": assessment.COLUMNS, "rows": rows,
                              "unit": school.name, "today": clock.today()})], finish=finish)


@bp.route("/students/<int:student_id>", methods=["GET", "POST"])
@access.require(*access.REGISTER_EDITORS)
def edit(student_id):
    student = access.get_or_404(Student, student_id)
    have = student.responsible()
    form = ResponsibilityForm(data={kind: (line.user_id or line.cadre_id)
                                    for kind, line in have.items()})
    for kind, choices in lines.choices_for(student).items():
        form[kind].choices = choices
    if form.validate_on_submit():
        for kind in RESPONSIBILITY_KINDS:
            student.assign(kind, lines.person_for(kind, form[kind].data))
        db.session.commit()
        flash(f"已保存 {student.name} 的包保责任人。", "success")
        return after_write(url_for("students.show", student_id=student.id))
    return form_page("responsibility/edit.html", form, student=student)


@bp.route("/bulk", methods=["GET", "POST"])
@access.require(*access.REGISTER_EDITORS)
def bulk():
    form = BulkForm()
    schools = db.session.scalars(access.scoped(School).where(School.active.is_(True))
                                 .order_by(School.kind, School.name)).all()
    _bulk_choices(form, schools)
    if form.validate_on_submit():
        kind = form.kind.data
        person = _chosen_person(form, kind)
        if kind == "class_teacher" or person is not None:
            school = access.get_or_404(School, form.school_id.data)
            targets = lines.bulk_targets(kind, school.id, form.village.data)
            changed = lines.bulk_assign(kind, targets, person, form.replace.data)
            db.session.commit()
            flash(f"已为 {changed} 名学生分配“{RESPONSIBILITY_KINDS[kind]}”责任人"
                  f"（共 {len(targets)} 名在读学生符合条件）。", "success")
            return after_write(url_for("responsibility.index"))
    headless = lines.classes_without_head(form.school_id.data or schools[0].id) if schools else []
    return form_page("responsibility/bulk.html", form, headless=headless)


def _bulk_choices(form, schools: list[School]) -> None:
    """The schools, villages and people (each school's staff, the cadres) a bulk line offers."""
    form.school_id.choices = [(s.id, s.name) for s in schools]
    form.village.choices = [(v, v) for v in lines.villages()]
    leaders = [u for school in schools for u in lines.school_line_users(school)
               if not access.class_scoped(u) and u.school_id == school.id]
    form.person.choices = [("", "（班主任包班时不用选）")] + lines.person_choices(
        leaders, [c for level in CADRE_LEVELS for c in lines.cadres(level)])


def _chosen_person(form, kind):
    """The user or cadre picked for a bulk line, checked against the line; errors on the form."""
    if kind == "class_teacher":
        return None
    wants_cadre = kind in GOVERNMENT_LINE
    person = lines.chosen_person(form.person.data)
    if person is None or isinstance(person, Cadre) != wants_cadre:
        form.person.errors.append("请选择" + ("一位干部。" if wants_cadre else "一位学校领导。"))
        return None
    if wants_cadre and person.level != kind.split("_")[0]:
        form.person.errors.append(f"请选择一位{CADRE_LEVELS[kind.split('_')[0]]}。")
        return None
    return person


@bp.route("/table", methods=["POST"])
@access.require(*access.EVERYONE, writes=False)
def table_pdf():
    """包保责任表 of a school or a village (table.py), by the print worker."""
    job = printjobs.start("responsibility_table", {k: request.form.get(k, "")
                                                   for k in ("school", "village", "all")})
    return after_write(url_for("prints.show", job_id=job.id))


# 责任网络: the network on one sheet, 包年级, the 控辍保学领导小组

@bp.route("/network")
@access.require(*access.SCHOOL_READERS)
def network_page():
    schools = network.schools_asked(request.args.get("school", type=int))
    year = network.this_year()
    leaders = {s.id: [(0, "（未指定）")] + [(u.id, u.name) for u in lines.school_line_users(s)
                                          if not access.class_scoped(u)] for s in schools}
    return render_template("responsibility/network.html", schools=schools, year=year,
                           nets=network.school_line(schools, year), group=network.group(),
                           villages=network.government_line(), leaders=leaders,
                           every=access.schools(), chosen=request.args.get("school", type=int))


@bp.route("/network.pdf")
@access.require(*access.SCHOOL_READERS)
def network_pdf():
    return printjobs.render_now("network", {"school": request.args.get("school", "")})


@bp.route("/grades", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def grade_lead():
    """行政人员包年级 for one grade of a school this school year; nobody clears it."""
    school = access.get_or_404(School, request.form.get("school", type=int))
    grade = request.form.get("grade", type=int)
    user_id = request.form.get("user", 0, type=int)
    user = access.get_or_404(User, user_id) if user_id else None
    flash(network.set_grade_lead(school, grade, user, network.this_year()), "success")
    db.session.commit()
    return after_write(url_for("responsibility.network_page", school=school.id))


@bp.route("/group", methods=["GET", "POST"])
@access.require(*access.OFFICER)
def group():
    """The 控辍保学领导小组, kept by the central officer: add a member."""
    form = GroupMemberForm()
    form.person.choices = [("", "（请选择）")] + lines.staff_and_cadres()
    if form.validate_on_submit():
        person = lines.chosen_person(form.person.data)
        member = GroupMember(central_id=access.township_id(), position=form.position.data,
                             duty=(form.duty.data or "").strip(), person=person)
        db.session.add(member)
        db.session.commit()
        flash(f"已把 {person.name} 列入领导小组（{member.position_label}）。", "success")
        return after_write(url_for("responsibility.group"))
    return form_page("responsibility/group.html", form, members=network.group())


@bp.route("/group/<int:member_id>/remove", methods=["POST"])
@access.require(*access.OFFICER)
def group_remove(member_id):
    member = access.get_or_404(GroupMember, member_id)
    db.session.delete(member)
    db.session.commit()
    flash(f"已把 {member.person.name} 移出领导小组。", "success")
    return after_write(url_for("responsibility.group"))


# The cadre directory (乡村干部名录), kept by the central officer

@bp.route("/cadres")
@access.require(*access.REGISTER_EDITORS)
def cadres():
    rows = db.session.scalars(access.scoped(Cadre).order_by(Cadre.level, Cadre.village,
                                                            Cadre.name)).all()
    return render_template("responsibility/cadres.html", cadres=rows)


@bp.route("/cadres/new", methods=["GET", "POST"], defaults={"cadre_id": None})
@bp.route("/cadres/<int:cadre_id>/edit", methods=["GET", "POST"])
@access.require(*access.OFFICER)
def cadre_form(cadre_id):
    cadre = access.get_or_404(Cadre, cadre_id) if cadre_id else None
    form = CadreForm(obj=cadre)
    if form.validate_on_submit():
        if cadre is None:
            cadre = Cadre(central_id=access.township_id())
            db.session.add(cadre)
        form.populate_obj(cadre)
        cadre.village = cadre.village.strip()
        cadre.phone = cadre.phone or ""
        db.session.commit()
        flash(f"已保存干部：{cadre.name}。", "success")
        return after_write(url_for("responsibility.cadres"))
    return form_page("responsibility/cadre_form.html", form, cadre=cadre)
