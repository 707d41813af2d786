"""工作活动: a school's 控辍保学 activities (家长会, publicity, trainings, 联席会议 ...) with
photos or scans as evidence. The central officer records them for any school of the township,
a village head for their own; everyone else reads what their scope shows. Checks, storage and
counts are in records.py."""
from flask import abort, current_app, flash, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

import access
import clock
import printjobs
import uploads
from blueprints.activities import bp, parents, records, signin  # noqa: F401 (its print batch)
from blueprints.activities.forms import ActivityForm
from extensions import db
from forms import stale
from models import ACTIVITY_KINDS, PARENT_KINDS, Activity, ActivityPhoto, School
from responses import after_write, form_page
from refusal import Refusal



@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    today = clock.today()
    filters = records.Filters.from_args(request.args)
    page = db.paginate(filters.statement().options(selectinload(Activity.photos),
                                                   selectinload(Activity.school)),
                       page=request.args.get("page", 1, type=int),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    choices = records.periods(today)
    period = next((p for p in choices if p.key == request.args.get("period")), None) or \
        records.default_period(choices, today)
    months, rows, total = records.counts(filters, period, today)
    return render_template("activities/index.html", page=page, filters=filters,
                           schools=access.schools(), kinds=ACTIVITY_KINDS, periods=choices,
                           period=period, months=months, count_rows=rows, total=total,
                           args=dict(filters.as_args(), period=period.key))


# what an edit form shows of its activity, to tell a stale one when it comes back (forms.stale)
SEEN = ("school_id", "held_on", "kind", "class_id", "title", "place", "reached", "description")


def _form(activity=None) -> ActivityForm:
    form = ActivityForm(obj=activity)
    form.activity_id = activity.id if activity else None
    form.school_id.choices = [(s.id, s.name) for s in access.schools()]
    form.class_id.choices = [(0, "全校")] + parents.class_choices(
        activity.class_group if activity else None)
    form.class_id.data = form.class_id.data or 0  # 全校, as an activity of another kind stores it
    if not form.is_submitted() and activity is None:
        wanted = request.args.get("school", type=int)
        ids = [sid for sid, _ in form.school_id.choices]
        form.school_id.data = wanted if wanted in ids else (
            current_user.school_id if current_user.school_id in ids else (ids or [None])[0])
        form.class_id.data = request.args.get("class_id", 0, type=int)
        form.kind.data = request.args.get("kind", form.kind.data)
    if activity is not None and not form.is_submitted():
        stale(form, activity, SEEN)  # what the form shows, to tell a stale one when it comes back
    return form


def _check(form, activity=None) -> list[records.Upload] | None:
    """Validate the fields and every file, and that the activity edited is as the form showed
    it (forms.stale); None when anything is wrong (the errors are on the form, nothing is
    written)."""
    valid = form.validate_on_submit()
    valid = not (activity and stale(form, activity, SEEN)) and valid
    if valid and not parents.class_fits(form.school_id.data, form.kind.data, form.class_id.data):
        form.class_id.errors = [*form.class_id.errors, "这个班级不是所选学校的，请重新选择班级。"]
        valid = False
    ready, errors = records.check_files(request.files.getlist(form.photos.name))
    if errors:
        form.photos.errors = [*form.photos.errors, *errors]
    if not valid and ready:
        form.photos.errors = [*form.photos.errors, "照片还没有保存：改正上面标红的项目后，请重新选择照片。"]
    return ready if valid and not errors else None


def _fill(activity: Activity, form) -> None:
    """The form's fields onto the activity (and its photos' school)."""
    school = access.get_or_404(School, form.school_id.data)
    activity.school_id = school.id
    for photo in activity.photos:
        photo.school_id = school.id
    activity.held_on, activity.kind = form.held_on.data, form.kind.data
    activity.class_id = (form.class_id.data or None) if form.kind.data in PARENT_KINDS else None
    activity.title, activity.place = form.title.data, form.place.data or ""
    activity.reached = form.reached.data
    activity.description = form.description.data or ""


def _save(activity: Activity, ready) -> None:
    """Store the files and commit; on any failure the stored files are removed again."""
    db.session.flush()
    written = records.store(activity, ready)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        records.remove(written)
        raise


@bp.route("/parents")
@access.require(*access.EVERYONE)
def parents_page():
    """家长会和家长学校: which classes held one this term, and which held none."""
    terms = access.terms()
    term = next((t for t in terms if t.id == request.args.get("term", type=int)), None) or \
        parents.this_term(clock.today())
    school = request.args.get("school", type=int)
    rows = parents.coverage(term, school) if term else []
    return render_template("activities/parents.html", rows=rows, term=term, terms=terms,
                           schools=access.schools(), school=school,
                           missing=sum(1 for r in rows if not r.held))


@bp.route("/parents/<int:class_id>/signin.pdf")
@access.require(*access.EVERYONE)
def parents_signin(class_id):
    """The class's 家长会签到表 (of a recorded meeting: ?activity=)."""
    return printjobs.render_now("parents_signin", {"class": class_id,
                                                   "activity": request.args.get("activity")})


@bp.route("/new", methods=["GET", "POST"])
@access.require(*access.REGISTER_EDITORS)
def new():
    form = _form()
    if form.is_submitted():
        ready = _check(form)
        if ready is not None:
            activity = Activity(user_id=current_user.id)
            _fill(activity, form)
            db.session.add(activity)
            _save(activity, ready)
            flash(f"已登记{activity.kind_label}“{activity.title}”" +
                  (f"，照片和扫描件 {len(ready)} 个。" if ready else "。"), "success")
            return after_write(url_for("activities.show", activity_id=activity.id))
    return form_page("activities/form.html", form, activity=None,
                     today_iso=clock.today().isoformat())


@bp.route("/<int:activity_id>")
@access.require(*access.EVERYONE)
def show(activity_id):
    activity = access.get_or_404(Activity, activity_id)
    return render_template("activities/show.html", activity=activity)


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@access.require(*access.REGISTER_EDITORS)
def edit(activity_id):
    activity = access.get_or_404(Activity, activity_id)
    form = _form(activity)
    if form.is_submitted():
        ready = _check(form, activity)
        if ready is not None:
            _fill(activity, form)
            _save(activity, ready)
            flash("已保存活动信息" + (f"，新增照片和扫描件 {len(ready)} 个。" if ready else "。"),
                  "success")
            return after_write(url_for("activities.show", activity_id=activity.id))
    return form_page("activities/form.html", form, activity=activity,
                     today_iso=clock.today().isoformat())


@bp.route("/photos/<int:photo_id>/print.jpg")
@access.require(*access.EVERYONE)
def photo_print(photo_id):
    """The downscaled copy of a photo (the activity page's <img>, and PDFs)."""
    photo = access.get_or_404(ActivityPhoto, photo_id)
    path = uploads_path(photo.print_path)
    if path is None:
        abort(404)
    return _private(send_file(path, mimetype="image/jpeg"))


@bp.route("/photos/<int:photo_id>/file")
@access.require(*access.EVERYONE)
def photo_file(photo_id):
    """The file as uploaded, as a download."""
    photo = access.get_or_404(ActivityPhoto, photo_id)
    path = uploads_path(photo.file_path)
    if path is None:
        abort(404)
    activity = photo.activity
    number = next((n for n, p in enumerate(activity.photos, 1) if p.id == photo.id), 1)
    return _private(send_file(path, as_attachment=True,
                              download_name=f"{activity.held_on}-{activity.kind_label}-{number}"
                                            f"{path.suffix}"))


def uploads_path(name):
    if not name:
        return None
    path = uploads.folder(uploads.ACTIVITY_PHOTOS) / name
    return path if path.is_file() else None


def _private(response):
    """Photos may show children: like the pages, no copy is kept on a shared PC's disk."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/photos/<int:photo_id>/caption", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def caption(photo_id):
    photo = access.get_or_404(ActivityPhoto, photo_id)
    text = request.form.get("caption", "").strip()
    if len(text) > 100:
        raise Refusal("照片说明最多 100 个字。")
    photo.caption = text
    db.session.commit()
    flash("已保存照片说明。", "success")
    return after_write(url_for("activities.show", activity_id=photo.activity_id))


@bp.route("/photos/<int:photo_id>/delete", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def delete_photo(photo_id):
    photo = access.get_or_404(ActivityPhoto, photo_id)
    activity_id = photo.activity_id
    names = records.files_of([photo])
    db.session.delete(photo)
    db.session.commit()
    records.remove(names)
    flash("已删除这张照片。", "success")
    return after_write(url_for("activities.show", activity_id=activity_id))


@bp.route("/<int:activity_id>/delete", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def delete(activity_id):
    """Delete an activity with its photos (the audit log keeps what they were)."""
    activity = access.get_or_404(Activity, activity_id)
    label = f"{activity.kind_label}“{activity.title}”"
    names = records.files_of(activity.photos)
    db.session.delete(activity)
    db.session.commit()
    records.remove(names)
    flash(f"已删除{label}及其照片。", "success")
    return after_write(url_for("activities.index"))
