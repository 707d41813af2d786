"""A list page's filters, read from its URL one way for every list (issue 17.5).

A list declares its filters as a dataclass of ListFilter whose fields say how each is read:

    @dataclass
    class CaseFilter(ListFilter):
        state: str = choice({*CASE_STATES, "open", "all"}, "open")
        school: int | None = number()

CaseFilter.from_args(request.args) gives each field the value its argument reads as, or its
default: a value that does not read (a letter for a number, a state that does not exist, month
13) is ignored, never an error — a list is a place to look, not a form to correct. as_args() is
the filters that differ from their defaults, for links, pagers and exports that keep them, and
from_args(as_args()) gives the same filters back (a batch print stores them). `active` says
whether anything narrows the list (an order is not a filter). Each list's own module turns its
filters into a query (a statement() or where() method on the subclass).
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import astuple, dataclass, field, fields
from datetime import date
from typing import Any

import sqlalchemy as sa

import access
from params import day as read_day, month as read_month, whole


@dataclass(frozen=True)
class Arg:
    """How one filter is read from its URL argument and written back."""
    read: Callable[[str], Any]  # the text of the argument -> a value, or None for the default
    write: Callable[[Any], Any] = lambda value: value
    name: str | None = None  # the argument's name when it is not the field's
    orders: bool = False  # an order, not a filter: `active` does not count it


def _filter(default, arg: Arg):
    return field(default=default, metadata={"arg": arg})


def number(name: str | None = None):
    """A whole number (an id, a grade, a year); None when not given."""
    return _filter(None, Arg(whole, name=name))


def text(limit: int = 40):
    """Free text (a search), trimmed and cut to limit characters."""
    return _filter("", Arg(lambda v: v.strip()[:limit] or None))


def choice(options: Collection[str], default: str = "", orders: bool = False):
    """One of options (a dict's keys, a set), else the default."""
    return _filter(default, Arg(lambda v: v if v in options else None, orders=orders))


def month(name: str | None = None):
    """A month, "2026-11" in the URL, the month's first day as the value."""
    return _filter(None, Arg(read_month, lambda m: f"{m:%Y-%m}", name=name))


def day(name: str | None = None):
    """A day, "2026-11-20" in the URL."""
    return _filter(None, Arg(read_day, date.isoformat, name=name))


@dataclass
class ListFilter:
    @classmethod
    def from_args(cls, args):
        values = {}
        for f in fields(cls):
            arg = f.metadata.get("arg")
            raw = args.get(arg.name or f.name) if arg else None
            value = arg.read(str(raw)) if raw not in (None, "") else None
            if value is not None:
                values[f.name] = value
        return cls(**values)

    def as_args(self) -> dict:
        out = {}
        for f in fields(self):
            arg, value = f.metadata.get("arg"), getattr(self, f.name)
            if arg and value != f.default and value not in (None, ""):
                out[arg.name or f.name] = arg.write(value)
        return out

    def kept(self, finish: Callable[[sa.Select], sa.Select] | None = None) -> sa.Select:
        """statement(), then `finish` (a module's function adding the list's loads and limit),
        made once for the user's scope and these filters (access.per_scope), not once a view."""
        return _kept(type(self), astuple(self), finish)

    @property
    def active(self) -> bool:
        orders = {f.metadata["arg"].name or f.name for f in fields(self)
                  if "arg" in f.metadata and f.metadata["arg"].orders}
        return bool(self.as_args().keys() - orders)


@dataclass
class SchoolFilter(ListFilter):
    """A list narrowed by school alone (风险, 结对, 资助缺口)."""
    school: int | None = number()


@access.per_scope
def _kept(kind: type, values: tuple, finish) -> sa.Select:
    stmt = kind(*values).statement()
    return finish(stmt) if finish else stmt
