"""工作活动: the list's filters, the counts per school and month, the month's activities by
kind (the dashboard and the meeting agenda read them from here), and the photos: every file
checked before anything is written, then stored with its print copy, all or nothing.

Decisions where the brief was silent:
- Photos are optional: an activity may be recorded before its photos are at hand (a letter
  sent home, scanned later); the list shows how many each activity has.
- A file is checked by its content (JPG, PNG or PDF), at most MAX_FILE bytes; an image must
  decode. One bad file refuses the whole submission: no row, no stored file.
- The counts table covers a chosen term or school year, one column a month (up to today), and
  follows the list's school and kind filters (not its month).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

import access
import uploads
from extensions import db
from filters import ListFilter, choice, month, number
from models import (ACTIVITY_KINDS, Activity, ActivityPhoto, month_bounds, month_spans,
                    school_year_label, school_year_of)
from refusal import Refusal

MAX_FILE = 8 * 1024 * 1024
MAX_FILES = 20  # per submission; MAX_CONTENT_LENGTH bounds the total


# Photos ----------------------------------------------------------------------------------------

@dataclass
class Upload:
    """One checked file, ready to store: the bytes as uploaded and, for an image, its print
    copy (None for a PDF)."""
    name: str
    data: bytes
    ext: str
    print_copy: bytes | None


def check_files(files) -> tuple[list[Upload], list[str]]:
    """Read and check every uploaded file (werkzeug FileStorage); returns the files ready to
    store and the Chinese messages of the bad ones (store nothing when there is one)."""
    ready, errors = [], []
    files = [f for f in (files or []) if f and getattr(f, "filename", "")]
    if len(files) > MAX_FILES:
        return [], [f"一次最多上传 {MAX_FILES} 个文件，请分几次上传。"]
    for f in files:
        name = f.filename
        data = f.read(MAX_FILE + 1)
        if not data:
            errors.append(f"“{name}”是空文件，请重新选择。")
            continue
        if len(data) > MAX_FILE:
            errors.append(f"“{name}”超过 {MAX_FILE // 1024 // 1024} MB，请压缩或缩小后再上传。")
            continue
        try:
            ext = uploads.kind(data)
            copy = uploads.print_copy(data) if ext != "pdf" else None
        except Refusal as refused:
            errors.append(f"“{name}”：{refused}")
            continue
        ready.append(Upload(name, data, ext, copy))
    return ready, errors


def store(activity: Activity, ready: list[Upload]) -> list[str]:
    """Write the checked files and add their rows to the activity; returns the names written,
    for remove() if the transaction fails."""
    written: list[str] = []
    try:
        for up in ready:
            path = uploads.store(uploads.ACTIVITY_PHOTOS, f"a{activity.id}", up.data, up.ext)
            written.append(path)
            print_path = None
            if up.print_copy is not None:
                print_path = uploads.store(uploads.ACTIVITY_PHOTOS, f"a{activity.id}-print", up.print_copy, "jpg")
                written.append(print_path)
            activity.photos.append(ActivityPhoto(school_id=activity.school_id, file_path=path,
                                                 print_path=print_path, size=len(up.data)))
    except OSError:
        remove(written)
        raise
    return written


def remove(names) -> None:
    """Delete stored files (after the rows are gone, or when their transaction failed)."""
    folder = uploads.folder(uploads.ACTIVITY_PHOTOS)
    for name in names:
        if name:
            (folder / name).unlink(missing_ok=True)


def files_of(photos) -> list[str]:
    return [name for p in photos for name in (p.file_path, p.print_path) if name]


# Filters and counts ----------------------------------------------------------------------------

@dataclass
class Filters(ListFilter):
    school: int | None = number()
    month: date | None = month()
    kind: str = choice(ACTIVITY_KINDS)

    def where(self, stmt: sa.Select, with_month: bool = True) -> sa.Select:
        if self.school:
            stmt = stmt.where(Activity.school_id == self.school)
        if self.kind:
            stmt = stmt.where(Activity.kind == self.kind)
        if with_month and self.month:
            stmt = stmt.where(Activity.held_on >= self.month,
                              Activity.held_on <= month_bounds(self.month)[1])
        return stmt

    def statement(self) -> sa.Select:
        """The list, newest first, within the user's scope."""
        return self.where(access.scoped(Activity)).order_by(Activity.held_on.desc(),
                                                            Activity.id.desc())


@dataclass
class Period:
    key: str  # "t<term id>" or "y<school year>"
    label: str
    start: date
    end: date


def periods(today: date) -> list[Period]:
    """The township's terms that have begun, newest first, each school year before its
    terms; a township with no terms gets this school year."""
    out: list[Period] = []
    seen: set[int] = set()
    every = access.terms()
    for term in (t for t in every if t.start_date <= today):
        if term.school_year not in seen:
            seen.add(term.school_year)
            year_terms = [t for t in every if t.school_year == term.school_year]
            out.append(Period(f"y{term.school_year}",
                              f"{school_year_label(term.school_year)}（全学年）",
                              min(t.start_date for t in year_terms),
                              max(t.end_date for t in year_terms)))
        out.append(Period(f"t{term.id}", term.name, term.start_date, term.end_date))
    if not out:
        year = school_year_of(today)
        out.append(Period(f"y{year}", f"{school_year_label(year)}（全学年）", date(year, 9, 1),
                          date(year + 1, 8, 31)))
    return out


def default_period(choices: list[Period], today: date) -> Period:
    """The term today falls in, else the school year, else the newest."""
    terms = [p for p in choices if p.key.startswith("t")]
    return next((p for p in terms if p.start <= today <= p.end), None) or \
        next((p for p in choices if p.start <= today <= p.end), choices[0])


@dataclass
class CountRow:
    school: object
    cells: dict[date, tuple[int, int]] = field(default_factory=dict)  # month -> (n, reached)

    @property
    def total(self) -> tuple[int, int]:
        return (sum(n for n, _ in self.cells.values()), sum(r for _, r in self.cells.values()))


def counts(filters: Filters, period: Period, today: date) -> tuple[list[date], list[CountRow],
                                                                     CountRow]:
    """Activities and people reached per school and month over the period (up to today):
    (months, one row per school in scope, the total row)."""
    end = min(period.end, today)
    months = [first for first, _ in month_spans(period.start, end)]
    stmt = filters.where(access.scoped(Activity), with_month=False).where(
        Activity.held_on >= period.start, Activity.held_on <= end)
    year_, month_ = sa.extract("year", Activity.held_on), sa.extract("month", Activity.held_on)
    found: dict[int, dict[date, tuple[int, int]]] = defaultdict(dict)
    for school_id, y, m, n, reached in db.session.execute(stmt.with_only_columns(
            Activity.school_id, year_, month_, sa.func.count(), sa.func.coalesce(
                sa.func.sum(Activity.reached), 0)).group_by(Activity.school_id, year_, month_)):
        found[school_id][date(int(y), int(m), 1)] = (n, int(reached))
    schools = [s for s in access.schools() if not filters.school or s.id == filters.school]
    rows = [CountRow(s, found.get(s.id, {})) for s in schools]
    total = CountRow(None)
    for m in months:
        cells = [r.cells[m] for r in rows if m in r.cells]
        if cells:
            total.cells[m] = (sum(n for n, _ in cells), sum(r for _, r in cells))
    return months, rows, total


@dataclass
class MonthSummary:
    """One school's activities in a month: how many of each kind, people reached."""
    kinds: dict[str, int] = field(default_factory=dict)
    reached: int = 0

    @property
    def count(self) -> int:
        return sum(self.kinds.values())

    def text(self) -> str:
        """本月开展工作活动 3 次（家长会 1、法律法规宣传 2），覆盖 120 人; or 本月未开展工作活动."""
        if not self.count:
            return "本月未开展工作活动"
        kinds = "、".join(f"{ACTIVITY_KINDS.get(k, k)} {n}" for k, n in sorted(
            self.kinds.items(), key=lambda kv: list(ACTIVITY_KINDS).index(kv[0])
            if kv[0] in ACTIVITY_KINDS else 99))
        return f"本月开展工作活动 {self.count} 次（{kinds}），覆盖 {self.reached} 人"


def by_school(first: date, last: date) -> dict[int, MonthSummary]:
    """{school id: MonthSummary} of the activities held from first to last, in scope."""
    out: dict[int, MonthSummary] = defaultdict(MonthSummary)
    for school_id, kind, n, reached in db.session.execute(access.scoped(Activity).where(
            Activity.held_on >= first, Activity.held_on <= last).with_only_columns(
            Activity.school_id, Activity.kind, sa.func.count(),
            sa.func.coalesce(sa.func.sum(Activity.reached), 0)).group_by(
            Activity.school_id, Activity.kind)):
        summary = out[school_id]
        summary.kinds[kind] = summary.kinds.get(kind, 0) + n
        summary.reached += int(reached)
    return dict(out)
