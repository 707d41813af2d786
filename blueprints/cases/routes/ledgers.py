"""台账: the 疑似辍学, 辍学 and 适龄儿童 ledgers of a month, on the page, in Excel and printed."""
from flask import current_app, flash, render_template, request, url_for
from flask_login import current_user

import access
import audit
import clock
import excel
import params
import pdf
import printjobs
from blueprints.cases import bp, ledger, school_reports, sent
from blueprints.cases.lists import LedgerFilter
from extensions import db
from models import School, school_year_of
from refusal import Refusal
from responses import after_write


def _ledger_args(args):
    """(kind, school, first day, last day, version) of a ledger's URL or a print's parameters."""
    f = LedgerFilter.from_args(args)
    return f.kind, f.school, *f.bounds, f.version


def _sent(kind, first, version=None):
    """(the version sent that the month's ledger shows — the latest, or the one asked for —
    or None, every version sent)."""
    if kind not in sent.FROZEN:
        return None, []
    every = sent.versions(access.township_id(), first)
    latest = every[-1] if every else None
    return next((r for r in every if r.version == version), latest), every


def _ledger_rows(kind, school_id, first, last, full, report=None):
    if kind == "age":
        students = db.session.scalars(ledger.age_statement(school_year_of(first), school_id))
        rows = [ledger.age_row(n, s, full) for n, s in enumerate(students, 1)]
        rows += [ledger.household_row(n, h, full) for n, h in enumerate(
            ledger.unregistered(first, school_id), len(rows) + 1)]
        return ledger.AGE_COLUMNS, rows
    return ledger.CASE_COLUMNS, sent.case_rows(report, kind, first, last, school_id, full)


@bp.route("/ledger")
@access.require(*access.EVERYONE)
def ledger_page():
    kind, school_id, first, last, version = _ledger_args(request.args)
    full = access.sees_full_ids()
    report, every = _sent(kind, first, version)
    number = request.args.get("page", 1, type=int)
    if kind == "age":
        page, columns, rows = _age_page(first, school_id, full, number)
    else:
        page = sent.case_page(report, kind, first, last, school_id, full, number)
        columns, rows = ledger.CASE_COLUMNS, page.items
    schools = access.school_choices()
    html = render_template(
        "cases/ledger.html", kind=kind, kinds=ledger.KINDS, page=page, columns=columns,
        rows=rows, first=first, schools=schools, school_id=school_id, report=report,
        counts=sent.month_counts(report, first, last, schools),
        versions=every, ended=clock.today() >= last, changes=sent.changes(report, first, last)
        if report and report is every[-1] else [], school_reports=school_reports.sent(first),
        args={k: v for k, v in request.args.items() if k != "page" and v})
    if full:  # the page shows their numbers in full
        audit.read_ids(page.items if kind == "age" else ledger.children_of(rows),
                       ledger.KINDS[kind])
    return html


def _age_page(first, school_id, full: bool, number: int):
    """A page of the 适龄儿童台账: (the page of children, the columns, the rows)."""
    page = db.paginate(ledger.age_statement(school_year_of(first), school_id), page=number,
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    offset = (page.page - 1) * page.per_page
    rows = [ledger.age_row(offset + n, s, full) for n, s in enumerate(page.items, 1)]
    extra = ledger.unregistered(first, school_id)
    page.extra = len(extra)  # the heading counts them too
    if page.page == max(page.pages, 1):  # the last page: the 户籍 list's unregistered
        rows += [[f"户籍名单上、全库都没有学籍的适龄儿童（{len(extra)} 人，身份证号见导出的 Excel）"]] \
            if extra else []
        rows += [ledger.household_row(page.total + n, h, False) for n, h in enumerate(extra, 1)]
    return page, ledger.AGE_COLUMNS, rows


@bp.route("/ledger/send", methods=["POST"])
@access.require(*access.OFFICER)
def ledger_send():
    """报送 the month's ledgers (or a correction of what was sent)."""
    first, last = LedgerFilter.from_args(request.form).bounds
    report = sent.send(access.township_id(), first, last, current_user, clock.today(),
                       request.form.get("note", ""))
    db.session.flush()
    audit.record("export", f"报送{first.year}年{first.month}月台账（第 {report.version} 版）",
                 table_name="month_reports", row_id=report.id, after={
                     "version": report.version, "note": report.note,
                     **{kind: len(report.content[kind]) for kind in sent.FROZEN}})
    db.session.commit()
    flash(f"已报送{first.year}年{first.month}月台账（第 {report.version} 版）。", "success")
    return after_write(url_for("cases.ledger_page", month=f"{first:%Y-%m}"))


@bp.route("/ledger/school-report", methods=["POST"])
@access.require(*access.REGISTER_EDITORS)
def school_report():
    """A school's 月报 of a month (零报告 when nobody was out) sent to the central school."""
    if params.month(request.form.get("month")) is None:  # not taken as this month
        raise Refusal("月份写成 2026-11 这样。")
    first, last = LedgerFilter.from_args(request.form).bounds
    school = access.get_or_404(School, request.form.get("school", type=int) or 0)
    report = school_reports.send(school, first, last, current_user, clock.today(),
                                 request.form.get("note", ""), request.form.get("shown", type=int))
    db.session.flush()
    words = school_reports.title(report)
    audit.record("export", f"报送{words}", table_name="school_reports", row_id=report.id, after={
        "version": report.version, "suspected": report.suspected, "dropouts": report.dropouts,
        "note": report.note})
    db.session.commit()
    flash(f"已报送{words}。", "success")
    return after_write(url_for("cases.ledger_page", month=f"{first:%Y-%m}"))


@bp.route("/ledger.xlsx")
@access.require(*access.EVERYONE)
def ledger_export():
    kind, school_id, first, last, version = _ledger_args(request.args)
    full = access.sees_full_ids()
    report, _ = _sent(kind, first, version)
    columns, rows = _ledger_rows(kind, school_id, first, last, full, report)
    title = f"{ledger.KINDS[kind]}-{first:%Y年%m月}"
    data = excel.table(ledger.KINDS[kind], columns, rows, text_columns=(5, 7) if kind != "age"
                       else (5, 8))
    audit.record("export", f"导出{title} {len(rows)} 行", table_name="dropout_cases",
                 after={"rows": len(rows), "full_ids": full, "format": "xlsx"})
    db.session.commit()
    return excel.download(data, f"{title}.xlsx")


@printjobs.batch("ledger")
def ledger_batch(params: dict) -> printjobs.Batch:
    kind, school_id, first, last, version = _ledger_args(params)
    full = access.sees_full_ids()
    report, _ = _sent(kind, first, version)
    columns, rows = _ledger_rows(kind, school_id, first, last, full, report)
    label, unit = access.unit_of(school_id)
    title = f"{ledger.KINDS[kind]}（{label}，{first.year}年{first.month}月）" + (
        f"（{report.sent_on} 报送，第 {report.version} 版）" if report else "")

    def finish():
        audit.record("export", f"打印{title} {len(rows)} 行", table_name="dropout_cases",
                     after={"rows": len(rows), "full_ids": full, "format": "pdf"})
    return printjobs.Batch(title=title, filename=f"{title}.pdf", parts=[pdf.Part(
        "print/ledger.html", {"title": title, "columns": columns, "rows": rows, "unit": unit,
                              "today": clock.today()})], finish=finish)


@bp.route("/ledger/print", methods=["POST"])
@access.require(*access.EVERYONE, writes=False)
def ledger_print():
    job = printjobs.start("ledger", {k: request.form.get(k, "")
                                     for k in ("kind", "school", "month", "version")})
    return after_write(url_for("prints.show", job_id=job.id))
