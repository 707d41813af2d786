"""Township set-up by the central officer: schools, terms, classes, users, and the audit log."""
from flask import flash, render_template, request, url_for
from flask_login import current_user

import access
import audit as audit_log
import clock
from blueprints.township import bp
from blueprints.township.lists import AuditFilter, ClassFilter
from blueprints.township.forms import ClassForm, ResetPasswordForm, SchoolForm, TermForm, UserForm
from extensions import db
from models import (ROLES, AuditLog, ClassGroup, Responsibility, School, Term, User,
                    school_year_of)
from responses import after_write, form_page, invalid


def _school_choices():
    return [(s.id, s.name) for s in db.session.scalars(
        access.scoped(School).order_by(School.kind, School.name))]


# Schools

@bp.route("/schools")
@access.require(*access.OFFICER)
def schools():
    rows = access.schools()
    return render_template("township/schools.html", schools=rows)


@bp.route("/schools/new", methods=["GET", "POST"], defaults={"school_id": None})
@bp.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
@access.require(*access.OFFICER)
def school_form(school_id):
    school = access.get_or_404(School, school_id) if school_id else None
    form = SchoolForm(obj=school, school=school)
    if school and school.kind == "central":
        form.kind.choices = [("central", "中心学校")]
    if form.validate_on_submit():
        if school is None:
            school = School(parent_id=access.township_id())
            db.session.add(school)
        form.populate_obj(school)
        school.code = form.code.data or None
        db.session.commit()
        flash(f"已保存学校：{school.name}。", "success")
        return after_write(url_for("township.schools"))
    return form_page("township/school_form.html", form, school=school)


# Terms

@bp.route("/terms")
@access.require(*access.OFFICER)
def terms():
    rows = db.session.scalars(access.scoped(Term).order_by(Term.school_year.desc(),
                                                           Term.semester.desc())).all()
    return render_template("township/terms.html", terms=rows, today=clock.today())


@bp.route("/terms/new", methods=["GET", "POST"], defaults={"term_id": None})
@bp.route("/terms/<int:term_id>/edit", methods=["GET", "POST"])
@access.require(*access.OFFICER)
def term_form(term_id):
    term = access.get_or_404(Term, term_id) if term_id else None
    form = TermForm(obj=term, term=term, central_id=access.township_id())
    if term is None and not form.is_submitted():
        form.school_year.data = school_year_of(clock.today())
    if form.validate_on_submit():
        if term is None:
            term = Term(central_id=access.township_id())
            db.session.add(term)
        form.populate_obj(term)
        term.holidays = (form.holidays.data or "").strip()
        db.session.commit()
        flash(f"已保存{term.name}，共 {len(term.school_days())} 个上课日。", "success")
        return after_write(url_for("township.terms"))
    return form_page("township/term_form.html", form, term=term)


# Classes

@bp.route("/classes")
@access.require(*access.REGISTER_EDITORS)
def classes():
    filters = ClassFilter.from_args(request.args)
    rows = db.session.scalars(filters.statement()).all()
    return render_template("township/classes.html", classes=rows, filters=filters,
                           schools=access.schools())


@bp.route("/classes/new", methods=["GET", "POST"], defaults={"class_id": None})
@bp.route("/classes/<int:class_id>/edit", methods=["GET", "POST"])
@access.require(*access.REGISTER_EDITORS)
def class_form(class_id):
    klass = access.get_or_404(ClassGroup, class_id) if class_id else None
    form = ClassForm(obj=klass)
    form.school_id.choices = _school_choices()
    if klass is None and not form.is_submitted():
        form.school_year.data = school_year_of(clock.today())
    form.head_teacher_id.choices = _head_teacher_choices()
    if request.method == "GET" and klass:
        form.head_teacher_id.data = klass.head_teacher_id or 0
    if form.validate_on_submit() and (saved := _save_class(form, klass)) is not None:
        db.session.commit()
        flash(f"已保存班级：{saved.school.name} {saved.label}。", "success")
        return after_write(url_for("township.classes", year=saved.school_year))
    return form_page("township/class_form.html", form, klass=klass)


def _save_class(form, klass: ClassGroup | None) -> ClassGroup | None:
    """The class as the form says (a new one added), or None with the error on the form."""
    duplicate = db.session.scalar(db.select(ClassGroup).filter_by(
        school_id=form.school_id.data, school_year=form.school_year.data,
        grade=form.grade.data, name=form.name.data.strip()))
    if duplicate is not None and duplicate is not klass:
        form.name.errors.append("这个学校本学年已有同名班级。")
        return None
    school = access.get_or_404(School, form.school_id.data)
    if klass is None:
        klass = ClassGroup()
        db.session.add(klass)
    form.populate_obj(klass)
    klass.school_id = school.id
    klass.name = klass.name.strip()
    klass.head_teacher_id = form.head_teacher_id.data or None
    return klass


def _head_teacher_choices() -> list[tuple[int, str]]:
    """Who may head a class: the staff of the schools the user sees."""
    teachers = db.session.scalars(access.scoped(User).where(
        User.role.in_(access.STAFF), User.active.is_(True)).order_by(User.name)).all()
    return [(0, "（未指定）")] + [(t.id, f"{t.name}（{t.school.name if t.school else ''}）")
                                for t in teachers]


# Users

@bp.route("/users")
@access.require(*access.OFFICER)
def users():
    rows = db.session.scalars(access.scoped(User).order_by(User.school_id, User.role,
                                                           User.username)).all()
    return render_template("township/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@access.require(*access.OFFICER)
def user_form(user_id):
    user = access.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user, user=user)
    form.school_id.choices = _school_choices()
    if form.validate_on_submit() and (saved := _save_user(form, user)) is not None:
        db.session.commit()
        flash(f"已保存用户：{saved.name}（{saved.username}）。", "success")
        return after_write(url_for("township.users"))
    return form_page("township/user_form.html", form, user=user,
                      reset_form=ResetPasswordForm() if user else None)


def _save_user(form, user: User | None) -> User | None:
    """The account as the form says (a new one added), or None with the error on the form."""
    school = access.get_or_404(School, form.school_id.data)
    if form.role.data in access.TOWN_READERS and school.kind != "central":  # town roles
        form.school_id.errors.append(f"“{ROLES[form.role.data]}”的账号应属于中心学校。")
        return None
    if user is not None and user.id == current_user.id and (
            not form.active.data or form.role.data not in access.OFFICER):
        form.active.errors.append("不能停用自己的账号或去掉自己的管理员角色。")
        return None
    if user is None:
        user = User()
        user.set_password(form.password.data)
        db.session.add(user)
    user.username, user.name = form.username.data.strip(), form.name.data.strip()
    user.phone, user.role, user.active = form.phone.data or "", form.role.data, form.active.data
    if not user.active:
        user.end_sessions()  # signed out everywhere, and not again if re-enabled
    if user.school_id not in (None, school.id):
        _leave_school(user, school)
    user.school_id = school.id
    return user


def _leave_school(user: User, school: School) -> None:
    """A user moved to another school leaves the old one's classes and 包保 lines: a teacher
    sees the classes they head and the children they 包 (access.py), and the old school's would
    have stayed theirs to read and mark."""
    for klass in db.session.scalars(access.scoped(ClassGroup).where(
            ClassGroup.head_teacher_id == user.id, ClassGroup.school_id != school.id)):
        klass.head_teacher_id = None
    for line in db.session.scalars(access.scoped(Responsibility).where(
            Responsibility.user_id == user.id)):
        if line.student.school_id != school.id:
            db.session.delete(line)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@access.require(*access.OFFICER)
def user_password(user_id):
    user = access.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        db.session.commit()
        flash(f"已重置 {user.name} 的密码。请把新密码当面告知本人，并提醒登录后修改。", "success")
        return after_write(url_for("township.users"))
    edit_form = UserForm(obj=user, user=user)
    edit_form.school_id.choices = _school_choices()
    return invalid("township/user_form.html", form=edit_form, user=user, reset_form=form)


# Audit log

@bp.route("/audit")
@access.require(*access.OFFICER)
def audit():
    filters = AuditFilter.from_args(request.args)
    page = db.paginate(filters.statement(), page=request.args.get("page", 1, type=int),
                       per_page=50, error_out=False)
    return render_template("township/audit.html", page=page, args=filters.as_args(),
                           actions=AuditLog.ACTIONS, tables=audit_log.TABLE_LABELS)
