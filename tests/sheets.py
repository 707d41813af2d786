"""The spreadsheet files offices really have, written in memory for import tests: .xlsx (Excel),
.xls (BIFF8, as the 学籍 system and WPS save it; written by xlwt), .ods (LibreOffice), and .csv
in UTF-8, GBK or Excel's "Unicode 文本" (UTF-16, tab-separated)."""
from __future__ import annotations

import zipfile
from io import BytesIO
from xml.sax.saxutils import escape

import xlwt
from openpyxl import Workbook

KINDS = ["xlsx", "xls", "ods", "csv-utf8", "csv-gbk", "txt-utf16"]


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def xls(rows: list[list]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("学生信息")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def ods(rows: list[list]) -> bytes:
    def cell(value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
                "</text:p></table:table-cell>")
    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
                   for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return out.getvalue()


def _delimited(rows: list[list], sep: str) -> str:
    return "\r\n".join(sep.join(str(v) for v in row) for row in rows) + "\r\n"


def make(kind: str, rows: list[list]) -> tuple[bytes, str]:
    """(the file's bytes, a file name with its usual extension)."""
    if kind == "xlsx":
        return xlsx(rows), "名册.xlsx"
    if kind == "xls":
        return xls(rows), "名册.xls"
    if kind == "ods":
        return ods(rows), "名册.ods"
    if kind == "csv-utf8":
        return _delimited(rows, ",").encode("utf-8-sig"), "名册.csv"
    if kind == "csv-gbk":
        return _delimited(rows, ",").encode("gbk"), "名册.csv"
    if kind == "txt-utf16":  # Excel's 另存为 "Unicode 文本"
        return _delimited(rows, "\t").encode("utf-16"), "名册.csv"
    raise ValueError(kind)
