"""Resident ID numbers (居民身份证号码, GB 11643-1999): checksum, birth date and sex."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import clock
import excel

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
EARLIEST_BIRTH = date(1990, 1, 1)  # a birth date typed for a child (no ID to read it from)


def plausible_birth(day: date, today: date) -> bool:
    return EARLIEST_BIRTH <= day <= today
CHECK_CHARS = "10X98765432"
PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
             50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}


@dataclass
class IdCheck:
    number: str
    error: str | None = None
    birth_date: date | None = None
    sex: str | None = None  # 男 / 女

    @property
    def ok(self) -> bool:
        return self.error is None


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def normalize(raw: str | None) -> str:
    """Strip spaces and full-width characters people paste from Word or Excel, and the marks
    exports keep a long number as text with: a leading ' (kept as a character by some tools)
    and ="…" (a CSV's formula)."""
    text = (raw or "").strip().upper().replace(" ", "").replace("\u3000", "")
    text = re.sub(r'^="(.*)"$', r"\1", text).lstrip("'")
    return text.translate(str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX"))


def check(raw: str | None, today: date | None = None) -> IdCheck:
    """Validate an 18-character ID number; the error says, in Chinese, what to fix."""
    number = normalize(raw)
    today = today or clock.today()
    if len(number) != 18:
        return IdCheck(number, f"身份证号应为 18 位，现在是 {len(number)} 位。")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return IdCheck(number, "身份证号前 17 位应为数字，最后一位为数字或 X。")
    if int(number[:2]) not in PROVINCES:
        return IdCheck(number, f"身份证号前两位“{number[:2]}”不是有效的省级行政区代码。")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return IdCheck(number, f"身份证号第 7–14 位“{number[6:14]}”不是有效的出生日期。")
    if born > today or born.year < 1900:
        return IdCheck(number, f"身份证号中的出生日期 {born:%Y-%m-%d} 不合理。")
    expected = check_digit(number[:17])
    if number[17] != expected:
        return IdCheck(number, f"身份证号校验位不对：最后一位应为 {expected}，请核对每一位数字。")
    return IdCheck(number, None, born, "男" if int(number[16]) % 2 else "女")


def stored_as_number(raw) -> bool:
    """A long number Excel kept as a number (15 significant digits: an ID number's last digits
    are lost), as a numeric cell or as a CSV's text of one (4.33127E+17)."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return len(excel.text(raw)) >= 16
    return bool(re.fullmatch(r"\d(\.\d+)?E\+\d+", normalize(str(raw or ""))))


def as_number_error(label: str) -> str:
    return f"{label}被 Excel 存成了数字，末几位已经丢失。请把该列设为“文本”格式后，从原始名单重新复制。"


def flag_zeroed(numbered: list[tuple[list[str], str]]) -> None:
    """Add ZEROED to the errors of a file's ID numbers that Excel turned into numbers and back,
    so that their last three digits became 000 (a file saved with the column as 数值, or a
    CSV): when two or more of its numbers, and at least a fifth, end in 000. A real number
    ends in 000 about once in 1,100 (a sequence number ending 00 with a check digit 0), and a
    checksum passes one of eleven of the damaged ones: the file tells, not the number.
    `numbered`: (a row's errors, its ID number as typed)."""
    numbers = [normalize(text) for _, text in numbered]
    ending = [n for n in numbers if len(n) == 18 and n.endswith("000")]
    if len(ending) >= 2 and len(ending) * 5 >= len(numbers):
        for (errors, _), number in zip(numbered, numbers):
            if number in ending:
                errors.append(ZEROED)


ZEROED = ("身份证号末三位是 000：这个文件的身份证号很可能被 Excel 存成过数字，末几位已经丢失。"
          "请把该列设为“文本”格式后，从原始名单重新复制。")


@dataclass
class Listed:
    """A row of a list of children kept by another office (the 户籍 list, the 残联's list)."""
    number: int  # the spreadsheet's row number
    values: dict  # by the list's header keys, plus birth_date and sex from a valid ID number
    errors: list[str] = field(default_factory=list)


def read_list(data: bytes, headers: dict[str, list[str]], max_rows: int, what: str,
              model, coded: tuple[str, ...] = ()) -> tuple[str | None, list[Listed]]:
    """Such a list, checked row by row: a name, a valid ID number, none twice, no cell longer
    than the model's column keeps (but the `coded` ones, stored as codes). (The file's error,
    or None; the rows with their errors.) `headers` names the columns, with name and id_number
    among them."""
    sheet = excel.read_sheet(data, headers, ["name", "id_number"], max_rows, what)
    if sheet.error:
        return sheet.error, []
    columns = model.__table__.columns
    limits = {k: columns[k].type.length for k in headers
              if k in columns and k not in coded and k != "id_number"}
    rows, seen = [], {}
    for number, raw in sheet.rows:
        values = {k: excel.text(sheet.cell(raw, k)) for k in headers}
        if "village_group" in values:  # 5组, 第五组, 05: 五组, as the village's other rows
            values["village_group"] = excel.group_name(values["village_group"])
        row = Listed(number, values)
        if not values["name"]:
            row.errors.append("姓名没有填。")
        row.errors += [f"{headers[k][0]}太长（最多 {n} 个字）：“{values[k]}”。"
                       for k, n in limits.items() if len(values[k]) > n]
        as_numbers = [k for k in ("id_number", "certificate_no")
                      if k in headers and stored_as_number(sheet.cell(raw, k))]
        for k in as_numbers:  # its digits are lost: nothing is read from it
            row.errors.append(as_number_error(headers[k][0]))
            values[k] = ""
        rows.append(row)
        if as_numbers:
            continue  # its checksum would only mislead
        checked = check(values["id_number"])
        if not checked.ok:
            row.errors.append(checked.error)
            continue
        values["id_number"], values["birth_date"] = checked.number, checked.birth_date
        values["sex"] = checked.sex
        if checked.number in seen:
            row.errors.append(f"身份证号与第 {seen[checked.number]} 行重复。")
        seen.setdefault(checked.number, number)
    flag_zeroed([(r.errors, r.values["id_number"]) for r in rows])
    return None, rows
