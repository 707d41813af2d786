"""One day of one child in the weekly roll grid (templates/attendance/_grid_table.html), and
the cell a click answers with alone (_cell.html).

Written here rather than as a Jinja macro: a class's grid has ~300 cells, and the macro with
its arguments cost ~40 µs a cell, 11 of the grid's 27 ms (the bench county's class of 56); a
row of cells written here takes ~25 µs.

A school day whose roll was not taken is blank ("未点名"), not "·" (到校): a week nobody entered
never reads as everyone present. A button inherits hx-include, hx-target and hx-swap from the
grid's tbody (htmx inheritance), so they are written once a grid."""
from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

from models import ABSENCE_SHORT


def row(student, days: list[tuple[date, bool]], absences: dict, today: date, taken: set,
        writable: bool, mark_url: str) -> Markup:
    """The cells of a child's row in the week `days` ((day, school day) pairs)."""
    name, url = escape(student.name), escape(mark_url)  # once a row, not once a cell
    return Markup("").join(
        cell(student.id, name, day, absences.get((student.id, day)), school_day, day > today,
             day in taken, writable, url) for day, school_day in days)


def cell(student_id: int, name: Markup, day: date, absence, school_day: bool, future: bool,
         taken: bool, writable: bool, mark_url: Markup) -> Markup:
    """The <td> of a child (its id and escaped name) on `day`: 休 on a day off; the mark as
    text when the day is to come or the user may not mark; else a button that sets or clears
    the chosen kind (mark_url escaped)."""
    if absence:
        state = f" k-{escape(absence.kind)}"
    else:
        state = " unrolled" if school_day and not future and not taken else ""
    if not school_day:
        inner = Markup('<span class="off">休</span>')
    else:
        shown = ABSENCE_SHORT[absence.kind] if absence else ("·" if taken and not future else "")
        if future or not writable:
            inner = escape(shown)
        else:
            title = f' title="{escape(absence.reason)}"' if absence and absence.reason else ""
            unrolled = "" if taken or absence else "（未点名）"
            inner = Markup(
                f'<button type="button" name="cell" '
                f'value="{student_id}:{day.isoformat()}:{escape(absence.kind) if absence else ""}" '
                f'hx-post="{mark_url}"{title} aria-label="{name} '
                f'{day.month}月{day.day}日{unrolled}">{escape(shown)}</button>')
    return Markup(f'<td class="cell{state}">{inner}</td>')
