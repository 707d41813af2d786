"""A page of a list worked out in Python (a ranking, a filter SQL cannot express), with the
attributes of db.paginate()'s pages, so that templates use one pager macro for both."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil


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
