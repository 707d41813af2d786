"""结对帮扶: pairs of a teacher and a child, sessions logged in a few seconds, pairs behind
schedule and children still without a pair (schedule.py)."""
from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

import access
import audit
import clock
import pdf
import printjobs
from blueprints.pairs import bp, schedule
from blueprints.pairs.forms import PairForm, SessionForm
from extensions import db
from filters import SchoolFilter
from models import PAIR_KINDS, DisabledChild, Student, TutoringPair, User
from params import whole
from refusal import Refusal
from responses import after_write, form_page, targets



LIST_LIMIT = 20  # children listed per need on 结对帮扶's page of one school, with how many in
# all and a link to the need's own page, which lists them all a page at a time (a village
# school's 80 left-behind children without an 爱心妈妈 made the page 34 KB and 10 ms)


@bp.route("/")
@access.require(*access.SCHOOL_READERS)  # a teacher's scope is their classes
def index():
    """Of one school: its children who need a pair and lack one (the first of each need), and
    its pairs not ended, those behind schedule first, a page at a time. Of several (the
    township, the county): how many of each each school has, a school's lists a click on."""
    today = clock.today()
    filters = SchoolFilter.from_args(request.args)
    schools = access.schools()
    if filters.school or len(schools) == 1:
        page, behind = schedule.page_of_pairs(today, filters.school,
                                              request.args.get("page", 1, type=int))
        return render_template(
            "pairs/index.html", page=page, behind=behind, schools=schools, filters=filters,
            uncovered=schedule.uncovered(today, filters.school, limit=LIST_LIMIT),
            limit=LIST_LIMIT, by_school=None, kinds=PAIR_KINDS)
    return render_template("pairs/index.html", schools=schools, filters=filters,
                           by_school=schedule.uncovered_by_school(today),
                           pairs=schedule.pairs_by_school(today), columns=schedule.NEED_COLUMNS,
                           kinds=PAIR_KINDS)


@bp.route("/needs/<kind>")
@access.require(*access.SCHOOL_READERS)
def need(kind):
    """Every child of one need who lacks the pair, a page at a time."""
    filters = SchoolFilter.from_args(request.args)
    found = schedule.need_page(clock.today(), kind, filters.school,
                               request.args.get("page", 1, type=int))
    if found is None:
        abort(404)
    label, page = found
    return render_template("pairs/need.html", label=label, kind=kind, page=page,
                           schools=access.schools(), filters=filters)


@bp.route("/mine")
@access.require(*access.STAFF)
def mine():
    """我的结对: the user's own pairs, each with a one-line form to log a session."""
    rows = schedule.pairs(clock.today(), teacher_id=current_user.id)
    return render_template("pairs/mine.html", rows=rows, form=SessionForm(),
                           rules=schedule.describe())


@bp.route("/new", methods=["GET", "POST"])
@access.require(*access.REGISTER_EDITORS)
def new():
    student = access.get_or_404(Student, request.values.get("student", type=int) or 0)
    form = PairForm(kind=request.args.get("kind") if request.args.get("kind") in PAIR_KINDS
                    else "academic")
    form.student = student
    teachers = db.session.scalars(access.scoped(User).where(
        User.school_id == student.school_id, User.active.is_(True),
        User.role.in_(access.STAFF))
        .order_by(User.name)).all()
    form.teacher_id.choices = [(u.id, f"{u.name}（{u.role_label}）") for u in teachers]
    form.term_id.choices = [(None, "（不限）")] + [(t.id, t.name) for t in access.terms()]
    if form.validate_on_submit():
        plan = form.kind.data == "home_delivery"  # a 送教上门 plan's own lines
        pair = TutoringPair(school_id=student.school_id, student=student,
                            teacher=access.get_or_404(User, form.teacher_id.data),
                            kind=form.kind.data, goals=form.goals.data,
                            start_on=form.start_on.data, end_on=form.end_on.data,
                            term_id=form.term_id.data if plan else None,
                            co_teachers=form.co_teachers.data if plan else "",
                            frequency=form.frequency.data if plan else "")
        db.session.add(pair)
        db.session.commit()
        flash(f"已结对：{pair}。", "success")
        return after_write(url_for("students.show", student_id=student.id))
    return form_page("pairs/form.html", form, student=student)


def _own_pair(pair_id) -> TutoringPair:
    """A pair the user may log for: their own, or any in scope for a village head/officer;
    anyone else's pair is not there for them to write to (404)."""
    pair = access.get_or_404(TutoringPair, pair_id)
    if pair.teacher_id != current_user.id and not access.can("pairs.new", "POST"):
        abort(404)
    return pair


@bp.route("/<int:pair_id>/sessions", methods=["POST"])
@access.require(*access.STAFF)
def log_session(pair_id):
    pair = _own_pair(pair_id)
    form = SessionForm()
    card = f"pair-{pair.id}"
    if form.validate_on_submit():
        schedule.log(pair, current_user, form.held_on.data, form.mode.data, form.minutes.data,
                     form.content.data, form.progress.data)
        db.session.commit()
        if targets(card):  # 我的结对: the card refreshes in place, the form empties
            return _card(pair, SessionForm(), saved=True)
        flash(f"已记录与 {pair.student.name} 的帮扶。", "success")
        return after_write(url_for("pairs.mine"))
    if targets(card):
        return _card(pair, form), 422
    return form_page("pairs/mine.html", form, rows=[schedule.card(pair, clock.today())],
                     rules=schedule.describe())


def _card(pair: TutoringPair, form, **context) -> str:
    """One card of 我的结对, as the page shows it (schedule.card)."""
    _, due, sessions = schedule.card(pair, clock.today())
    return render_template("pairs/_card.html", pair=pair, due=due, sessions=sessions, form=form,
                           **context)


@bp.route("/<int:pair_id>/end", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def end(pair_id):
    pair = access.get_or_404(TutoringPair, pair_id)
    pair.end_on = clock.today()
    db.session.commit()
    flash(f"已结束结对：{pair}。", "success")
    return after_write(url_for("students.show", student_id=pair.student_id))


@printjobs.batch("home_teaching")
def home_teaching(params: dict) -> printjobs.Batch:
    """送教上门记录: a plan (who, what for, how often) and its visits, each with a column for the
    guardian's signature, and blank lines for the visits still to come."""
    pair = access.get_or_404(TutoringPair, whole(params.get("id")) or 0)
    if pair.kind != "home_delivery":
        raise Refusal("只有送教上门的结对才打印送教上门记录。")
    disabled = db.session.scalar(access.scoped(DisabledChild).where(
        DisabledChild.student_id == pair.student_id))

    def finish():
        audit.record("export", f"打印送教上门记录：{pair.student.name}",
                     table_name="tutoring_pairs", row_id=pair.id, after={"format": "pdf"})
    return printjobs.Batch(
        title="送教上门记录", filename=f"送教上门记录-{pair.student.name}.pdf",
        parts=[pdf.Part("print/home_teaching.html", {
            "pair": pair, "visits": sorted(pair.sessions, key=lambda v: (v.held_on, v.id)),
            "disabled": disabled, "lines": RECORD_LINES})], finish=finish)


RECORD_LINES = 10  # the table's rows at least: the visits to come are written in by hand


@bp.route("/<int:pair_id>/record.pdf")
@access.require(*access.EVERYONE)
def record_pdf(pair_id):
    return printjobs.render_now("home_teaching", {"id": pair_id})
