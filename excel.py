"""Spreadsheets in and out, one way each: writing an .xlsx for download (bold frozen headers, set
widths, text cells Excel must not reinterpret), and reading an uploaded sheet's rows under the
column names users actually type, from every file an office has (.xlsx, .xls, .ods, .csv in
UTF-8 or GBK), with Chinese messages for a file that cannot be read."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from flask import send_file
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(data: bytes, filename: str):
    """A workbook as the browser's download (the caller has audited the export)."""
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=filename)


# A 5,000-row list unpacks to ~2 MB; a zip bomb of 5 MB can unpack to gigabytes.
MAX_UNPACKED = 50 * 1024 * 1024


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


def text(value) -> str:
    """A cell as the user sees it: dates as ISO, 3.0 as 3, stripped."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class Sheet:
    """An uploaded sheet: `error` for the whole file, or its header row and data rows."""
    error: str | None = None
    headers: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # field → column index
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (Excel row number, values)

    def cell(self, raw: tuple, key: str):
        i = self.columns.get(key)
        return raw[i] if i is not None and i < len(raw) else None


SPREADSHEETS = ["xlsx", "xls", "ods", "csv"]  # what every import accepts (forms' FileAllowed)
SPREADSHEET_ACCEPT = ",".join("." + e for e in SPREADSHEETS)  # the file input's accept=
SPREADSHEET_WORDS = "Excel（.xlsx 或 .xls）、WPS 表格、.ods 或 .csv"
NOT_A_SHEET = (f"无法读取这个文件：它不是有效的表格文件。请上传{SPREADSHEET_WORDS}文件，"
               "并确认文件没有损坏（也可以下载导入模板后按模板填写）。")


def _csv_rows(data: bytes) -> list[tuple] | str:
    """A CSV in UTF-8 (with or without BOM) or GBK/GB18030 (what Excel and WPS save on a
    Chinese Windows), or Excel's "Unicode 文本" (UTF-16, tab-separated); a cell starting with '
    or a tab (how exports keep long numbers as text) loses that mark."""
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return NOT_A_SHEET
    if "\0" in text:
        return NOT_A_SHEET
    dialect = csv.excel_tab if text.count("\t") > text.count(",") else csv.excel
    return [tuple(c.lstrip("'\t") for c in row) for row in csv.reader(io.StringIO(text), dialect)]


def _book_rows(data: bytes, max_rows: int, what: str) -> list[tuple] | str:
    """The first sheet of an .xlsx, .xls (BIFF, as the 学籍 system and WPS save it) or .ods,
    read by calamine (a 5,000-row sheet in ~0.1 s, where openpyxl took ~1 s)."""
    if data[:2] == b"PK":  # .xlsx and .ods are zip files: refuse one that unpacks to gigabytes
        try:
            unpacked = sum(i.file_size for i in zipfile.ZipFile(BytesIO(data)).infolist())
        except zipfile.BadZipFile:
            unpacked = 0  # calamine below says it is not a valid file
        if unpacked > MAX_UNPACKED:
            return (f"这个文件解压后超过 {MAX_UNPACKED // 1024 // 1024} MB，不像是{what}名单。"
                    "请只保留名单那张工作表，删去图片和多余的行列后再上传。")
    try:
        book = CalamineWorkbook.from_filelike(BytesIO(data))
        return [tuple(r) for r in book.get_sheet_by_index(0).to_python(nrows=max_rows + 20)]
    except PasswordError:
        return "这个文件设了打开密码。请在 Excel 或 WPS 中取消密码后再上传。"
    except (CalamineError, ValueError, IndexError, OSError):
        return NOT_A_SHEET


def read_rows(data: bytes, max_rows: int, what: str) -> list[tuple] | str:
    """Every row of the file's first sheet (an .xlsx, .xls, .ods or .csv, told by content, not
    by name), or the Chinese message why it cannot be read."""
    if not data.strip():
        return "这个文件是空的。请确认选对了文件。"
    if data[:4] == b"\xd0\xcf\x11\xe0" or data[:2] == b"PK":
        return _book_rows(data, max_rows, what)
    return _csv_rows(data)


def read_sheet(data: bytes, headers: dict[str, list[str]], required: list[str],
               max_rows: int, what: str) -> Sheet:
    """The first sheet's rows under the header row (found in the first 10 rows by the first
    required field's names). `what` names the people in messages (学生, 户籍儿童)."""
    rows = read_rows(data, max_rows, what)
    if isinstance(rows, str):
        return Sheet(rows)
    first = headers[required[0]]
    header_at = next((i for i, r in enumerate(rows[:10]) if any(text(c) in first for c in r)),
                     None)
    if header_at is None:
        return Sheet(f"第一张工作表的前 10 行里找不到“{first[0]}”列。请确认列名在表格第一行，"
                     "或下载导入模板后按模板填写。")
    names = [text(c) for c in rows[header_at]]
    sheet = Sheet(headers=[h for h in names if h])
    for key, accepted in headers.items():  # the first accepted name present wins
        found = next((names.index(name) for name in accepted if name in names), None)
        if found is not None:
            sheet.columns[key] = found
    missing = [headers[k][0] for k in required if k not in sheet.columns]
    if missing:
        return Sheet(f"缺少必需的列：{'、'.join(missing)}。请检查列名（可下载导入模板对照）。")
    sheet.rows = [(header_at + 2 + i, r) for i, r in enumerate(rows[header_at + 1:])
                  if any(text(c) for c in r)]
    if not sheet.rows:
        return Sheet(f"文件里只有列名，没有{what}数据。")
    if len(sheet.rows) > max_rows:
        return Sheet(f"一次最多导入 {max_rows} 行，这个文件有 {len(sheet.rows)} 行。请分成几个文件导入。")
    sheet.headers = names
    return sheet
