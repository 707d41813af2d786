"""佐证材料: the evidence pack of one school and term for an inspection, one PDF (one page
numbering) with a cover, a table of contents whose page numbers WeasyPrint fills in
(target-counter), and six sections drawn from what the system already holds:

一、控辍保学台账 — the ledgers as blueprints/cases/ledger.py builds them (same functions, same
    columns): the 疑似辍学台账 and 辍学台账 of the months the term touches (a case open at any
    time in them), the monthly counts of each of those months, and the 适龄儿童台账 of the
    term's 学年;
二、责任书签署情况 — the term's pledges of the school and how many are signed (已签署 or 已回收);
三、家访记录 — the term's visits;
四、劝返复学个案 — the school's cases open at any time in the term, each with every dated step,
    its notices and follow-ups;
五、月度推进会纪要 — the township's meetings held in the term, with only this school's action
    items (another school's, and the township-wide ones, are left out);
六、工作活动 — the term's activities, each image embedded from its print copy
    (ActivityPhoto.print_path, through pdf.photo_url) and each PDF scan listed by name.

The cover is page 1 (it shows no number), so the numbers of the contents are the pages as the
PDF counts them. An empty section prints one line saying so. ID numbers (and 学籍号) are always masked: the pack
leaves the school. Everything is read through access.scoped(), so the pack holds only what the
user who prints it may see. The print is audited as an export of the school (table "schools",
the school's row), with the section counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from flask import abort, current_app
from flask_login import current_user

import access
import clock
from params import whole
import audit
import pdf
import printjobs
import uploads
from blueprints.cases import ledger
from extensions import db
from models import (Activity, DropoutCase, HomeVisit, Meeting, Pledge, School, Student, Term,
                    month_spans, school_year_label)
from refusal import Refusal

TITLE = "控辍保学工作佐证材料"
SECTIONS = [("ledger", "一、控辍保学台账"), ("pledges", "二、责任书签署情况"),
            ("visits", "三、家访记录"), ("cases", "四、劝返复学个案"),
            ("meetings", "五、月度推进会纪要"), ("activities", "六、工作活动")]


@dataclass
class Photo:
    """An activity's evidence file as the pack shows it: an embedded image or a listed name."""
    name: str  # the caption; for a scan or a lost file without one, the stored file name
    url: str | None = None  # pdf.photo_url of the print copy; None for a scan or a lost file
    missing: bool = False  # an image whose print copy is not on disk


@dataclass
class Pack:
    school: School
    term: Term
    first: date  # the first day of the term's first month
    last: date  # the last day of the term's last month
    months: list[tuple[date, ledger.Counts]] = field(default_factory=list)
    # the ledgers' rows, the visits and the cases; only their ids when only counted (assemble)
    suspected: list[list] = field(default_factory=list)
    dropouts: list[list] = field(default_factory=list)
    children: list[list] = field(default_factory=list)
    children_total: int = 0  # the 适龄儿童台账's rows (counted, when the rows are not built)
    pledges: list[Pledge] = field(default_factory=list)
    visits: list[HomeVisit] = field(default_factory=list)
    cases: list[DropoutCase] = field(default_factory=list)
    meetings: list[tuple[Meeting, list]] = field(default_factory=list)
    activities: list[tuple[Activity, list[Photo]]] = field(default_factory=list)
    scans: list[tuple[Pledge, Photo]] = field(default_factory=list)  # signed pledges' scans

    @property
    def title(self) -> str:
        return f"{TITLE}（{self.school.name}，{self.term.name}）"

    @property
    def signed(self) -> int:
        return sum(p.status in Pledge.SIGNED for p in self.pledges)

    def counts(self) -> list[tuple[str, str]]:
        """(section, what it holds) for the page that shows the pack before printing."""
        photos = [p for _, ps in self.activities for p in ps]
        embedded = sum(p.url is not None for p in photos)
        items = sum(len(i) for _, i in self.meetings)
        return [
            (SECTIONS[0][1], f"疑似辍学 {len(self.suspected)} 人，辍学 {len(self.dropouts)} 人，"
                             f"适龄儿童 {self.children_total} 人"),
            (SECTIONS[1][1], f"{len(self.pledges)} 份，已签署 {self.signed} 份"),
            (SECTIONS[2][1], f"{len(self.visits)} 次"),
            (SECTIONS[3][1], f"{len(self.cases)} 个"),
            (SECTIONS[4][1], f"{len(self.meetings)} 次会议，本校决定事项 {items} 项"),
            (SECTIONS[5][1], f"{len(self.activities)} 项，照片 {embedded} 张"
                             + (f"，其他材料 {len(photos) - embedded} 份"
                                if len(photos) > embedded else "")),
        ]


def assemble(school: School, term: Term, ledger_rows: bool = True) -> Pack:
    """Everything the pack shows, under the current user's scope. Without ledger_rows, for the
    page that shows the contents (Pack.counts), what is only counted is not built: the ledgers'
    cases, the visits and the cases are lists of ids, the 适龄儿童台账 (hundreds of children) a
    number, and the monthly counts are left out (the officer's page on the bench county: 52 →
    22-24 ms p50, 19 → 12 queries)."""
    months = month_spans(term.start_date, term.end_date)  # every month the term touches
    pack = Pack(school, term, months[0][0], months[-1][1])
    start, end = term.start_date, term.end_date

    reads = _reads(school.id, school.township_id, term.id, start, end, ledger_rows)

    def listed(stmt: sa.Select) -> list:
        return db.session.scalars(stmt).all()

    # 一、台账: ledger.py's own rows, IDs masked
    children = ledger.age_statement(term.school_year, school.id)
    if ledger_rows:
        pack.months = [(first, rows[0]) for (first, _), rows in zip(
            months, ledger.counts_by_month(months, [school]))]
        pack.suspected = ledger.case_rows("suspected", pack.first, pack.last, school.id, False)
        pack.dropouts = ledger.case_rows("dropout", pack.first, pack.last, school.id, False)
        pack.children = [ledger.age_row(n, s, False)
                         for n, s in enumerate(db.session.scalars(children), 1)]
        pack.children_total = len(pack.children)
    else:
        pack.suspected, pack.dropouts = (listed(_ids(ledger.case_statement(
            kind, pack.first, pack.last, school.id))) for kind in ("suspected", "dropout"))
        pack.children_total = db.session.scalar(_counted(children))

    pack.pledges = listed(reads.pledges)
    if ledger_rows:  # the print: each signed scan's print copy (made once, then kept)
        for p in pack.pledges:
            if p.scan_path:
                copy = uploads.scan_copy(p.scan_path)
                pack.scans.append((p, Photo(f"{p.doc_no} {p.title}（{p.party_b_name}）",
                                            pdf.scan_copy_url(copy) if copy else None,
                                            missing=copy is None)))
    pack.visits, pack.cases = listed(reads.visits), listed(reads.cases)
    meetings = listed(reads.meetings)
    pack.meetings = [(m, [i for i in m.items if i.school_id == school.id]) for m in meetings]

    folder = Path(current_app.instance_path) / uploads.ACTIVITY_PHOTOS  # read only: no mkdir
    activities = listed(reads.activities)
    for activity in activities:
        photos = []
        for photo in activity.photos:
            name = photo.caption or photo.file_path
            if photo.print_path is None:
                photos.append(Photo(name))
            elif (folder / photo.print_path).is_file():  # an image shows only its caption
                photos.append(Photo(photo.caption, pdf.photo_url(photo.print_path)))
            else:
                photos.append(Photo(name, missing=True))
        pack.activities.append((activity, photos))
    return pack


class _Reads(NamedTuple):
    """What assemble() reads of a school's term besides the ledgers."""
    pledges: sa.Select
    visits: sa.Select
    cases: sa.Select
    meetings: sa.Select
    activities: sa.Select


@access.per_scope
def _reads(school_id: int, township_id: int, term_id: int, start: date, end: date,
           ledger_rows: bool) -> _Reads:
    """assemble()'s statements of a school's term from `start` to `end`: the visits and
    cases as their ids when only counted (not `ledger_rows`)."""
    visits = (access.scoped(HomeVisit).join(Student).where(
        HomeVisit.school_id == school_id, HomeVisit.visited_on.between(start, end))
        .order_by(HomeVisit.visited_on, Student.name_pinyin, HomeVisit.id))
    cases = (access.scoped(DropoutCase).join(Student).where(
        DropoutCase.school_id == school_id, DropoutCase.opened_on <= end,
        sa.or_(DropoutCase.closed_on.is_(None), DropoutCase.closed_on >= start))
        .order_by(DropoutCase.opened_on, Student.name_pinyin))
    return _Reads(
        pledges=access.scoped(Pledge).where(Pledge.school_id == school_id,
                                            Pledge.term_id == term_id).order_by(Pledge.doc_no),
        visits=visits if ledger_rows else visits.with_only_columns(HomeVisit.id),
        cases=cases if ledger_rows else cases.with_only_columns(DropoutCase.id),
        meetings=access.scoped(Meeting).where(
            Meeting.central_id == township_id, Meeting.held_on.between(start, end))
        .order_by(Meeting.held_on),
        activities=access.scoped(Activity).where(
            Activity.school_id == school_id, Activity.held_on.between(start, end))
        .order_by(Activity.held_on, Activity.id))


@access.per_scope
def _ids(cases: sa.Select) -> sa.Select:
    """A ledger's cases as their ids (the page only counts them)."""
    return cases.with_only_columns(DropoutCase.id)


@access.per_scope
def _counted(stmt: sa.Select) -> sa.Select:
    """The 适龄儿童台账's rows counted. Around the statement, not in place of its columns
    (access.count_of): it carries loader options for its rows, which a count has not."""
    return sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())


def choose(school_arg, term_arg) -> tuple[School | None, Term | None, list[School], list[Term]]:
    """The school and term asked for (ids as text), defaulting to the user's own school (or the
    first they see) and the current term; another school's id is a 404. Returns them with the
    choices: the schools the user sees and the terms of the chosen school's township."""
    schools = access.schools()
    if (school_id := whole(school_arg)) is not None:
        school = access.get_or_404(School, school_id)
    else:
        school = next((s for s in schools if s.id == current_user.school_id),
                      schools[0] if schools else None)
    terms = [t for t in access.terms() if school and t.central_id == school.township_id]
    if (term_id := whole(term_arg)) is not None:
        term = next((t for t in terms if t.id == term_id), None)
        if term is None:
            abort(404)
    else:
        term = Term.current(terms, clock.today())
    return school, term, schools, terms


@printjobs.batch("evidence")
def batch(params: dict) -> printjobs.Batch:
    """The pack of {"school": id, "term": id} as one document (one part, so one page
    numbering and a table of contents that points into it)."""
    school, term, _, _ = choose(params.get("school"), params.get("term"))
    if school is None or term is None:
        raise Refusal("还没有可打印的学校或学期，请先在“学期”里设置本学期。")
    pack = assemble(school, term)
    today = clock.today()

    def finish():
        audit.record("export", f"打印{pack.title}", table_name="schools", row_id=school.id,
                     school_id=school.id,
                     after={"format": "pdf", "term_id": term.id, "full_ids": False,
                            "sections": dict(pack.counts())})
    return printjobs.Batch(
        title=pack.title, filename=f"佐证材料-{school.name}-{term.name}.pdf",
        parts=[pdf.Part("print/evidence.html", {
            "pack": pack, "sections": SECTIONS, "today": today, "title": pack.title,
            "heading": TITLE, "year_label": school_year_label(term.school_year),
            "case_columns": ledger.CASE_COLUMNS, "age_columns": ledger.AGE_COLUMNS,
            "kinds": ledger.KINDS})],
        finish=finish)
