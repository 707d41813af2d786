"""Spreadsheets in and out, one way each: writing an .xlsx for download (bold frozen headers, set
widths, text cells Excel must not reinterpret), and reading an uploaded sheet's rows under the
column names users actually type, from every file an office has (.xlsx, .xls, .ods, .csv in
UTF-8 or GBK), with Chinese messages for a file that cannot be read."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import unescape
from io import BytesIO

from flask import send_file
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from python_calamine import (CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum,
                             SheetVisibleEnum)

import numerals

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


# Full-width digits and Latin letters (as a Chinese IME types them: １３９…, Ｇ５２…) as plain ones.
HALF_WIDTH = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                      *range(0xFF41, 0xFF5B))}


def text(value) -> str:
    """A cell as the user sees it: dates as ISO, 3.0 as 3, full-width digits and letters as
    plain ones, stripped."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).translate(HALF_WIDTH).strip()


EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's date numbers (42262 is 2015-09-15)
TIME_OF_DAY = re.compile(r"\s+0{1,2}:00(:00)?$")  # 2015-10-22 00:00:00, a date cell as text


def parse_date(value) -> date | None:
    """A date as offices type it: a date cell, 2015-09-01, 2015/9/1, 2015.9.1, 20150901,
    2015年9月1日, or the number Excel shows when a date cell became 常规 (42262)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    typed = TIME_OF_DAY.sub("", text(value))
    if re.fullmatch(r"[1-9]\d{4}", typed):
        return EXCEL_EPOCH + timedelta(days=int(typed))
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(typed, fmt).date()
        except ValueError:
            continue
    return None


def parse_month(value) -> tuple[int, int] | None:
    """A 出生年月 without its day (2015.09, 2015-9, 201509, 2015年9月): (year, month)."""
    m = re.fullmatch(r"((?:19|20)\d\d)(?:[-/.年]\s*(\d{1,2})月?|(\d\d))", text(value))
    month = m and int(m.group(2) or m.group(3))
    return (int(m.group(1)), month) if m and 1 <= month <= 12 else None


GROUP = re.compile(r"第?\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(组|社|村民小组)?")


def group_name(value) -> str:
    """A 村民小组 as lists write it (5组, 第五组, 05, 第5组) in one form: 五组 (a 社 stays a 社),
    so that one village's children are listed together; anything else as typed."""
    typed = text(value)
    m = GROUP.fullmatch(typed)
    if not m:
        return typed
    number = m.group(1)
    if number.isdigit():
        n = int(number)
        if not 1 <= n <= 99:
            return typed
        number = numerals.chinese(n)
    return number + ("社" if m.group(2) == "社" else "组")


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


SPREADSHEETS = ["xlsx", "xlsm", "xls", "ods", "csv"]  # what every import accepts (FileAllowed)
SPREADSHEET_ACCEPT = ",".join("." + e for e in SPREADSHEETS)  # the file input's accept=
SPREADSHEET_WORDS = "Excel 或 WPS 表格（.xlsx、.xls；WPS 的 .et 请先另存为 .xlsx）、.ods 或 .csv "
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


def _encrypted(data: bytes) -> bool:
    """An .xlsx with an open password is an OLE2 file holding an EncryptionInfo stream."""
    return data[:4] == b"\xd0\xcf\x11\xe0" and "EncryptionInfo".encode("utf-16-le") in data


def _filled(sheet, max_rows: int) -> list[list]:
    """A worksheet's rows from A1 (so that a row's number is the one Excel shows), with each
    merged cell's value in every cell it covers: a village list merges 村 down its rows and 组
    down each group's (calamine gives the value to the first cell only)."""
    top, left = sheet.start or (0, 0)
    rows = [[""] * left + list(r) for r in sheet.to_python(nrows=max_rows + 20)]
    rows = [[""] * len(rows[0]) for _ in range(top)] + rows if rows else []
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
        if r0 < len(rows) and c0 < len(rows[r0]):
            value = rows[r0][c0]
            for row in rows[r0:r1 + 1]:
                row[c0:c1 + 1] = [value] * len(row[c0:c1 + 1])
    return rows


def _book_tables(data: bytes, max_rows: int, what: str) -> list[tuple[str, list]] | str:
    """The visible worksheets (name, rows) of an .xlsx, .xls (BIFF, as the 学籍 system and WPS
    save it) or .ods, read by calamine (a 5,000-row sheet in ~0.1 s, where openpyxl took ~1 s);
    a hidden sheet (a 代码表) is not the list."""
    if data[:2] == b"PK":  # .xlsx and .ods are zip files: refuse one that unpacks to gigabytes
        try:
            unpacked = sum(i.file_size for i in zipfile.ZipFile(BytesIO(data)).infolist())
        except zipfile.BadZipFile:
            unpacked = 0  # calamine below says it is not a valid file
        if unpacked > MAX_UNPACKED:
            return (f"这个文件解压后超过 {MAX_UNPACKED // 1024 // 1024} MB，不像是{what}名单。"
                    "请只保留名单那张工作表，删去图片和多余的行列后再上传。")
    if _encrypted(data):
        return LOCKED
    try:
        book = CalamineWorkbook.from_filelike(BytesIO(data))
        return [(m.name, _filled(book.get_sheet_by_name(m.name), max_rows))
                for m in book.sheets_metadata
                if m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet]
    except PasswordError:
        return LOCKED
    except (CalamineError, ValueError, IndexError, OSError):
        return NOT_A_SHEET


LOCKED = "这个文件设了打开密码。请在 Excel 或 WPS 中取消密码后再上传。"


def read_tables(data: bytes, max_rows: int, what: str) -> list[tuple[str, list]] | str:
    """The file's tables as (sheet name, rows): each visible worksheet of an .xlsx, .xls or
    .ods, a .csv's one (told by content, not by name); or the Chinese message why it cannot be
    read."""
    if not data.strip():
        return "这个文件是空的。请确认选对了文件。"
    if data[:4] == b"\xd0\xcf\x11\xe0" or data[:2] == b"PK":
        return _book_tables(data, max_rows, what)
    if data[:5] == b"%PDF-":
        return NOT_A_SHEET
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":  # some systems' ".xls" is a web page
        return ("这个文件其实是网页格式（有的系统导出的 .xls 是网页表格）。请用 Excel 或 WPS 打开后"
                "“另存为” .xlsx 文件再上传。")
    rows = _csv_rows(data)
    return rows if isinstance(rows, str) else [("", rows)]


def read_rows(data: bytes, max_rows: int, what: str) -> list[tuple] | str:
    """Every row of the file's first visible sheet, or the Chinese message why it cannot be
    read."""
    tables = read_tables(data, max_rows, what)
    if isinstance(tables, str):
        return tables
    return [tuple(r) for r in tables[0][1]] if tables else NOT_A_SHEET


HEADER_NOISE = re.compile(r"[\s*＊:：]|[(（][^)）]*[)）]")  # 姓 名, 姓名*, 身份证号码\n(18位)


def header(cell) -> str:
    """A column's name as typed, without spaces, line breaks, required-marks and notes in
    brackets; 家庭成员1姓名 is the 学籍 system's 成员1姓名."""
    return HEADER_NOISE.sub("", text(cell)).replace("家庭成员", "成员")


def read_sheet(data: bytes, headers: dict[str, list[str]], required: list[str],
               max_rows: int, what: str) -> Sheet:
    """The rows under the header row of the one visible sheet that has one (found in the first
    10 rows by the first required field's names; a header of two rows, 家庭成员1 over 姓名 关系
    联系电话, reads as 成员1姓名 …). `what` names the people in messages (学生, 户籍儿童)."""
    tables = read_tables(data, max_rows, what)
    if isinstance(tables, str):
        return Sheet(tables)
    first = {header(name) for name in headers[required[0]]}
    found = [(name, rows, at) for name, rows in tables
             if (at := next((i for i, r in enumerate(rows[:10])
                             if any(header(c) in first for c in r)), None)) is not None]
    if not found:
        return Sheet(f"表格的前 10 行里找不到“{headers[required[0]][0]}”列。请确认名单有列名这一行"
                     "（上面可以有标题行），或下载导入模板后按模板填写。")
    if len(found) > 1:
        return Sheet(f"这个文件有 {len(found)} 张工作表都有名单（{'、'.join(n for n, _, _ in found)}）。"
                     "请把名单复制到一张工作表里，或分成几个文件分别上传。")
    _, rows, header_at = found[0]
    names, skip = _header_names(rows, header_at, headers)
    sheet = Sheet()
    for key, accepted in headers.items():  # the first accepted name present wins
        found_at = next((names.index(header(n)) for n in accepted if header(n) in names), None)
        if found_at is not None:
            sheet.columns[key] = found_at
    missing = [headers[k][0] for k in required if k not in sheet.columns]
    if missing:
        return Sheet(f"缺少必需的列：{'、'.join(missing)}。请检查列名（可下载导入模板对照）。")
    sheet.rows = [(header_at + skip + 1 + i, r) for i, r in enumerate(rows[header_at + skip:])
                  if any(text(c) for c in r)]
    if not sheet.rows:
        return Sheet(f"文件里只有列名，没有{what}数据。")
    if len(sheet.rows) > max_rows:
        return Sheet(f"一次最多导入 {max_rows} 行，这个文件有 {len(sheet.rows)} 行。请分成几个文件导入。")
    unseen, errors = marks(data).get(found[0][0], (set(), []))
    hidden = [n for n, _ in sheet.rows if n in unseen]
    if hidden:  # a filtered or hidden row would be imported unseen
        return Sheet(f"表格里有隐藏的行（第 {'、'.join(map(str, hidden[:10]))}"
                     f"{' 等' if len(hidden) > 10 else ''} 行）。请在 Excel 里取消隐藏（或取消筛选），"
                     f"看过这些行，不要的删去，再上传。")
    wrong = [(ref, value) for row, ref, value in errors if row > header_at + skip]
    if wrong:  # calamine reads #N/A as an empty cell: a phone or an ID lost without a word
        return Sheet("表格里有 Excel 的错误值（" + "、".join(f"{ref} 格 {value}" for ref, value
                                                      in wrong[:10])
                     + "）。请改成实际的内容（公式出错的，复制后“选择性粘贴为数值”）再上传。")
    sheet.headers = names
    return sheet


def marks(data: bytes) -> dict[str, tuple[set[int], list[tuple[int, str, str]]]]:
    """What calamine does not tell of each sheet of an .xlsx, by sheet name: its hidden (or
    filtered out) rows, read as any other row, and its cells holding an error (#N/A, #REF!),
    read as empty: (hidden row numbers, [(row, cell, error)]). Other files: none known."""
    try:
        book = zipfile.ZipFile(BytesIO(data))
        workbook = book.read("xl/workbook.xml").decode()
        rels = book.read("xl/_rels/workbook.xml.rels").decode()
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError):
        return {}
    targets = {}  # relationship id -> the sheet's file in the zip
    for tag in re.findall(r"<Relationship\b[^>]*>", rels):
        rid, target = re.search(r'\bId="([^"]+)"', tag), re.search(r'\bTarget="([^"]+)"', tag)
        if rid and target:
            path = target.group(1)
            targets[rid.group(1)] = path.lstrip("/") if path.startswith("/") else "xl/" + path
    out = {}
    for tag in re.findall(r"<sheet\b[^>]*>", workbook):
        name, rid = re.search(r'name="([^"]*)"', tag), re.search(r'r:id="([^"]+)"', tag)
        if name and rid and targets.get(rid.group(1)) in book.namelist():
            xml = book.read(targets[rid.group(1)]).decode(errors="replace")
            hidden = {int(r) for row in re.findall(r"<row\b[^>]*>", xml)
                      if re.search(r'\bhidden="(1|true)"', row)
                      for r in re.findall(r'\br="(\d+)"', row)}
            errors = [(int(number), ref, value) for ref, number, value in re.findall(
                r'<c\b[^>]*\br="([A-Z]+(\d+))"[^>]*\bt="e"[^>]*>\s*(?:<f\b[^>]*(?:/>|>.*?</f>)\s*)?'
                r"<v>([^<]*)</v>", xml)]
            out[unescape(name.group(1))] = (hidden, errors)
    return out


def _header_names(rows: list, at: int, headers: dict[str, list[str]]) -> tuple[list[str], int]:
    """The columns' names and how many rows the header takes: two when the row below names
    columns under a merged cell (成员1 over 姓名), else one."""
    names = [header(c) for c in rows[at]]
    below = [header(c) for c in rows[at + 1]] if at + 1 < len(rows) else []
    known = {header(n) for accepted in headers.values() for n in accepted}

    def spans(i: int) -> bool:  # a merged cell, filled over the columns it covers
        return any(0 <= j < len(names) and names[j] == names[i] for j in (i - 1, i + 1))
    if not any(lo and lo != up and lo in known and spans(i)
               for i, (up, lo) in enumerate(zip(names, below))):
        return names, 1  # a first child whose guardian is named 家长 is data, not a header
    width = max(len(names), len(below))
    names, below = names + [""] * (width - len(names)), below + [""] * (width - len(below))
    return [up if lo in ("", up) else up + lo for up, lo in zip(names, below)], 2
