"""The one way to write an Excel sheet for download: bold, frozen headers, set widths, text
cells that Excel must not reinterpret (long numbers stay text, "=..." stays text)."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def new_sheet(wb: Workbook, title: str, headers: list[str], widths: list[int]):
    """The workbook's first sheet, titled, with its header row."""
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    return ws


def append(ws, values: list, text_columns: tuple[int, ...] = (), bold: bool = False) -> None:
    """One row; typed text like "=1+1" stays text; text_columns (1-based) are formatted as
    text so IDs and phone numbers never become 3.4E+17."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
        if cell.column in text_columns:
            cell.number_format = "@"
        if bold:
            cell.font = Font(bold=True)


def table(title: str, columns: list[tuple[str, int]], rows, text_columns=(),
          footer: list | None = None) -> bytes:
    """A one-sheet workbook: columns are (header, width), rows are lists of values."""
    wb = Workbook()
    ws = new_sheet(wb, title, [c[0] for c in columns], [c[1] for c in columns])
    for row in rows:
        append(ws, row, text_columns)
    if footer:
        append(ws, footer, bold=True)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
