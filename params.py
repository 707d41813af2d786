"""Numbers read from requests (route ids, query strings, forms), kept within the database's
integer: PostgreSQL's 4-byte integer (SQLite's is 8 bytes). A larger number would reach the
driver and fail there: SQLite raised OverflowError, a 500 for /students/99999999999999999999999.

- <int:…> in every route is IdConverter: past MAX_INT it is a 404, as an id no row has;
- request.args / request.form / request.values .get(…, type=int) treat a number past MAX_INT
  as one that does not parse (the default), as werkzeug treats "abc";
- whole(text) reads a number from a plain dict (a batch print's stored parameters) the same way;
- month(text) reads a month ("2026-11") and day(text) a day ("2026-11-20"), the one way every
  list and form does.
"""
from __future__ import annotations

from datetime import date

import flask
from werkzeug.exceptions import NotFound
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

MAX_INT = 2**31 - 1


def whole(text) -> int | None:
    """The whole number in text (an int passes through), or None when there is none or it is
    out of range."""
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if abs(value) <= MAX_INT else None


def month(text) -> date | None:
    """"2026-11" → 1 November 2026; anything else (another shape, month 13, a year before
    2000) → None."""
    text = str(text or "").strip()
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() \
            and 1 <= int(text[5:]) <= 12 and int(text[:4]) >= 2000:
        return date(int(text[:4]), int(text[5:]), 1)
    return None


def day(text) -> date | None:
    """"2026-11-20" → that day; anything else → None."""
    try:
        return date.fromisoformat(str(text or "").strip())
    except ValueError:
        return None


def _bounded(type_):
    if type_ is not int:
        return type_

    def number(text):
        value = whole(text)
        if value is None:
            raise ValueError(text)
        return value
    return number


class IdConverter(IntegerConverter):
    def to_python(self, value: str) -> int:
        # NotFound, not ValidationError: werkzeug answers a ValidationError with 405 when the
        # path has a route for another method (POST /pledges/<id>/scan beside its GET).
        number = super().to_python(value)
        if number > MAX_INT:
            raise NotFound()
        return number


class _Params(ImmutableMultiDict):
    def get(self, key, default=None, type=None):
        return super().get(key, default, _bounded(type))


class _Values(CombinedMultiDict):
    def get(self, key, default=None, type=None):
        return super().get(key, default, _bounded(type))


class Request(flask.Request):
    parameter_storage_class = _Params

    @cached_property
    def values(self):
        return _Values(super().values.dicts)
