"""What list pages share: a page of a list worked out in Python (a ranking, a filter SQL cannot
express), with the attributes of db.paginate()'s pages, so that templates use one pager macro
for both; and the link of every row of a list, built once (RowUrl)."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import url_for


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @classmethod
    def of(cls, rows: list, page: int, per_page: int) -> Page:
        """Page `page` of rows (out-of-range numbers are clamped, as error_out=False does)."""
        shown = cls.numbered(page, per_page, len(rows))
        shown.items = rows[shown.offset:shown.offset + per_page]
        return shown

    @classmethod
    def numbered(cls, page: int, per_page: int, total: int) -> Page:
        """Page `page` (clamped) of a list of `total` rows the database pages: its items are
        the caller's, read from `offset`."""
        return cls([], min(max(page, 1), max(1, ceil(total / per_page))), per_page, total)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int:
        return self.page + 1


class RowUrl:
    """A link built once for all the rows of a list: `href="{{ show_student(s.id) }}"` (every
    template has show_student), or `{% set pair_new = row_url('pairs.new', 'student',
    kind=kind) %}` then `pair_new(s.id)`. url_for costs ~30 µs (a route build): a list of 200
    rows with two links each spent 12 ms on them. The varying value is an integer (an id), put
    where url_for put a marker number; the other arguments are fixed for the list. Built on the
    first call, so a page that links no row builds nothing."""

    MARK = 918273645546372819

    def __init__(self, endpoint: str, key: str, **values):
        self.endpoint, self.values = endpoint, {key: self.MARK, **values}
        self.parts: list[str] | None = None

    def __call__(self, value: int) -> str:
        if self.parts is None:
            self.parts = url_for(self.endpoint, **self.values).split(str(self.MARK))
        return f"{self.parts[0]}{int(value)}{self.parts[1]}"
