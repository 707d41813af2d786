"""月度推进会: schedule a meeting with a drafted agenda, walk through it one school at a time,
type the minutes as it goes, record decisions as action items; print the sign-in sheet, the
minutes and the month's report (PDF and Excel, the same figures as the dashboard)."""
from datetime import datetime

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

import access
import clock
import params
import audit
import excel
import pdf
import printjobs
from blueprints.cases import ledger, sent
from blueprints.dashboard import metrics, rates
from blueprints.meetings import agenda, bp
from blueprints.meetings.forms import ActionItemForm, MeetingForm, review_month
from blueprints.responsibility import lines, network
from blueprints.special import roster
from extensions import db
from forms import fingerprint, stale
from models import SPECIAL_PLACEMENTS, ActionItem, Meeting, School, User, roll_of
from responses import after_write, form_page, targets
from refusal import Refusal



FIELDS = ("held_on", "place", "chair", "attendees", "absentees", "observers", "distribution",
          "agenda")  # what the meeting's page saves


def _default_attendees(kind: str) -> str:
    """The regulars of a 推进会 (the schools' heads), or the members of the 领导小组."""
    if kind == "group":
        return "\n".join(f"{m.person.name}（{m.unit}）" for m in network.group())
    people = db.session.scalars(access.scoped(User).where(
        User.active.is_(True), User.role.in_(access.MEETING_REGULARS))
        .order_by(User.school_id)).all()
    return "\n".join(f"{u.name}（{u.unit}）" for u in people)


@bp.route("/")
@access.require(*access.TOWN_READERS)
def index():
    meetings = db.session.scalars(access.scoped(Meeting).order_by(Meeting.held_on.desc())).all()
    return render_template("meetings/index.html", meetings=meetings)


@bp.route("/new", methods=["GET", "POST"])
@access.require(*access.CENTRAL)
def new():
    form = MeetingForm(kind=request.args.get("kind", "monthly"))
    if not form.is_submitted():
        form.month.data = f"{review_month(clock.today()):%Y-%m}"
        form.chair.data = current_user.name
        form.attendees.data = _default_attendees(form.kind.data)
    if form.validate_on_submit():
        meeting = Meeting(central_id=access.township_id(), kind=form.kind.data,
                          month=params.month(form.month.data),
                          held_on=form.held_on.data, place=form.place.data,
                          chair=form.chair.data, attendees=form.attendees.data,
                          absentees=form.absentees.data, observers=form.observers.data,
                          distribution=form.distribution.data)
        db.session.add(meeting)
        db.session.flush()
        meeting.agenda = agenda.draft(meeting, clock.today())
        db.session.commit()
        flash(f"已安排{meeting.title}，议程已按数据起草，可以修改。", "success")
        return after_write(url_for("meetings.show", meeting_id=meeting.id))
    return form_page("meetings/form.html", form)


OWNERS_SCHOOL, TOWNSHIP = 0, -1  # a decision's 学校: the owner's own (a village school's), 全镇


def _item_form(meeting, form=None):
    form = form or ActionItemForm()
    schools = access.schools()
    form.school_id.choices = [(OWNERS_SCHOOL, "负责人所在学校"), (TOWNSHIP, "全镇")] + [
        (s.id, s.name) for s in schools]
    form.owner.choices = [("", "（请选择）")] + lines.staff_and_cadres()
    form.held_on = meeting.held_on
    return form


def _item_school(chosen: int, person) -> School | None:
    """The school a decision is for: the one chosen; by default its owner's village school (a
    head's decision was filed under 全镇, and missing from the school's 佐证材料), a village
    cadre's the village school of that village when there is one; else 全镇."""
    if chosen == OWNERS_SCHOOL:
        school = getattr(person, "school", None)
        if school is None and getattr(person, "village", ""):  # a village cadre
            school = db.session.scalar(access.scoped(School).where(
                School.village == person.village, School.active.is_(True)).limit(1))
        return school if school is not None and school.kind != "central" else None
    return access.get_or_404(School, chosen) if chosen != TOWNSHIP else None


@bp.route("/<int:meeting_id>", methods=["GET", "POST"])
@access.require(*access.TOWN_READERS)
def show(meeting_id):
    meeting = access.get_or_404(Meeting, meeting_id)
    form = MeetingForm(obj=meeting)
    form.meeting_id = meeting.id
    if request.method != "POST":
        form.month.data = f"{meeting.month:%Y-%m}"  # the field is text: 2026-11
    # the inspector may read, not post (access.check_request)
    valid = request.method == "POST" and form.validate_on_submit()
    if not stale(form, meeting, ("month", *FIELDS)) and valid:
        meeting.month = params.month(form.month.data)
        for name in FIELDS:
            setattr(meeting, name, form[name].data)
        db.session.commit()
        flash("已保存会议信息和议程。", "success")
        return after_write(url_for("meetings.show", meeting_id=meeting.id))
    return form_page("meetings/show.html", form, meeting=meeting, today=clock.today(),
                     carried=agenda.carried(meeting), item_form=_item_form(meeting))


@bp.route("/<int:meeting_id>/redraft", methods=["POST"])
@access.require(*access.CENTRAL)
def redraft(meeting_id):
    meeting = access.get_or_404(Meeting, meeting_id)
    meeting.agenda = agenda.draft(meeting, clock.today())
    db.session.commit()
    flash("已按最新数据重新起草议程。", "success")
    return after_write(url_for("meetings.show", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/present")
@access.require(*access.TOWN_READERS)
def present(meeting_id):
    """Presentation mode: large type, the township first, then one school at a time."""
    meeting = access.get_or_404(Meeting, meeting_id)
    parts = agenda.schools(meeting, clock.today())
    step = request.args.get("step", 0, type=int)
    step = max(0, min(step, len(parts)))
    return render_template("meetings/present.html", meeting=meeting, parts=parts, step=step,
                           today=clock.today(),
                           part=parts[step - 1] if step else None,
                           columns=metrics.dashboard(clock.today(), meeting.month),
                           carried=agenda.carried(meeting), item_form=_item_form(meeting),
                           formulas=rates.formulas(), minutes_seen=_minutes_seen(meeting))


@bp.route("/<int:meeting_id>/minutes", methods=["POST"])
@access.require(*access.CENTRAL)
def minutes(meeting_id):
    """Minutes saved as they are typed (htmx, after a pause); a plain post saves too."""
    meeting = access.get_or_404(Meeting, meeting_id)
    text = request.form.get("minutes", "")
    if len(text) > 20000:
        raise Refusal("会议记录太长（最多 2 万字），请分开记录。")
    if request.form.get("seen", _minutes_seen(meeting)) != _minutes_seen(meeting):
        raise Refusal("会议记录已在别的窗口或电脑上改过，这里刚写的没有保存。请先把它复制下来，"
                      "刷新页面后再合并进去。")
    meeting.minutes = text
    db.session.commit()
    if targets("minutes-saved"):  # and what the page now holds, for its next save
        return (f'<span id="minutes-saved" class="muted">已保存 {datetime.now():%H:%M:%S}</span>'
                f'<input type="hidden" id="minutes-seen" name="seen" hx-swap-oob="true" '
                f'value="{_minutes_seen(meeting)}">')
    flash("已保存会议记录。", "success")
    return after_write(url_for("meetings.show", meeting_id=meeting.id))


def _minutes_seen(meeting: Meeting) -> str:
    """The minutes as a page holds them (forms.fingerprint): a save from a page that holds
    older ones is refused (a second tab's autosave replaced the first's minutes)."""
    return fingerprint(meeting, ("minutes",))


@bp.route("/<int:meeting_id>/items", methods=["POST"])
@access.require(*access.CENTRAL)
def add_item(meeting_id):
    meeting = access.get_or_404(Meeting, meeting_id)
    form = _item_form(meeting)
    if form.validate_on_submit():
        person = lines.chosen_person(form.owner.data)
        school = _item_school(form.school_id.data, person)
        db.session.add(ActionItem(meeting=meeting, school_id=school.id if school else None,
                                  text=form.text.data, due_on=form.due_on.data, who=person))
        db.session.commit()
        form = _item_form(meeting, ActionItemForm(formdata=None))
        status = 200
    else:
        status = 422
    if targets("action-items"):
        return render_template("meetings/_items.html", meeting=meeting, today=clock.today(),
                               carried=agenda.carried(meeting), item_form=form), status
    if status == 200:
        flash("已记录会议决定的事项。", "success")
        return after_write(url_for("meetings.show", meeting_id=meeting.id))
    raise Refusal("；".join(e for es in form.errors.values() for e in es))


@bp.route("/items/<int:item_id>/done", methods=["POST"])
@access.require(*access.STAFF)
def item_done(item_id):
    """The owner (or whoever may give the township's items) marks an item done, with what was
    done."""
    item = access.get_or_404(ActionItem, item_id) if access.can("meetings.add_item", "POST") else \
        db.session.scalar(access.scoped(ActionItem).where(ActionItem.id == item_id,
                                                          ActionItem.owner_id == current_user.id))
    if item is None:
        abort(404)
    today = clock.today()
    item.complete(request.form.get("result", ""), params.day(request.form.get("on")) or today,
                  today)
    db.session.commit()
    flash(f"已完成：{item.text}。", "success")
    return after_write(request.referrer or url_for("home.index"))


# Paper ---------------------------------------------------------------------------------------

@printjobs.batch("meeting")
def meeting_batch(params: dict) -> printjobs.Batch:
    """签到表 (signin), 会议纪要 (minutes) or 学校每月报告 (report) of a meeting."""
    meeting = access.get_or_404(Meeting, int(params["id"]))
    kind = params.get("kind")
    today = clock.today()
    context = {"meeting": meeting, "today": today, "township": db.session.get(
        School, meeting.central_id), "roll_of": roll_of}
    if kind == "signin":
        title = f"{meeting.title}签到表"
        context.update(people=roll_of(meeting.attendees), absent=roll_of(meeting.absentees),
                       observers=roll_of(meeting.observers))
    elif kind == "minutes":
        title = f"{meeting.title}纪要"
        context["carried"] = agenda.carried(meeting)
    elif kind == "report":
        title, report = _month_report(meeting.month, today, context["township"])
        context.update(report)
    else:
        abort(404)

    def finish():
        audit.record("export", f"打印{title}", table_name="meetings", row_id=meeting.id,
                     after={"format": "pdf", "kind": kind})
    return printjobs.Batch(title=title, filename=f"{title}.pdf", parts=[pdf.Part(
        f"print/meeting_{kind}.html", {**context, "title": title})], finish=finish)


@printjobs.batch("month_report")
def month_report_batch(args: dict) -> printjobs.Batch:
    """学校每月报告 of a month, with or without a meeting (printed from the month's ledger)."""
    first = params.month(str(args.get("month", "")))
    if first is None or access.township_id() is None:
        raise Refusal("请选择月份。每月报告由中心学校按乡镇打印。")
    title, context = _month_report(first, clock.today(),
                                   db.session.get(School, access.township_id()))

    def finish():
        audit.record("export", f"打印{title}", table_name="month_reports",
                     after={"format": "pdf"})
    return printjobs.Batch(title=title, filename=f"{title}.pdf", parts=[pdf.Part(
        "print/meeting_report.html", {**context, "title": title})], finish=finish)


@bp.route("/report", methods=["POST"])
@access.require(*access.TOWN_READERS, writes=False)
def month_report():
    job = printjobs.start("month_report", {"month": request.form.get("month", "")})
    return after_write(url_for("prints.show", job_id=job.id))


def _month_report(first, today, township: School) -> tuple[str, dict]:
    """(title, context) of a month's report: a month not sent yet prints as a draft."""
    context = {"today": today, "township": township, **_report(first, today)}
    return (f"{first.year}年{first.month}月控辍保学工作报告"
            + ("" if context["sent"] else "（草稿）"), context)


def _report(month, today):
    first, last = metrics.month_bounds(month)
    full = access.sees_full_ids()
    report = (sent.versions(access.township_id(), first) or [None])[-1]  # a sent month as sent
    frozen = report is not None and "figures" in report.content  # sent with its figures
    columns = [] if frozen else metrics.dashboard(today, month)
    return {"figures": report.content["figures"] if frozen else metrics.report_table(columns),
            "as_of": min(last, today),  # a month that has ended: its figures at its end
            "doubts": columns[0].doubts if columns else [], "frozen": frozen,
            "formulas": rates.formulas(),
            "counts": sent.month_counts(report, first, last),
            "suspected": sent.case_rows(report, "suspected", first, last, None, full),
            "dropouts": sent.case_rows(report, "dropout", first, last, None, full), "sent": report,
            "case_columns": ledger.CASE_COLUMNS,
            "disabled": roster.counts(roster.children()), "placements": SPECIAL_PLACEMENTS}


@bp.route("/<int:meeting_id>/<kind>.pdf")
@access.require(*access.TOWN_READERS)
def paper(meeting_id, kind):
    if kind not in ("signin", "minutes", "report"):
        abort(404)
    return printjobs.render_now("meeting", {"id": meeting_id, "kind": kind})


@bp.route("/<int:meeting_id>/report.xlsx")
@access.require(*access.TOWN_READERS)
def report_xlsx(meeting_id):
    """The month's report as Excel: the dashboard's figures per school, then the lists."""
    meeting = access.get_or_404(Meeting, meeting_id)
    data = _report(meeting.month, clock.today())
    head = [("项目", 22)] + [(name, 12) for name in data["figures"]["heads"]]
    rows = [list(row) for row in data["figures"]["rows"]]
    for title, listed in (("疑似辍学学生（本月）", data["suspected"]), ("辍学学生", data["dropouts"])):
        rows += [[], [title], [name for name, _ in data["case_columns"]], *listed]
    out = excel.table("每月报告", head, rows)
    audit.record("export", f"导出{meeting.month.year}年{meeting.month.month}月工作报告",
                 table_name="meetings", row_id=meeting.id, after={"format": "xlsx"})
    db.session.commit()
    return excel.download(out, f"控辍保学工作报告-{meeting.month:%Y年%m月}.xlsx")
