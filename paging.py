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
        last = max(1, ceil(len(rows) / per_page))
        page = min(max(page, 1), last)
        start = (page - 1) * per_page
        return cls(rows[start:start + per_page], page, per_page, len(rows))

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
