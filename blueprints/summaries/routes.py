"""工作总结: draft a school's or the township's summary for a term or a school year from the
data (draft.py), edit every section, save it as a new version, list the versions, print a
version as PDF (printjobs) and export it as .docx (docx.py).

Decisions where the brief was silent:
- Saving a fresh draft counts the figures again at that moment and stores them with the text
  (they are not carried through the browser, where they could be altered); saving an edited
  version keeps the figures of the version it was made from.
- The title is editable; the headings travel with the version (hidden fields), the text of
  every section is a textarea.
- "重新起草" opens a new draft from the current data; nothing is saved until 保存, and the
  earlier versions stay as they were.
- The appendix of evidence is listed from the current data of the version's period when it is
  printed or exported (a scan uploaded later appears).
- The signature block's date is the day the version was saved.
"""
from __future__ import annotations

from io import BytesIO

from flask import abort, flash, render_template, request, send_file, url_for
from flask_login import current_user

import access
import clock
from params import whole
import audit
import pdf
import printjobs
from blueprints.summaries import bp
from blueprints.summaries import docx as word
from blueprints.summaries import draft as drafting
from blueprints.summaries.forms import SummaryForm
from extensions import db
from models import School, Term, WorkSummary
from responses import after_write, form_page

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _units() -> list[tuple[str, str]]:
    """The choices of whom to write about: a village head their own school; central roles the
    township or any school of it."""
    if access.one_school():
        return [(str(current_user.school_id), current_user.school.name)]
    town = access.township_id()
    schools = [s for s in access.schools() if s.township_id == town]
    central = db.session.get(School, town) if town else None
    return ([("town", f"全镇（{central.name}）")] if central else []) + \
        [(str(s.id), s.name) for s in schools]


def _periods(terms: list[Term]) -> list[tuple[str, str]]:
    """Terms and school years that have begun, newest first (so the current term is the
    default choice): a term not yet begun has nothing to sum up."""
    out = []
    terms = [t for t in terms if t.start_date <= clock.today()]
    for year in sorted({t.school_year for t in terms}, reverse=True):
        for t in sorted((t for t in terms if t.school_year == year), key=lambda t: -t.semester):
            out.append((f"term-{t.id}", t.name))
        out.append((f"year-{year}", f"{year}–{year + 1}学年（全学年）"))
    return out


def _unit(key: str | None) -> drafting.Unit:
    if access.one_school():
        key = key or str(current_user.school_id)
    key = key or "town"
    if key == "town":  # the central school's writers
        if access.one_school() or not access.township_id():
            abort(404)
        return drafting.township_unit(db.session.get(School, access.township_id()))
    if whole(key) is None:
        abort(404)
    school = access.get_or_404(School, whole(key))
    if access.one_school() and school.id != current_user.school_id:
        abort(404)
    return drafting.school_unit(school)


def _period(key: str | None, terms: list[Term]) -> drafting.Period | None:
    if not terms:
        return None
    if key and key.startswith("year-") and whole(key[5:]) is not None:
        year = whole(key[5:])
        if not any(t.school_year == year for t in terms):
            abort(404)
        return drafting.year_period(year, terms)
    if key and key.startswith("term-") and whole(key[5:]) is not None:
        term = next((t for t in terms if t.id == whole(key[5:])), None)
        if term is None:
            abort(404)
        return drafting.term_period(term)
    begun = [t for t in terms if t.start_date <= clock.today()] or terms
    return drafting.term_period(Term.current(begun, clock.today()))


@bp.route("/")
@access.require(*access.SCHOOL_READERS)
def index():
    """The saved summaries, one row per school (or the township) and period, with every
    version; writers start a new draft from here."""
    rows = db.session.scalars(access.scoped(WorkSummary).order_by(
        WorkSummary.school_year.desc(), WorkSummary.semester.desc(), WorkSummary.school_id,
        WorkSummary.version.desc())).all()
    groups: dict[tuple, list[WorkSummary]] = {}
    for row in rows:
        groups.setdefault((row.central_id, row.school_id, row.school_year, row.semester),
                          []).append(row)
    terms = access.terms()
    return render_template("summaries/index.html", groups=list(groups.values()),
                           units=_units() if access.can("summaries.new") else [],
                           periods=_periods(terms), terms=terms)


@bp.route("/new", methods=["GET", "POST"])
@access.require(*access.SUMMARY_WRITERS)
def new():
    """A draft from the current data, in the edit page; 保存 stores it as the next version."""
    terms = access.terms()
    unit = _unit(request.values.get("unit"))
    period = _period(request.values.get("period"), terms)
    if period is None:
        return render_template("summaries/form.html", form=None, unit=unit, period=None,
                               units=_units(), periods=[], draft=None)
    form = SummaryForm()
    made = drafting.draft(unit, period, clock.today())
    if not form.is_submitted():
        form.title.data = made.title
        form.fill(made.sections)
    else:
        form.label_sections()
    if form.validate_on_submit():
        row = drafting.save(unit, period, form.title.data, form.values(), made.figures,
                            current_user)
        db.session.commit()
        flash(f"已保存{row.title}（第 {row.version} 稿）。", "success")
        return after_write(url_for("summaries.show", summary_id=row.id))
    return form_page("summaries/form.html", form, unit=unit, period=period, draft=made,
                     units=_units(), periods=_periods(terms), figures=made.figures,
                     labels=drafting.FIGURE_LABELS, base=None)


@bp.route("/<int:summary_id>")
@access.require(*access.SCHOOL_READERS)
def show(summary_id):
    summary = access.get_or_404(WorkSummary, summary_id)
    unit, period = drafting.unit_of(summary), drafting.period_of(summary)
    evidence = drafting.appendix(unit, period, clock.today()) if period else []
    return render_template("summaries/show.html", summary=summary, unit=unit, period=period,
                           versions=drafting.versions_of(summary), evidence=evidence,
                           labels=drafting.FIGURE_LABELS, paragraphs=drafting.paragraphs,
                           level=drafting.level)


@bp.route("/<int:summary_id>/edit", methods=["GET", "POST"])
@access.require(*access.SUMMARY_WRITERS)
def edit(summary_id):
    """Edit a saved version; 保存 makes a new version, this one stays as it is."""
    base = access.get_or_404(WorkSummary, summary_id)
    unit, period = drafting.unit_of(base), drafting.period_of(base)
    if period is None:
        abort(404)  # the term was deleted: the version can still be read and printed
    form = SummaryForm()
    if not form.is_submitted():
        form.title.data = base.title
        form.fill(base.sections)
    else:
        form.label_sections()
    if form.validate_on_submit():
        row = drafting.save(unit, period, form.title.data, form.values(), dict(base.figures),
                            current_user)
        db.session.commit()
        flash(f"已保存为第 {row.version} 稿，第 {base.version} 稿保持不变。", "success")
        return after_write(url_for("summaries.show", summary_id=row.id))
    return form_page("summaries/form.html", form, unit=unit, period=period, draft=None,
                     units=[], periods=[], figures=base.figures,
                     labels=drafting.FIGURE_LABELS, base=base)


# Paper ------------------------------------------------------------------------------------

def _context(summary: WorkSummary) -> dict:
    unit, period = drafting.unit_of(summary), drafting.period_of(summary)
    return {"summary": summary, "unit": unit, "period": period,
            "evidence": drafting.appendix(unit, period, clock.today()) if period else [],
            "signed_on": summary.created_at.date()}


@printjobs.batch("summary")
def summary_batch(params: dict) -> printjobs.Batch:
    """One saved version of a work summary as a PDF: title, sections, seal and date, appendix."""
    summary = access.get_or_404(WorkSummary, int(params["id"]))
    context = _context(summary)

    def finish():
        audit.record("export", f"打印{summary.title}（第 {summary.version} 稿）",
                     table_name="work_summaries", row_id=summary.id,
                     school_id=summary.school_id or summary.central_id,
                     after={"format": "pdf", "version": summary.version})
    return printjobs.Batch(title=summary.title, filename=f"{summary.title}-第{summary.version}稿.pdf",
                           parts=[pdf.Part("print/summary.html", {
                               **context, "paragraphs": drafting.paragraphs,
                               "level": drafting.level})], finish=finish)


@bp.route("/<int:summary_id>.pdf")
@access.require(*access.SCHOOL_READERS)
def paper(summary_id):
    return printjobs.render_now("summary", {"id": summary_id})


@bp.route("/<int:summary_id>.docx")
@access.require(*access.SCHOOL_READERS)
def docx_file(summary_id):
    summary = access.get_or_404(WorkSummary, summary_id)
    context = _context(summary)
    data = word.build(summary, context["unit"], context["evidence"], context["signed_on"])
    audit.record("export", f"导出{summary.title}（第 {summary.version} 稿）Word 文档",
                 table_name="work_summaries", row_id=summary.id,
                 school_id=summary.school_id or summary.central_id,
                 after={"format": "docx", "version": summary.version})
    db.session.commit()
    return send_file(BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=f"{summary.title}-第{summary.version}稿.docx")
